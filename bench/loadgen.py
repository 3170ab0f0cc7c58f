"""Closed-loop load: N connections, each sending its next request as soon as the last
reply arrives, for a fixed time after a warm-up. Latency is measured per request, from
the write to the last byte of the reply."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.httpclient import Connection

HOST = "127.0.0.1"


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float | None = None  # the server's CPU time during the measured phase

    @property
    def cpu_ms_per_request(self) -> float | None:
        answered = len(self.latencies_ms) + self.errors
        return self.cpu_seconds * 1000.0 / answered if self.cpu_seconds is not None and answered else None

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(text[:300])


async def closed_loop(port: int, connections: int, duration: float, warmup: float,
                      requests_for: Callable[[Connection, int], list[bytes] | Callable[[int], bytes]], expect: int,
                      cpu_probe: Callable[[], float] | None = None) -> LoadResult:
    """Every connection cycles through its own list of pre-built requests, or asks its
    own function for the i-th (a request that must differ each time). `cpu_probe`
    (the server's CPU seconds so far) is read when the measured phase starts and ends."""
    result = LoadResult()
    conns = [await Connection(HOST, port).open() for _ in range(connections)]
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration
    cpu_at_start: list[float] = []
    if cpu_probe is not None:
        asyncio.get_running_loop().call_later(warmup, lambda: cpu_at_start.append(cpu_probe()))

    async def worker(index: int) -> None:
        conn = conns[index]
        requests = requests_for(conn, index)
        i = 0
        while True:
            raw = requests(i) if callable(requests) else requests[i % len(requests)]
            i += 1
            t0 = time.perf_counter()
            if t0 >= stop_at:
                return
            status, body = await conn.send(raw)
            t1 = time.perf_counter()
            if t0 < measure_from:
                continue
            if status != expect:
                result.error(f"{status} {body[:200]!r}")
            else:
                result.latencies_ms.append((t1 - t0) * 1000.0)

    await asyncio.gather(*(worker(i) for i in range(connections)))
    result.seconds = time.perf_counter() - measure_from
    if cpu_probe is not None and cpu_at_start:
        result.cpu_seconds = cpu_probe() - cpu_at_start[0]
    for conn in conns:
        await conn.close()
    return result


def run(coro_factory: Callable[[], Awaitable]):  # noqa: ANN201
    """Run on uvloop when present (the load generator must not be the bottleneck)."""
    try:
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coro_factory())
    except ImportError:
        return asyncio.run(coro_factory())
