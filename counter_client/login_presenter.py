"""The login and pick-counter screens: who the clerk is, at which site, at which counter
(remembered for the next start). A part of the counter presenter (`desk.session`)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from shared.client import ApiError
from shared.protocol import SiteOut, StaffOut

from .commands import Command
from .desk_state import DialogState, Level, Phase

if TYPE_CHECKING:
    from .presenter import CounterPresenter

log = logging.getLogger(__name__)


class LoginPresenter:
    name = "session"

    def __init__(self, desk: CounterPresenter) -> None:
        self.desk = desk

    def login(self, username: str, password: str) -> asyncio.Task:
        return self.desk.tasks.track(self.login_async(username, password))

    async def login_async(self, username: str, password: str) -> bool:
        username = username.strip()
        if not username or not password:
            self.desk.notify(Level.ERROR, "Hãy nhập tên đăng nhập và mật khẩu.", "Enter your user name and password.")
            self.desk.changed()
            return False

        async def work() -> None:
            out = await self.desk.gateway.login(username, password)
            self.desk.state.staff = out.staff
            self.desk.state.sites = await self.desk.gateway.sites()
            self.desk.state.site = self._choose_site(out.staff)
            await self.load_counters()
            self.desk.state.selected_counter_id = self._remembered_counter()
            self.desk.state.phase = Phase.PICK_COUNTER
            self.desk.state.notice = None
            self._remember(username=username)

        return await self.desk.guarded("login", work)

    def _choose_site(self, staff: StaffOut) -> SiteOut:
        """Staff serve at their own site whatever the settings say; managers and admins
        (no site of their own) get the configured site, or the first."""
        own = next((s for s in self.desk.state.sites if s.id == staff.site_id), None)
        wanted = next((s for s in self.desk.state.sites if s.code == self.desk.settings.site_code.upper()), None)
        chosen = own or wanted or (self.desk.state.sites[0] if self.desk.state.sites else None)
        if chosen is None:
            raise ApiError(404, "no_sites", "Máy chủ chưa có điểm phục vụ nào.", "The server has no sites.")
        return chosen

    async def load_counters(self) -> None:
        assert self.desk.state.site is not None
        snap = await self.desk.gateway.site_snapshot(self.desk.state.site.code)
        self.desk.state.counters = [c.model_dump() for c in snap.counters]
        self.desk.state.line_names = {q.service_id: q.service_name_vi for q in snap.queues}

    def _remembered_counter(self) -> int | None:
        ids = [c["id"] for c in self.desk.state.counters]
        if self.desk.settings.counter_id in ids:
            return self.desk.settings.counter_id
        return ids[0] if ids else None

    def choose_site(self, site_code: str) -> asyncio.Task:
        """Managers and admins (no site of their own) may pick the site before the counter."""
        async def work() -> None:
            site = next((s for s in self.desk.state.sites if s.code == site_code), None)
            if site is None or (self.desk.state.staff and self.desk.state.staff.site_id not in (None, site.id)):
                return
            self.desk.state.site = site
            await self.load_counters()
            self.desk.state.selected_counter_id = self._remembered_counter()
            self._remember(site_code=site.code)
        return self.desk.tasks.track(self.desk.guarded("site", work))

    def select_counter(self, counter_id: int) -> None:
        self.desk.state.selected_counter_id = counter_id
        self.desk.changed()

    def pick_counter(self, counter_id: int | None = None) -> asyncio.Task:
        return self.desk.tasks.track(self.pick_counter_async(counter_id))

    async def pick_counter_async(self, counter_id: int | None = None) -> bool:
        counter_id = counter_id or self.desk.state.selected_counter_id
        if counter_id is None:
            return False

        async def work() -> None:
            assert self.desk.state.site is not None
            snapshot = await self.desk.gateway.counter_snapshot(counter_id)
            self.desk.state.services = await self.desk.gateway.site_services(self.desk.state.site.code)
            self.desk.set_snapshot(snapshot)
            self.desk.state.selected_counter_id = counter_id
            self.desk.state.phase = Phase.MAIN
            self.desk.state.notice = None
            self._remember(counter_id=counter_id)
            self.desk.follow(counter_id)

        return await self.desk.guarded("pick", work)

    def _remember(self, **changes: Any) -> None:
        if all(getattr(self.desk.settings, k) == v for k, v in changes.items()):
            return
        self.desk.settings = self.desk.settings.remembered(**changes)
        try:
            self.desk.save_settings_file(self.desk.settings)
        except OSError as exc:  # a read-only profile must not stop the counter
            log.warning("cannot save settings: %s", exc)

    def change_counter(self) -> asyncio.Task:
        async def work() -> None:
            self.desk.stop_following()
            self.desk.dossier = None
            await self.load_counters()
            self.desk.state.snapshot = None
            self.desk.state.dialog = DialogState()
            self.desk.state.phase = Phase.PICK_COUNTER
        return self.desk.tasks.track(self.desk.guarded(Command.CHANGE_COUNTER, work))

    def pick_key(self, name: str) -> bool:
        ids = [c["id"] for c in self.desk.state.counters]
        if name in ("enter", "numpadenter"):
            if self.desk.state.busy is None:
                self.pick_counter()
            return True
        step = {"down": 1, "right": 1, "up": -1, "left": -1}.get(name)
        if step is None or not ids:
            return False
        at = ids.index(self.desk.state.selected_counter_id) if self.desk.state.selected_counter_id in ids else 0
        self.select_counter(ids[(at + step) % len(ids)])
        return True
