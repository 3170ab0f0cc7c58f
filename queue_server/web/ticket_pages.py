"""Open ticket pages (`/t/{token}/ws`), fed by one watcher per site.

In a lobby every waiting citizen keeps their ticket page open; a call changes what all of
them see (people ahead, the wait). One subscription per site, not per page: on each burst of
events the watcher works out once which watched tickets it touches, reads their new views
in one go (the named tickets whole, the waiting lines' positions in one query per line:
see citizen.py), serializes each changed view once and hands it to that ticket's pages. The
database work per event grows with the lines touched, never with the pages open.

Each page has its own small sender that always sends the newest view (a slow phone skips
the views it missed, it never holds the others up). Caps, checked on connect: at most
`ticket_pages_per_ticket` pages for one ticket and `ticket_pages_per_address` from one
client address; beyond them the socket is closed with 1013 (try again later) and a reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio
from fastapi import WebSocket

from queue_server.adapters.eventbus import CLOSED, HEARTBEAT, WAKE, Subscription
from queue_server.bootstrap import Wiring
from queue_server.web import citizen_views as citizen

log = logging.getLogger(__name__)
TRY_AGAIN_LATER = 1013
FAN_OUT_SLICE = 200  # pages woken between two yields to the loop (/health stays quick)
BURST_SECONDS = 0.05  # a call and its waiting-count change come together
HEARTBEAT_TEXT = '{"kind":"heartbeat"}'
WATCHER_KIND = "ticket_page_watcher"  # one per site with open pages (the pages count as "citizen")


@dataclass(eq=False)
class Page:
    """One open ticket page: the newest text to send, and a wake-up for its sender."""

    ticket_id: int
    address: str
    latest: str | None = None
    last_sent: float = 0.0  # loop time of the last frame (the hub's heartbeat fills silences)
    closing: bool = False  # the watcher failed: close, the page reconnects and reads afresh
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, text: str) -> None:
        self.latest = text
        self.wake.set()

    def close_soon(self) -> None:
        self.closing = True
        self.wake.set()


@dataclass(eq=False)
class SiteWatch:
    site_id: int
    sub: Subscription
    pages: dict[int, set[Page]] = field(default_factory=dict)
    states: dict[int, dict[str, Any]] = field(default_factory=dict)  # last view sent, per ticket
    service_of: dict[int, int] = field(default_factory=dict)
    pending: set[int] = field(default_factory=set)  # pages opened on a view older than the stream
    prefixes: dict[int, str] = field(default_factory=dict)  # serialized fixed part of each view
    task: asyncio.Task | None = None


class TicketPageHub:
    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring
        self.sites: dict[int, SiteWatch] = {}
        self.by_ticket: dict[int, int] = {}
        self.by_address: dict[str, int] = {}
        self.refreshes = 0  # bursts worked out (the benchmark's profile counts them)
        self.reads = 0  # ... of which needed the database
        self._beats: asyncio.Task | None = None
        wiring.bus.clients_elsewhere["citizen"] = lambda: self.page_count  # /metrics counts pages

    @property
    def page_count(self) -> int:
        return sum(self.by_ticket.values())

    def refusal(self, ticket_id: int, address: str) -> str | None:
        """Why one more page may not open (the close reason), or None."""
        settings = self.wiring.settings
        if self.by_ticket.get(ticket_id, 0) >= settings.ticket_pages_per_ticket:
            return "too_many_pages_for_ticket"
        if self.by_address.get(address, 0) >= settings.ticket_pages_per_address:
            return "too_many_pages_from_address"
        return None

    # ---- pages in and out ----------------------------------------------------------------------
    def add(self, page: Page, keys: citizen.TicketKeys, state: dict[str, Any]) -> None:
        watch = self._watch(keys.site_id)
        watch.pages.setdefault(keys.ticket_id, set()).add(page)
        watch.states[keys.ticket_id] = state
        watch.service_of[keys.ticket_id] = keys.service_id
        watch.prefixes[keys.ticket_id] = citizen.fixed_part(state)  # now, not all at once on the next call
        _count(self.by_ticket, page.ticket_id, 1)
        _count(self.by_address, page.address, 1)
        page.offer(citizen.view_text(state))
        if self._beats is None or self._beats.done():
            self._beats = asyncio.create_task(self._heartbeats(), name="ticket-page-heartbeats")
        if self.wiring.bus.latest_seq.get(keys.site_id, 0) > keys.seq:
            watch.pending.add(keys.ticket_id)  # an event came between the read and now
            watch.sub.offer_control(WAKE)

    def remove(self, page: Page) -> None:
        _count(self.by_ticket, page.ticket_id, -1)
        _count(self.by_address, page.address, -1)
        for watch in list(self.sites.values()):
            pages = watch.pages.get(page.ticket_id)
            if pages and page in pages:
                pages.discard(page)
                if not pages:
                    self._forget(watch, page.ticket_id)
                return

    def _forget(self, watch: SiteWatch, ticket_id: int) -> set[Page]:
        pages = watch.pages.pop(ticket_id, set())
        watch.states.pop(ticket_id, None)
        watch.service_of.pop(ticket_id, None)
        watch.prefixes.pop(ticket_id, None)
        if not watch.pages and self.sites.get(watch.site_id) is watch:
            del self.sites[watch.site_id]
            self.wiring.bus.unsubscribe(watch.sub)
            watch.sub.offer_control(CLOSED)
        return pages

    def _watch(self, site_id: int) -> SiteWatch:
        watch = self.sites.get(site_id)
        if watch is None:
            watch = SiteWatch(site_id, self.wiring.bus.subscribe(site_id, kind=WATCHER_KIND))
            self.sites[site_id] = watch
            watch.task = asyncio.create_task(self._follow(watch), name=f"ticket-pages-{site_id}")
        return watch

    async def _heartbeats(self) -> None:
        """One timer for all pages (not one per page): a page silent for the heartbeat
        interval gets a heartbeat, so phones and proxies keep the connection."""
        loop = asyncio.get_running_loop()
        interval = self.wiring.settings.ws_heartbeat_seconds
        while self.sites:
            await asyncio.sleep(interval / 4)
            quiet_since = loop.time() - interval * 0.99
            for watch in list(self.sites.values()):
                for pages in list(watch.pages.values()):
                    for page in pages:
                        if page.last_sent <= quiet_since and page.latest is None:
                            page.offer(HEARTBEAT_TEXT)

    # ---- the watcher -----------------------------------------------------------------------------
    async def _follow(self, watch: SiteWatch) -> None:
        try:
            while self.sites.get(watch.site_id) is watch:
                burst = await self._next_burst(watch)
                if burst is None:
                    return
                named, services, briefs = burst
                if named or services is None or services:
                    await self._refresh(watch, named, services, briefs)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed read (database down): the pages reconnect and read afresh
            log.exception("ticket page watcher of site %s failed; its pages will reconnect", watch.site_id)
            for pages in list(watch.pages.values()):
                for page in pages:
                    page.close_soon()

    async def _next_burst(self, watch: SiteWatch) -> tuple[set[int], set[int] | None, Briefs] | None:
        """Wait for events, swallow the rest of their burst, and say which watched tickets
        they name, which lines they touch (None: every line, a counter changed) and what
        the events say of the named tickets (see `touched`)."""
        texts = [await watch.sub.queue.get()]
        await asyncio.sleep(BURST_SECONDS)
        while not watch.sub.queue.empty():
            texts.append(watch.sub.queue.get_nowait())
        if self.sites.get(watch.site_id) is not watch:
            return None
        named, watch.pending = watch.pending & set(watch.pages), set()
        if watch.sub.overflowed:  # fell behind: resubscribe and refresh everything
            self.wiring.bus.unsubscribe(watch.sub)
            watch.sub = self.wiring.bus.subscribe(watch.site_id, kind=WATCHER_KIND)
            return set(watch.pages), None, {}
        briefs: Briefs = {}
        touched_named, services = touched(texts, watch.pages.keys(), set(watch.service_of.values()), briefs)
        for ticket_id in named:  # opened on an older view: read whole
            briefs.pop(ticket_id, None)
        return named | touched_named, services, briefs

    async def _refresh(self, watch: SiteWatch, named: set[int], services: set[int] | None, briefs: Briefs) -> None:
        derived = {}
        for ticket_id, brief in briefs.items():
            state = citizen.view_from_event(watch.states.get(ticket_id), watch.site_id,
                                            watch.service_of.get(ticket_id), brief)
            if state is not None:
                derived[ticket_id] = (None, state)
        to_read = named - derived.keys()
        waiting = [tid for tid, sid in watch.service_of.items()
                   if tid not in named and (services is None or sid in services)
                   and watch.states.get(tid, {}).get("status") == "waiting"]
        self.refreshes += 1
        lines = {watch.service_of[tid] for tid in waiting}
        if to_read or waiting:
            self.reads += 1
            read = await self.wiring.run(citizen.read_changes, self.wiring.reader(), watch.site_id, to_read, waiting,
                                         lines)
        else:
            read = citizen.Changes({})
        read.views.update(derived)
        # Working out and serializing thousands of places takes milliseconds: off the loop,
        # in a worker thread (the database connection is already given back).
        views = await anyio.to_thread.run_sync(partial(citizen.changed_views, read, watch.states, watch.prefixes))
        sent = 0
        for ticket_id, (keys, state, text) in views.items():
            if ticket_id not in watch.pages:
                continue  # the page left meanwhile
            if keys is not None and keys.site_id != watch.site_id:
                pages = self._move(watch, ticket_id, keys, state)
            else:
                watch.states[ticket_id] = state
                pages = watch.pages[ticket_id]
            for page in tuple(pages):
                page.offer(text)
                sent += 1
                if sent % FAN_OUT_SLICE == 0:
                    await asyncio.sleep(0)  # let requests in between slices of pages

    def _move(self, watch: SiteWatch, ticket_id: int, keys: citizen.TicketKeys, state: dict[str, Any]) -> set[Page]:
        """The ticket was moved to another site: its pages follow it there."""
        pages = self._forget(watch, ticket_id)
        target = self._watch(keys.site_id)
        target.pages.setdefault(ticket_id, set()).update(pages)
        target.states[ticket_id] = state
        target.service_of[ticket_id] = keys.service_id
        return pages


Briefs = dict[int, dict[str, Any] | None]  # ticket id -> its brief in the burst's last event, None: read it


def touched(texts: list[str], tickets: Any, services: set[int],
            briefs: Briefs | None = None) -> tuple[set[int], set[int] | None]:
    """Which of the watched `tickets` these event texts name, and which of the watched
    `services` (lines) they touch: None for all of them (a counter opened, paused, closed
    or changed its services, so every estimate may move). `briefs`, if given, gets each
    named ticket's brief from the last event naming it, or None if one of those events is
    not one a page can follow without a read (citizen_views.FROM_EVENT)."""
    named: set[int] = set()
    lines: set[int] | None = set()
    for text in texts:
        if text in (CLOSED, HEARTBEAT, WAKE):
            continue
        event = json.loads(text)
        ticket = event.get("ticket") or {}
        if ticket.get("id") in tickets:
            named.add(ticket["id"])
            if briefs is not None:
                follows = event.get("type") in citizen.FROM_EVENT and briefs.get(ticket["id"], ticket) is not None
                briefs[ticket["id"]] = ticket if follows else None
        if str(event.get("type", "")).startswith("Counter"):
            lines = None
        elif lines is not None:
            if ticket.get("service_id") is not None:
                lines.add(ticket["service_id"])
            lines.update(int(s) for s in (event.get("waiting") or {}))
    return named, (None if lines is None else lines & services)


def _count(counts: dict, key: Any, delta: int) -> None:
    value = counts.get(key, 0) + delta
    if value > 0:
        counts[key] = value
    else:
        counts.pop(key, None)


async def serve_page(ws: WebSocket, hub: TicketPageHub, page: Page, keys: citizen.TicketKeys,
                     state: dict[str, Any]) -> None:
    """Send the page its views until the phone leaves."""
    hub.add(page, keys, state)
    sender = asyncio.create_task(_send_views(ws, page))
    try:
        while not sender.done():
            receive = asyncio.ensure_future(ws.receive())
            done, _ = await asyncio.wait({receive, sender}, return_when=asyncio.FIRST_COMPLETED)
            if receive not in done:
                receive.cancel()
                break
            if receive.result()["type"] == "websocket.disconnect":
                break
    finally:
        hub.remove(page)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def _send_views(ws: WebSocket, page: Page) -> None:
    """Always the newest text: a view the phone had no time for is replaced, never queued."""
    loop = asyncio.get_running_loop()
    while True:
        await page.wake.wait()
        page.wake.clear()
        if page.closing:
            await ws.close(code=TRY_AGAIN_LATER, reason="reconnect")
            return
        text, page.latest = page.latest, None
        if text is not None:
            await ws.send_text(text)
            page.last_sent = loop.time()
