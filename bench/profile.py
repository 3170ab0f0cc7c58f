"""Where the time goes: the hot paths run in-process, with every SQL statement counted
and the CPU sampled by pyinstrument.

Each path is what its route does: resolve the token (auth), the route's own reads, then
the handler (one transaction). The HTTP and JSON layers are left out on purpose: their
cost is what the baseline measures; py-spy on the live server (`motcua bench --profile`)
shows the whole request.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event

COMPARE_ROUNDS = 6


@dataclass
class PathProfile:
    name: str
    requests: int
    seconds: float
    statements: Counter
    commits: int
    text: str = ""
    cpu_seconds: float = 0.0  # this process's CPU time: steady on a machine shared with other work
    db_cpu_seconds: float = 0.0  # PostgreSQL: its backends' CPU time for the same requests

    @property
    def db_cpu_ms_per_request(self) -> float:
        return self.db_cpu_seconds / self.requests * 1000.0

    @property
    def ms_per_request(self) -> float:
        return self.seconds / self.requests * 1000.0

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds / self.requests * 1000.0

    def add(self, other: PathProfile) -> None:
        """Another round of the same path."""
        self.requests += other.requests
        self.seconds += other.seconds
        self.cpu_seconds += other.cpu_seconds
        self.db_cpu_seconds += other.db_cpu_seconds
        self.statements.update(other.statements)
        self.commits += other.commits

    @property
    def statements_per_request(self) -> float:
        return sum(self.statements.values()) / self.requests


def _kind(sql: str) -> str:
    """A short name for a statement: verb and main table."""
    text = " ".join(sql.split())
    verb = text.split(" ", 1)[0].upper()
    if verb == "SELECT":
        if text.upper().startswith("SELECT PG_NOTIFY"):
            return "SELECT pg_notify"
        match = re.search(r"\bFROM (\w+)", text)
        if "count(" in text.lower():
            return f"SELECT count(*) {match.group(1) if match else ''}"
        return f"SELECT {match.group(1) if match else ''}"
    match = re.search(r"^(?:INSERT INTO|UPDATE|DELETE FROM) (\w+)", text, re.I)
    return f"{verb} {match.group(1) if match else ''}".strip()


def profile_paths(db_url: str | None = None, *, requests: int = 300, pyinstrument: bool = True,
                  deep_queue: int = 0, pages: int = 1000, with_floors: bool = True,
                  db_cpu: Callable[[], float] | None = None) -> list[PathProfile]:
    """`db_url`: a migrated, seeded demo database to use (default: a new SQLite one);
    `db_cpu`: PostgreSQL, the CPU seconds its backends for that database have spent."""
    from queue_server.api import deps
    from queue_server.api.routes.counters import _check_access
    from queue_server.bootstrap import bootstrap
    from queue_server.domain import commands as cmd
    from queue_server.seed import prepare_demo_database
    from queue_server.service_layer import handlers, views
    from queue_server.settings import Settings
    from shared.enums import PriorityClass

    tmp = Path(tempfile.mkdtemp(prefix="motcua-profile-"))
    if db_url is None:
        db_url = f"sqlite:///{tmp / 'profile.db'}"
        prepare_demo_database(db_url)
    wiring = bootstrap(Settings(database_url=db_url, environment="test"))
    engine = wiring.engine
    statements: Counter = Counter()
    commits = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        statements[_kind(statement)] += 1

    @event.listens_for(engine, "commit")
    def _commit(conn):  # noqa: ANN001, ARG001
        commits[0] += 1

    from datetime import timedelta

    from queue_server.domain.account_commands import LogIn
    from queue_server.service_layer import accounts

    login = accounts.login(LogIn("canbo.tt", "motcua-demo", timedelta(hours=1)), wiring.uow())
    token = login["token"]
    kiosk = "mcd_demo-kiosk-hue-tt"
    handlers.open_counter(cmd.OpenCounter(1, login["staff"]["id"]), wiring.uow())
    if deep_queue:
        for _ in range(deep_queue):
            handlers.issue_ticket(cmd.IssueTicket(1, 1, service_id=1), wiring.uow())

    def auth(tok: str):  # noqa: ANN202
        return deps.resolve_principal(wiring, tok)

    def issue() -> None:
        device = auth(kiosk).device
        handlers.issue_ticket(cmd.IssueTicket(device.site_id, device.id, procedure_code="1.001193",
                                              priority=PriorityClass.NORMAL), wiring.uow())

    def call_cycle() -> None:
        me = auth(token)
        _check_access(wiring, me, 1)
        handlers.call_next(cmd.CallNext(1, me.staff.id, True), wiring.uow())
        me = auth(token)
        _check_access(wiring, me, 1)
        handlers.start_service(cmd.StartService(1, me.staff.id), wiring.uow())

    def snapshot() -> None:
        auth("mcd_demo-display-hue-tt")
        with wiring.reader() as uow:
            site = views.get_site(uow.conn, "HUE-TT")
        views.site_snapshot(wiring.reader(), site.id)

    built: list[Callable[[], None]] = []  # the pages' tickets, issued after the other paths ran

    def page_path(which: int) -> Callable[[], None]:
        def run() -> None:
            if not built:
                built.extend(_ticket_page_paths(wiring, pages))
            built[which]()
        return run

    page_event, page_event_per_page = page_path(0), page_path(1)

    floors = {}
    if with_floors:
        from bench import claim_floor

        for mode in ("core", "raw"):
            floors[mode] = (claim_floor._core if mode == "core" else claim_floor._raw)(db_url)

    def floor_cycle(mode: str) -> Callable[[], None]:
        call, begin = floors[mode]

        def cycle() -> None:
            if call(1) is None:
                raise RuntimeError("the floor ran out of waiting tickets")
            begin(1)

        return cycle

    def refill(tickets: int) -> None:  # counter 1 serves service A
        for _ in range(tickets):
            issue()

    paths: list[tuple[str, Callable[[], None], int]] = [
        ("issue ticket (POST /tickets)", issue, requests),
        ("call-next + start (2 requests)", call_cycle, requests),
        ("site snapshot (GET /sites/HUE-TT/snapshot)", snapshot, max(20, requests // 5)),
        (f"one event to {pages:,} open ticket pages: the site's watcher", page_event, max(10, requests // 10)),
        (f"one event to {pages:,} open ticket pages: each page reads its ticket (before)", page_event_per_page, 2),
    ]
    # The cycle and its floors are measured again side by side, in rounds that take turns,
    # so that a drift of the machine or of the database (the log growing, a checkpoint)
    # falls on all of them alike: their ratio is the figure that matters.
    compared = [("call-next + start, in turn with its floors", call_cycle)]
    compared += [(f"call-next floor, {mode} (2 requests, database work only)", floor_cycle(mode)) for mode in floors]
    out = []

    def measure(name: str, fn: Callable[[], None], n: int, trees: bool) -> PathProfile:
        statements.clear()
        commits[0] = 0
        profiler = None
        if trees:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
        d0 = db_cpu() if db_cpu else 0.0
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            fn()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        db_seconds = db_cpu() - d0 if db_cpu else 0.0
        text = ""
        if profiler is not None:
            profiler.stop()
            text = profiler.output_text(unicode=False, color=False, show_all=False)
        return PathProfile(name, n, seconds, Counter(statements), commits[0], text, cpu, db_seconds)

    try:
        for name, fn, n in paths:
            for _ in range(min(10, n)):
                fn()  # warm caches (statement compilation)
            out.append(measure(name, fn, n, pyinstrument))
        if floors:
            # Counting statements costs Python time per statement, which the floors (their
            # own engines) do not pay: off for the side-by-side rounds.
            event.remove(engine, "before_cursor_execute", _count)
            per_round = max(1, requests // COMPARE_ROUNDS)
            refill(len(compared) * (per_round * COMPARE_ROUNDS + 10))
            totals = {name: PathProfile(name, 0, 0.0, Counter(), 0) for name, _ in compared}
            for _, fn in compared:
                for _ in range(10):
                    fn()
            for _ in range(COMPARE_ROUNDS):
                for name, fn in compared:
                    totals[name].add(measure(name, fn, per_round, False))
            out.extend(totals.values())
    finally:
        engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _ticket_page_paths(wiring, pages: int) -> tuple[Callable[[], None], Callable[[], None]]:  # noqa: ANN001
    """`pages` citizens waiting in one line, each with their page open, and what one event
    in that line costs: the watcher's one read for all of them (web/ticket_pages.py), and
    the way it was before, when every page re-read its own ticket."""
    from queue_server.domain import commands as cmd
    from queue_server.service_layer import handlers
    from queue_server.web import citizen_views

    issued = [handlers.issue_ticket(cmd.IssueTicket(1, 1, service_id=1), wiring.uow()) for _ in range(pages)]
    ids = [t["id"] for t in issued]
    tokens = [t["tracking_token"] for t in issued]
    states = {i: citizen_views.citizen_ticket(wiring.reader(), tok)[1] for i, tok in zip(ids, tokens, strict=True)}

    def watcher() -> None:
        read = citizen_views.read_changes(wiring.reader(), 1, {ids[0]}, ids[1:], {1})
        citizen_views.changed_views(read, states, {})

    def every_page() -> None:
        for token in tokens:
            citizen_views.citizen_ticket(wiring.reader(), token)

    return watcher, every_page


def render(profiles: list[PathProfile], *, with_trees: bool = False) -> str:
    lines = ["| path | ms per request (in-process) | CPU ms per request | PostgreSQL CPU ms per request "
             "| SQL statements per request | commits |",
             "|---|---|---|---|---|---|"]
    for p in profiles:
        db = f"{p.db_cpu_ms_per_request:.2f}" if p.db_cpu_seconds else "–"
        lines.append(f"| {p.name} | {p.ms_per_request:.2f} | {p.cpu_ms_per_request:.2f} | {db} | "
                     f"{p.statements_per_request:.1f} | {p.commits / p.requests:.1f} |")
    floors = {p.name.split(",")[1].split("(")[0].strip(): p for p in profiles if p.name.startswith("call-next floor")}
    cycle = next((p for p in profiles if p.name.startswith("call-next + start, in turn")), None)
    if cycle is not None and floors:
        lines.append("")
        for mode, floor in floors.items():
            ratio = cycle.cpu_ms_per_request / floor.cpu_ms_per_request
            both = ""
            if cycle.db_cpu_seconds and floor.db_cpu_seconds:
                whole = ((cycle.cpu_seconds + cycle.db_cpu_seconds) / cycle.requests) / (
                    (floor.cpu_seconds + floor.db_cpu_seconds) / floor.requests)
                both = f"; with PostgreSQL's CPU: **{whole:.2f}×**"
            lines.append(f"- call-next + start cycle against its {mode} floor: **{ratio:.2f}×** the CPU{both}")
    for p in profiles:
        if not p.statements:
            continue  # the side-by-side rounds count none
        lines.append(f"\n**{p.name}** – statements per request:\n")
        for kind, count in p.statements.most_common():
            lines.append(f"- {count / p.requests:.2f} × `{kind}`")
        if with_trees and p.text:
            lines.append("\n```\n" + p.text + "\n```")
    return "\n".join(lines)


def summarize_pyspy(path: Path, top: int = 25) -> str:
    """Collapsed stacks from `py-spy record --format raw`: inclusive share per function."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0

    def name(frame: str) -> str:
        return frame.split(" (")[0] + " (" + frame.split(" (")[1].split(":")[0] + ")" if " (" in frame else frame

    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [name(f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"{path.name}: {total} samples", "inclusive:"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("self:")
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top // 2)]
    return "\n".join(lines)
