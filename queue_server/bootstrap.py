"""Wiring: builds the engine, the event bus, the rules and the way handlers are run.

Nothing here runs at import time; tests build their own `Wiring` with fakes or a clock.

How handlers run: SQLite statements take tens of microseconds, so on SQLite a handler
runs straight on the event loop (one connection, no thread hop: the fastest path, and
naturally one writer at a time); a write lock another process holds is waited for with
`await` between attempts, never inside SQLite (adapters/sqlite_lock.py). PostgreSQL
answers over a socket, so there handlers run in worker threads with a connection pool,
and the loop stays free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from queue_server.adapters.cache import StaticCache
from queue_server.adapters.clock import Clock, utc_now
from queue_server.adapters.db import make_engine
from queue_server.adapters.db_faults import retry_on_disconnect
from queue_server.adapters.eventbus import EventBus, LocalBus, PostgresBus
from queue_server.adapters.ratelimit import TokenBucket, Turns
from queue_server.adapters.sqlite_lock import SERVER_BUSY_TIMEOUT_MS, LockWaits
from queue_server.domain.errors import Busy
from queue_server.service_layer.rules import Policies, QueueRules
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.settings import Settings

T = TypeVar("T")


@dataclass
class Wiring:
    settings: Settings
    engine: Engine
    bus: EventBus
    rules: QueueRules
    clock: Clock = field(default=utc_now)
    # Sees the events of every committed unit of work (the app's metrics).
    on_commit: Callable[[list[dict[str, Any]]], None] | None = None
    kiosk_rate: TokenBucket = field(init=False)
    password_checks: Turns = field(init=False)
    policies: Policies = field(init=False)
    lock_waits: LockWaits = field(init=False)
    cache: StaticCache = field(default_factory=StaticCache)

    def __post_init__(self) -> None:
        # Events from other processes (PostgreSQL) drop what they made stale here too.
        self.bus.cache = self.cache
        s = self.settings
        self.kiosk_rate = TokenBucket(s.kiosk_tickets_per_minute, s.kiosk_ticket_burst, self.clock)
        self.password_checks = Turns(s.password_checks_at_once, s.password_check_queue, _logins_busy)
        self.policies = Policies.from_settings(s, queue=self.rules)
        self.lock_waits = LockWaits(s.sqlite_lock_wait_seconds)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.bus, self.clock, self.rules, cache=self.cache, on_commit=self.on_commit,
                          policies=self.policies)

    def reader(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.bus, self.clock, self.rules, read_only=True, cache=self.cache,
                          policies=self.policies)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self.is_sqlite:
            return await self.lock_waits.run(fn, *args, **kwargs)
        return await anyio.to_thread.run_sync(partial(retry_on_disconnect, fn, *args, **kwargs))


def _logins_busy() -> Busy:
    return Busy("Hệ thống đang xử lý nhiều lượt đăng nhập. Vui lòng thử lại sau giây lát.",
                "The server is busy with other logins. Please try again in a moment.",
                retry_after=1, code="logins_busy")


def pg_conninfo(url: str) -> str:
    """libpq connection string for the LISTEN connection (no SQLAlchemy driver suffix)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def bootstrap(settings: Settings | None = None, *, clock: Clock = utc_now, engine: Engine | None = None) -> Wiring:
    settings = settings or Settings()
    engine = engine or make_engine(settings.database_url, pool_timeout=settings.db_pool_timeout_seconds,
                                   busy_timeout_ms=SERVER_BUSY_TIMEOUT_MS)
    if engine.dialect.name == "postgresql":
        bus: EventBus = PostgresBus(pg_conninfo(settings.database_url), settings.ws_queue_size)
    else:
        bus = LocalBus(settings.ws_queue_size)
    return Wiring(settings=settings, engine=engine, bus=bus, rules=QueueRules.from_settings(settings), clock=clock)
