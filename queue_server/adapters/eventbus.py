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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from queue_server.adapters.cache import StaticCache
from queue_server.domain.public_view import public_event

log = logging.getLogger(__name__)

PG_CHANNEL = "motcua_events"


# Control items a stream's send loop finds in its queue besides event texts.
HEARTBEAT = "\x00heartbeat"
CLOSED = "\x00closed"
WAKE = "\x00wake"  # look at the subscription's flags (revoked, expired)


@dataclass(eq=False)
class Subscription:
    """One client's mailbox. `site_id` None means every site (managers)."""

    site_id: int | None
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(256))
    overflowed: bool = False
    closed: bool = False
    last_sent: float = 0.0  # loop time of the last frame sent (heartbeats fill the silences)
    credential: str = ""  # hash of the token the client connected with
    kind: str = "other"  # display, kiosk, staff, manager (for /metrics)
    revoked: bool = False  # its token was revoked: the stream closes with 1008 "revoked"
    expired: bool = False  # its staff session ended: the stream closes with 1008 "expired"
    public: bool = False  # a lobby device: gets events cut to what it shows (domain/public_view.py)

    def revoke(self) -> None:
        """The token was revoked: wake the sender, which closes the stream."""
        self.revoked = True
        self.offer_control(WAKE)

    def expire(self) -> None:
        self.expired = True
        self.offer_control(WAKE)

    def offer(self, text: str) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            # A client too slow to keep up is disconnected; it resyncs from the snapshot.
            self.overflowed = True
            log.warning("subscriber for site %s overflowed; it will be asked to reconnect", self.site_id)

    def offer_control(self, item: str) -> None:
        """A heartbeat or the end; never counts as overflow (a full queue has frames to
        send anyway, and `closed` is checked after each of them)."""
        if item is CLOSED:
            self.closed = True
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(item)


class EventBus:
    def __init__(self, queue_size: int = 256) -> None:
        self._queue_size = queue_size
        self._by_site: dict[int | None, set[Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self.latest_seq: dict[int, int] = {}
        self.cache: StaticCache | None = None  # set by the wiring
        # Clients served through one subscription (ticket pages: one per site), by kind.
        self.clients_elsewhere: dict[str, Callable[[], int]] = {}

    # ---- life cycle ----
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()

    async def stop(self) -> None:
        self._loop = None

    # ---- subscribers ----
    def subscribe(self, site_id: int | None, *, credential: str = "", kind: str = "other",
                  public: bool = False) -> Subscription:
        sub = Subscription(site_id, asyncio.Queue(self._queue_size), credential=credential, kind=kind,
                           public=public)
        self._by_site.setdefault(site_id, set()).add(sub)
        return sub

    def subscribers_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for subs in self._by_site.values():
            for sub in subs:
                counts[sub.kind] = counts.get(sub.kind, 0) + 1
        for kind, count in self.clients_elsewhere.items():
            counts[kind] = counts.get(kind, 0) + count()
        return counts

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
        """Deliver one serialized event (from another process) to this process's
        subscribers (loop thread only)."""
        head = json.loads(text)
        if head.get("kind") == "invalidate":
            if self.cache is not None:
                self.cache.clear_auth() if head.get("what") == "auth" else self.cache.clear()
            return
        if head.get("kind") == "revoke":
            if self.cache is not None:
                self.cache.clear_auth()
            self._revoke(head.get("credential") or "")
            return
        if self.cache is not None:
            self.cache.on_event(head.get("type"))
        site_id = head.get("site_id")
        if site_id is None:
            return
        self.deliver(site_id, head.get("seq", 0), text)

    def signal(self, message: dict[str, Any]) -> None:
        """A control message of this process (SQLite: one process), from any thread."""
        if self._loop is None:
            return
        text = json.dumps(message, default=str, ensure_ascii=False)
        if self._in_loop():
            self.dispatch_text(text)
        else:
            self._loop.call_soon_threadsafe(self.dispatch_text, text)

    def deliver(self, site_id: int, seq: int, text: str) -> None:
        """The same text object to every subscriber of the site and of all sites; lobby
        devices get the public cut of it, also serialized once for all of them."""
        if seq > self.latest_seq.get(site_id, 0):
            self.latest_seq[site_id] = seq
        public_text: str | None = None
        for key in (site_id, None):
            subs = self._by_site.get(key)
            if subs:
                for sub in tuple(subs):
                    if sub.public:
                        if public_text is None:
                            public_text = json.dumps(public_event(json.loads(text)), ensure_ascii=False)
                        sub.offer(public_text)
                    else:
                        sub.offer(text)

    def _revoke(self, credential: str) -> None:
        if not credential:
            return
        for subs in self._by_site.values():
            for sub in tuple(subs):
                if sub.credential == credential:
                    sub.revoke()

    def _in_loop(self) -> bool:
        return self._loop is not None and threading.get_ident() == self._loop_thread


class LocalBus(EventBus):
    def publish(self, events: Iterable[dict[str, Any]]) -> None:
        # Serialized once per event; every subscriber gets the same string.
        items = [(e["site_id"], e["seq"], json.dumps(e, default=str, ensure_ascii=False)) for e in events]
        if not items or self._loop is None:
            return
        if self._in_loop():
            for item in items:
                self.deliver(*item)
        else:
            for item in items:
                self._loop.call_soon_threadsafe(self.deliver, *item)


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
