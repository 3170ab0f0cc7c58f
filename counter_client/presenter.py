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
from collections.abc import Callable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

from shared.app_presenters import PresenterParts, public_names
from shared.app_tasks import AppTasks
from shared.client import ApiError, StreamState
from shared.enums import CounterState, EventType, TicketStatus
from shared.protocol import CounterSnapshot, TicketOut

from .commands import HELD_KEYS, KEYMAP, Command
from .desk_state import AT_COUNTER, Alert, DeskState, Dialog, DialogState, Level, Notice, Phase
from .dialog_presenter import DialogPresenter
from .dossier_presenter import DossierPresenter
from .gateway import CounterGateway, Follower
from .login_presenter import LoginPresenter
from .settings import CounterSettings
from .texts import PRINT_ERRORS, local_hhmm, parse_time, success_text

log = logging.getLogger(__name__)
# The state's vocabulary is imported from here by the app, the viewmodel and the tests.
__all__ = ["AT_COUNTER", "Alert", "CounterPresenter", "DeskState", "Dialog", "DialogState", "Level", "Notice", "Phase"]
# (ticket, on_change, on_close(finish)) -> the dossier screen's presenter
DossierFactory = Callable[[TicketOut, Callable[[], None], Callable[[bool], None]], DossierPresenter]


class CounterPresenter(PresenterParts):
    def __init__(self, gateway: CounterGateway, settings: CounterSettings, *,
                 on_change: Callable[[], None] = lambda: None,
                 save_settings: Callable[[CounterSettings], None] = lambda s: None,
                 monotonic: Callable[[], float] = time.monotonic,
                 dossier_factory: DossierFactory | None = None) -> None:
        self.gateway = gateway
        self.settings = settings
        self.on_change = on_change
        self.save_settings_file = save_settings
        self.monotonic = monotonic
        self.dossier_factory = dossier_factory
        self.dossier: DossierPresenter | None = None
        self.tz = ZoneInfo(settings.time_zone)
        self.state = DeskState()
        self.tasks = AppTasks("counter_client.presenter")
        self._follower: Follower | None = None
        self._refreshing = False
        self._refresh_again = False
        # The login and pick-counter screens, and the dialogs: parts whose taps are reached
        # by name here (`presenter.login(...)`, `presenter.set_query(...)`).
        for part in (LoginPresenter(self), DialogPresenter(self)):
            self.add_part(part.name, part, public_names(type(part), object))

    # ---- running work -------------------------------------------------------------------

    async def idle(self) -> None:
        """Wait until every action and refresh started so far has finished (for tests)."""
        await self.tasks.idle()

    def changed(self) -> None:
        try:
            self.on_change()
        except Exception:  # a drawing bug must not break the clerk's action
            log.exception("redraw failed")

    def notify(self, level: Level, vi: str, en: str = "", code: str = "") -> None:
        self.state.notice = Notice(level, vi, en, code)

    def claim(self, busy: Command | str) -> bool:
        if self.state.busy is not None:
            return False
        self.state.busy = busy
        self.changed()
        return True

    async def guarded(self, busy: Command | str, work: Callable[[], Coroutine[Any, Any, Any]], *,
                       claimed: bool = False) -> bool:
        """Run one server action with the busy flag up; False if refused or failed."""
        if not claimed and not self.claim(busy):
            return False
        try:
            await work()
            return True
        except ApiError as exc:
            self._on_api_error(exc)
            return False
        except Exception:
            log.exception("%s failed", busy)
            self.notify(Level.ERROR, "Lỗi không mong đợi. Vui lòng thử lại.", "Unexpected error. Please try again.")
            return False
        finally:
            self.state.busy = None
            self.changed()

    def _on_api_error(self, exc: ApiError) -> None:
        if exc.status == 401 and self.state.phase is not Phase.LOGIN:
            self.stop_following()
            self.dossier = None
            self.state = DeskState(alerts=self.state.alerts)
            self.notify(Level.ERROR, "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
                         "Your session has expired. Please log in again.")
            return
        self.notify(Level.ERROR, exc.message, exc.message_en, exc.code)

    async def logout(self) -> None:
        self.stop_following()
        await self.gateway.logout()
        self.state = DeskState()
        self.changed()

    async def shutdown(self) -> None:
        self.stop_following()
        await self.tasks.stop()

    # ---- the live stream ----------------------------------------------------------------
    def follow(self, counter_id: int) -> None:
        self.stop_following()
        assert self.state.site is not None
        self._follower = self.gateway.follow_counter(
            counter_id, self.state.site.id, self._on_stream_snapshot, self._on_stream_event, self._on_stream_state)

    def stop_following(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None
        self.state.stream = StreamState.STOPPED

    def _on_stream_snapshot(self, snapshot: CounterSnapshot) -> None:
        if self.state.phase in AT_COUNTER and snapshot.counter.id == self.counter_id:
            self.set_snapshot(snapshot)
            self.changed()

    def _on_stream_state(self, stream: StreamState) -> None:
        self.state.stream = stream
        notice = self.state.notice
        if stream is StreamState.LIVE and notice is not None and notice.code == "unreachable":
            self.state.notice = None  # "cannot reach the server" is no longer true
        self.changed()

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
        self.changed()
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
                        self.changed()
                    return  # the stream's own resync will try again
                if counter_id == self.counter_id and self.state.phase in AT_COUNTER:
                    self.set_snapshot(snapshot)
                    self.changed()
                if not self._refresh_again:
                    return
        finally:
            self._refreshing = False

    def set_snapshot(self, snapshot: CounterSnapshot) -> None:
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
            return self.session.pick_key(name)
        if self.state.phase is Phase.DOSSIER:
            return self.dossier.on_key(name) if self.dossier else False
        if self.state.phase is not Phase.MAIN:
            return False
        if self.state.dialog.kind is not Dialog.NONE:
            return self.dialogs.dialog_key(name)
        if name in HELD_KEYS:
            return self.resume_held(HELD_KEYS[name]) is not None
        command = KEYMAP.get(name)
        if command is None:
            return False
        self.press(command)
        return True

    def press(self, command: Command) -> asyncio.Task | None:
        if not self.available(command) or self.state.busy is not None:
            return None
        if command is Command.TRANSFER:
            return self.dialogs.open_dialog(Dialog.TRANSFER)
        if command is Command.CALL_SPECIFIC:
            return self.dialogs.open_dialog(Dialog.CALL_SPECIFIC)
        if command is Command.PAUSE:
            return self.dialogs.open_dialog(Dialog.PAUSE)
        if command is Command.CLOSE:
            return self.dialogs.open_dialog(Dialog.CLOSE_CONFIRM)
        if command is Command.DISMISS_ALERT:
            self.state.alerts.pop(0)
            self.changed()
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
            return self.act(command, "call-next", {"finish_current": True} if serving else None)
        return self.act(command, _ACTION_PATH[command])

    def open_dossier(self) -> None:
        """The dossier screen for the citizen being served; what was typed for this ticket
        is kept if the clerk steps back to the counter screen and returns."""
        ticket = self.current
        if self.dossier_factory is None or ticket is None:
            return
        if self.dossier is None or self.dossier.ticket_id != ticket.id:
            self.dossier = self.dossier_factory(ticket, self.changed, self._dossier_closed)
        self.state.phase = Phase.DOSSIER
        self.state.notice = None
        self.changed()

    def _dossier_closed(self, finish: bool) -> None:
        self.state.phase = Phase.MAIN
        self.changed()
        if finish and self.available(Command.FINISH):
            self.press(Command.FINISH)

    def resume_held(self, index: int) -> asyncio.Task | None:
        snap = self.state.snapshot
        if not self.available(Command.RESUME_HELD) or snap is None or index >= len(snap.held_tickets):
            return None
        return self.act(Command.RESUME_HELD, "resume", {"ticket_id": snap.held_tickets[index].id})

    def act(self, command: Command, action: str, body: dict | None = None) -> asyncio.Task | None:
        counter_id = self.counter_id
        # Claimed now, not when the task runs: a second press in the same frame must see it.
        if counter_id is None or not self.claim(command):
            return None

        async def work() -> None:
            ticket = await self.gateway.counter_action(counter_id, action, body)
            self.notify(Level.INFO, *success_text(command, ticket, body, self._counter_number))
            self.state.dialog = DialogState()
            snapshot = await self.gateway.counter_snapshot(counter_id)
            if counter_id == self.counter_id:
                self.set_snapshot(snapshot)

        return self.tasks.track(self.guarded(command, work, claimed=True))


_ACTION_PATH = {
    Command.RECALL: "recall", Command.START: "start", Command.FINISH: "finish", Command.NO_SHOW: "no-show",
    Command.HOLD: "hold", Command.OPEN: "open",
}
