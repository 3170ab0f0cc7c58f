"""In-process caches of rows that hardly ever change, so the hot paths stop re-reading them.

What is cached, and what makes an entry go away:

- catalog rows (sites' names, services, procedures, which service of a site takes a
  field, which services a site offers, a counter's site, number and weighted services):
  cleared by the events that change them (`CounterServicesChanged`, `NoticePosted`), in
  the committing process at once and in the other server processes when the event
  reaches them through the bus (LISTEN/NOTIFY on PostgreSQL); and, as a safety net for
  changes made outside the server (`motcua catalog import`, the demo seed), after
  `CATALOG_TTL` seconds.
- resolved tokens (staff session → staff row, device token → device row): cleared by
  logout and device revocation in the process that did it and, on PostgreSQL, in every
  server process (an `invalidate` notification); a revocation made by another process
  on SQLite (the `motcua device revoke` command) takes effect within `AUTH_TTL` seconds.
  A session's expiry is checked against the cached expiry time on every request.

Only found rows are cached: an unknown token or code costs a query each time, and cannot
fill the memory. Plain dicts: reads and writes are atomic under the GIL, and a lost race
between two threads only means one extra query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

V = TypeVar("V")

CATALOG_TTL = 60.0
AUTH_TTL = 5.0
MAX_ENTRIES = 20_000  # per cache; far above any province's tokens or catalog rows

_MISSING = object()


class TtlCache:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._data: dict[Hashable, tuple[Any, float]] = {}
        # Bumped by every clear: a value loaded before a clear (in another thread, or in a
        # transaction that began before the change committed) is not stored after it.
        self._generation = 0

    def get(self, key: Hashable, load: Callable[[], V | None]) -> V | None:
        hit = self._data.get(key, _MISSING)
        now = self._clock()
        if hit is not _MISSING and hit[1] > now:  # type: ignore[index]
            return hit[0]  # type: ignore[index]
        generation = self._generation
        value = load()
        if value is not None and generation == self._generation:
            if len(self._data) >= MAX_ENTRIES:
                self._data.clear()
            self._data[key] = (value, now + self.ttl)
        return value

    def discard(self, key: Hashable) -> None:
        self._generation += 1
        self._data.pop(key, None)

    def clear(self) -> None:
        self._generation += 1
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


# Events after which cached catalog rows may be wrong.
CATALOG_EVENTS = frozenset({"CounterServicesChanged", "NoticePosted"})


class StaticCache:
    """The caches one server process shares between its requests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.catalog = TtlCache(CATALOG_TTL, clock)
        self.auth = TtlCache(AUTH_TTL, clock)

    def clear_catalog(self) -> None:
        self.catalog.clear()

    def clear_auth(self) -> None:
        self.auth.clear()

    def clear(self) -> None:
        self.clear_catalog()
        self.clear_auth()

    def on_event(self, event_type: str | None) -> None:
        """Called for every committed event (by the committing unit of work, and by the bus
        for events of other processes)."""
        if event_type in CATALOG_EVENTS:
            self.clear_catalog()
