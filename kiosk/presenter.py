"""The kiosk's brain: a pure-Python state machine, tested without Kivy.

Screens call its methods on taps and draw `state` when told it changed. Network work
runs as asyncio tasks on the app's loop (the Kivy app runs with async_run), printing in
a worker thread; nothing here blocks the UI.

The two promises the citizen relies on live here:
- one confirmed tap gives exactly one POST /tickets: `confirm` leaves the PRIORITY
  phase before it starts the request, and every other path into issuing is closed;
- nothing is printed unless the server returned the ticket, and a failed print is shown
  on screen with its QR and reported to the server so staff are alerted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from kiosk.api import KioskApi
from kiosk.menu import ElsewhereOffer, MenuItem, SiteMenu
from kiosk.printing import PrinterError, TicketPrinter, TicketPrintout, sample_printout
from kiosk.printing.ticket import LOCAL_ZONE
from kiosk.settings import KioskSettings, SettingsError, pin_matches, printer_address
from kiosk.state import (
    KioskState,
    Phase,
    PrintState,
    QueueCount,
    ServerStatus,
    Target,
    best_suggestion,
    elsewhere_offer,
    server_banner,
)
from kiosk.texts import T, Text, display_name, server_wait_text, wait_text
from shared.cccd import MAX_QR_CHARS, elderly_priority_offer
from shared.client import ApiError, ServerUnreachable, StreamState
from shared.enums import CounterState, PriorityClass, SiteKind
from shared.protocol import (
    FieldOut,
    IssueTicketIn,
    PrintResultIn,
    ProcedureOut,
    SiteSnapshot,
    TicketOut,
)
from shared.textfold import fold
from shared.wait_words import WaitFigure, figure_from
from shared.wait_words import wait_text as figure_text

log = logging.getLogger(__name__)

# The state's vocabulary is imported from here by the app and the tests.
__all__ = ["KioskPresenter", "KioskState", "Phase", "PrintState", "QueueCount", "ServerStatus", "Target",
           "best_suggestion", "server_banner"]


Spawn = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]
Job = Callable[[], Coroutine[Any, Any, Any]]

SECRET_TAPS = 5
SECRET_WINDOW_SECONDS = 4.0
PIN_ATTEMPTS = 5
PIN_LOCK_SECONDS = 300.0
FAILED_TICKET_MIN_SECONDS = 90  # time to photograph the QR when nothing printed
SETTINGS_IDLE_FACTOR = 3  # technicians type slowly on a touch keyboard
# After the screen changes, taps are ignored this long: the second tap of a double tap
# must not press whatever button the new screen shows under the finger (on the priority
# screen that would be a ticket with a priority nobody chose).
TAP_GUARD_SECONDS = 0.4
BOOKING_CODE_MAX = 12  # 8 characters, with room for a dash or two typed by habit
IDLE_WARNING_SECONDS = 10  # "Need more time?" counts down this long before the screen goes home
WAIT_REFRESH_DELAY = 1.0  # after a queue event, re-read the wait figures once things settle
MENU_ROWS = 10  # the site's 10 most requested fit one screen: one tap each
MENU_REFRESH_SECONDS = 300.0


def looks_like_card(text: str) -> bool:
    """A chip ID card's QR line (12-digit ID, then fields split by "|"), as opposed to a
    booking code or its URL; malformed card lines count, so their error is shown."""
    head = text.split("|", 1)[0].strip()
    return text.count("|") >= 2 and head.isdigit() and 9 <= len(head) <= 12


class KioskPresenter:
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
        self.spawn: Spawn = spawn or asyncio.ensure_future
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
        self._slots: dict[str, asyncio.Task[Any]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._history: list[Phase] = []
        self._last_touch = clock()
        self._ticket_deadline = 0.0
        self._secret_taps: list[float] = []
        self._pin_failures = 0
        self._pin_locked_until = 0.0
        self.issue_requests = 0  # how many POST /tickets this kiosk started (for tests and logs)
        self.menu_refresh_seconds = MENU_REFRESH_SECONDS
        self._logged_phase: Phase | None = None
        self._phase_since = clock() - tap_guard

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._slot("connect", self._connect)

    async def stop(self) -> None:
        tasks = [*self._slots.values(), *self._background]
        self._slots.clear()
        self._background.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.api.aclose()

    def _changed(self) -> None:
        if self.state.phase is not self._logged_phase:
            log.info("kiosk screen: %s -> %s", self._logged_phase, self.state.phase)
            self._logged_phase = self.state.phase
            self._phase_since = self.clock()
        for listener in list(self.listeners):
            listener()

    def _slot(self, name: str, job: Job) -> None:
        """Run job as the only task of its kind: a newer search replaces an older one."""
        old = self._slots.pop(name, None)
        if old is not None:
            old.cancel()
        task = self.spawn(self._logged(name, job))
        self._slots[name] = task
        task.add_done_callback(lambda t, n=name: self._slots.pop(n, None) if self._slots.get(n) is t else None)

    def _keep(self, name: str, job: Job) -> None:
        """Run job to its end whatever the screen does (issuing, printing, reporting)."""
        task = self.spawn(self._logged(name, job))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _cancel(self, *names: str) -> None:
        for name in names:
            task = self._slots.pop(name, None)
            if task is not None:
                task.cancel()

    @staticmethod
    async def _logged(name: str, job: Job) -> Any:
        # The coroutine is created here, inside the task: a task cancelled before it ran
        # then leaves no never-awaited coroutine behind.
        try:
            return await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("kiosk task %s failed", name)

    # ---- server status ---------------------------------------------------------------------
    def _server_ok(self) -> None:
        if self.state.server is not ServerStatus.ONLINE:
            self.state.server = ServerStatus.ONLINE
            self.state.server_detail = None
            self._changed()

    def _server_lost(self) -> None:
        if self.state.server is not ServerStatus.UNREACHABLE:
            self.state.server = ServerStatus.UNREACHABLE
            self._changed()

    async def _retrying(self, load: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        """Idempotent reads only: retry while the server is unreachable, with backoff."""
        attempt = 0
        while True:
            try:
                result = await load()
            except ServerUnreachable:
                self._server_lost()
                await asyncio.sleep(self.retry_delays[min(attempt, len(self.retry_delays) - 1)])
                attempt += 1
                continue
            self._server_ok()
            return result

    async def _connect(self) -> None:
        s = self.settings
        if not s.configured:
            self.state.server = ServerStatus.NOT_CONFIGURED
            self._changed()
            return
        attempt = 0
        while True:
            try:
                site = await self.api.site(s.site_code)
                sites = await self.api.sites()
                services = await self.api.services(s.site_code)
                fields = await self.api.fields(s.site_code)
                menu = await self._menu_or_none(s.site_code)
                snapshot = await self.api.snapshot(s.site_code)  # proves the token
                break
            except ServerUnreachable:
                self._server_lost()
            except ApiError as exc:
                self.state.server = (ServerStatus.UNAUTHORIZED if exc.status in (401, 403)
                                     else ServerStatus.NOT_CONFIGURED)
                self.state.server_detail = Text(exc.message, exc.message_en or exc.message)
                self._changed()
            await asyncio.sleep(self.retry_delays[min(attempt, len(self.retry_delays) - 1)])
            attempt += 1
        center = next((x for x in sites if x.kind == SiteKind.CENTER.value), site)
        st = self.state
        st.site = site
        st.center_name = center.name_vi
        st.fields = fields
        st.menu = menu
        st.return_service_id = next((x.id for x in services if x.kind == "return"), None)
        self._apply_snapshot(snapshot)
        st.counts_live = False  # live once the stream is following
        self._server_ok()
        self._changed()
        self._slot("menu", self._keep_menu_fresh)
        await self.api.follow_site(s.site_code, site.id, self._on_snapshot, self._on_event, self._on_stream)

    async def _keep_menu_fresh(self) -> None:
        """A manager's pin, rename or reorder reaches the kiosk within MENU_REFRESH_SECONDS;
        a citizen already in a list keeps the rows they are looking at."""
        while True:
            await asyncio.sleep(self.menu_refresh_seconds)
            try:
                menu = await self._menu_or_none(self.settings.site_code)
            except (ApiError, ServerUnreachable):
                continue
            if menu is not None and menu != self.state.menu:
                self.state.menu = menu
                self._changed()

    async def _menu_or_none(self, site_code: str) -> SiteMenu | None:
        """The site's menu; None from a server without one (the kiosk then browses fields)."""
        try:
            return await self.api.menu(site_code)
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
        self.state.queues = [
            QueueCount(q.service_id, q.service_name_vi, q.service_name_en, q.waiting, q.estimated_wait_minutes,
                       counter_open=q.service_id in open_services, wait=getattr(q, "wait", None))
            for q in snapshot.queues
        ]
        self.state.counters_by_service = {k: sorted(v) for k, v in by_service.items()}

    def line_wait(self, service_id: int | None, lang: str) -> str:
        """The wait words of a line, as home, the menu and the priority screen show them:
        the server's figure when it sends one, else the shared wording of its estimate."""
        queue = next((q for q in self.state.queues if q.service_id == service_id), None)
        if queue is None:
            return ""
        return server_wait_text(queue.wait, lang) or wait_text(queue.estimated_wait_minutes, lang,
                                                                counter_open=queue.counter_open)

    def ticket_figure(self, ticket: TicketOut) -> WaitFigure | None:
        """The one wait figure of a ticket: the server's, else the shared rules applied to its
        minutes and whether a counter of its line is open here."""
        if ticket.wait is not None:
            return ticket.wait
        queue = next((q for q in self.state.queues if q.service_id == ticket.service_id), None)
        counter_open = queue.counter_open if queue is not None else True
        if ticket.estimated_wait_minutes is None and counter_open:
            return None
        return figure_from(ticket.estimated_wait_minutes, any_counter_open=counter_open,
                           people_ahead=ticket.people_ahead)

    def ticket_wait(self, ticket: TicketOut, lang: str) -> str:
        """The wait words of one ticket: the screen and the paper say the same."""
        return server_wait_text(ticket.wait, lang) or figure_text(self.ticket_figure(ticket), lang) or \
            wait_text(None, lang)

    def _refresh_waits(self) -> None:
        """Counts change by events; the wait figures come with the next snapshot, read
        once the burst of events settles (one request, not one per event)."""
        async def load() -> None:
            await asyncio.sleep(WAIT_REFRESH_DELAY)
            try:
                snapshot = await self.api.snapshot(self.settings.site_code)
            except (ServerUnreachable, ApiError):
                return  # the stream's own snapshot comes on reconnect
            self._apply_snapshot(snapshot)
            self._changed()

        self._slot("waits", load)

    def _on_snapshot(self, snapshot: SiteSnapshot) -> None:
        self._apply_snapshot(snapshot)
        self._changed()

    def _on_event(self, event: dict[str, Any]) -> None:
        waiting = {int(k): int(v) for k, v in (event.get("waiting") or {}).items()}
        waits = {int(k): v for k, v in (event.get("waits") or {}).items()}  # the lines' new figures
        if not waiting and not waits:
            return
        self.state.queues = [
            QueueCount(q.service_id, q.name_vi, q.name_en, waiting.get(q.service_id, q.waiting),
                       q.estimated_wait_minutes, q.counter_open, waits.get(q.service_id, q.wait))
            for q in self.state.queues
        ]
        self._changed()
        if not waits:  # an older server: read the figures with the next snapshot
            self._refresh_waits()

    def _on_stream(self, stream: StreamState) -> None:
        live = stream is StreamState.LIVE
        if live:
            self._server_ok()
        elif stream is StreamState.RECONNECTING:
            self._server_lost()
        if live != self.state.counts_live:
            self.state.counts_live = live
            self._changed()

    # ---- navigation ------------------------------------------------------------------------
    def touched(self) -> None:
        now = self.clock()
        self._last_touch = now
        if self.state.idle_left is not None:  # "Need more time?" answered by any touch
            self.state.idle_left = None
            self._changed()
        if self.state.phase is Phase.TICKET and self.state.print_state is not PrintState.PRINTING:
            self._ticket_deadline = max(self._ticket_deadline, now + self.settings.ticket_timeout)

    @property
    def accepting_taps(self) -> bool:
        """False just after the screen changed (see TAP_GUARD_SECONDS)."""
        return self.clock() - self._phase_since >= self.tap_guard

    def _go(self, phase: Phase, remember: bool = True) -> None:
        if remember and self.state.phase is not phase:
            self._history.append(self.state.phase)
        self.state.phase = phase
        self._changed()

    def toggle_language(self) -> None:
        self.state.lang = "en" if self.state.lang == "vi" else "vi"
        self._changed()

    def go_home(self) -> None:
        """The "Home" button: the same citizen carries on, in the language they chose."""
        if self.accepting_taps:
            self._home(session_over=False)

    def _home(self, session_over: bool = True) -> None:
        """Back to the home screen, forgetting the citizen's choices; when their session is
        over (idle, or their ticket done) the next citizen starts in the kiosk's language.
        Never while a ticket is being issued: its answer must reach the screen and the printer."""
        if self.state.phase is Phase.ISSUING:
            return
        self._cancel("browse", "search", "detail", "test_print")
        self.state.reset_flow(self.settings.language if session_over else self.state.lang)
        self._history.clear()
        self._changed()

    @property
    def can_issue(self) -> bool:
        """Tickets are offered only while the server answers: a dead button is better than
        a citizen holding a "ticket" no counter will ever call."""
        return self.state.server is ServerStatus.ONLINE

    def back(self) -> None:
        if not self.accepting_taps:
            return
        if self.state.phase in (Phase.ISSUING, Phase.TICKET, Phase.HOME):
            return
        if self.state.phase in (Phase.PIN, Phase.SETTINGS) or not self._history:
            self._home(session_over=self.state.phase in (Phase.PIN, Phase.SETTINGS))
            return
        previous = self._history.pop()
        if previous is Phase.HOME:
            self._home(session_over=False)
            return
        self.state.phase = previous
        self._changed()

    def start_flow(self) -> None:
        """The big "Take a ticket" button."""
        if not self.accepting_taps:
            return
        if self.state.phase is Phase.HOME:
            self.state.fields_page = 0
            self._go(Phase.FIELDS)

    # ---- the site's menu: groups, the most requested, "I don't know" -----------------------
    def open_group(self, service_id: int) -> None:
        """A group tile: its procedures, or straight to the ticket when it has only one."""
        st = self.state
        if not self.accepting_taps or st.phase is not Phase.HOME or st.menu is None or not self.can_issue:
            return
        group = st.menu.group(service_id)
        if group is None:
            return
        direct = group.direct_item
        if direct is not None:
            self._history.append(Phase.HOME)
            self._ticket_for(direct)
            return
        if group.kind == "return" or not group.items:  # a desk, not procedures: a ticket by its line
            site = st.site
            st.target = Target(group.name_vi, title_en=group.name_en, service_id=group.service_id,
                               line_id=group.service_id, site_name_vi=site.name_vi if site else "",
                               site_name_en=site.name_en if site else "")
            self._go(Phase.PRIORITY)
            return
        st.menu_group_id, st.menu_items, st.menu_page = service_id, list(group.items), 0
        self._go(Phase.MENU)

    def open_top(self) -> None:
        """The "Most requested" tile: the site's top procedures, all on one screen."""
        st = self.state
        if not self.accepting_taps or st.phase is not Phase.HOME or st.menu is None or not self.can_issue:
            return
        st.menu_group_id, st.menu_items, st.menu_page = None, list(st.menu.top[:MENU_ROWS]), 0
        self._go(Phase.MENU)

    def open_help(self) -> None:
        """"I don't know which procedure": a ticket for the help line, one tap from here."""
        st = self.state
        if not self.accepting_taps or st.phase is not Phase.HOME or not self.can_issue:
            return
        help_line = st.menu.help if st.menu is not None else None
        if help_line is None:
            return
        site = st.site
        st.target = Target(help_line.name_vi, title_en=help_line.name_en, service_id=help_line.service_id,
                           line_id=help_line.service_id,
                           site_name_vi=site.name_vi if site else "", site_name_en=site.name_en if site else "")
        self._go(Phase.PRIORITY)

    @property
    def menu_pages(self) -> int:
        return max(1, -(-len(self.state.menu_items) // MENU_ROWS))

    def menu_on_page(self) -> list[MenuItem]:
        start = self.state.menu_page * MENU_ROWS
        return self.state.menu_items[start:start + MENU_ROWS]

    def menu_page_step(self, step: int) -> None:
        # The items are all here: a page changes at once, with no old rows left to tap.
        page = min(max(self.state.menu_page + step, 0), self.menu_pages - 1)
        if page != self.state.menu_page and self.state.phase is Phase.MENU:
            self.state.menu_page = page
            self._changed()

    def choose_item(self, procedure_code: str) -> None:
        st = self.state
        if not self.accepting_taps or st.phase is not Phase.MENU or not self.can_issue:
            return
        item = next((i for i in self.menu_on_page() if i.procedure_code == procedure_code), None)
        if item is not None:
            self._ticket_for(item)

    def _ticket_for(self, item: MenuItem) -> None:
        """The menu's procedure, to the priority screen (whose big button prints it)."""
        site = self.state.site
        detail_vi = " · ".join(x for x in (item.days_text_vi, item.fee_short_vi) if x)
        detail_en = " · ".join(x for x in (item.days_text_en or item.days_text_vi,
                                           item.fee_short_en or item.fee_short_vi) if x)
        self.state.target = Target(item.name_vi, title_en=item.name_en, detail_vi=detail_vi, detail_en=detail_en,
                                   procedure_code=item.procedure_code, line_id=item.service_id,
                                   site_name_vi=site.name_vi if site else "",
                                   site_name_en=site.name_en if site else "")
        self._go(Phase.PRIORITY)

    # ---- fields ----------------------------------------------------------------------------
    @property
    def fields_pages(self) -> int:
        return max(1, -(-len(self.state.fields) // self.fields_per_page))

    def fields_on_page(self) -> list[FieldOut]:
        start = self.state.fields_page * self.fields_per_page
        return self.state.fields[start:start + self.fields_per_page]

    def fields_page_step(self, step: int) -> None:
        page = min(max(self.state.fields_page + step, 0), self.fields_pages - 1)
        if page != self.state.fields_page:
            self.state.fields_page = page
            self._changed()

    def choose_field(self, field_id: int) -> None:
        if not self.accepting_taps:
            return
        if self.state.phase is not Phase.FIELDS:
            return
        chosen = next((f for f in self.state.fields if f.id == field_id), None)
        if chosen is None:
            return
        st = self.state
        st.current_field, st.procedures, st.procedures_total, st.procedures_page = chosen, [], 0, 0
        self._go(Phase.PROCEDURES)
        self._load_procedures()

    # ---- procedures of a field -------------------------------------------------------------
    @property
    def procedures_pages(self) -> int:
        return max(1, -(-self.state.procedures_total // self.rows_per_page))

    def procedures_page_step(self, step: int) -> None:
        page = min(max(self.state.procedures_page + step, 0), self.procedures_pages - 1)
        if page != self.state.procedures_page and self.state.phase is Phase.PROCEDURES:
            self.state.procedures_page = page
            self._load_procedures()

    def _load_procedures(self) -> None:
        st = self.state
        assert st.current_field is not None
        field_id, page, size = st.current_field.id, st.procedures_page, self.rows_per_page
        st.procedures_loading = True
        self._changed()

        async def load() -> None:
            result = await self._retrying(lambda: self.api.procedures(
                self.settings.site_code, field_id=field_id, limit=size, offset=page * size))
            st.procedures, st.procedures_total, st.procedures_loading = result.items, result.total, False
            self._changed()

        self._slot("browse", load)

    # ---- search ----------------------------------------------------------------------------
    def open_search(self) -> None:
        if not self.accepting_taps:
            return
        if self.state.phase in (Phase.HOME, Phase.FIELDS, Phase.PROCEDURES):
            self._go(Phase.SEARCH)

    def type_text(self, text: str) -> None:
        if self.state.phase is Phase.SEARCH and len(self.state.query) < 80:
            self.state.query += text
            self._query_changed()

    def delete_char(self) -> None:
        if self.state.phase is Phase.SEARCH and self.state.query:
            self.state.query = self.state.query[:-1]
            self._query_changed()

    def clear_query(self) -> None:
        if self.state.phase is Phase.SEARCH and self.state.query:
            self.state.query = ""
            self._query_changed()

    @property
    def results_pages(self) -> int:
        return max(1, -(-self.state.results_total // self.results_per_page))

    def results_page_step(self, step: int) -> None:
        page = min(max(self.state.results_page + step, 0), self.results_pages - 1)
        if page != self.state.results_page and self.state.phase is Phase.SEARCH:
            self.state.results_page = page
            self._search(delay=0)

    def _query_changed(self) -> None:
        self.state.results_page = 0
        self._search(delay=self.search_delay)

    def _search(self, delay: float) -> None:
        st = self.state
        query, page, size = st.query, st.results_page, self.results_per_page
        if not fold(query):
            self._cancel("search")
            st.results, st.results_total, st.results_loading, st.elsewhere = [], 0, False, []
            self._changed()
            return
        st.results_loading = True
        self._changed()

        async def search() -> None:
            if delay:
                await asyncio.sleep(delay)  # one request once typing pauses, not one per key
            result = await self._retrying(lambda: self.api.procedures(
                self.settings.site_code, query=query, limit=size, offset=page * size))
            elsewhere = await self._elsewhere(query) if page == 0 else st.elsewhere
            st.results, st.results_total, st.results_loading = result.items, result.total, False
            st.elsewhere = elsewhere
            self._changed()

        self._slot("search", search)

    async def _elsewhere(self, query: str) -> list[ElsewhereOffer]:
        """What matches only at other sites of the province: offered there, never here."""
        try:
            return await self.api.elsewhere(self.settings.site_code, query, limit=3)
        except (ApiError, ServerUnreachable):
            return []  # a server without the menu search: the site's own results only

    def take_elsewhere(self, procedure_code: str) -> None:
        """A search row "Thủ tục này tiếp nhận tại …": a ticket for that site's own queue."""
        st = self.state
        if not self.accepting_taps or st.phase is not Phase.SEARCH or st.results_loading or not self.can_issue:
            return
        offer = next((o for o in st.elsewhere if o.procedure_code == procedure_code), None)
        if offer is None:
            return
        st.target = Target(offer.name_vi, title_en=offer.name_en, procedure_code=offer.procedure_code,
                           site_code=offer.site_code, site_name_vi=offer.site_name_vi,
                           site_name_en=offer.site_name_en, site_address=offer.address)
        self._go(Phase.PRIORITY)

    # ---- procedure detail ------------------------------------------------------------------
    def choose_procedure(self, procedure: ProcedureOut) -> None:
        if not self.accepting_taps:
            return
        if self.state.phase not in (Phase.PROCEDURES, Phase.SEARCH):
            return
        st = self.state
        # Locked while the list loads: the rows on screen are the old page's.
        if (st.procedures_loading if st.phase is Phase.PROCEDURES else st.results_loading):
            return
        st.procedure, st.nearby, st.suggestion, st.detail_loading = procedure, None, None, True
        self._go(Phase.DETAIL)
        code = procedure.code

        async def load() -> None:
            nearby = await self._retrying(lambda: self.api.nearby(code, self.settings.site_code))
            st.nearby, st.detail_loading = nearby, False
            # Received here: a nearby site only if clearly sooner. Not received here: the
            # site that receives it ("Thủ tục này tiếp nhận tại …"), never this site's queue.
            st.suggestion = best_suggestion(nearby) if procedure.service_id is not None else elsewhere_offer(nearby)
            self._changed()

        self._slot("detail", load)

    def take_ticket_here(self) -> None:
        if not self.accepting_taps:
            return
        st = self.state
        if st.phase is not Phase.DETAIL or st.procedure is None or st.procedure.service_id is None:
            return
        site = st.site
        st.target = Target(display_name(st.procedure.name_vi), procedure_code=st.procedure.code,
                           line_id=st.procedure.service_id, site_name_vi=site.name_vi if site else "", site_name_en=site.name_en if site else "")
        self._go(Phase.PRIORITY)

    def take_ticket_there(self) -> None:
        if not self.accepting_taps:
            return
        st = self.state
        s = st.suggestion
        if st.phase is not Phase.DETAIL or st.procedure is None or s is None:
            return
        st.target = Target(display_name(st.procedure.name_vi), procedure_code=st.procedure.code,
                           site_code=s.site_code,
                           site_name_vi=s.site_name_vi, site_name_en=s.site_name_en, site_address=s.address)
        self._go(Phase.PRIORITY)

    def choose_return_of_results(self) -> None:
        if not self.accepting_taps:
            return
        st = self.state
        if st.phase is not Phase.HOME or st.return_service_id is None:
            return
        site = st.site
        st.target = Target(T["return_service"].vi, service_id=st.return_service_id,
                           site_name_vi=site.name_vi if site else "", site_name_en=site.name_en if site else "")
        self._go(Phase.PRIORITY)

    # ---- "I have a booking": check-in -------------------------------------------------------
    def open_booking(self) -> None:
        if not self.accepting_taps:
            return
        if self.state.phase is Phase.HOME:
            self.state.booking_code = ""
            self._go(Phase.BOOKING)

    def booking_type(self, text: str) -> None:
        st = self.state
        if st.phase is Phase.BOOKING and len(st.booking_code) < BOOKING_CODE_MAX:
            st.booking_code += text.upper()
            self._changed()

    def booking_delete(self) -> None:
        st = self.state
        if st.phase is Phase.BOOKING and st.booking_code:
            st.booking_code = st.booking_code[:-1]
            self._changed()

    def booking_submit(self) -> bool:
        """The "Check in" button; like `confirm`, one tap gives at most one request."""
        if not self.accepting_taps:
            return False
        st = self.state
        if st.phase is not Phase.BOOKING or not st.booking_code.strip():
            return False
        self._check_in(st.booking_code)
        return True

    def scanned(self, text: str) -> bool:
        """A USB scanner typed a whole code (or the confirmation QR's URL) and Enter. Taken
        on the home and booking screens only: elsewhere a stray scan must not issue anything."""
        text = text.strip()
        st = self.state
        if not text or len(text) > MAX_QR_CHARS:
            return False
        if looks_like_card(text):
            return self._card_scanned(text)
        if st.phase not in (Phase.HOME, Phase.BOOKING):
            return False
        self.touched()
        if st.phase is Phase.HOME:
            self._history.append(Phase.HOME)
        st.booking_code = text
        self._check_in(text)
        return True

    def _card_scanned(self, text: str) -> bool:
        """A chip ID card's QR: offer the elderly priority to a citizen aged 60 or more. Only
        the offer is kept (no name, no ID); the next citizen starts without it."""
        st = self.state
        if st.phase not in (Phase.HOME, Phase.MENU, Phase.PRIORITY):
            return False
        self.touched()
        offer = elderly_priority_offer(text, today=datetime.now(LOCAL_ZONE).date())
        st.card_elderly = offer.offer
        st.card_offer = Text(offer.message_vi, offer.message_en)
        self._changed()
        return True

    def _check_in(self, code: str) -> None:
        site = self.state.site
        target = Target(T["appointment"].vi, booking_code=code, site_name_vi=site.name_vi if site else "",
                        site_name_en=site.name_en if site else "")
        self.state.target = target
        self._start_issue(target, PriorityClass.APPOINTMENT)

    # ---- issuing: exactly one POST per confirmed tap ---------------------------------------
    def confirm(self, priority: PriorityClass | str = PriorityClass.NORMAL) -> bool:
        """The one tap that issues a ticket. Returns False (and does nothing) for every
        tap that is not the first: double taps, taps during the round trip, mashing."""
        if not self.accepting_taps:
            return False
        st = self.state
        if st.phase is not Phase.PRIORITY or st.target is None or not self.can_issue:
            return False
        st.request_id = secrets.token_urlsafe(12)  # a new citizen request
        self._start_issue(st.target, PriorityClass(priority))
        return True

    def retry_issue(self) -> bool:
        """"Try again" after a refused or failed request: a new explicit tap, a new POST."""
        if not self.accepting_taps:
            return False
        st = self.state
        if st.phase is not Phase.ISSUE_FAILED or st.target is None:
            return False
        self._start_issue(st.target, st.priority or PriorityClass.NORMAL)
        return True

    def _start_issue(self, target: Target, priority: PriorityClass) -> None:
        # The phase changes before anything can yield to the event loop: a second tap in
        # the same frame, or during the request, finds ISSUING and is ignored.
        st = self.state
        st.phase, st.priority, st.issue_error = Phase.ISSUING, priority, None
        self.issue_requests += 1
        self._changed()
        if target.booking_code is not None:
            code = target.booking_code
            self._keep("issue", lambda: self._issue(lambda: self.api.check_in(code), target))
            return
        body = IssueTicketIn(procedure_code=target.procedure_code, service_id=target.service_id,
                             priority=priority, site_code=target.site_code, request_id=st.request_id)
        self._keep("issue", lambda: self._issue(lambda: self.api.issue_ticket(body), target))

    async def _issue(self, request: Callable[[], Coroutine[Any, Any, TicketOut]], target: Target) -> None:
        st = self.state
        try:
            ticket = await request()
        except ServerUnreachable:
            # Not retried by itself: the request may have reached the server, and only
            # the citizen's new tap may ask for another ticket.
            self._server_lost()
            self._issue_failed(T["issue_unreachable"])
            return
        except ApiError as exc:
            self._issue_failed(Text(exc.message, exc.message_en or exc.message))
            return
        except Exception:
            log.exception("issuing a ticket failed")
            self._issue_failed(T["issue_failed"])
            return
        self._server_ok()
        st.ticket, st.phase = ticket, Phase.TICKET
        st.print_state, st.print_error, st.seconds_left = PrintState.PRINTING, None, None
        try:
            printout = st.printout = self._printout(ticket, target)
        except ValueError as exc:  # e.g. no tracking URL: show it, report it, print nothing
            log.error("ticket %s cannot be printed: %s", ticket.label, exc)
            st.printout = None
            self._changed()
            self._print_done(ticket, PrinterError("error", detail=str(exc)))
            return
        self._changed()
        self._keep("print", lambda: self._print(ticket, printout))

    def _issue_failed(self, message: Text) -> None:
        st = self.state
        st.phase, st.issue_error = Phase.ISSUE_FAILED, message
        self._last_touch = self.clock()
        self._changed()

    def _printout(self, ticket: TicketOut, target: Target) -> TicketPrintout:
        issued = ticket.issued_at if ticket.issued_at.tzinfo else ticket.issued_at.replace(tzinfo=UTC)
        center = self.state.center_name or ticket.site_name_vi
        elsewhere = target.site_code is not None and target.site_code != self.settings.site_code
        note_vi = note_en = None
        if elsewhere:
            place = ", ".join(x for x in (ticket.site_name_vi, target.site_address) if x)
            note_vi = f"Số này dùng tại: {place}."
            note_en = f"This ticket is for: {target.site_name_en or ticket.site_name_vi}, {target.site_address}."
        mark = None
        appointment_at = getattr(ticket, "appointment_at", None)
        if ticket.priority is PriorityClass.APPOINTMENT:
            mark = T["appointment"].both("vi").upper()
            if appointment_at is not None:
                when = appointment_at.astimezone(LOCAL_ZONE).strftime("%H:%M")
                code = getattr(ticket, "booking_code", "")
                note_vi = T["appointment_at"]("vi", time=when, code=code)
                note_en = T["appointment_at"]("en", time=when, code=code)
        return TicketPrintout(
            center_name=center,
            site_name="" if ticket.site_name_vi == center else ticket.site_name_vi,
            label=ticket.label,
            service_name=ticket.service_name_vi,
            procedure_name=ticket.procedure_name_vi or "",
            issued_at=issued,
            people_ahead=ticket.people_ahead or 0,
            estimated_wait_minutes=ticket.estimated_wait_minutes,
            wait=self.ticket_figure(ticket),
            tracking_url=ticket.tracking_url or "",
            printed_note_vi=note_vi,
            printed_note_en=note_en,
            mark=mark,
        )

    async def _print(self, ticket: TicketOut, printout: TicketPrintout) -> None:
        try:
            await asyncio.to_thread(self.printer.print_ticket, printout)
        except PrinterError as exc:
            self._print_done(ticket, exc)
        except Exception as exc:  # a bug in a driver must not leave the ticket unreported
            log.exception("printing %s failed unexpectedly", ticket.label)
            self._print_done(ticket, PrinterError("error", detail=f"{type(exc).__name__}: {exc}"))
        else:
            self._print_done(ticket, None)

    def _print_done(self, ticket: TicketOut, error: PrinterError | None) -> None:
        st = self.state
        now = self.clock()
        if error is None:
            report = PrintResultIn(printed=True)
            wait = self.settings.ticket_timeout
        else:
            report = PrintResultIn(printed=False, error_kind=error.kind,
                                   message=f"{error.message_vi} {error.detail}".strip()[:200])
            wait = max(FAILED_TICKET_MIN_SECONDS, self.settings.ticket_timeout)
        if st.ticket is not None and st.ticket.id == ticket.id:
            st.print_state = PrintState.PRINTED if error is None else PrintState.FAILED
            st.print_error = None if error is None else Text(error.message_vi, error.message_en)
            self._ticket_deadline = now + wait
            st.seconds_left = int(wait)
            self._changed()
        self._keep("report", lambda: self._report_print(ticket.id, report))

    async def _report_print(self, ticket_id: int, report: PrintResultIn) -> None:
        """Tell the server; a failure raises an alert for staff. Retried until it lands:
        a failed print must never stay a silent ghost ticket."""
        attempt = 0
        while True:
            try:
                await self.api.report_print(ticket_id, report)
                return
            except ServerUnreachable:
                self._server_lost()
            except ApiError as exc:
                log.error("server refused the print result of ticket %s: %s", ticket_id, exc)
                return
            await asyncio.sleep(self.retry_delays[min(attempt, len(self.retry_delays) - 1)])
            attempt += 1

    def finish_ticket(self) -> None:
        """"Done" on the ticket screen. Printing (and its report) carries on by itself."""
        if not self.accepting_taps:
            return
        if self.state.phase in (Phase.TICKET, Phase.ISSUE_FAILED):
            self._home()

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
            left = max(0, int(self._ticket_deadline - now + 0.999))
            if left <= 0:
                self._home()
            elif left != st.seconds_left:
                st.seconds_left = left
                self._changed()
            return
        idle = self.settings.idle_timeout * (SETTINGS_IDLE_FACTOR if st.phase is Phase.SETTINGS else 1)
        idle_for = now - self._last_touch
        if idle_for >= idle:
            self._home()
            return
        # The last seconds are a question on screen: "Need more time?", counting down.
        warn_from = max(idle - IDLE_WARNING_SECONDS, idle / 2)
        left = int(idle - idle_for + 0.999) if idle_for >= warn_from else None
        if left != st.idle_left:
            st.idle_left = left
            self._changed()

    # ---- settings behind a PIN -------------------------------------------------------------
    def secret_tap(self) -> None:
        """Five taps on the clock within a few seconds open the PIN pad (staff only)."""
        if self.state.phase is not Phase.HOME:
            return
        now = self.clock()
        self._secret_taps = [t for t in self._secret_taps if now - t <= SECRET_WINDOW_SECONDS] + [now]
        if len(self._secret_taps) < SECRET_TAPS:
            return
        self._secret_taps.clear()
        if not self.settings.has_pin:
            # Without a PIN the screen opens only to set up a kiosk that cannot serve yet.
            if not self.settings.configured:
                self._open_settings()
            return
        if now < self._pin_locked_until:
            return
        self.state.pin, self.state.pin_error = "", False
        self._go(Phase.PIN)

    def pin_digit(self, digit: str) -> None:
        if self.state.phase is Phase.PIN and digit.isdigit() and len(self.state.pin) < 12:
            self.state.pin += digit
            self.state.pin_error = False
            self._changed()

    def pin_delete(self) -> None:
        if self.state.phase is Phase.PIN and self.state.pin:
            self.state.pin = self.state.pin[:-1]
            self._changed()

    def pin_submit(self) -> None:
        st = self.state
        if st.phase is not Phase.PIN:
            return
        if pin_matches(st.pin, self.settings.settings_pin_hash):
            self._pin_failures = 0
            self._open_settings()
            return
        self._pin_failures += 1
        st.pin, st.pin_error = "", True
        if self._pin_failures >= PIN_ATTEMPTS:
            self._pin_failures = 0
            self._pin_locked_until = self.clock() + PIN_LOCK_SECONDS
            self._home()
            return
        self._changed()

    def _open_settings(self) -> None:
        self.state.settings_message, self.state.settings_error = None, ""
        self.state.phase = Phase.SETTINGS
        self._history.clear()
        self._changed()

    def settings_values(self) -> dict[str, str]:
        """The settings screen's fields, as text."""
        s = self.settings
        return {
            "server_url": s.server_url,
            "device_token": s.device_token,
            "site_code": s.site_code,
            "printer": printer_address(s.printer),
            "paper_width_mm": str(s.printer.paper_width_mm),
            "qr_mode": s.printer.qr_mode,
            "idle_timeout": str(s.idle_timeout),
            "ticket_timeout": str(s.ticket_timeout),
            "language": s.language,
            "settings_pin": "",
        }

    def save_settings(self, values: dict[str, str]) -> bool:
        st = self.state
        if st.phase is not Phase.SETTINGS:
            return False
        try:
            new = self.settings.with_values(values)
            self.save_settings_file(new)
        except (SettingsError, OSError) as exc:
            st.settings_error, st.settings_message = str(exc), None
            self._changed()
            return False
        self.reconfigure(new)
        st = self.state
        st.settings_error, st.settings_message = "", T["saved"]
        self._changed()
        return True

    def reconfigure(self, settings: KioskSettings) -> None:
        """New server, token, site or printer: reconnect from scratch."""
        old_api = self.api
        self._cancel("connect", "browse", "search", "detail", "menu")
        self.settings = settings
        self.api = self.api_factory(settings)
        self.printer = self.printer_factory(settings)
        st = self.state
        st.server, st.server_detail, st.site, st.fields, st.queues = ServerStatus.CONNECTING, None, None, [], []
        st.counts_live = False
        self._keep("close old client", old_api.aclose)
        self.start()

    def test_print(self) -> None:
        if self.state.phase is not Phase.SETTINGS:
            return
        site = self.state.site
        overrides: dict[str, Any] = {"issued_at": datetime.now(UTC)}
        if site is not None:
            overrides.update(center_name=self.state.center_name or site.name_vi, site_name=site.name_vi)

        async def run() -> None:
            try:
                await asyncio.to_thread(self.printer.print_ticket, sample_printout(**overrides))
            except PrinterError as exc:
                self.state.settings_message = Text(f"{exc.message_vi} ({exc.detail})", f"{exc.message_en}")
            else:
                self.state.settings_message = T["test_printed"]
            self._changed()

        self._slot("test_print", run)
