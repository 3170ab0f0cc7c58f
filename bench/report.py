"""The results table, the target checks, the machine it ran on, and docs/benchmarks.md.

`docs/benchmarks.md` has a generated part between markers (rewritten by every
`motcua bench --full`) and hand-written parts around it (where the time goes), which a
run keeps as they are.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import sqlite3
import subprocess
from collections.abc import Sequence
from datetime import datetime
from importlib import metadata
from pathlib import Path

from bench.stats import Result

START, END = "<!-- bench:generated:start -->", "<!-- bench:generated:end -->"


def _f(x: float | None, digits: int = 1) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def table(results: Sequence[Result]) -> str:
    lines = ["| scenario | database | workers | load | rate /s | p50 ms | p99 ms | baseline /s | ratio | "
             "RSS MB | checks |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        checks = "ok" if r.ok else "FAIL: " + "; ".join(r.failures)[:200]
        if r.scenario == "call-next":
            checks = (f"{r.extra.get('claimed', 0)} claimed, {r.extra.get('double_claims', 0)} double, "
                      f"{r.extra.get('lost_tickets', 0)} lost" + ("" if r.ok else " – " + checks))
        if r.scenario in ("call-to-display", "baseline-broadcast"):
            checks = (f"{r.extra.get('connected', 0)} connected, {r.extra.get('missing_deliveries', 0)} missing"
                      + ("" if r.ok else " – " + checks))
        fanout = r.scenario in ("call-to-display", "baseline-broadcast")
        rate = f"{r.count} calls" if fanout else _f(r.rate, 0)
        if fanout:
            base = f"p99 {_f(r.baseline_p99_ms, 1)} ms" if not math.isnan(r.baseline_p99_ms) else "–"
            ratio = f"p99 ×{r.p99_ms / r.baseline_p99_ms:.1f}" if not math.isnan(r.baseline_p99_ms) else "–"
        else:
            base = _f(r.baseline_rate, 0)
            ratio = f"{_f(r.ratio * 100, 1)}%" if not math.isnan(r.ratio) else "–"
        lines.append(f"| {r.scenario} | {r.backend} | {r.workers} | {r.load} | {rate} | {_f(r.p50_ms, 2)} | "
                     f"{_f(r.p99_ms, 2)} | {base} | {ratio} | {_f(r.rss_mb, 0)} | {checks} |")
    return "\n".join(lines)


def target_checks(results: Sequence[Result]) -> list[tuple[str, bool | None, str]]:
    """(target, met?, measured) for the issue's targets; None when not measured this run."""
    def find(scenario: str, backend: str, load: int, workers: int | None = None) -> list[Result]:
        return [r for r in results if r.scenario == scenario and r.backend == backend and r.load == load
                and (workers is None or r.workers == workers)]

    out: list[tuple[str, bool | None, str]] = []
    issue16 = find("issue", "sqlite", 16)
    if issue16:
        r = issue16[0]
        out.append(("ticket issue, SQLite, 16 connections: ≥ 25% of baseline and p99 ≤ 25 ms",
                    r.ratio >= 0.25 and r.p99_ms <= 25, f"{r.ratio:.0%}, p99 {r.p99_ms:.1f} ms"))
    for backend, share in (("sqlite", 0.20), ("postgres", 0.10)):
        for r in (x for x in results if x.scenario == "call-next" and x.backend == backend and x.load in (50, 200)):
            per_worker = r.ratio / (r.workers if backend == "postgres" else 1)
            out.append((f"call-next, {backend} {r.workers} worker(s), {r.load} counters: ≥ {share:.0%} of baseline"
                        f"{' per worker' if backend == 'postgres' else ''}, zero double claims",
                        per_worker >= share and r.extra.get("double_claims", 1) == 0,
                        f"{per_worker:.0%}, {r.extra.get('double_claims')} double claims"))
    for displays, limit in ((1000, 50.0), (5000, 400.0)):
        for r in (x for x in results if x.scenario == "call-to-display" and x.load == displays):
            out.append((f"call-to-display, {r.backend} {r.workers} worker(s), {displays} displays: p99 ≤ {limit:g} ms",
                        r.p99_ms <= limit and r.ok, f"p99 {r.p99_ms:.0f} ms"))
    return out


def targets_text(results: Sequence[Result]) -> str:
    rows = target_checks(results)
    if not rows:
        return "(no target scenario in this run)"
    lines = ["| target | met | measured |", "|---|---|---|"]
    lines += [f"| {name} | {'yes' if ok else 'NO'} | {measured} |" for name, ok, measured in rows]
    floors = [r for r in results if r.scenario.startswith("issue-floor-") and r.load == 16]
    if floors:
        lines += ["", "What the issue target asks of the stack, same run, 16 connections (bench/floor.py: a "
                  "bare endpoint doing only the issue's database work): " + "; ".join(
                      f"{r.scenario.removeprefix('issue-floor-')} {r.ratio:.0%} of baseline, p99 {r.p99_ms:.1f} ms"
                      for r in floors) + "."]
    return "\n".join(lines)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    pg = "-"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, timeout=5).stdout.strip()
    load = os.getloadavg()
    versions = ", ".join(f"{p} {_version(p)}" for p in (
        "fastapi", "starlette", "uvicorn", "uvloop", "httptools", "websockets", "sqlalchemy", "psycopg", "pydantic"))
    return (f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem}; {platform.platform()}\n"
            f"- Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; {pg}\n"
            f"- {versions}\n"
            f"- load average when the run ended: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
            "(the load generator and display clients share the same cores)")


def generated_section(results: Sequence[Result], mode: str, seconds: float, command: str) -> str:
    return "\n".join([
        START,
        f"## Results ({mode} run, {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}, {seconds / 60:.1f} min)",
        "",
        f"Command: `{command}`",
        "",
        machine(),
        "",
        "### Targets",
        "",
        targets_text(results),
        "",
        "### All figures",
        "",
        table(results),
        "",
        "Rates: tickets issued, or tickets claimed per second (each claim is followed by a `start` "
        "request, which the rate does not count: the API serves twice as many requests). Ratios divide by "
        "the baseline's requests per second at the same number of connections and workers, measured in the "
        "same run. Call-to-display: from the counter's call-next reply to the LAST display receiving the "
        "TicketCalled event, p50/p99 over the calls; its baseline is a bare FastAPI WebSocket broadcast to "
        "as many clients (1 worker), and its ratio is p99 over the baseline's p99. RSS: all server processes, "
        "measured with the displays connected (the largest fan-out also has 100,000 tickets in the day). "
        "issue-floor-core / issue-floor-raw: bench/floor.py, the five statements of an issue (number, ticket, "
        "line count, event number, event) behind a bare endpoint with no auth, middleware or reply model, "
        "through SQLAlchemy Core or raw sqlite3.",
        END,
    ])


def write_docs(path: Path, section: str) -> None:
    """Replace the generated section; hand-written text around it is kept (a file without
    the markers gets the section appended, never overwritten)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("# Benchmarks\n\n" + section + "\n", encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    if START in text and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        path.write_text(head + section + tail, encoding="utf-8")
    else:
        path.write_text(text.rstrip("\n") + "\n\n" + section + "\n", encoding="utf-8")
