"""Lobby displays for the fan-out scenario: client processes holding many WebSockets.

Each process connects its share of sockets, then for every TicketCalled event notes when
each socket received it (CLOCK_MONOTONIC, which all processes share on Linux, so the
driver can subtract the time its HTTP call returned). When all of its sockets have one
event it tells the driver at once, so the next call waits for the last display and calls
never overlap. Parsing is a string search, not json.loads: 5,000 copies of every event
land on the same two cores as the server.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe

from bench.servers import raise_fd_limit

TICKET_ID = re.compile(r'"ticket": ?\{"id": ?(\d+)')
CONNECT_PARALLEL = 64


@dataclass
class Received:
    count: int = 0
    first_ns: int = 0
    last_ns: int = 0


async def _display_main(url: str, sockets: int, pipe: Pipe, headers: dict[str, str]) -> None:
    import websockets

    loop = asyncio.get_running_loop()
    seen: dict[int, Received] = {}
    conns: list = []
    failures: list[str] = []
    gate = asyncio.Semaphore(CONNECT_PARALLEL)
    stop = asyncio.Event()
    closed_early = 0

    async def connect() -> None:
        async with gate:
            for attempt in range(3):
                try:
                    ws = await websockets.connect(url, compression=None, ping_interval=None, open_timeout=60,
                                                  max_queue=None, additional_headers=headers)
                    await ws.recv()  # hello
                    conns.append(ws)
                    return
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    if attempt == 2:
                        failures.append(f"{type(exc).__name__}: {exc}"[:200])
                    await asyncio.sleep(0.2)

    await asyncio.gather(*(connect() for _ in range(sockets)))
    connected = len(conns)
    pipe.send(("ready", connected, failures[:5]))

    async def listen(ws) -> None:  # noqa: ANN001
        nonlocal closed_early
        try:
            async for text in ws:
                if "TicketCalled" not in text:
                    continue
                now = time.monotonic_ns()
                match = TICKET_ID.search(text)
                if match is None:
                    continue
                tid = int(match.group(1))
                rec = seen.get(tid)
                if rec is None:
                    rec = seen[tid] = Received(first_ns=now)
                rec.count += 1
                rec.last_ns = now
                if rec.count == connected:
                    pipe.send(("all", tid))
        except Exception:  # noqa: BLE001 - a dropped display is reported as missing events
            pass
        if not stop.is_set():
            closed_early += 1

    def on_command() -> None:
        if pipe.recv() == "stop":
            stop.set()

    loop.add_reader(pipe.fileno(), on_command)
    listeners = [asyncio.create_task(listen(ws)) for ws in conns]
    await stop.wait()
    loop.remove_reader(pipe.fileno())
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)
    pipe.send(("done", {tid: (r.count, r.first_ns, r.last_ns) for tid, r in seen.items()}, closed_early))


def display_process(url: str, sockets: int, pipe: Pipe, headers: dict[str, str]) -> None:
    raise_fd_limit()
    from bench.loadgen import run

    run(lambda: _display_main(url, sockets, pipe, headers))


class DisplayFleet:
    """`total` sockets spread over client processes of at most `per_process` each."""

    def __init__(self, url: str, total: int, per_process: int = 1250, headers: dict[str, str] | None = None) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.procs, self.pipes, self.sizes = [], [], []
        remaining = total
        while remaining > 0:
            n = min(per_process, remaining)
            remaining -= n
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=display_process, args=(url, n, theirs, headers or {}), daemon=True)
            proc.start()
            self.procs.append(proc)
            self.pipes.append(ours)
            self.sizes.append(n)
        self.connected = 0
        self.failures: list[str] = []

    def wait_ready(self, timeout: float = 300) -> None:
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError("display clients did not connect in time")
            kind, connected, failures = pipe.recv()
            assert kind == "ready"
            self.connected += connected
            self.failures.extend(failures)

    def stop(self) -> tuple[dict[int, tuple[int, int, int]], int]:
        """Per ticket id: (displays that got it, first and last receive time in ns)."""
        merged: dict[int, tuple[int, int, int]] = {}
        dropped = 0
        for pipe in self.pipes:
            pipe.send("stop")
        for pipe in self.pipes:
            while True:
                if not pipe.poll(60):
                    raise RuntimeError("a display process did not report")
                message = pipe.recv()
                if message[0] == "done":
                    break
            _, seen, closed = message
            dropped += closed
            for tid, (count, first, last) in seen.items():
                if tid in merged:
                    c0, f0, l0 = merged[tid]
                    merged[tid] = (c0 + count, min(f0, first), max(l0, last))
                else:
                    merged[tid] = (count, first, last)
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        return merged, dropped
