"""Delivering committed events to WebSocket subscribers.

SQLite (one process): the unit of work hands events to `LocalBus.publish` after commit.
PostgreSQL (several processes): the unit of work sends `pg_notify` inside its transaction,
so the notification leaves exactly when the commit does; every process, the sender
included, LISTENs and delivers to its own subscribers. One path, no double delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

PG_CHANNEL = "motcua_events"


@dataclass(eq=False)
class Subscription:
    """One client's mailbox. `site_id` None means every site (managers)."""

    site_id: int | None
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(256))
    overflowed: bool = False

    def offer(self, text: str) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            # A client too slow to keep up is disconnected; it resyncs from the snapshot.
            self.overflowed = True
            log.warning("subscriber for site %s overflowed; it will be asked to reconnect", self.site_id)


class EventBus:
    def __init__(self, queue_size: int = 256) -> None:
        self._queue_size = queue_size
        self._by_site: dict[int | None, set[Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self.latest_seq: dict[int, int] = {}

    # ---- life cycle ----
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()

    async def stop(self) -> None:
        self._loop = None

    # ---- subscribers ----
    def subscribe(self, site_id: int | None) -> Subscription:
        sub = Subscription(site_id, asyncio.Queue(self._queue_size))
        self._by_site.setdefault(site_id, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._by_site.get(sub.site_id)
        if subs is not None:
            subs.discard(sub)

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._by_site.values())

    # ---- delivery ----
    def publish(self, events: Iterable[dict[str, Any]]) -> None:
        """Called after commit by the unit of work, from any thread."""

    def dispatch_text(self, text: str) -> None:
        """Deliver one serialized event to this process's subscribers (loop thread only)."""
        head = json.loads(text)
        site_id = head.get("site_id")
        seq = head.get("seq", 0)
        if site_id is None:
            return
        if seq > self.latest_seq.get(site_id, 0):
            self.latest_seq[site_id] = seq
        for key in (site_id, None):
            for sub in tuple(self._by_site.get(key, ())):
                sub.offer(text)

    def _in_loop(self) -> bool:
        return self._loop is not None and threading.get_ident() == self._loop_thread


class LocalBus(EventBus):
    def publish(self, events: Iterable[dict[str, Any]]) -> None:
        texts = [json.dumps(e, default=str, ensure_ascii=False) for e in events]
        if not texts or self._loop is None:
            return
        if self._in_loop():
            for text in texts:
                self.dispatch_text(text)
        else:
            for text in texts:
                self._loop.call_soon_threadsafe(self.dispatch_text, text)


class PostgresBus(EventBus):
    """Listens on PG_CHANNEL with its own connection and reconnects if it drops."""

    def __init__(self, conninfo: str, queue_size: int = 256) -> None:
        super().__init__(queue_size)
        self._conninfo = conninfo
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    async def start(self) -> None:
        await super().start()
        self.listening = asyncio.Event()
        self._task = asyncio.create_task(self._listen_forever(), name="motcua-pg-listen")
        try:
            await asyncio.wait_for(self.listening.wait(), timeout=10)
        except TimeoutError:
            log.error("could not LISTEN on PostgreSQL within 10 s; will keep trying")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await super().stop()

    async def _listen_forever(self) -> None:
        import psycopg  # only needed with PostgreSQL

        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {PG_CHANNEL}")
                    self.listening.set()
                    delay = 0.5
                    async for notify in conn.notifies():
                        self.dispatch_text(notify.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: retry with backoff
                self.listening.clear()
                log.warning("event listener lost PostgreSQL (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
