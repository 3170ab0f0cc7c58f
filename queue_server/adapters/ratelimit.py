"""In-process limits: a kiosk's ticket rate, and how many slow password hashes run at once.

Per server process (several PostgreSQL workers each keep their own count, so the real
limit is at most workers × the setting): enough to stop a stuck button or a stolen
token from printing hundreds of tickets, and to keep the CPU free for everyone else.
Limits on guessing live in the database (service_layer/attempt_limits.py), shared by
every process.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class TokenBucket:
    """`rate_per_minute` tokens a minute, up to `burst` at once."""

    rate_per_minute: float
    burst: int
    clock: Callable[[], datetime]
    _state: dict[object, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def try_take(self, key: object) -> float:
        """0 if allowed (a token is taken), else the seconds to wait."""
        now = self.clock().timestamp()
        per_second = self.rate_per_minute / 60.0
        with self._lock:
            tokens, last = self._state.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * per_second)
            if tokens >= 1.0:
                self._state[key] = (tokens - 1.0, now)
                return 0.0
            self._state[key] = (tokens, now)
            return math.ceil((1.0 - tokens) / per_second) if per_second > 0 else 60.0


class Turns:
    """At most `at_once` holders at a time; up to `queue` more wait their turn, and anyone
    beyond that is refused at once (`refuse()` raises), so a burst never piles up.
    `run_slow` runs CPU-heavy work (a password hash) in threads of their own at a lower
    priority, so the event loop and every other request keep the CPU they need."""

    def __init__(self, at_once: int, queue: int, refuse: Callable[[], Exception]) -> None:
        self.at_once, self.queue, self.refuse = at_once, queue, refuse
        self._free: asyncio.Semaphore | None = None  # made on the loop that uses it
        self._waiting = 0
        self._threads = ThreadPoolExecutor(at_once, thread_name_prefix="slow-work", initializer=_lower_priority)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if self._free is None:
            self._free = asyncio.Semaphore(self.at_once)
        if self._free.locked() and self._waiting >= self.queue:
            raise self.refuse()
        self._waiting += 1
        try:
            await self._free.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._free.release()

    async def run_slow(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, partial(fn, *args))


def _lower_priority() -> None:
    # Linux: the niceness of this thread alone, inherited by the threads argon2 starts.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
