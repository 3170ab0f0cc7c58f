"""In-process rate limits: a kiosk's ticket rate and failed logins.

Per server process (several PostgreSQL workers each keep their own count, so the real
limit is at most workers × the setting): enough to stop a stuck button or a stolen
token from printing hundreds of tickets, and to slow password guessing to a crawl.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


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


@dataclass
class FailureWindow:
    """At most `limit` failures per key within `window_seconds`; then locked until the
    oldest failure leaves the window."""

    limit: int
    window_seconds: float
    clock: Callable[[], datetime]
    _failures: dict[object, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _trim(self, key: object, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        return times

    def retry_after(self, key: object) -> float:
        now = self.clock().timestamp()
        with self._lock:
            times = self._trim(key, now)
            if len(times) < self.limit:
                return 0.0
            return math.ceil(times[0] + self.window_seconds - now)

    def record_failure(self, key: object) -> None:
        now = self.clock().timestamp()
        with self._lock:
            self._trim(key, now).append(now)

    def clear(self, key: object) -> None:
        with self._lock:
            self._failures.pop(key, None)
