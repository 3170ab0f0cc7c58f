"""The benchmark's quick mode, as CI runs it: real server processes, small numbers, and a
failure on any double claim, lost ticket, missing display event or error response.
(The figures themselves come from `motcua bench --full`, never from timed tests.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import pg_admin_url

ROOT = Path(__file__).resolve().parents[2]


def _quick(tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "results.json"
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--json", str(out), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, f"bench failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return json.loads(out.read_text())


def _check(results: list[dict], backend: str) -> None:
    by = {(r["scenario"], r["backend"]): r for r in results}
    issue = by[("issue", backend)]
    assert issue["count"] > 0 and issue["errors"] == 0
    claims = by[("call-next", backend)]
    assert claims["extra"]["claimed"] > 0
    assert claims["extra"]["double_claims"] == 0 and claims["extra"]["lost_tickets"] == 0
    displays = by[("call-to-display", backend)]
    assert displays["extra"]["connected"] == displays["load"]
    assert displays["extra"]["missing_deliveries"] == 0 and displays["count"] > 0


@pytest.mark.slow
def test_quick_benchmark_on_sqlite_has_no_double_claim_lost_ticket_or_error(sqlite_url: str, tmp_path: Path) -> None:
    results = _quick(tmp_path, "--backends", "sqlite", "--template-url", sqlite_url)
    _check(results, "sqlite")
    baseline = [r for r in results if r["scenario"] == "baseline"]
    assert baseline and all(r["errors"] == 0 and r["rate"] > 0 for r in baseline)
    # The floor issues real tickets on motcua's schema, both ways, without one error.
    floors = {r["scenario"]: r for r in results if r["scenario"].startswith("issue-floor-")}
    assert set(floors) == {"issue-floor-core", "issue-floor-raw"}
    assert all(r["errors"] == 0 and r["count"] > 0 for r in floors.values())


@pytest.mark.slow
@pytest.mark.postgres
def test_quick_benchmark_on_postgres_with_two_workers_loses_nothing(tmp_path: Path) -> None:
    results = _quick(tmp_path, "--backends", "postgres", "--pg-workers", "2", "--pg-url", pg_admin_url(),
                     "--scenarios", "call-next,fanout")
    by = {(r["scenario"], r["backend"]): r for r in results}
    claims = by[("call-next", "postgres")]
    assert claims["extra"]["claimed"] > 0 and claims["extra"]["double_claims"] == 0
    assert claims["extra"]["lost_tickets"] == 0
    displays = by[("call-to-display", "postgres")]
    assert displays["extra"]["missing_deliveries"] == 0  # events crossed the two workers


def test_profile_mode_counts_the_sql_statements_of_each_hot_path(sqlite_url: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "bench", "--profile", "--requests", "5", "--no-trees",
                           "--template-url", sqlite_url], cwd=ROOT, capture_output=True, text=True, timeout=200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    for path in ("issue ticket", "call-next + start", "site snapshot"):
        assert path in out
    assert "× `INSERT tickets`" in out and "× `INSERT ticket_events`" in out
