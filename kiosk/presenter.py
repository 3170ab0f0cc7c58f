"""The kiosk's core, in plain Python (tested without Kivy): the one state object the
screens draw, the services every screen presenter uses (server client, printer, tasks,
clock), and the moves between screens (history, home, idle time, the tap guard).

What each screen does with a tap lives in its own presenter in `kiosk/flow/` (one module
per screen or concern, found by `kiosk.flow.presenter_classes`). The kiosk's taps are
reached by name on this object (`presenter.confirm()`, `presenter.open_top()`): the kv
files and the tests need not know which module handles a tap.

Network work runs as asyncio tasks on the app's loop (the Kivy app runs with async_run),
printing in a worker thread; nothing here blocks the UI.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from kiosk.api import KioskApi
from kiosk.flow import ScreenPresenter, ScreenSpec, presenter_classes
from kiosk.printing import TicketPrinter
from kiosk.settings import KioskSettings
from kiosk.state import (
    KioskState,
    Phase,
    PrintState,
    QueueCount,
    ServerStatus,
    Target,
    best_suggestion,
    server_banner,
)
from shared.app_presenters import PresenterParts
from shared.app_tasks import AppTasks, Spawn
from shared.client import ServerUnreachable

log = logging.getLogger(__name__)

# The state's vocabulary is imported from here by the app and the tests.
__all__ = ["IDLE_WARNING_SECONDS", "KioskPresenter", "KioskState", "Phase", "PrintState", "QueueCount",
           "ServerStatus", "Target", "best_suggestion", "server_banner"]

SETTINGS_IDLE_FACTOR = 3  # technicians type slowly on a touch keyboard
# After the screen changes, taps are ignored this long: the second tap of a double tap
# must not press whatever button the new screen shows under the finger (on the priority
# screen that would be a ticket with a priority nobody chose).
TAP_GUARD_SECONDS = 0.4
IDLE_WARNING_SECONDS = 10  # "Need more time?" counts down this long before the screen goes home
MENU_REFRESH_SECONDS = 300.0


class KioskPresenter(PresenterParts):
    def __init__(
        self,
        settings: KioskSettings,
        *,
        api_factory: Callable[[KioskSettings], KioskApi],
        printer_factory: Callable[[KioskSettings], TicketPrinter],
        save_settings: Callable[[KioskSettings], object] = lambda s: None,
        clock: Callable[[], float] = time.monotonic,
        spawn: Spawn | None = None,
        retry_delays: tuple[float, ...] = (1, 2, 4, 8, 15),
        search_delay: float = 0.35,
        tap_guard: float = TAP_GUARD_SECONDS,
    ) -> None:
        self.settings = settings
        self.api_factory = api_factory
        self.printer_factory = printer_factory
        self.save_settings_file = save_settings
        self.clock = clock
        self.tasks = AppTasks("kiosk", spawn)
        self.retry_delays = retry_delays
        self.search_delay = search_delay
        self.tap_guard = tap_guard
        self.api: KioskApi = api_factory(settings)
        self.printer: TicketPrinter = printer_factory(settings)
        self.state = KioskState(lang=settings.language)
        self.listeners: list[Callable[[], None]] = []
        self.fields_per_page = 12
        self.rows_per_page = 5
        self.results_per_page = 3
        self.history: list[Phase | str] = []
        self.last_touch = clock()
        self.ticket_deadline = 0.0  # the ticket screen goes home then (see tick)
        self.issue_requests = 0  # how many POST /tickets this kiosk started (for tests and logs)
        self.menu_refresh_seconds = MENU_REFRESH_SECONDS
        self._logged_phase: Phase | str | None = None
        self._phase_since = clock() - tap_guard
        # One presenter per screen or concern, each reachable as an attribute by its name
        # (`self.issuing`), and their public taps by name on this object.
        for cls in presenter_classes():
            self.add_part(cls.name, cls(self), cls.taps())

    @property
    def presenters(self) -> dict[str, ScreenPresenter]:
        return self.parts  # type: ignore[return-value]

    @property
    def screens(self) -> list[ScreenSpec]:
        """The Kivy screens of every presenter, home first."""
        specs = [spec for part in self.presenters.values() for spec in part.screens]
        return sorted(specs, key=lambda spec: spec.name != Phase.HOME)

    def view_of(self, screen: str) -> object:
        """What a screen drawn in kv alone shows: its presenter's `view(screen)`."""
        owner = next(p for p in self.presenters.values() if any(s.name == screen for s in p.screens))
        return owner.view(screen)

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.connection.connect()

    async def stop(self) -> None:
        await self.tasks.stop()
        await self.api.aclose()

    def changed(self) -> None:
        if self.state.phase is not self._logged_phase:
            log.info("kiosk screen: %s -> %s", self._logged_phase, self.state.phase)
            self._logged_phase = self.state.phase
            self._phase_since = self.clock()
        for listener in list(self.listeners):
            listener()

    # ---- server status ---------------------------------------------------------------------
    def server_ok(self) -> None:
        if self.state.server is not ServerStatus.ONLINE:
            self.state.server = ServerStatus.ONLINE
            self.state.server_detail = None
            self.changed()

    def server_lost(self) -> None:
        if self.state.server is not ServerStatus.UNREACHABLE:
            self.state.server = ServerStatus.UNREACHABLE
            self.changed()

    def retry_delay(self, attempt: int) -> float:
        return self.retry_delays[min(attempt, len(self.retry_delays) - 1)]

    async def retrying(self, load: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        """Idempotent reads only: retry while the server is unreachable, with backoff."""
        attempt = 0
        while True:
            try:
                result = await load()
            except ServerUnreachable:
                self.server_lost()
                await asyncio.sleep(self.retry_delay(attempt))
                attempt += 1
                continue
            self.server_ok()
            return result

    @property
    def can_issue(self) -> bool:
        """Tickets are offered only while the server answers: a dead button is better than
        a citizen holding a "ticket" no counter will ever call."""
        return self.state.server is ServerStatus.ONLINE

    def site_names(self) -> dict[str, str]:
        """This kiosk's site, as a Target names it."""
        site = self.state.site
        return {"site_name_vi": site.name_vi if site else "", "site_name_en": site.name_en if site else ""}

    # ---- navigation ------------------------------------------------------------------------
    def touched(self) -> None:
        now = self.clock()
        self.last_touch = now
        if self.state.idle_left is not None:  # "Need more time?" answered by any touch
            self.state.idle_left = None
            self.changed()
        if self.state.phase is Phase.TICKET and self.state.print_state is not PrintState.PRINTING:
            self.ticket_deadline = max(self.ticket_deadline, now + self.settings.ticket_timeout)

    @property
    def accepting_taps(self) -> bool:
        """False just after the screen changed (see TAP_GUARD_SECONDS)."""
        return self.clock() - self._phase_since >= self.tap_guard

    def go(self, phase: Phase | str, remember: bool = True) -> None:
        if remember and self.state.phase is not phase:
            self.history.append(self.state.phase)
        self.state.phase = phase
        self.changed()

    def toggle_language(self) -> None:
        self.state.lang = "en" if self.state.lang == "vi" else "vi"
        self.changed()

    def go_home(self) -> None:
        """The "Home" button: the same citizen carries on, in the language they chose."""
        if self.accepting_taps:
            self.reset_to_home(session_over=False)

    def reset_to_home(self, session_over: bool = True) -> None:
        """Back to the home screen, forgetting the citizen's choices; when their session is
        over (idle, or their ticket done) the next citizen starts in the kiosk's language.
        Never while a ticket is being issued: its answer must reach the screen and the printer."""
        if self.state.phase is Phase.ISSUING:
            return
        self.tasks.cancel("browse", "search", "detail", "test_print")
        self.state.reset_flow(self.settings.language if session_over else self.state.lang)
        for part in self.presenters.values():
            part.reset()
        self.history.clear()
        self.changed()

    def back(self) -> None:
        if not self.accepting_taps:
            return
        if self.state.phase in (Phase.ISSUING, Phase.TICKET, Phase.HOME):
            return
        if self.state.phase in (Phase.PIN, Phase.SETTINGS) or not self.history:
            self.reset_to_home(session_over=self.state.phase in (Phase.PIN, Phase.SETTINGS))
            return
        previous = self.history.pop()
        if previous is Phase.HOME:
            self.reset_to_home(session_over=False)
            return
        self.state.phase = previous
        self.changed()

    # ---- time ------------------------------------------------------------------------------
    def tick(self) -> None:
        """Called about once a second: inactivity returns home; the ticket counts down."""
        st = self.state
        now = self.clock()
        if st.phase in (Phase.HOME, Phase.ISSUING):
            return
        if st.phase is Phase.TICKET:
            if st.print_state is PrintState.PRINTING:
                return
            left = max(0, int(self.ticket_deadline - now + 0.999))
            if left <= 0:
                self.reset_to_home()
            elif left != st.seconds_left:
                st.seconds_left = left
                self.changed()
            return
        idle = self.settings.idle_timeout * (SETTINGS_IDLE_FACTOR if st.phase is Phase.SETTINGS else 1)
        idle_for = now - self.last_touch
        if idle_for >= idle:
            self.reset_to_home()
            return
        # The last seconds are a question on screen: "Need more time?", counting down.
        warn_from = max(idle - IDLE_WARNING_SECONDS, idle / 2)
        left = int(idle - idle_for + 0.999) if idle_for >= warn_from else None
        if left != st.idle_left:
            st.idle_left = left
            self.changed()
