"""Open ticket pages in a lobby: `python -m bench.ticket_pages`.

Every waiting citizen keeps their ticket page (`/t/<token>/ws`) open. This starts a real
server, issues `calls` tickets to be called and then one ticket per page, all in one line
(the worst case: every call changes every page), opens the pages from client processes,
and makes `calls` calls. It reports, per call, the time from sending call-next to each page
receiving its new view (people ahead one fewer), and the latency of `/health`, polled every
50 ms, meanwhile.

`--tree main=/work/main` runs the same scenario on another checkout's code (prepared and
started from there) in the same run: the before/after figures of docs/benchmarks.md.

    python -m bench.ticket_pages --pages 1000,5000 --calls 10 --tree main=/work/main
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from pathlib import Path

import httpx

from bench.servers import ROOT, UNLIMITED_KIOSK, ServerProcess, free_port, raise_fd_limit
from queue_server.simulation.metrics import percentile

API = "/api/v1"
KIOSK = {"Authorization": "Bearer mcd_demo-kiosk-hue-tt"}
CONNECT_PARALLEL = 64
PER_PROCESS = 1250


# ---- the pages (client processes) ------------------------------------------------------------
async def _pages_main(urls: list[str], pipe: Pipe) -> None:
    import websockets

    loop = asyncio.get_running_loop()
    stamps: list[list[int]] = [[] for _ in urls]
    reached: dict[int, int] = {}
    gate = asyncio.Semaphore(CONNECT_PARALLEL)
    sockets: list = [None] * len(urls)
    stop = asyncio.Event()

    async def connect(i: int) -> None:
        async with gate:
            for _ in range(3):
                try:
                    ws = await websockets.connect(urls[i], compression=None, ping_interval=None, open_timeout=120,
                                                  max_queue=None)
                    await ws.recv()  # the first view
                    sockets[i] = ws
                    return
                except Exception:  # noqa: BLE001 - counted as not connected
                    await asyncio.sleep(0.5)

    await asyncio.gather(*(connect(i) for i in range(len(urls))))
    live = [i for i, ws in enumerate(sockets) if ws is not None]
    pipe.send(("ready", len(live)))

    async def listen(i: int) -> None:
        try:
            async for text in sockets[i]:
                if '"kind":"ticket"' not in text and '"kind": "ticket"' not in text:
                    continue  # heartbeats
                stamps[i].append(time.monotonic_ns())
                n = len(stamps[i])
                reached[n] = reached.get(n, 0) + 1
                if reached[n] == len(live):
                    pipe.send(("all", n))
        except Exception:  # noqa: BLE001 - a dropped page shows as missing views
            pass

    loop.add_reader(pipe.fileno(), lambda: pipe.recv() == "stop" and stop.set())
    tasks = [asyncio.create_task(listen(i)) for i in live]
    await stop.wait()
    loop.remove_reader(pipe.fileno())
    for task in tasks:
        task.cancel()
    await asyncio.gather(*(sockets[i].close() for i in live), return_exceptions=True)
    pipe.send(("done", [stamps[i] for i in live]))


def _pages_process(urls: list[str], pipe: Pipe) -> None:
    raise_fd_limit()
    from bench.loadgen import run

    run(lambda: _pages_main(urls, pipe))


class PageFleet:
    def __init__(self, urls: list[str]) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.procs, self.pipes = [], []
        for start in range(0, len(urls), PER_PROCESS):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=_pages_process, args=(urls[start:start + PER_PROCESS], theirs), daemon=True)
            proc.start()
            self.procs.append(proc)
            self.pipes.append(ours)
        self.connected = 0

    def wait_ready(self, timeout: float = 600) -> None:
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError("ticket pages did not connect in time")
            kind, connected = pipe.recv()
            self.connected += connected

    async def all_reached(self, n: int, timeout: float) -> bool:
        """True when every page of every process has received `n` views."""
        waiting = set(range(len(self.pipes)))
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            for i in list(waiting):
                while self.pipes[i].poll():
                    message = self.pipes[i].recv()
                    if message[0] == "all" and message[1] >= n:
                        waiting.discard(i)
            await asyncio.sleep(0.01)
        return not waiting

    def stop(self) -> list[list[int]]:
        for pipe in self.pipes:
            pipe.send("stop")
        stamps: list[list[int]] = []
        for pipe in self.pipes:
            while True:
                if not pipe.poll(120):
                    raise RuntimeError("a page process did not report")
                message = pipe.recv()
                if message[0] == "done":
                    stamps.extend(message[1])
                    break
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        return stamps


# ---- one run -------------------------------------------------------------------------------
@dataclass
class Outcome:
    tree: str
    pages: int
    connected: int = 0
    calls: int = 0
    page_ms: list[float] = field(default_factory=list)
    missing: int = 0
    health_ms: list[float] = field(default_factory=list)
    rss_mb: float = 0.0

    def row(self) -> str:
        def ms(values: list[float], q: float) -> str:
            return f"{percentile(values, q):,.0f}" if values else "–"
        return (f"| {self.tree} | {self.pages:,} | {self.connected:,} | {self.calls} | {ms(self.page_ms, 50)} | "
                f"{ms(self.page_ms, 99)} | {ms(self.page_ms, 100)} | {self.missing:,} | {ms(self.health_ms, 50)} | "
                f"{ms(self.health_ms, 99)} | {ms(self.health_ms, 100)} | {self.rss_mb:,.0f} |")


HEADER = ("| code | pages open | connected | calls | call→page p50 ms | p99 ms | max ms | views missing | "
          "/health p50 ms | p99 ms | max ms | server RSS MB |\n|---|---|---|---|---|---|---|---|---|---|---|---|")


def _prepare(tree: Path, url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-c", f"from queue_server.seed import prepare_demo_database as p; p({url!r})"],
                   cwd=tree, env=env, check=True, capture_output=True)


def _server(tree: Path, url: str, port: int | None) -> ServerProcess:
    port = port or free_port()
    env = {**os.environ, "PYTHONPATH": str(tree), "MOTCUA_DATABASE_URL": url, "MOTCUA_ENVIRONMENT": "test",
           "MOTCUA_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "MOTCUA_TICKET_PAGES_PER_ADDRESS": "1000000",
           **UNLIMITED_KIOSK}
    argv = [sys.executable, "-m", "shared.cli", "server", "--workers", "1", "--log-level", "warning"]
    return ServerProcess(argv, env, "/api/v1/health", port=port, cwd=tree)


def run_once(name: str, tree: Path, pages: int, calls: int, wait_seconds: float, log=print,  # noqa: ANN001
             port: int | None = None) -> Outcome:
    workdir = Path(tempfile.mkdtemp(prefix="motcua-pages-"))
    url = f"sqlite:///{workdir / 'pages.db'}"
    _prepare(tree, url)
    server = _server(tree, url, port).start()
    out = Outcome(name, pages)
    fleet = None
    try:
        with httpx.Client(base_url=server.url + API, timeout=60) as http:
            token = http.post("/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"}).json()["token"]
            staff = {"Authorization": f"Bearer {token}"}
            http.post("/counters/1/open", headers=staff).raise_for_status()
            for _ in range(calls + 1):
                http.post("/tickets", json={"service_id": 1}, headers=KIOSK).raise_for_status()
            tokens = [http.post("/tickets", json={"service_id": 1}, headers=KIOSK).json()["tracking_token"]
                      for _ in range(pages)]
        log(f"  {name}: {pages} tickets issued; opening their pages")
        fleet = PageFleet([f"ws://127.0.0.1:{server.port}/t/{tok}/ws" for tok in tokens])
        fleet.wait_ready()
        out.connected = fleet.connected
        log(f"  {name}: {fleet.connected} pages open; calling")
        sent = asyncio.run(_drive(server.url, staff, fleet, calls, wait_seconds, out))
        out.rss_mb = server.rss() / 2**20
        stamps = fleet.stop()
        fleet = None
        for views in stamps:
            for k, t0 in enumerate(sent):  # the k-th view after the first one answers call k
                if len(views) > k:
                    out.page_ms.append(max(0.0, (views[k] - t0) / 1e6))
                else:
                    out.missing += 1
        out.calls = len(sent)
        return out
    finally:
        if fleet is not None:
            fleet.stop()
        server.stop()


async def _drive(base: str, staff: dict, fleet: PageFleet, calls: int, wait_seconds: float,
                 out: Outcome) -> list[int]:
    sent: list[int] = []
    done = asyncio.Event()

    async def health(client: httpx.AsyncClient) -> None:
        while not done.is_set():
            t0 = time.perf_counter()
            try:
                await client.get(f"{API}/health")
                out.health_ms.append((time.perf_counter() - t0) * 1000)
            except httpx.HTTPError:
                out.health_ms.append(wait_seconds * 1000)
            await asyncio.sleep(0.05)

    async with httpx.AsyncClient(base_url=base, timeout=max(60.0, wait_seconds)) as client, \
            httpx.AsyncClient(base_url=base, timeout=max(60.0, wait_seconds)) as prober:
        watcher = asyncio.create_task(health(prober))
        try:
            for k in range(1, calls + 1):
                sent.append(time.monotonic_ns())
                (await client.post(f"{API}/counters/1/call-next", json={"finish_current": True},
                                   headers=staff)).raise_for_status()
                (await client.post(f"{API}/counters/1/start", headers=staff)).raise_for_status()
                await fleet.all_reached(k, wait_seconds)
                await asyncio.sleep(0.2)
        finally:
            done.set()
            await watcher
    return sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ticket_pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="1000,5000", help="comma-separated numbers of open pages")
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--tree", action="append", default=[],
                        help="NAME=PATH of another checkout to measure too (e.g. main=/work/main)")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for all pages after a call")
    parser.add_argument("--port", type=int, default=None, help="first server port (one more per run; default: free)")
    args = parser.parse_args(argv)
    raise_fd_limit()
    trees = [(name, Path(path)) for name, path in (t.split("=", 1) for t in args.tree)] + [("this", ROOT)]
    rows = []
    runs = [(int(p), name, tree) for p in args.pages.split(",") for name, tree in trees]
    for i, (pages, name, tree) in enumerate(runs):
        print(f"{name}: {pages} open pages, {args.calls} calls", file=sys.stderr, flush=True)
        outcome = run_once(name, tree, pages, args.calls, args.wait,
                           log=lambda s: print(s, file=sys.stderr, flush=True),
                           port=args.port + i if args.port else None)
        rows.append(outcome.row())
        print(outcome.row(), file=sys.stderr, flush=True)
    print(HEADER)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
