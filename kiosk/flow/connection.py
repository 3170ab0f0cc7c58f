"""The kiosk's link to its server: connect (with backoff), follow the site's live
stream, keep the menu fresh, and turn snapshots and events into the waiting counts and
wait words every screen shows. No screen of its own: the banner is drawn by the app."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from kiosk.flow import ScreenPresenter
from kiosk.menu import SiteMenu
from kiosk.state import QueueCount, ServerStatus
from kiosk.texts import Text, server_wait_text, wait_text
from shared.client import ApiError, ServerUnreachable, StreamState
from shared.enums import CounterState, SiteKind
from shared.protocol import SiteSnapshot

log = logging.getLogger(__name__)

WAIT_REFRESH_DELAY = 1.0  # after a queue event, re-read the wait figures once things settle


class ConnectionPresenter(ScreenPresenter):
    name = "connection"

    def connect(self) -> None:
        self.kiosk.tasks.slot("connect", self._connect)

    async def _connect(self) -> None:
        k = self.kiosk
        s = k.settings
        if not s.configured:
            k.state.server = ServerStatus.NOT_CONFIGURED
            k.changed()
            return
        attempt = 0
        while True:
            try:
                site = await k.api.site(s.site_code)
                sites = await k.api.sites()
                services = await k.api.services(s.site_code)
                fields = await k.api.fields(s.site_code)
                menu = await self._menu_or_none(s.site_code)
                snapshot = await k.api.snapshot(s.site_code)  # proves the token
                break
            except ServerUnreachable:
                k.server_lost()
            except ApiError as exc:
                k.state.server = (ServerStatus.UNAUTHORIZED if exc.status in (401, 403)
                                  else ServerStatus.NOT_CONFIGURED)
                k.state.server_detail = Text(exc.message, exc.message_en or exc.message)
                k.changed()
            await asyncio.sleep(k.retry_delay(attempt))
            attempt += 1
        center = next((x for x in sites if x.kind == SiteKind.CENTER.value), site)
        st = k.state
        st.site = site
        st.center_name = center.name_vi
        st.fields = fields
        st.menu = menu
        st.return_service_id = next((x.id for x in services if x.kind == "return"), None)
        self._apply_snapshot(snapshot)
        st.counts_live = False  # live once the stream is following
        k.server_ok()
        k.changed()
        k.tasks.slot("menu", self._keep_menu_fresh)
        await k.api.follow_site(s.site_code, site.id, self._on_snapshot, self._on_event, self._on_stream)

    async def _keep_menu_fresh(self) -> None:
        """A manager's pin, rename or reorder reaches the kiosk within menu_refresh_seconds;
        a citizen already in a list keeps the rows they are looking at."""
        k = self.kiosk
        while True:
            await asyncio.sleep(k.menu_refresh_seconds)
            try:
                menu = await self._menu_or_none(k.settings.site_code)
            except (ApiError, ServerUnreachable):
                continue
            if menu is not None and menu != k.state.menu:
                k.state.menu = menu
                k.changed()

    async def _menu_or_none(self, site_code: str) -> SiteMenu | None:
        """The site's menu; None from a server without one (the kiosk then browses fields)."""
        try:
            return await self.kiosk.api.menu(site_code)
        except ApiError as exc:
            if exc.status in (401, 403):
                raise
            log.warning("no kiosk menu for %s (%s): browsing fields instead", site_code, exc.status)
            return None

    # ---- live counts -----------------------------------------------------------------------
    def _apply_snapshot(self, snapshot: SiteSnapshot) -> None:
        by_service: dict[int, list[int]] = {}
        open_services: set[int] = set()
        for counter in snapshot.counters:
            for service in counter.services:
                by_service.setdefault(service.service_id, []).append(counter.number)
                if counter.state == CounterState.OPEN:
                    open_services.add(service.service_id)
        st = self.kiosk.state
        st.queues = [
            QueueCount(q.service_id, q.service_name_vi, q.service_name_en, q.waiting, q.estimated_wait_minutes,
                       counter_open=q.service_id in open_services, wait=getattr(q, "wait", None))
            for q in snapshot.queues
        ]
        st.counters_by_service = {k: sorted(v) for k, v in by_service.items()}

    def line_wait(self, service_id: int | None, lang: str) -> str:
        """The wait words of a line, as home, the menu and the priority screen show them:
        the server's figure when it sends one, else the shared wording of its estimate."""
        queue = next((q for q in self.kiosk.state.queues if q.service_id == service_id), None)
        if queue is None:
            return ""
        return server_wait_text(queue.wait, lang) or wait_text(queue.estimated_wait_minutes, lang,
                                                                counter_open=queue.counter_open)

    def _refresh_waits(self) -> None:
        """Counts change by events; the wait figures come with the next snapshot, read
        once the burst of events settles (one request, not one per event)."""
        k = self.kiosk

        async def load() -> None:
            await asyncio.sleep(WAIT_REFRESH_DELAY)
            try:
                snapshot = await k.api.snapshot(k.settings.site_code)
            except (ServerUnreachable, ApiError):
                return  # the stream's own snapshot comes on reconnect
            self._apply_snapshot(snapshot)
            k.changed()

        k.tasks.slot("waits", load)

    def _on_snapshot(self, snapshot: SiteSnapshot) -> None:
        self._apply_snapshot(snapshot)
        self.kiosk.changed()

    def _on_event(self, event: dict[str, Any]) -> None:
        waiting = {int(k): int(v) for k, v in (event.get("waiting") or {}).items()}
        waits = {int(k): v for k, v in (event.get("waits") or {}).items()}  # the lines' new figures
        if not waiting and not waits:
            return
        st = self.kiosk.state
        st.queues = [
            QueueCount(q.service_id, q.name_vi, q.name_en, waiting.get(q.service_id, q.waiting),
                       q.estimated_wait_minutes, q.counter_open, waits.get(q.service_id, q.wait))
            for q in st.queues
        ]
        self.kiosk.changed()
        if not waits:  # an older server: read the figures with the next snapshot
            self._refresh_waits()

    def _on_stream(self, stream: StreamState) -> None:
        live = stream is StreamState.LIVE
        if live:
            self.kiosk.server_ok()
        elif stream is StreamState.RECONNECTING:
            self.kiosk.server_lost()
        if live != self.kiosk.state.counts_live:
            self.kiosk.state.counts_live = live
            self.kiosk.changed()


PRESENTER = ConnectionPresenter
