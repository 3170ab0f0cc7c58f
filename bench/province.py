"""`python -m bench province`: a province's mixed load on one server, the offered rate
ramped until a request's p99 passes 200 ms or an error appears.

Per site (40 by default, shaped like the demo's central site): a kiosk issuing tickets at
a Poisson rate, 8 counters cycling call-next (finishing the citizen before) → start →
service time (compressed: uniform around `--service-seconds`) → call-next; a counter with
nobody to call waits until its site's stream shows a new ticket of a service it serves
(the counter app does the same), or about 30 s. One display per site, 4 managers on the
all-sites stream, and a phone page open for every ticket from its issue until it is
called. One load generator process (uvloop) drives all of it.

Per level: tickets/s and claims/s done, p50/p99 of every request kind, the call-to-display
delay, the CPU seconds per second of the server processes, PostgreSQL's backends and the
load generator, and the server's RSS. Afterwards: no ticket handed to two counters, none
lost, every display and manager got every event of its sites (gap-free seq), every phone
page whose ticket was called saw it called.

    python -m bench province --quick                          # seconds; tests/bench runs it
    python -m bench province --configs sqlite:1,postgres:1,postgres:2 --rates 20,40,60,80,100,120,140
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import ws_client
from bench.httpclient import Connection
from bench.loadgen import HOST, run
from bench.province_world import MANAGER, Province, ProvinceSite, audit_province, build_province
from bench.servers import Databases, ServerProcess, machine_busy, motcua_server, raise_fd_limit
from queue_server.seed import DEMO_PASSWORD
from queue_server.simulation.metrics import percentile

API = "/api/v1"
P99_LIMIT_MS = 200.0
KINDS = ("issue", "call-next", "start")


@dataclass
class Settings:
    sites: int = 40
    counters_per_site: int = 8
    managers: int = 4
    rates: tuple[float, ...] = (20, 40, 60, 80, 100, 120, 140, 160)  # offered tickets per second
    level_seconds: float = 10.0
    settle_seconds: float = 2.0  # at the start of each level, not measured
    service_seconds: float = 1.6
    seed: int = 19
    whole_ramp: bool = False  # measure every rate even past the limit (CPU per ticket at each)


QUICK = Settings(sites=3, counters_per_site=4, managers=2, rates=(3.0, 6.0), level_seconds=2.0, settle_seconds=0.5,
                 service_seconds=0.5)


@dataclass
class LevelResult:
    offered: float
    seconds: float = 0.0
    tickets_per_s: float = 0.0
    claims_per_s: float = 0.0
    p50_ms: dict[str, float] = field(default_factory=dict)
    p99_ms: dict[str, float] = field(default_factory=dict)
    display_p99_ms: float = float("nan")
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per second: server, postgres, loadgen
    rss_mb: float = 0.0
    phones_open_max: int = 0
    waiting_at_end: int = 0

    @property
    def worst_p99_ms(self) -> float:
        values = [v for v in self.p99_ms.values() if v == v]
        return max(values) if values else float("nan")

    @property
    def sustained(self) -> bool:
        return self.errors == 0 and self.worst_p99_ms <= P99_LIMIT_MS


@dataclass
class RunResult:
    backend: str
    workers: int
    sites: int
    counters: int
    levels: list[LevelResult] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    load_average: tuple[float, ...] = ()

    @property
    def best(self) -> LevelResult | None:
        ok = [lv for lv in self.levels if lv.sustained]
        return max(ok, key=lambda lv: lv.tickets_per_s) if ok else None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for level, raw in zip(self.levels, out["levels"], strict=True):
            raw["worst_p99_ms"] = level.worst_p99_ms
            raw["sustained"] = level.sustained
        return out


def _login(base: str, username: str) -> str:
    r = httpx.post(base + API + "/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


class Driver:
    """Everything the province does, in one event loop."""

    def __init__(self, server: ServerProcess, province: Province, settings: Settings, clerk_tokens: dict[int, str],
                 manager_tokens: list[str], db_probe: Any, serves: dict[int, frozenset[int]]) -> None:
        self.server, self.province, self.s = server, province, settings
        self.clerk_tokens, self.manager_tokens, self.db_probe = clerk_tokens, manager_tokens, db_probe
        self.rng = random.Random(settings.seed)
        self.rate = 0.0
        self.rate_changed = asyncio.Event()  # set (and replaced) whenever the offered rate changes
        self.running = True
        self.measuring_from = float("inf")
        self.samples: dict[str, list[float]] = {k: [] for k in KINDS}
        self.errors: list[str] = []
        self.issued: set[int] = set()
        self.claimed: list[int] = []
        self.level_issued = 0
        self.level_claims = 0
        self.reply_at: dict[int, float] = {}  # ticket id -> when call-next's reply came
        self.shown_at: dict[int, float] = {}  # ticket id -> when the site's display showed the call
        self.seqs: dict[str, dict[int, set[int]]] = {}  # stream name -> site id -> event numbers seen
        self.phones: dict[int, bool] = {}  # ticket id -> its phone page has seen it called
        self.phones_open = 0
        self.phones_open_max = 0
        self.tasks: set[asyncio.Task] = set()
        self.idle: dict[int, list[tuple[frozenset[int], asyncio.Future]]] = {s.id: [] for s in province.sites}
        self.counter_services = serves  # counter id -> the services it serves
        self.ids = itertools.count()
        self.counters_ready = 0
        self.died = 0

    # ---- helpers ---------------------------------------------------------------------------
    def _spawn(self, coro) -> None:  # noqa: ANN001
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _record(self, kind: str, t0: float, t1: float, status: int, expected: tuple[int, ...], body: bytes) -> bool:
        if status not in expected:
            self.errors.append(f"{kind} {status} {body[:200]!r}")
            return False
        if t0 >= self.measuring_from:
            self.samples[kind].append((t1 - t0) * 1000.0)
        return True

    # ---- streams ---------------------------------------------------------------------------
    def _stream_reader(self, name: str, site_id: int | None):  # noqa: ANN202
        seen = self.seqs.setdefault(name, {})

        def on_text(text: str) -> bool:
            message = json.loads(text)
            if message.get("kind") != "event":
                return False
            seen.setdefault(message["site_id"], set()).add(message["seq"])
            if site_id is not None:  # a display: the calls it shows, and new tickets for idle counters
                ticket = message.get("ticket") or {}
                if message["type"] == "TicketCalled":
                    self.shown_at.setdefault(ticket.get("id"), time.perf_counter())
                elif message["type"] == "TicketIssued":
                    self._wake(site_id, ticket.get("service_id"))
            return False

        return on_text

    async def _follow(self, name: str, url: str, token: str, site_id: int | None) -> None:
        ws = await ws_client.open_stream(url, token)
        self.ready += 1
        try:
            await ws_client.read_until(ws, self._stream_reader(name, site_id))
        finally:
            await ws_client.close(ws)

    async def _phone(self, ticket_id: int, tracking_token: str) -> None:
        self.phones[ticket_id] = False
        self.phones_open += 1
        self.phones_open_max = max(self.phones_open_max, self.phones_open)
        try:
            ws = await ws_client.open_stream(ws_client.phone_url(self.server.port, tracking_token))
        except Exception as exc:  # noqa: BLE001 - counted as a failure below
            self.errors.append(f"phone page {type(exc).__name__}: {exc}")
            self.phones_open -= 1
            return

        def on_text(text: str) -> bool:
            message = json.loads(text)
            status = (message.get("ticket") or {}).get("status")
            if status and status != "waiting":
                self.phones[ticket_id] = True
                return True
            return False

        try:
            await ws_client.read_until(ws, on_text)
        finally:
            self.phones_open -= 1
            await ws_client.close(ws)

    # ---- kiosks ------------------------------------------------------------------------------
    async def _kiosk(self, site: ProvinceSite) -> None:
        idle: list[Connection] = []
        rng = random.Random(self.s.seed + site.id)
        while self.running:
            rate = self.rate / len(self.province.sites)
            changed = self.rate_changed
            try:
                await asyncio.wait_for(changed.wait(), rng.expovariate(rate) if rate > 0 else 0.2)
                # The rate changed: draw the wait again at the new rate (the arrivals of a
                # Poisson process do not remember), or a kiosk would sleep on the old one's
                # seconds-long gaps into the next level.
                continue
            except TimeoutError:
                pass
            if self.running and rate > 0:
                self._spawn(self._issue(site, idle, rng.choice(site.service_ids)))

    async def _issue(self, site: ProvinceSite, idle: list[Connection], service_id: int) -> None:
        conn = idle.pop() if idle else await Connection(HOST, self.server.port).open()
        body = {"service_id": service_id, "request_id": f"province-{site.id}-{next(self.ids):08d}"}
        t0 = time.perf_counter()
        try:
            status, raw = await conn.send_reconnecting(conn.build("POST", API + "/tickets", body, site.kiosk_token))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self.errors.append(f"issue: {type(exc).__name__} {exc}")
            return
        t1 = time.perf_counter()
        idle.append(conn)
        if self._record("issue", t0, t1, status, (201,), raw):
            reply = json.loads(raw)
            self.issued.add(reply["id"])
            if t0 >= self.measuring_from:
                self.level_issued += 1
            self._spawn(self._phone(reply["id"], reply["tracking_token"]))

    # ---- counters ----------------------------------------------------------------------------
    def _wake(self, site_id: int, service_id: int | None) -> None:
        waiting = self.idle[site_id]
        for i, (services, future) in enumerate(waiting):
            if service_id in services:
                del waiting[i]
                if not future.done():
                    future.set_result(None)
                return

    async def _wait_for_work(self, site_id: int, counter_id: int) -> None:
        future = asyncio.get_running_loop().create_future()
        entry = (self.counter_services[counter_id], future)
        self.idle[site_id].append(entry)
        try:
            # Woken by the site's stream; the timeout only guards against a missed wake-up
            # (a short one would make 320 idle counters poll the server).
            await asyncio.wait_for(future, 30.0 * self.rng.uniform(0.8, 1.2))
        except TimeoutError:
            if entry in self.idle[site_id]:
                self.idle[site_id].remove(entry)

    async def _counter(self, site: ProvinceSite, counter_id: int) -> None:
        conn = await Connection(HOST, self.server.port).open()
        token = self.clerk_tokens[site.id]
        call = conn.build("POST", f"{API}/counters/{counter_id}/call-next", {"finish_current": True}, token)
        begin = conn.build("POST", f"{API}/counters/{counter_id}/start", None, token)
        rng = random.Random(self.s.seed * 1000 + counter_id)
        first = True
        try:
            while self.running:
                t0 = time.perf_counter()
                status, raw = await conn.send_reconnecting(call)
                t1 = time.perf_counter()
                if first:
                    self.counters_ready += 1
                    first = False
                if status == 409 and b"no_ticket_waiting" in raw:
                    self._record("call-next", t0, t1, 409, (409,), raw)
                    await self._wait_for_work(site.id, counter_id)
                    continue
                if not self._record("call-next", t0, t1, status, (200,), raw):
                    await asyncio.sleep(1.0)
                    continue
                ticket_id = json.loads(raw)["id"]
                self.claimed.append(ticket_id)
                self.reply_at[ticket_id] = t1
                if t0 >= self.measuring_from:
                    self.level_claims += 1
                t0 = time.perf_counter()
                status, raw = await conn.send_reconnecting(begin)
                self._record("start", t0, time.perf_counter(), status, (200,), raw)
                await asyncio.sleep(self.s.service_seconds * rng.uniform(0.5, 1.5))
        finally:
            await conn.close()

    # ---- the run -----------------------------------------------------------------------------
    def _cpu(self) -> dict[str, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {"server": self.server.cpu(), "postgres": self.db_probe() if self.db_probe else 0.0,
                "loadgen": usage.ru_utime + usage.ru_stime, "machine": machine_busy(), "at": time.perf_counter()}

    async def run(self, log) -> list[LevelResult]:  # noqa: ANN001
        port = self.server.port
        self.ready = 0
        streams = []
        for site in self.province.sites:
            streams.append(self._follow("display", ws_client.display_url(port, site.code),
                                        site.display_token, site.id))
        for i, token in enumerate(self.manager_tokens):
            streams.append(self._follow(f"manager-{i}", ws_client.manager_url(port), token, None))
        stream_tasks = [asyncio.create_task(s) for s in streams]
        while self.ready < len(streams):
            await asyncio.sleep(0.05)
            for task in stream_tasks:
                if task.done() and task.exception():
                    raise task.exception()
        workers = [asyncio.create_task(self._kiosk(site)) for site in self.province.sites]
        workers += [asyncio.create_task(self._counter(site, cid)) for site in self.province.sites
                    for cid in site.counter_ids]
        levels: list[LevelResult] = []
        try:
            # Every counter has asked once (found nobody) before the first level: 320 clerks
            # pressing "call" at the same instant is the opening, not the load.
            deadline = time.perf_counter() + 120
            while self.counters_ready < len(self.counter_services) and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
            for rate in self.s.rates:
                self._set_rate(rate)
                await asyncio.sleep(self.s.settle_seconds)
                level = await self._measure(rate)
                levels.append(level)
                log(_level_line(level))
                if not level.sustained and not self.s.whole_ramp:
                    break
        finally:
            self.running = False
            self._set_rate(0.0)
            for future_list in self.idle.values():
                for _, future in future_list:
                    if not future.done():
                        future.set_result(None)
            for outcome in await asyncio.gather(*workers, return_exceptions=True):
                if isinstance(outcome, Exception):  # a kiosk or counter that stopped early is a failure
                    self.errors.append(f"{type(outcome).__name__}: {outcome}")
                    self.died += 1
            deadline = time.perf_counter() + 5.0  # called tickets' phone pages still to hear of it
            while time.perf_counter() < deadline and any(
                    not seen for tid, seen in self.phones.items() if tid in self.reply_at):
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # the last events reach the displays
            for task in [*self.tasks, *stream_tasks]:
                task.cancel()
            await asyncio.gather(*self.tasks, *stream_tasks, return_exceptions=True)
        return levels

    def _set_rate(self, rate: float) -> None:
        self.rate = rate
        self.rate_changed.set()
        self.rate_changed = asyncio.Event()

    async def _measure(self, rate: float) -> LevelResult:
        for values in self.samples.values():
            values.clear()
        errors_before = len(self.errors)
        self.level_issued = self.level_claims = 0
        self.phones_open_max = self.phones_open
        claimed_before = len(self.claimed)
        before = self._cpu()
        self.measuring_from = time.perf_counter()
        await asyncio.sleep(self.s.level_seconds)
        after = self._cpu()
        seconds = after["at"] - before["at"]
        self.measuring_from = float("inf")
        level = LevelResult(offered=rate, seconds=seconds, tickets_per_s=self.level_issued / seconds,
                            claims_per_s=self.level_claims / seconds)
        for kind, values in self.samples.items():
            level.p50_ms[kind] = percentile(values, 50)
            level.p99_ms[kind] = percentile(values, 99)
        delays = [max(0.0, self.shown_at[tid] - self.reply_at[tid]) * 1000.0
                  for tid in self.claimed[claimed_before:] if tid in self.shown_at]
        level.display_p99_ms = percentile(delays, 99)
        level.errors = len(self.errors) - errors_before
        level.error_samples = self.errors[errors_before:errors_before + 3]
        level.cpu = {k: (after[k] - before[k]) / seconds for k in ("server", "postgres", "loadgen", "machine")}
        level.rss_mb = self.server.rss() / 2**20
        level.phones_open_max = self.phones_open_max
        level.waiting_at_end = len(self.issued) - len(self.claimed)
        return level


def _level_line(lv: LevelResult) -> str:
    p99 = ", ".join(f"{k} {v:.0f}" for k, v in lv.p99_ms.items())
    cpu = ", ".join(f"{k} {v:.2f}" for k, v in lv.cpu.items())
    return (f"  offered {lv.offered:g}/s: tickets {lv.tickets_per_s:.1f}/s, claims {lv.claims_per_s:.1f}/s, "
            f"p99 ms [{p99}], display p99 {lv.display_p99_ms:.0f} ms, errors {lv.errors}, cpu/s [{cpu}], "
            f"rss {lv.rss_mb:.0f} MB, phones open ≤ {lv.phones_open_max}, waiting {lv.waiting_at_end}"
            + (f" e.g. {lv.error_samples[:1]}" if lv.errors else ""))


def _serves(db_url: str, province: Province) -> dict[int, frozenset[int]]:
    from sqlalchemy import select

    from queue_server.adapters import tables as t
    from queue_server.adapters.db import make_engine

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            out: dict[int, set[int]] = {}
            ids = [cid for s in province.sites for cid in s.counter_ids]
            for cid, sid in conn.execute(select(t.counter_services.c.counter_id, t.counter_services.c.service_id)
                                         .where(t.counter_services.c.counter_id.in_(ids))):
                out.setdefault(cid, set()).add(sid)
            return {cid: frozenset(v) for cid, v in out.items()}
    finally:
        engine.dispose()


def run_province(dbs: Databases, workers: int, settings: Settings, log=print) -> RunResult:  # noqa: ANN001
    db_url = dbs.new()
    province = build_province(db_url, sites=settings.sites, counters_per_site=settings.counters_per_site)
    serves = _serves(db_url, province)
    server = motcua_server(db_url, workers).start()
    result = RunResult(dbs.backend, workers, settings.sites, province.counters)
    try:
        clerks = {site.id: _login(server.url, site.clerk) for site in province.sites}
        managers = [_login(server.url, MANAGER) for _ in range(settings.managers)]
        driver = Driver(server, province, settings, clerks, managers, dbs.cpu_probe(db_url), serves)
        result.levels = run(lambda: driver.run(log))
        result.load_average = os.getloadavg()
    finally:
        server.stop()
    try:
        audit = audit_province(db_url, province, driver.issued, driver.claimed)
    finally:
        dbs.drop(db_url)
    _check_streams(result, driver, province, audit)
    return result


def _check_streams(result: RunResult, driver: Driver, province: Province, audit: Any) -> None:
    missing_streams = 0
    for by_site in driver.seqs.values():
        for site in province.sites:
            expected = set(range(1, audit.last_seq.get(site.id, 0) + 1))
            missing_streams += len(expected - by_site.get(site.id, set()))
    called_phones = [tid for tid, seen in driver.phones.items() if tid in driver.reply_at]
    missed_phones = [tid for tid in called_phones if not driver.phones[tid]]
    result.checks = {"tickets": audit.tickets, "issued": len(driver.issued), "claimed": len(driver.claimed),
                     "double_claims": audit.double_claims, "lost_tickets": audit.lost_tickets,
                     "missing_stream_events": missing_streams, "phone_pages": len(driver.phones),
                     "phone_pages_called": len(called_phones), "phone_pages_missed": len(missed_phones),
                     "streams": len(driver.seqs)}
    result.failures.extend(audit.details)
    if driver.died:
        result.failures.append(f"{driver.died} kiosks or counters stopped on an error: {driver.errors[-2:]}")
    if not driver.issued or not driver.claimed:
        result.failures.append("no ticket was issued or claimed")
    if any(lv.errors for lv in result.levels):
        result.failures.append(f"{sum(lv.errors for lv in result.levels)} error responses")
    if missing_streams:
        result.failures.append(f"{missing_streams} events missing on displays or managers' streams")
    if missed_phones:
        result.failures.append(f"{len(missed_phones)} phone pages never saw their ticket called")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench province", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few seconds on 3 small sites (tests/bench)")
    parser.add_argument("--configs", default=None, help="backend:workers,… (default sqlite:1; quick: sqlite:1)")
    parser.add_argument("--rates", help="offered tickets per second, ramped in this order")
    parser.add_argument("--level-seconds", type=float)
    parser.add_argument("--sites", type=int)
    parser.add_argument("--service-seconds", type=float)
    parser.add_argument("--whole-ramp", action="store_true",
                        help="measure every rate even past the p99 limit (the highest sustained is still reported)")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--template-url", action="append", default=[], metavar="URL")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path, help="write p99 against offered load (SVG) here")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else Settings()
    overrides = {"whole_ramp": args.whole_ramp or None, "level_seconds": args.level_seconds, "sites": args.sites, "service_seconds": args.service_seconds,
                 "rates": tuple(float(r) for r in args.rates.split(",")) if args.rates else None}
    settings = Settings(**{**asdict(settings), **{k: v for k, v in overrides.items() if v is not None}})
    configs = [(b, int(w)) for b, _, w in (c.partition(":") for c in (args.configs or "sqlite:1").split(","))]
    templates = {("sqlite" if u.startswith("sqlite") else "postgres"): u for u in args.template_url}
    raise_fd_limit()
    results: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="motcua-province-") as tmp:
        for backend in dict.fromkeys(b for b, _ in configs):
            dbs = Databases(backend, Path(tmp), pg_admin_url=args.pg_url, template_url=templates.get(backend))
            try:
                for b, workers in configs:
                    if b == backend:
                        print(f"province {backend} w{workers}: {settings.sites} sites", file=sys.stderr, flush=True)
                        results.append(run_province(dbs, workers, settings,
                                                    log=lambda s: print(s, file=sys.stderr, flush=True)))
                        print(f"  checks {results[-1].checks} {results[-1].failures or 'ok'}", file=sys.stderr)
            finally:
                dbs.close()
    from bench import province_report

    print(province_report.table(results))
    if args.json:
        args.json.write_text(json.dumps([r.to_dict() for r in results], indent=1, default=str))
    if args.plot:
        province_report.plot(results, args.plot)
    return 1 if any(r.failures or not r.levels for r in results) else 0
