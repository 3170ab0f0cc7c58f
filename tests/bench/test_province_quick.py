"""`python -m bench province --quick`: a few seconds of the province's mixed load (kiosks,
counters, displays, managers' streams, phone pages) on small sites, so the scenario keeps
working. It fails on a double claim, a lost ticket, a missing stream event, a phone page
that never saw its ticket called, or an error response; figures are not judged here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_province_run_loses_nothing_and_every_stream_and_phone_page_hears_its_events(
        sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "province.json"
    plot = tmp_path / "p99.svg"
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "bench", "province", "--quick", "--template-url", sqlite_url,
                           "--json", str(out), "--plot", str(plot)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=280)
    assert proc.returncode == 0, f"province run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    [run] = json.loads(out.read_text())
    checks = run["checks"]
    assert checks["issued"] > 0 and checks["claimed"] > 0
    assert checks["double_claims"] == 0 and checks["lost_tickets"] == 0
    assert checks["missing_stream_events"] == 0
    assert checks["phone_pages_called"] > 0 and checks["phone_pages_missed"] == 0
    assert checks["streams"] == 3  # the displays and both managers' all-sites streams
    assert all(level["errors"] == 0 for level in run["levels"])
    assert "<polyline" in plot.read_text()  # the plot has a line for the run
