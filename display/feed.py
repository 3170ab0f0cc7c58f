"""Keeps the presenter in step with the server, whatever happens to the network.

1. The first snapshot is fetched with retries; while it fails the screen says why
   (wrong device token or site code, server unreachable) instead of staying blank.
2. Then `shared.client.LiveSite` follows the site stream: events in order, reconnect
   with backoff, a snapshot again after any gap, heartbeat ahead or lost connection.
3. An event the presenter does not understand (a new event type, a counter added)
   triggers a snapshot reload, and a slow periodic reload is the last safety net for a
   display left on for days: it can drift from the truth for minutes at most.

The feed runs on its own asyncio loop; everything it tells the presenter goes through
`deliver`, which the app points at its UI thread (tests call straight through).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from typing import Any

from display.presenter import LobbyPresenter
from shared.app_tasks import AppTasks
from shared.client import ApiError, LiveSite, MotcuaClient, StreamState
from shared.protocol import SiteSnapshot

log = logging.getLogger(__name__)

Deliver = Callable[[Callable[[], None]], None]


def call_now(callback: Callable[[], None]) -> None:
    callback()


class SiteFeed:
    def __init__(
        self,
        client: MotcuaClient,
        site_code: str,
        presenter: LobbyPresenter,
        *,
        deliver: Deliver = call_now,
        refresh_seconds: float = 600.0,
        max_backoff: float = 10.0,
    ) -> None:
        self.client = client
        self.site_code = site_code
        self.presenter = presenter
        self.deliver = deliver
        self.refresh_seconds = refresh_seconds
        self.max_backoff = max_backoff
        self.live: LiveSite | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.tasks = AppTasks("display")
        self._stopping = False

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        snapshot = await self._first_snapshot()
        if snapshot is None:
            return
        self._show_snapshot(snapshot)
        self.live = LiveSite(
            self.client, f"/ws/sites/{self.site_code}", snapshot.site.id, self._load_snapshot,
            self._show_snapshot, self._on_event, self._on_state, max_backoff=self.max_backoff,
        )
        self.tasks.keep("refresh", self._refresh_forever)
        try:
            await self.live.run()
        finally:
            await self.tasks.stop()

    def stop(self) -> None:
        self._stopping = True
        if self.live is not None:
            self.live.stop()

    def reload_soon(self) -> None:
        """Fetch the snapshot again (callable from any thread)."""
        if self._loop is None and self._in_loop(any_loop=True):
            self._loop = asyncio.get_running_loop()
        if self._loop is None or self._loop.is_closed():
            return
        if self._in_loop():
            self._start_reload()
        else:
            self._loop.call_soon_threadsafe(self._start_reload)

    # ---- talking to the presenter (on the UI thread) -------------------------------------
    def _show_snapshot(self, snapshot: SiteSnapshot) -> None:
        self.deliver(lambda: self.presenter.apply_snapshot(snapshot))

    def _on_state(self, state: StreamState) -> None:
        self.deliver(lambda: self.presenter.stream_changed(state))

    def _on_event(self, event: dict[str, Any]) -> None:
        def apply() -> None:
            if not self.presenter.apply_event(event):
                self.reload_soon()

        self.deliver(apply)

    # ---- network ----------------------------------------------------------------------------
    async def _load_snapshot(self) -> SiteSnapshot:
        return await self.client.site_snapshot(self.site_code)

    async def _first_snapshot(self) -> SiteSnapshot | None:
        delay = min(0.5, self.max_backoff)
        while not self._stopping:
            try:
                return await self._load_snapshot()
            except ApiError as exc:
                log.warning("site %s: %s", self.site_code, exc)
                vi, en = exc.message, exc.message_en or exc.message
                if exc.status in (401, 403):
                    # The server's words are meant for people who log in; say what to fix here.
                    vi += " Kiểm tra mã thiết bị (token) của màn hình này."
                    en += " Check this display's device token."
                elif exc.status == 404:
                    vi += f" Kiểm tra mã điểm phục vụ ({self.site_code})."
                    en += f" Check the site code ({self.site_code})."
                self.deliver(lambda vi=vi, en=en: self.presenter.connection_problem(vi, en))
            # Jitter keeps a hall of displays from hitting a restarted server in lockstep.
            await asyncio.sleep(delay * (0.75 + random.random() / 2))
            delay = min(delay * 2, self.max_backoff)
        return None

    def _in_loop(self, *, any_loop: bool = False) -> bool:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return False
        return any_loop or running is self._loop

    def _start_reload(self) -> None:
        if not self.tasks.running("reload"):  # one reload at a time: the next one reads the same
            self.tasks.slot("reload", self._reload_once)

    async def _reload_once(self) -> None:
        try:
            snapshot = await self._load_snapshot()
        except ApiError as exc:
            log.info("snapshot reload failed (the stream will resync): %s", exc)
            return
        except Exception:
            log.exception("snapshot reload failed")
            return

        def apply() -> None:
            # A slow reply must not roll the picture back past events already applied.
            if snapshot.seq >= self.presenter.seq:
                self.presenter.apply_snapshot(snapshot)

        self.deliver(apply)

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            if self.presenter.stream is StreamState.LIVE:
                await self._reload_once()
