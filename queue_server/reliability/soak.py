"""`motcua soak`: a lobby under load for N minutes while its server is killed -9 again and
again; then the crash invariants are checked and a summary printed (exit 1 if broken).

    motcua soak --minutes 30                      # SQLite in a temporary folder
    motcua soak --minutes 30 --database-url postgresql://postgres@127.0.0.1/soak --servers 2

A database given with --database-url must be empty (a throw-away one): the drill migrates
it and seeds the demo province into it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import inspect

from queue_server.reliability.invariants import check
from queue_server.reliability.server_process import ServerProcess
from queue_server.reliability.workload import DisplayFollower, LobbyConfig, Workload
from shared.client import StreamState
from shared.enums import DeviceKind


def prepare_drill_database(db_url: str) -> None:
    """The demo province in a throw-away database; refuses one that holds anything."""
    from queue_server.adapters.db import make_engine
    from queue_server.seed import prepare_demo_database

    engine = make_engine(db_url)
    try:
        if inspect(engine).get_table_names():
            raise SystemExit("motcua soak: the database is not empty; give a throw-away database "
                             "(the drill seeds the demo province into it)")
    finally:
        engine.dispose()
    prepare_demo_database(db_url)


def _lobby() -> LobbyConfig:
    from queue_server.seed import DEMO_PASSWORD, demo_device_token

    return LobbyConfig(kiosk_token=demo_device_token(DeviceKind.KIOSK, "HUE-TT"),
                       display_token=demo_device_token(DeviceKind.DISPLAY, "HUE-TT"), staff_password=DEMO_PASSWORD)


def soak_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua soak", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, default=None, help="minutes of load, restarts not counted (default 5)")
    length.add_argument("--seconds", type=float, default=None, help="how long to run, for short CI runs")
    parser.add_argument("--kill-every", type=float, default=20.0, help="seconds between kill -9 (default 20)")
    parser.add_argument("--database-url", default=None, help="an EMPTY throw-away database (default: SQLite in /tmp)")
    parser.add_argument("--servers", type=int, default=1, help="server processes on one PostgreSQL (default 1)")
    parser.add_argument("--kiosks", type=int, default=3)
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else 60 * (args.minutes if args.minutes is not None else 5)
    if args.servers < 1 or args.kill_every <= 0 or seconds <= 0:
        parser.error("--servers, --kill-every and the duration must be positive")

    workdir = Path(tempfile.mkdtemp(prefix="motcua-soak-"))
    db_url = args.database_url or f"sqlite:///{workdir / 'soak.db'}"
    if args.servers > 1 and db_url.startswith("sqlite"):
        parser.error("several servers need PostgreSQL (--database-url postgresql://…)")
    prepare_drill_database(db_url)
    env = {"MOTCUA_FILE_STORAGE_DIR": str(workdir / "files")}
    servers = [ServerProcess(db_url, extra_env=env) for _ in range(args.servers)]
    print(f"motcua soak: {seconds:g} s of load on {db_url.split('@')[-1]}, {len(servers)} server(s), "
          f"kill -9 every {args.kill_every:g} s", flush=True)
    lobby = _lobby()
    lobby.kiosks = args.kiosks
    urls = []
    display = None
    load = None
    try:
        for server in servers:
            server.start()
            urls.append(server.url)
        load = Workload(urls, lobby)
        load.start()
        display = DisplayFollower(urls, lobby.display_token, lobby.site_code, 1)
        display.start()
        kills, problems = _drill(servers, load, display, seconds, args.kill_every)
        load.stop()
        load.finish_current_tickets()
        report = check(db_url, load.tally)
        problems += report.problems
        snapshot_seq = load.until_ok("GET", f"/sites/{lobby.site_code}/snapshot", 30).json()["seq"]
        if not display.wait_until(lambda d: d.last_seq == snapshot_seq, 30):
            problems.append(f"the display stopped at event {display.last_seq}, the site is at {snapshot_seq}")
        bad_503 = [r for r in load.tally.unavailable if "Retry-After" not in r.headers]
        if bad_503:
            problems.append(f"{len(bad_503)} replies 503 without Retry-After")
        problems += [f"unexpected reply: {u}" for u in load.tally.unexpected[:10]]
    finally:
        if load is not None:
            load.stop()
        if display is not None:
            display.stop()
        for server in servers:
            server.stop()
    t = load.tally
    print(f"kills: {kills}; issued {len(t.issued)} (answers lost {t.lost_answers}, retried to the same ticket "
          f"{t.retried_issues}, unanswered at the end {t.lost_issues}); calls {len(t.claims)} "
          f"(answers lost {t.lost_calls}); refused connections {t.unreachable}; 503 replies {len(t.unavailable)}; "
          f"display resyncs {display.resyncs}")
    print(report.summary())
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if problems:
        print(f"soak: FAILED (database, files and server logs kept: {workdir}, "
              f"{', '.join(str(s.log_path) for s in servers)})", flush=True)
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    for server in servers:
        server.log_path.unlink(missing_ok=True)
    print("soak: OK", flush=True)
    return 0


def _drill(servers: list[ServerProcess], load: Workload, display: DisplayFollower, seconds: float,
           kill_every: float) -> tuple[int, list[str]]:
    problems: list[str] = []
    kills = 0
    remaining = seconds  # of load; the time a restart takes is not counted
    while True:
        pause = min(kill_every, remaining)
        time.sleep(pause)
        remaining -= pause
        if remaining <= 0:
            return kills, problems
        victim = servers[kills % len(servers)]
        victim.kill()
        kills += 1
        epoch = load.next_epoch()
        victim.start()
        # The clients come back by themselves, or the drill says so.
        waited = time.monotonic()
        while (load.tally.issued_in(epoch) == 0 or display.state is not StreamState.LIVE) \
                and time.monotonic() - waited < 30:
            time.sleep(0.1)
        if load.tally.issued_in(epoch) == 0:
            problems.append(f"kill {kills}: kiosks did not issue again within 30 s")
        print(f"  kill -9 #{kills} of {victim.url}: clients served again {time.monotonic() - waited:.1f} s "
              f"after it was up; "
              f"{len(load.tally.issued)} tickets so far", flush=True)


if __name__ == "__main__":
    sys.exit(soak_command(sys.argv[1:]))
