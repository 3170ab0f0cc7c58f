"""The benchmark scenarios. Each starts its own server on a fresh database, drives it,
checks the outcome, stops it and returns a `Result` (one line of the table)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select

from bench import populate
from bench.displays import DisplayFleet
from bench.httpclient import Connection
from bench.loadgen import HOST, LoadResult, closed_loop, run
from bench.servers import (
    Databases,
    ServerProcess,
    baseline_server,
    claim_floor_server,
    floor_server,
    motcua_server,
)
from bench.stats import Result
from queue_server.simulation.metrics import percentile

API = "/api/v1"
KIOSK_TOKEN = "mcd_demo-kiosk-hue-tt"
DISPLAY_TOKEN = "mcd_demo-display-hue-tt"
STAFF_USER, STAFF_PASSWORD = "canbo.tt", "motcua-demo"


@dataclass
class Options:
    duration: float = 10.0
    warmup: float = 1.0
    profile_dir: Path | None = None  # py-spy recordings of the server under load


# ---- helpers ---------------------------------------------------------------------------
def _login(server: ServerProcess) -> str:
    r = httpx.post(server.url + API + "/auth/login", json={"username": STAFF_USER, "password": STAFF_PASSWORD},
                   timeout=10)
    r.raise_for_status()
    return r.json()["token"]


def _procedure_codes(db_url: str) -> list[str]:
    """One procedure per intake service of HUE-TT that the site receives (its kiosk menu):
    the kiosk's real request."""
    from queue_server.adapters import tables as t
    from queue_server.adapters.db import make_engine
    from queue_server.service_layer.menu_scope import compute_scope

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            site_id = conn.execute(select(t.sites.c.id).where(t.sites.c.code == "HUE-TT")).scalar_one()
            scope = compute_scope(conn, site_id, "HUE-TT")
            codes = []
            for code in "ABCDEF":
                service_id = conn.execute(select(t.services.c.id).where(t.services.c.code == code)).scalar_one()
                received = sorted(pid for pid, line in scope.lines.items() if line == service_id)
                if received:
                    codes.append(conn.execute(select(t.procedures.c.code)
                                              .where(t.procedures.c.id == received[0])).scalar_one())
            return codes
    finally:
        engine.dispose()


@contextmanager
def _profiled(server: ServerProcess, options: Options, name: str, seconds: float):  # noqa: ANN202
    """py-spy, sampling the server's worker(s) while the measured phase runs."""
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if options.profile_dir is None or spy is None:
        yield
        return
    options.profile_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    for i, pid in enumerate(server.worker_pids()):
        out = options.profile_dir / f"{name}-w{i}.txt"
        procs.append(subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))), "--rate", "250",
             "--format", "raw", "--nonblocking", "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        yield
    finally:
        for proc in procs:
            try:
                proc.wait(int(seconds) + 30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _result_from(scenario: str, backend: str, workers: int, load: int, latencies: list[float], errors: int,
                 seconds: float, samples: list[str]) -> Result:
    res = Result(scenario, backend, workers, load, count=len(latencies), errors=errors, seconds=seconds,
                 rate=len(latencies) / seconds if seconds else 0.0, p50_ms=percentile(latencies, 50),
                 p99_ms=percentile(latencies, 99))
    if errors:
        res.failures.append(f"{errors} error responses, e.g. {samples[:2]}")
    return res


def _closed_loop_result(scenario: str, backend: str, workers: int, connections: int, load: LoadResult, *,
                        server: ServerProcess | None = None) -> Result:
    """A closed-loop run as a Result, with the server's CPU per request and, given the
    server, its memory at the end."""
    res = _result_from(scenario, backend, workers, connections, load.latencies_ms, load.errors, load.seconds,
                       load.error_samples)
    res.extra["cpu_ms_per_request"] = load.cpu_ms_per_request
    if server is not None:
        res.rss_mb = server.rss() / 2**20
    return res


# ---- baseline --------------------------------------------------------------------------
def baseline_http(workers: int, loads: list[int], options: Options) -> list[Result]:
    """The bare endpoint at each number of connections (one server for all of them)."""
    server = baseline_server(workers).start()
    try:
        def requests(conn: Connection, index: int) -> list[bytes]:
            return [conn.build("POST", "/bench/echo", {"procedure_code": f"1.00{index % 7}"})]

        out = []
        for connections in loads:
            load = run(lambda c=connections: closed_loop(server.port, c, options.duration, options.warmup,
                                                         requests, 200, cpu_probe=server.cpu))
            out.append(_closed_loop_result("baseline", "-", workers, connections, load))
        return out
    finally:
        server.stop()


# ---- ticket issue ------------------------------------------------------------------------
def issue(dbs: Databases, workers: int, connections: int, options: Options) -> Result:
    db_url = dbs.new()
    codes = _procedure_codes(db_url)
    server = motcua_server(db_url, workers).start()
    try:
        def requests(conn: Connection, index: int) -> Callable[[int], bytes]:
            # The kiosk's real request: every citizen's tap carries its own request key.
            rotated = codes[index % len(codes):] + codes[:index % len(codes)]
            return lambda i: conn.build("POST", API + "/tickets", {
                "procedure_code": rotated[i % len(rotated)], "request_id": f"bench-{index}-{i}"}, KIOSK_TOKEN)

        with _profiled(server, options, f"issue-{dbs.backend}-w{workers}-c{connections}",
                       options.warmup + options.duration):
            load = run(lambda: closed_loop(server.port, connections, options.duration, options.warmup,
                                           requests, 201, cpu_probe=server.cpu))
        return _closed_loop_result("issue", dbs.backend, workers, connections, load, server=server)
    finally:
        server.stop()
        dbs.drop(db_url)


def issue_floor(dbs: Databases, mode: str, connections: int, options: Options) -> Result:
    """bench/floor.py: only the database work of an issue, behind a bare endpoint (SQLite)."""
    db_url = dbs.new()
    server = floor_server(db_url, mode).start()
    try:
        def requests(conn: Connection, index: int) -> Callable[[int], bytes]:
            return lambda i: conn.build("POST", "/bench/floor", {"request_id": f"bench-{index}-{i}"})

        load = run(lambda: closed_loop(server.port, connections, options.duration, options.warmup,
                                       requests, 201, cpu_probe=server.cpu))
        return _closed_loop_result(f"issue-floor-{mode}", dbs.backend, 1, connections, load, server=server)
    finally:
        server.stop()
        dbs.drop(db_url)


# ---- call-next race ----------------------------------------------------------------------
@dataclass
class _Race:
    claimed: list[int]
    latencies: list[float]
    samples: list[str]
    errors: int
    seconds: float
    drained: bool
    cpu_ms_per_claim: float | None
    db_cpu_ms_per_claim: float | None


def _claim_race(server: ServerProcess, counter_ids: list[int], prefix: str, token: str | None,
                options: Options, db_probe: Callable[[], float] | None = None) -> _Race:
    """Every counter loops: call-next (finishing its serving ticket), then start, until
    the measured phase ends or the line runs dry. CPU per claim cycle: the server's, and
    the database's backends' when `db_probe` reads them (PostgreSQL)."""
    claimed: list[int] = []
    latencies: list[float] = []
    samples: list[str] = []
    errors = 0
    drained_at: list[float] = []
    marks: list[tuple[float, float]] = []  # (server, database) CPU seconds at start and end of the measured phase

    def mark() -> None:
        marks.append((server.cpu(), db_probe() if db_probe else 0.0))

    async def race() -> float:
        nonlocal errors
        conns = [await Connection(HOST, server.port).open() for _ in counter_ids]
        start = time.perf_counter()
        measure_from = start + options.warmup
        stop_at = measure_from + options.duration
        asyncio.get_running_loop().call_later(options.warmup, mark)

        async def counter(conn: Connection, cid: int) -> None:
            nonlocal errors
            call = conn.build("POST", f"{prefix}/counters/{cid}/call-next", {"finish_current": True}, token)
            begin = conn.build("POST", f"{prefix}/counters/{cid}/start", None, token)
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                status, body = await conn.send(call)
                t1 = time.perf_counter()
                if status == 409 and b"no_ticket_waiting" in body:
                    drained_at.append(t1)
                    return
                if status != 200:
                    errors += 1
                    samples.append(f"call-next {status} {body[:200]!r}")
                    return
                claimed.append(json.loads(body)["id"])
                if t0 >= measure_from:
                    latencies.append((t1 - t0) * 1000.0)
                status, body = await conn.send(begin)
                if status != 200:
                    errors += 1
                    samples.append(f"start {status} {body[:200]!r}")
                    return

        await asyncio.gather(*(counter(c, cid) for c, cid in zip(conns, counter_ids, strict=True)))
        mark()
        end = min([time.perf_counter(), *drained_at])
        for conn in conns:
            await conn.close()
        return max(1e-9, end - measure_from)

    seconds = run(race)
    per_claim = [None, None]
    if len(marks) == 2 and latencies and not drained_at:
        # Per claim cycle (call-next + start: two requests).
        per_claim = [(marks[1][k] - marks[0][k]) * 1000.0 / len(latencies) for k in (0, 1)]
    return _Race(claimed, latencies, samples, errors, seconds, bool(drained_at), per_claim[0],
                 per_claim[1] if db_probe else None)


def _race_result(scenario: str, dbs: Databases, workers: int, counters: int, race: _Race, rss: int,
                 world: populate.CallNextWorld, db_url: str) -> Result:
    try:
        audit = populate.audit_claims(db_url, world, race.claimed)
    finally:
        dbs.drop(db_url)
    res = _result_from(scenario, dbs.backend, workers, counters, race.latencies, race.errors, race.seconds,
                       race.samples)
    res.rss_mb = rss / 2**20
    res.extra.update(claimed=audit.claimed, double_claims=audit.double_claims, lost_tickets=audit.lost_tickets,
                     drained=race.drained, queue=len(world.ticket_ids))
    if race.cpu_ms_per_claim is not None:
        res.extra["cpu_ms_per_claim"] = race.cpu_ms_per_claim
    if race.db_cpu_ms_per_claim is not None:
        res.extra["db_cpu_ms_per_claim"] = race.db_cpu_ms_per_claim
    res.failures.extend(audit.details)
    if len(race.latencies) == 0:
        res.failures.append("no claim was measured (queue too small or warm-up too long)")
    return res


def call_next(dbs: Databases, workers: int, counters: int, options: Options, *, served_tickets: int,
              unserved_tickets: int) -> Result:
    """Every counter loops: call-next (finishing its serving ticket), then start. Measured:
    claims per second and the call-next latency; afterwards the database is audited."""
    db_url = dbs.new()
    world = populate.build_call_next_world(db_url, counters=counters, served_tickets=served_tickets,
                                           unserved_tickets=unserved_tickets)
    server = motcua_server(db_url, workers).start()
    try:
        token = _login(server)
        with _profiled(server, options, f"callnext-{dbs.backend}-w{workers}-n{counters}",
                       options.warmup + options.duration):
            race = _claim_race(server, world.counter_ids, API, token, options, dbs.cpu_probe(db_url))
        rss = server.rss()
    finally:
        server.stop()
    return _race_result("call-next", dbs, workers, counters, race, rss, world, db_url)


def call_next_floor(dbs: Databases, mode: str, counters: int, options: Options, *, served_tickets: int,
                    unserved_tickets: int) -> Result:
    """bench/claim_floor.py: only a claim cycle's database work, behind bare endpoints."""
    db_url = dbs.new()
    world = populate.build_call_next_world(db_url, counters=counters, served_tickets=served_tickets,
                                           unserved_tickets=unserved_tickets)
    server = claim_floor_server(db_url, mode).start()
    try:
        race = _claim_race(server, world.counter_ids, "/bench/floor", None, options, dbs.cpu_probe(db_url))
        rss = server.rss()
    finally:
        server.stop()
    return _race_result(f"call-next-floor-{mode}", dbs, 1, counters, race, rss, world, db_url)


# ---- call-to-display fan-out -------------------------------------------------------------
async def _fanout_calls(fleet: DisplayFleet, calls: int, trigger, after_call, gap: float,  # noqa: ANN001
                        wait_timeout: float) -> tuple[dict[int, int], int]:
    """Per call: the monotonic time (ns) the HTTP reply arrived, keyed by ticket id."""
    loop = asyncio.get_running_loop()
    complete: dict[int, asyncio.Event] = {}
    counts: dict[int, int] = {}
    processes = len(fleet.pipes)

    def reader(pipe) -> None:  # noqa: ANN001
        message = pipe.recv()
        if message[0] == "all":
            tid = message[1]
            counts[tid] = counts.get(tid, 0) + 1
            if counts[tid] == processes:
                complete.setdefault(tid, asyncio.Event()).set()

    for pipe in fleet.pipes:
        loop.add_reader(pipe.fileno(), reader, pipe)
    replied: dict[int, int] = {}
    timeouts = 0
    try:
        for _ in range(calls):
            tid = await trigger()
            replied[tid] = time.monotonic_ns()
            event = complete.setdefault(tid, asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), wait_timeout)
            except TimeoutError:
                timeouts += 1
            await after_call()
            await asyncio.sleep(gap)
    finally:
        for pipe in fleet.pipes:
            loop.remove_reader(pipe.fileno())
    return replied, timeouts


def _fanout_result(scenario: str, backend: str, workers: int, displays: int, fleet: DisplayFleet,
                   replied: dict[int, int], timeouts: int) -> Result:
    seen, dropped = fleet.stop()
    latencies, missing = [], 0
    for tid, t0 in replied.items():
        count, _, last = seen.get(tid, (0, 0, 0))
        missing += fleet.connected - count
        if count:
            latencies.append((last - t0) / 1e6)
    res = Result(scenario, backend, workers, displays, count=len(latencies), p50_ms=percentile(latencies, 50),
                 p99_ms=percentile(latencies, 99))
    res.extra.update(connected=fleet.connected, missing_deliveries=missing, dropped=dropped,
                     max_ms=max(latencies) if latencies else None)
    if fleet.connected != displays:
        res.failures.append(f"only {fleet.connected}/{displays} displays connected: {fleet.failures[:2]}")
    if missing:
        res.failures.append(f"{missing} event deliveries missing ({timeouts} calls timed out)")
    return res


def fanout(dbs: Databases, workers: int, displays: int, calls: int, options: Options, *,
           day_tickets: int = 0) -> Result:
    db_url = dbs.new()
    if day_tickets:
        populate.fill_day(db_url, day_tickets)
    server = motcua_server(db_url, workers).start()
    fleet = None
    try:
        token = _login(server)
        with httpx.Client(base_url=server.url + API, timeout=30) as http:
            auth = {"Authorization": f"Bearer {token}"}
            http.post("/counters/1/open", headers=auth).raise_for_status()
            for _ in range(calls + 1):
                http.post("/tickets", json={"service_id": 1},
                          headers={"Authorization": f"Bearer {KIOSK_TOKEN}"}).raise_for_status()
        url = f"ws://127.0.0.1:{server.port}{API}/ws/sites/HUE-TT"
        fleet = DisplayFleet(url, displays, headers={"Authorization": f"Bearer {DISPLAY_TOKEN}"})
        fleet.wait_ready()
        rss_connected = server.rss()

        async def drive() -> tuple[dict[int, int], int]:
            conn = await Connection(HOST, server.port).open()
            call = conn.build("POST", f"{API}/counters/1/call-next", {"finish_current": True}, token)
            begin = conn.build("POST", f"{API}/counters/1/start", None, token)

            async def trigger() -> int:
                status, body = await conn.send(call)
                if status != 200:
                    raise RuntimeError(f"call-next failed: {status} {body[:300]!r}")
                return json.loads(body)["id"]

            async def after() -> None:
                status, body = await conn.send(begin)
                if status != 200:
                    raise RuntimeError(f"start failed: {status} {body[:300]!r}")

            try:
                return await _fanout_calls(fleet, calls, trigger, after, gap=0.05 + displays / 20000,
                                           wait_timeout=10.0)
            finally:
                await conn.close()

        with _profiled(server, options, f"fanout-{dbs.backend}-w{workers}-d{displays}", 5):
            replied, timeouts = run(drive)
        rss_peak = server.rss()
        res = _fanout_result("call-to-display", dbs.backend, workers, displays, fleet, replied, timeouts)
        fleet = None
        res.rss_mb = max(rss_connected, rss_peak) / 2**20
        res.extra["day_tickets"] = day_tickets
        return res
    finally:
        if fleet is not None:
            fleet.stop()
        server.stop()
        dbs.drop(db_url)


def fanout_baseline(workers: int, displays: int, calls: int) -> Result:
    server = baseline_server(workers).start()
    fleet = None
    try:
        fleet = DisplayFleet(f"ws://127.0.0.1:{server.port}/bench/ws", displays)
        fleet.wait_ready()

        async def drive() -> tuple[dict[int, int], int]:
            conn = await Connection(HOST, server.port).open()
            raw = conn.build("POST", "/bench/broadcast", None)

            async def trigger() -> int:
                _, body = await conn.send(raw)
                return json.loads(body)["id"]

            async def after() -> None:
                return None

            try:
                return await _fanout_calls(fleet, calls, trigger, after, gap=0.05 + displays / 20000,
                                           wait_timeout=10.0)
            finally:
                await conn.close()

        replied, timeouts = run(drive)
        res = _fanout_result("baseline-broadcast", "-", workers, displays, fleet, replied, timeouts)
        fleet = None
        res.rss_mb = server.rss() / 2**20
        return res
    finally:
        if fleet is not None:
            fleet.stop()
        server.stop()
