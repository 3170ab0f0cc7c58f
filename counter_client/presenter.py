"""The counter app's state machine, in plain Python (no Kivy): tested on its own.

Screens call `press(command)`, `on_key(name)` or the dialog methods; the presenter talks
to the server through a `CounterGateway`, keeps the state, and calls `on_change()` so the
screens redraw. One action runs at a time: a second press while the first is on its
way is ignored (a double tap on "call next" must not call two citizens).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from shared.app_tasks import AppTasks
from shared.client import ApiError, StreamState
from shared.enums import CounterState, EventType, TicketStatus, TransferTarget
from shared.protocol import CounterSnapshot, ServiceOut, SiteOut, StaffOut, TicketOut

from .choices import (
    Option,
    counter_options,
    matching,
    service_options,
    site_options,
    waiting_options,
)
from .commands import HELD_KEYS, KEYMAP, Command
from .dossier_presenter import DossierPresenter
from .gateway import CounterGateway, Follower
from .settings import CounterSettings
from .texts import PAUSE_REASONS, PRINT_ERRORS, local_hhmm, parse_time, success_text

log = logging.getLogger(__name__)
# (ticket, on_change, on_close(finish)) -> the dossier screen's presenter
DossierFactory = Callable[[TicketOut, Callable[[], None], Callable[[bool], None]], DossierPresenter]


class Phase(StrEnum):
    LOGIN = "login"
    PICK_COUNTER = "pick_counter"
    MAIN = "main"
    DOSSIER = "dossier"  # receiving the current citizen's dossier


AT_COUNTER = (Phase.MAIN, Phase.DOSSIER)


class Dialog(StrEnum):
    NONE = ""
    TRANSFER = "transfer"
    PAUSE = "pause"
    CALL_SPECIFIC = "call_specific"
    CLOSE_CONFIRM = "close_confirm"


class Level(StrEnum):
    INFO = "info"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    level: Level
    text_vi: str
    text_en: str = ""
    code: str = ""  # the server's error code, when it is an error


@dataclass(frozen=True)
class Alert:
    """Something at the site needs a person: a kiosk that could not print a ticket."""

    key: str
    text_vi: str
    text_en: str
    at: datetime


@dataclass
class DialogState:
    kind: Dialog = Dialog.NONE
    transfer_target: TransferTarget = TransferTarget.SERVICE
    query: str = ""
    selected: int = 0
    reason: str = ""
    nearby: dict[str, dict[str, Any]] = field(default_factory=dict)  # site code -> wait there


@dataclass
class DeskState:
    phase: Phase = Phase.LOGIN
    staff: StaffOut | None = None
    sites: list[SiteOut] = field(default_factory=list)
    site: SiteOut | None = None
    counters: list[dict[str, Any]] = field(default_factory=list)  # of the site, for picking and transfer
    line_names: dict[int, str] = field(default_factory=dict)  # service id -> its name, for counter tiles
    selected_counter_id: int | None = None
    snapshot: CounterSnapshot | None = None
    snapshot_at: float = 0.0  # monotonic time the snapshot arrived (waits keep ticking)
    services: list[ServiceOut] = field(default_factory=list)
    stream: StreamState = StreamState.STOPPED
    busy: Command | str | None = None
    notice: Notice | None = None
    alerts: list[Alert] = field(default_factory=list)
    activity: deque[str] = field(default_factory=lambda: deque(maxlen=8))
    dialog: DialogState = field(default_factory=DialogState)


class CounterPresenter:
    def __init__(self, gateway: CounterGateway, settings: CounterSettings, *,
                 on_change: Callable[[], None] = lambda: None,
                 save_settings: Callable[[CounterSettings], None] = lambda s: None,
                 monotonic: Callable[[], float] = time.monotonic,
                 dossier_factory: DossierFactory | None = None) -> None:
        self.gateway = gateway
        self.settings = settings
        self.on_change = on_change
        self._save_settings = save_settings
        self.monotonic = monotonic
        self.dossier_factory = dossier_factory
        self.dossier: DossierPresenter | None = None
        self.tz = ZoneInfo(settings.time_zone)
        self.state = DeskState()
        self.tasks = AppTasks("counter_client.presenter")
        self._follower: Follower | None = None
        self._refreshing = False
        self._refresh_again = False

    # ---- running work -------------------------------------------------------------------

    async def idle(self) -> None:
        """Wait until every action and refresh started so far has finished (for tests)."""
        await self.tasks.idle()

    def _changed(self) -> None:
        try:
            self.on_change()
        except Exception:  # a drawing bug must not break the clerk's action
            log.exception("redraw failed")

    def _notify(self, level: Level, vi: str, en: str = "", code: str = "") -> None:
        self.state.notice = Notice(level, vi, en, code)

    def _claim(self, busy: Command | str) -> bool:
        if self.state.busy is not None:
            return False
        self.state.busy = busy
        self._changed()
        return True

    async def _guarded(self, busy: Command | str, work: Callable[[], Coroutine[Any, Any, Any]], *,
                       claimed: bool = False) -> bool:
        """Run one server action with the busy flag up; False if refused or failed."""
        if not claimed and not self._claim(busy):
            return False
        try:
            await work()
            return True
        except ApiError as exc:
            self._on_api_error(exc)
            return False
        except Exception:
            log.exception("%s failed", busy)
            self._notify(Level.ERROR, "Lỗi không mong đợi. Vui lòng thử lại.", "Unexpected error. Please try again.")
            return False
        finally:
            self.state.busy = None
            self._changed()

    def _on_api_error(self, exc: ApiError) -> None:
        if exc.status == 401 and self.state.phase is not Phase.LOGIN:
            self._stop_following()
            self.dossier = None
            self.state = DeskState(alerts=self.state.alerts)
            self._notify(Level.ERROR, "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
                         "Your session has expired. Please log in again.")
            return
        self._notify(Level.ERROR, exc.message, exc.message_en, exc.code)

    # ---- login and picking the counter --------------------------------------------------
    def login(self, username: str, password: str) -> asyncio.Task:
        return self.tasks.track(self.login_async(username, password))

    async def login_async(self, username: str, password: str) -> bool:
        username = username.strip()
        if not username or not password:
            self._notify(Level.ERROR, "Hãy nhập tên đăng nhập và mật khẩu.", "Enter your user name and password.")
            self._changed()
            return False

        async def work() -> None:
            out = await self.gateway.login(username, password)
            self.state.staff = out.staff
            self.state.sites = await self.gateway.sites()
            self.state.site = self._choose_site(out.staff)
            await self._load_counters()
            self.state.selected_counter_id = self._remembered_counter()
            self.state.phase = Phase.PICK_COUNTER
            self.state.notice = None
            self._remember(username=username)

        return await self._guarded("login", work)

    def _choose_site(self, staff: StaffOut) -> SiteOut:
        """Staff serve at their own site whatever the settings say; managers and admins
        (no site of their own) get the configured site, or the first."""
        own = next((s for s in self.state.sites if s.id == staff.site_id), None)
        wanted = next((s for s in self.state.sites if s.code == self.settings.site_code.upper()), None)
        chosen = own or wanted or (self.state.sites[0] if self.state.sites else None)
        if chosen is None:
            raise ApiError(404, "no_sites", "Máy chủ chưa có điểm phục vụ nào.", "The server has no sites.")
        return chosen

    async def _load_counters(self) -> None:
        assert self.state.site is not None
        snap = await self.gateway.site_snapshot(self.state.site.code)
        self.state.counters = [c.model_dump() for c in snap.counters]
        self.state.line_names = {q.service_id: q.service_name_vi for q in snap.queues}

    def _remembered_counter(self) -> int | None:
        ids = [c["id"] for c in self.state.counters]
        if self.settings.counter_id in ids:
            return self.settings.counter_id
        return ids[0] if ids else None

    def choose_site(self, site_code: str) -> asyncio.Task:
        """Managers and admins (no site of their own) may pick the site before the counter."""
        async def work() -> None:
            site = next((s for s in self.state.sites if s.code == site_code), None)
            if site is None or (self.state.staff and self.state.staff.site_id not in (None, site.id)):
                return
            self.state.site = site
            await self._load_counters()
            self.state.selected_counter_id = self._remembered_counter()
            self._remember(site_code=site.code)
        return self.tasks.track(self._guarded("site", work))

    def select_counter(self, counter_id: int) -> None:
        self.state.selected_counter_id = counter_id
        self._changed()

    def pick_counter(self, counter_id: int | None = None) -> asyncio.Task:
        return self.tasks.track(self.pick_counter_async(counter_id))

    async def pick_counter_async(self, counter_id: int | None = None) -> bool:
        counter_id = counter_id or self.state.selected_counter_id
        if counter_id is None:
            return False

        async def work() -> None:
            assert self.state.site is not None
            snapshot = await self.gateway.counter_snapshot(counter_id)
            self.state.services = await self.gateway.site_services(self.state.site.code)
            self._set_snapshot(snapshot)
            self.state.selected_counter_id = counter_id
            self.state.phase = Phase.MAIN
            self.state.notice = None
            self._remember(counter_id=counter_id)
            self._follow(counter_id)

        return await self._guarded("pick", work)

    def _remember(self, **changes: Any) -> None:
        if all(getattr(self.settings, k) == v for k, v in changes.items()):
            return
        self.settings = self.settings.remembered(**changes)
        try:
            self._save_settings(self.settings)
        except OSError as exc:  # a read-only profile must not stop the counter
            log.warning("cannot save settings: %s", exc)

    def change_counter(self) -> asyncio.Task:
        async def work() -> None:
            self._stop_following()
            self.dossier = None
            await self._load_counters()
            self.state.snapshot = None
            self.state.dialog = DialogState()
            self.state.phase = Phase.PICK_COUNTER
        return self.tasks.track(self._guarded(Command.CHANGE_COUNTER, work))

    async def logout(self) -> None:
        self._stop_following()
        await self.gateway.logout()
        self.state = DeskState()
        self._changed()

    async def shutdown(self) -> None:
        self._stop_following()
        await self.tasks.stop()

    # ---- the live stream ----------------------------------------------------------------
    def _follow(self, counter_id: int) -> None:
        self._stop_following()
        assert self.state.site is not None
        self._follower = self.gateway.follow_counter(
            counter_id, self.state.site.id, self._on_stream_snapshot, self._on_stream_event, self._on_stream_state)

    def _stop_following(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None
        self.state.stream = StreamState.STOPPED

    def _on_stream_snapshot(self, snapshot: CounterSnapshot) -> None:
        if self.state.phase in AT_COUNTER and snapshot.counter.id == self.counter_id:
            self._set_snapshot(snapshot)
            self._changed()

    def _on_stream_state(self, stream: StreamState) -> None:
        self.state.stream = stream
        notice = self.state.notice
        if stream is StreamState.LIVE and notice is not None and notice.code == "unreachable":
            self.state.notice = None  # "cannot reach the server" is no longer true
        self._changed()

    def _on_stream_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        ticket = event.get("ticket") or {}
        counter = event.get("counter") or {}
        stamp = local_hhmm(event.get("at"), self.tz)
        if kind == EventType.TICKET_PRINT_FAILED:
            data = event.get("data") or {}
            why_vi, why_en = PRINT_ERRORS.get(data.get("error_kind", "error"), PRINT_ERRORS["error"])
            self.state.alerts.append(Alert(
                key=f"print-{ticket.get('id')}-{event.get('seq')}",
                text_vi=f"Ki-ốt không in được phiếu số thứ tự {ticket.get('label', '?')} ({why_vi}). Hãy kiểm tra máy in ki-ốt.",
                text_en=f"A kiosk could not print ticket {ticket.get('label', '?')} ({why_en}). Check its printer.",
                at=parse_time(event.get("at")),
            ))
        elif kind in (EventType.TICKET_CALLED, EventType.TICKET_RECALLED) and counter.get("id") != self.counter_id:
            again = " (gọi lại)" if kind == EventType.TICKET_RECALLED else ""
            self.state.activity.appendleft(f"{stamp}  Quầy {counter.get('number')} gọi {ticket.get('label')}{again}")
        elif kind == EventType.TICKET_ISSUED and ticket.get("service_id") in self.served_service_ids:
            self.state.activity.appendleft(f"{stamp}  Số mới {ticket.get('label')}")
        elif kind == EventType.TICKET_TRANSFERRED and (ticket.get("target_counter_id") == self.counter_id):
            self.state.activity.appendleft(f"{stamp}  {ticket.get('label')} được chuyển đến quầy này")
        self._changed()
        if kind != EventType.TICKET_PRINT_FAILED:
            self.refresh()

    # ---- refreshing ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Fetch the counter's snapshot; bursts of events coalesce into one extra fetch."""
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        self.tasks.track(self._refresh_loop())

    async def _refresh_loop(self) -> None:
        try:
            while True:
                self._refresh_again = False
                counter_id = self.counter_id
                if counter_id is None or self.state.phase not in AT_COUNTER:
                    return
                try:
                    snapshot = await self.gateway.counter_snapshot(counter_id)
                except ApiError as exc:
                    if exc.status == 401:
                        self._on_api_error(exc)
                        self._changed()
                    return  # the stream's own resync will try again
                if counter_id == self.counter_id and self.state.phase in AT_COUNTER:
                    self._set_snapshot(snapshot)
                    self._changed()
                if not self._refresh_again:
                    return
        finally:
            self._refreshing = False

    def _set_snapshot(self, snapshot: CounterSnapshot) -> None:
        self.state.snapshot = snapshot
        self.state.snapshot_at = self.monotonic()

    # ---- what the screens ask -----------------------------------------------------------
    @property
    def counter_id(self) -> int | None:
        return self.state.snapshot.counter.id if self.state.snapshot else None

    @property
    def current(self) -> TicketOut | None:
        return self.state.snapshot.counter.current_ticket if self.state.snapshot else None

    @property
    def served_service_ids(self) -> set[int]:
        if not self.state.snapshot:
            return set()
        return {s.service_id for s in self.state.snapshot.counter.services}

    def _counter_number(self, counter_id: int | None) -> int | str:
        return next((c["number"] for c in self.state.counters if c["id"] == counter_id), "?")

    def available(self, command: Command) -> bool:
        """Whether the button is live. The server still decides; this spares useless clicks."""
        snap = self.state.snapshot
        if self.state.phase is not Phase.MAIN or snap is None:
            return False
        if command is Command.CHANGE_COUNTER:
            return True
        if command is Command.DISMISS_ALERT:
            return bool(self.state.alerts)
        counter_state = snap.counter.state
        current = snap.counter.current_ticket
        status = current.status if current else None
        is_open = counter_state is CounterState.OPEN
        rules = {
            Command.OPEN: counter_state is not CounterState.OPEN,
            Command.PAUSE: is_open and current is None,
            Command.CLOSE: counter_state is not CounterState.CLOSED and current is None,
            Command.CALL_NEXT: is_open and (current is None or status is TicketStatus.SERVING),
            Command.CALL_SPECIFIC: is_open and current is None,
            Command.RECALL: status is TicketStatus.CALLED,
            Command.START: status is TicketStatus.CALLED,
            Command.FINISH: status is TicketStatus.SERVING,
            Command.NO_SHOW: status is TicketStatus.CALLED,
            Command.TRANSFER: current is not None,
            Command.HOLD: current is not None,
            Command.RESUME_HELD: current is None and bool(snap.held_tickets),
            Command.DOSSIER: status is TicketStatus.SERVING and self.dossier_factory is not None,
        }
        return rules.get(command, False)

    # ---- keys and buttons ---------------------------------------------------------------
    def on_key(self, name: str) -> bool:
        """A key press from the window; True if it was a shortcut here."""
        name = name.lower()
        if self.state.phase is Phase.PICK_COUNTER:
            return self._pick_key(name)
        if self.state.phase is Phase.DOSSIER:
            return self.dossier.on_key(name) if self.dossier else False
        if self.state.phase is not Phase.MAIN:
            return False
        if self.state.dialog.kind is not Dialog.NONE:
            return self._dialog_key(name)
        if name in HELD_KEYS:
            return self.resume_held(HELD_KEYS[name]) is not None
        command = KEYMAP.get(name)
        if command is None:
            return False
        self.press(command)
        return True

    def _pick_key(self, name: str) -> bool:
        ids = [c["id"] for c in self.state.counters]
        if name in ("enter", "numpadenter"):
            if self.state.busy is None:
                self.pick_counter()
            return True
        step = {"down": 1, "right": 1, "up": -1, "left": -1}.get(name)
        if step is None or not ids:
            return False
        at = ids.index(self.state.selected_counter_id) if self.state.selected_counter_id in ids else 0
        self.select_counter(ids[(at + step) % len(ids)])
        return True

    def press(self, command: Command) -> asyncio.Task | None:
        if not self.available(command) or self.state.busy is not None:
            return None
        if command is Command.TRANSFER:
            return self._open_dialog(Dialog.TRANSFER)
        if command is Command.CALL_SPECIFIC:
            return self._open_dialog(Dialog.CALL_SPECIFIC)
        if command is Command.PAUSE:
            return self._open_dialog(Dialog.PAUSE)
        if command is Command.CLOSE:
            return self._open_dialog(Dialog.CLOSE_CONFIRM)
        if command is Command.DISMISS_ALERT:
            self.state.alerts.pop(0)
            self._changed()
            return None
        if command is Command.CHANGE_COUNTER:
            return self.change_counter()
        if command is Command.DOSSIER:
            self.open_dossier()
            return None
        if command is Command.RESUME_HELD:
            return self.resume_held(0)
        if command is Command.CALL_NEXT:
            serving = self.current is not None and self.current.status is TicketStatus.SERVING
            return self._act(command, "call-next", {"finish_current": True} if serving else None)
        return self._act(command, _ACTION_PATH[command])

    def open_dossier(self) -> None:
        """The dossier screen for the citizen being served; what was typed for this ticket
        is kept if the clerk steps back to the counter screen and returns."""
        ticket = self.current
        if self.dossier_factory is None or ticket is None:
            return
        if self.dossier is None or self.dossier.ticket_id != ticket.id:
            self.dossier = self.dossier_factory(ticket, self._changed, self._dossier_closed)
        self.state.phase = Phase.DOSSIER
        self.state.notice = None
        self._changed()

    def _dossier_closed(self, finish: bool) -> None:
        self.state.phase = Phase.MAIN
        self._changed()
        if finish and self.available(Command.FINISH):
            self.press(Command.FINISH)

    def resume_held(self, index: int) -> asyncio.Task | None:
        snap = self.state.snapshot
        if not self.available(Command.RESUME_HELD) or snap is None or index >= len(snap.held_tickets):
            return None
        return self._act(Command.RESUME_HELD, "resume", {"ticket_id": snap.held_tickets[index].id})

    def _act(self, command: Command, action: str, body: dict | None = None) -> asyncio.Task | None:
        counter_id = self.counter_id
        # Claimed now, not when the task runs: a second press in the same frame must see it.
        if counter_id is None or not self._claim(command):
            return None

        async def work() -> None:
            ticket = await self.gateway.counter_action(counter_id, action, body)
            self._notify(Level.INFO, *success_text(command, ticket, body, self._counter_number))
            self.state.dialog = DialogState()
            snapshot = await self.gateway.counter_snapshot(counter_id)
            if counter_id == self.counter_id:
                self._set_snapshot(snapshot)

        return self.tasks.track(self._guarded(command, work, claimed=True))

    # ---- dialogs ------------------------------------------------------------------------
    def _open_dialog(self, kind: Dialog) -> asyncio.Task | None:
        self.state.dialog = DialogState(kind=kind)
        self.state.notice = None
        self._changed()
        if kind is Dialog.TRANSFER:
            return self.tasks.track(self._load_transfer_choices())
        return None

    async def _load_transfer_choices(self) -> None:
        """Counter states and the waits at other sites, fresh when the dialog opens."""
        site = self.state.site
        if site is None:
            return
        try:
            await self._load_counters()
            ticket = self.current
            if ticket is not None and ticket.procedure_code:
                nearby = await self.gateway.nearby(ticket.procedure_code, site.code)
                self.state.dialog.nearby = {s["site_code"]: s for s in nearby.get("sites", [])}
        except ApiError as exc:
            log.info("transfer choices not refreshed: %s", exc)
        self._changed()

    def close_dialog(self) -> None:
        self.state.dialog = DialogState()
        self._changed()

    def set_query(self, text: str) -> None:
        self.state.dialog.query = text
        self.state.dialog.selected = 0
        self._changed()

    def set_reason(self, text: str) -> None:
        self.state.dialog.reason = text

    def set_transfer_target(self, target: TransferTarget | str) -> None:
        self.state.dialog.transfer_target = TransferTarget(target)
        self.state.dialog.query = ""
        self.state.dialog.selected = 0
        self._changed()

    def select_option(self, index: int) -> None:
        options = self.dialog_options()
        if options:
            self.state.dialog.selected = max(0, min(index, len(options) - 1))
            self._changed()

    def dialog_options(self) -> list[Option]:
        dialog, st = self.state.dialog, self.state
        if dialog.kind is Dialog.PAUSE:
            return [Option(i, vi, en) for i, (vi, en) in enumerate(PAUSE_REASONS)]
        if dialog.kind is Dialog.CALL_SPECIFIC:
            options = waiting_options(st.snapshot, st.services, self.monotonic() - st.snapshot_at)
        elif dialog.kind is not Dialog.TRANSFER:
            return []
        elif dialog.transfer_target is TransferTarget.SERVICE:
            options = service_options(st.services, self.current)
        elif dialog.transfer_target is TransferTarget.COUNTER:
            options = counter_options(st.counters, st.services, self.counter_id)
        else:
            options = site_options(st.sites, st.site.id if st.site else None, dialog.nearby)
        return matching(options, dialog.query)

    def submit_dialog(self, index: int | None = None) -> asyncio.Task | None:
        dialog = self.state.dialog
        if self.state.busy is not None:
            return None
        if dialog.kind is Dialog.CLOSE_CONFIRM:
            return self._act(Command.CLOSE, "close")
        options = self.dialog_options()
        if index is not None:
            dialog.selected = index
        chosen = options[dialog.selected] if 0 <= dialog.selected < len(options) else None
        if dialog.kind is Dialog.PAUSE:
            reason = dialog.reason.strip() or (chosen.title if chosen else "")
            return self._act(Command.PAUSE, "pause", {"reason": reason})
        if chosen is None:
            self._notify(Level.ERROR, "Hãy chọn một mục trong danh sách.", "Choose an item in the list.")
            self._changed()
            return None
        if dialog.kind is Dialog.CALL_SPECIFIC:
            return self._act(Command.CALL_SPECIFIC, "call", {"ticket_id": chosen.id, "reason": dialog.reason.strip()})
        if dialog.kind is Dialog.TRANSFER:
            target = dialog.transfer_target
            body: dict[str, Any] = {"target": target.value, "reason": dialog.reason.strip()}
            body[{TransferTarget.SERVICE: "service_id", TransferTarget.COUNTER: "counter_id",
                  TransferTarget.SITE: "site_code"}[target]] = chosen.id
            return self._act(Command.TRANSFER, "transfer", body)
        return None

    def _dialog_key(self, name: str) -> bool:
        dialog = self.state.dialog
        if name == "escape":
            self.close_dialog()
        elif name in ("enter", "numpadenter"):
            self.submit_dialog()
        elif name == "down":
            self.select_option(dialog.selected + 1)
        elif name == "up":
            self.select_option(dialog.selected - 1)
        elif dialog.kind is Dialog.TRANSFER and name in _TARGET_KEYS:
            self.set_transfer_target(_TARGET_KEYS[name])
        elif dialog.kind is Dialog.PAUSE and name in ("1", "2", "3"):
            self.submit_dialog(int(name) - 1)
        else:
            return False
        return True


_ACTION_PATH = {
    Command.RECALL: "recall", Command.START: "start", Command.FINISH: "finish", Command.NO_SHOW: "no-show",
    Command.HOLD: "hold", Command.OPEN: "open",
}
_TARGET_KEYS = {"alt+s": TransferTarget.SERVICE, "alt+c": TransferTarget.COUNTER, "alt+t": TransferTarget.SITE}
