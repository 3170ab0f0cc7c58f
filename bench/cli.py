"""`motcua bench` (also `python -m bench`): start real servers on 127.0.0.1, load them,
print the table; `--full` also writes docs/benchmarks.md.

    python -m bench --quick                       # seconds; what CI runs; exit 1 on any failure
    python -m bench --full                        # the issue's figures (about 15-25 minutes)
    python -m bench --full --backends sqlite      # no PostgreSQL
    python -m bench --profile                     # statements per request and CPU profiles

The quick mode fails (exit status 1) on any double claim, lost ticket, missing event or
error response; the full mode reports figures, and fails only on those same checks.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import report, scenarios
from bench.servers import ROOT, Databases, raise_fd_limit
from bench.stats import Result


@dataclass(frozen=True)
class Plan:
    duration: float
    warmup: float
    connections: tuple[int, ...]
    counters: tuple[int, ...]
    served_tickets: int
    unserved_tickets: int
    displays: tuple[int, ...]
    calls: int
    day_tickets: int  # tickets already in the day for the largest fan-out (memory figure)


QUICK = Plan(duration=1.0, warmup=0.3, connections=(4,), counters=(10,), served_tickets=600, unserved_tickets=200,
             displays=(20,), calls=5, day_tickets=2000)
FULL = Plan(duration=10.0, warmup=1.0, connections=(4, 16, 64), counters=(50, 200), served_tickets=32000,
            unserved_tickets=16000, displays=(100, 1000, 5000), calls=40, day_tickets=100_000)


def _configs(backends: list[str], pg_workers: list[int]) -> list[tuple[str, int]]:
    out = []
    for backend in backends:
        out += [(backend, 1)] if backend == "sqlite" else [(backend, w) for w in pg_workers]
    return out


def run_plan(plan: Plan, backends: list[str], pg_workers: list[int], *, template_urls: dict[str, str],
             pg_admin: str | None, scenario_names: set[str], profile_dir: Path | None,
             log=print) -> list[Result]:  # noqa: ANN001
    raise_fd_limit()
    options = scenarios.Options(duration=plan.duration, warmup=plan.warmup, profile_dir=profile_dir)
    configs = _configs(backends, pg_workers)
    results: list[Result] = []
    worker_counts = sorted({w for _, w in configs})
    baseline: dict[tuple[int, int], Result] = {}
    if scenario_names & {"issue", "call-next"}:
        loads = set()
        if "issue" in scenario_names:
            loads |= set(plan.connections)
        if "call-next" in scenario_names:
            loads |= set(plan.counters)
        for workers in worker_counts:
            for r in scenarios.baseline_http(workers, sorted(loads), options):
                baseline[(workers, r.load)] = r
                results.append(r)
                log(f"baseline w{workers} c{r.load}: {r.rate:,.0f}/s p99 {r.p99_ms:.1f} ms "
                    f"cpu/request {r.extra.get('cpu_ms_per_request') or 0:.3f} ms")
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        for backend in backends:
            dbs = Databases(backend, Path(tmp), pg_admin_url=pg_admin, template_url=template_urls.get(backend))
            try:
                for b, workers in configs:
                    if b != backend:
                        continue
                    if "issue" in scenario_names:
                        for conns in plan.connections:
                            r = scenarios.issue(dbs, workers, conns, options)
                            _attach(r, baseline.get((workers, conns)))
                            results.append(r)
                            log(_line(r))
                            if backend == "sqlite" and "floor" in scenario_names:
                                for floor_mode in ("core", "raw"):
                                    r = scenarios.issue_floor(dbs, floor_mode, conns, options)
                                    _attach(r, baseline.get((workers, conns)))
                                    results.append(r)
                                    log(_line(r))
                    if "call-next" in scenario_names:
                        for counters in plan.counters:
                            r = scenarios.call_next(dbs, workers, counters, options,
                                                    served_tickets=plan.served_tickets,
                                                    unserved_tickets=plan.unserved_tickets)
                            _attach(r, baseline.get((workers, counters)))
                            results.append(r)
                            log(_line(r))
                            if workers == 1 and "floor" in scenario_names:
                                for floor_mode in ("core", "raw"):
                                    r = scenarios.call_next_floor(dbs, floor_mode, counters, options,
                                                                  served_tickets=plan.served_tickets,
                                                                  unserved_tickets=plan.unserved_tickets)
                                    _attach(r, baseline.get((1, counters)))
                                    results.append(r)
                                    log(_line(r))
                    if "fanout" in scenario_names:
                        for displays in plan.displays:
                            day = plan.day_tickets if displays == max(plan.displays) else 0
                            calls = plan.calls if displays < 5000 else max(10, plan.calls // 2)
                            r = scenarios.fanout(dbs, workers, displays, calls, options, day_tickets=day)
                            results.append(r)
                            log(_line(r))
            finally:
                dbs.close()
    if "fanout" in scenario_names:
        for displays in plan.displays:
            calls = plan.calls if displays < 5000 else max(10, plan.calls // 2)
            r = scenarios.fanout_baseline(1, displays, calls)
            results.append(r)
            log(_line(r))
            for other in results:
                if other.scenario == "call-to-display" and other.load == displays:
                    other.baseline_p99_ms = r.p99_ms
    return results


def _attach(result: Result, base: Result | None) -> None:
    if base is not None:
        result.baseline_rate = base.rate
        result.baseline_p99_ms = base.p99_ms


def _line(r: Result) -> str:
    status = "ok" if r.ok else "FAIL " + "; ".join(r.failures)
    return (f"{r.scenario} {r.backend} w{r.workers} load {r.load}: {r.rate:,.0f}/s p50 {r.p50_ms:.1f} ms "
            f"p99 {r.p99_ms:.1f} ms ratio {r.ratio:.0%} rss {r.rss_mb:.0f} MB {r.extra or ''} – {status}")


def _profile_on(backend: str, args: argparse.Namespace) -> list:
    """The in-process profile on one database: SQLite (a new file, or the given template)
    or PostgreSQL (a throw-away copy of a seeded database; its backends' CPU is measured)."""
    from bench.profile import profile_paths

    options = {"requests": args.requests, "pyinstrument": not args.no_trees, "pages": args.pages}
    if backend == "sqlite":
        template = next((u for u in args.template_url if u.startswith("sqlite")), None)
        return profile_paths(template, **options)
    template = next((u for u in args.template_url if u.startswith("postgres")), None)
    with tempfile.TemporaryDirectory() as workdir:
        dbs = Databases("postgres", Path(workdir), pg_admin_url=args.pg_url, template_url=template)
        url = dbs.new()
        try:
            return profile_paths(url, db_cpu=dbs.cpu_probe(url), **options)
        finally:
            dbs.drop(url)
            dbs.close()


def bench_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="seconds, small numbers (the default)")
    mode.add_argument("--full", action="store_true", help="the figures of docs/benchmarks.md")
    mode.add_argument("--profile", action="store_true",
                      help="in-process: SQL statements per request and pyinstrument trees of the hot paths")
    parser.add_argument("--backends", default=None, help="sqlite,postgres (quick: sqlite; full: both)")
    parser.add_argument("--pg-workers", default="1,2", help="server processes on PostgreSQL")
    parser.add_argument("--pg-url", default=None, help="admin URL of the PostgreSQL server for throw-away "
                        "databases (default: $MOTCUA_BENCH_PG_URL or postgresql://postgres@127.0.0.1:5432/postgres)")
    parser.add_argument("--template-url", action="append", default=[], metavar="URL",
                        help="use this migrated, seeded database as the template (instead of creating one)")
    parser.add_argument("--scenarios", default="issue,floor,call-next,fanout")
    parser.add_argument("--duration", type=float, help="measured seconds per level (overrides the mode)")
    parser.add_argument("--warmup", type=float, help="seconds before measuring, per level (overrides the mode)")
    parser.add_argument("--connections", help="issue: connection levels, e.g. 16 (overrides the mode)")
    parser.add_argument("--counters", help="call-next: counter levels, e.g. 50 (overrides the mode)")
    parser.add_argument("--displays", help="call-to-display: display levels, e.g. 1000 (overrides the mode)")
    parser.add_argument("--served-tickets", type=int, help="call-next: waiting tickets in served services")
    parser.add_argument("--py-spy", type=Path, metavar="DIR", help="record the server with py-spy into DIR")
    parser.add_argument("--docs", type=Path, default=None,
                        help="write the generated section into this file (--full: docs/benchmarks.md)")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON")
    parser.add_argument("--requests", type=int, default=300, help="--profile: requests per hot path")
    parser.add_argument("--no-trees", action="store_true", help="--profile: counts only, no pyinstrument")
    parser.add_argument("--pages", type=int, default=1000, help="--profile: open ticket pages for one event")
    args = parser.parse_args(argv)

    if args.profile:
        from bench.profile import render

        for backend in (args.backends or "sqlite").split(","):
            print(f"\n## {backend}\n")
            print(render(_profile_on(backend, args), with_trees=not args.no_trees))
        return 0
    plan = FULL if args.full else QUICK
    if args.duration:
        plan = Plan(**{**plan.__dict__, "duration": args.duration})
    if args.warmup is not None:
        plan = Plan(**{**plan.__dict__, "warmup": args.warmup})
    if args.served_tickets:
        plan = Plan(**{**plan.__dict__, "served_tickets": args.served_tickets})
    for name in ("connections", "counters", "displays"):
        levels = getattr(args, name)
        if levels:
            plan = Plan(**{**plan.__dict__, name: tuple(int(n) for n in levels.split(","))})
    backends = (args.backends or ("sqlite,postgres" if args.full else "sqlite")).split(",")
    templates = {}
    for url in args.template_url:
        templates["sqlite" if url.startswith("sqlite") else "postgres"] = url
    started = time.perf_counter()
    results = run_plan(plan, backends, [int(w) for w in args.pg_workers.split(",")], template_urls=templates,
                       pg_admin=args.pg_url, scenario_names=set(args.scenarios.split(",")),
                       profile_dir=args.py_spy, log=lambda s: print(s, file=sys.stderr, flush=True))
    seconds = time.perf_counter() - started
    print(report.table(results))
    print()
    print(report.targets_text(results))
    if args.json:
        args.json.write_text(json.dumps([r.to_dict() for r in results], indent=1, default=str))
    docs = args.docs or (ROOT / "docs" / "benchmarks.md" if args.full else None)
    if docs:
        command = "motcua bench " + " ".join(argv)
        report.write_docs(docs, report.generated_section(results, "full" if args.full else "quick", seconds,
                                                         command.strip()))
        print(f"wrote {docs}", file=sys.stderr)
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"FAILED: {r.scenario} {r.backend} w{r.workers} load {r.load}: {'; '.join(r.failures)}",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(bench_command(sys.argv[1:]))
