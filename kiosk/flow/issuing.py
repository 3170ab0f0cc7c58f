"""The ticket question, issuing and printing: the two promises the citizen relies on.

- one confirmed tap gives exactly one POST /tickets: `confirm` leaves the PRIORITY phase
  before it starts the request, and every other path into issuing is closed;
- nothing is printed unless the server returned the ticket, and a failed print is shown
  on screen with its QR and reported to the server so staff are alerted.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.printing import PrinterError, TicketPrintout
from kiosk.printing.ticket import LOCAL_ZONE
from kiosk.state import Phase, PrintState, Target
from kiosk.texts import T, Text, escape, server_wait_text, wait_text
from shared.client import ApiError, ServerUnreachable
from shared.enums import PriorityClass
from shared.protocol import IssueTicketIn, PrintResultIn, TicketOut
from shared.wait_words import WaitFigure, figure_from
from shared.wait_words import wait_text as figure_text

log = logging.getLogger(__name__)

FAILED_TICKET_MIN_SECONDS = 90  # time to photograph the QR when nothing printed


@dataclass(frozen=True)
class IssuingView:
    """The issuing screen: "getting your ticket", or why none was issued (with "try again")."""

    failed: bool
    title: str
    message: str


class IssuingPresenter(ScreenPresenter):
    name = "issuing"
    screens = (ScreenSpec(Phase.PRIORITY, "priority.kv", "PriorityScreen"),
               ScreenSpec(Phase.ISSUING, "issuing.kv", "IssuingScreen", also_shows=(Phase.ISSUE_FAILED,)),
               ScreenSpec(Phase.TICKET, "ticket.kv", "TicketScreen"))

    def view(self, screen: str) -> IssuingView | None:
        if screen != Phase.ISSUING:
            return None
        st = self.kiosk.state
        lang = st.lang
        if st.phase is Phase.ISSUE_FAILED:
            error = st.issue_error or T["issue_failed"]
            return IssuingView(True, T["issue_failed"].both(lang, "\n"), escape(error.both(lang, "\n")))
        return IssuingView(False, T["issuing"](lang), T["issuing"].other(lang))

    # ---- exactly one POST per confirmed tap ------------------------------------------------
    def confirm(self, priority: PriorityClass | str = PriorityClass.NORMAL) -> bool:
        """The one tap that issues a ticket. Returns False (and does nothing) for every
        tap that is not the first: double taps, taps during the round trip, mashing."""
        k, st = self.kiosk, self.kiosk.state
        if not k.accepting_taps or st.phase is not Phase.PRIORITY or st.target is None or not k.can_issue:
            return False
        st.request_id = secrets.token_urlsafe(12)  # a new citizen request
        self.start_issue(st.target, PriorityClass(priority))
        return True

    def retry_issue(self) -> bool:
        """"Try again" after a refused or failed request: a new explicit tap, a new POST."""
        k, st = self.kiosk, self.kiosk.state
        if not k.accepting_taps or st.phase is not Phase.ISSUE_FAILED or st.target is None:
            return False
        self.start_issue(st.target, st.priority or PriorityClass.NORMAL)
        return True

    def start_issue(self, target: Target, priority: PriorityClass) -> None:
        # The phase changes before anything can yield to the event loop: a second tap in
        # the same frame, or during the request, finds ISSUING and is ignored.
        k, st = self.kiosk, self.kiosk.state
        st.phase, st.priority, st.issue_error = Phase.ISSUING, priority, None
        k.issue_requests += 1
        k.changed()
        if target.booking_code is not None:
            code = target.booking_code
            k.tasks.keep("issue", lambda: self._issue(lambda: k.api.check_in(code), target))
            return
        body = IssueTicketIn(procedure_code=target.procedure_code, service_id=target.service_id,
                             priority=priority, site_code=target.site_code, request_id=st.request_id)
        k.tasks.keep("issue", lambda: self._issue(lambda: k.api.issue_ticket(body), target))

    async def _issue(self, request: Callable[[], Coroutine[Any, Any, TicketOut]], target: Target) -> None:
        k, st = self.kiosk, self.kiosk.state
        try:
            ticket = await request()
        except ServerUnreachable:
            # Not retried by itself: the request may have reached the server, and only
            # the citizen's new tap may ask for another ticket.
            k.server_lost()
            self._issue_failed(T["issue_unreachable"])
            return
        except ApiError as exc:
            self._issue_failed(Text(exc.message, exc.message_en or exc.message))
            return
        except Exception:
            log.exception("issuing a ticket failed")
            self._issue_failed(T["issue_failed"])
            return
        k.server_ok()
        st.ticket, st.phase = ticket, Phase.TICKET
        st.print_state, st.print_error, st.seconds_left = PrintState.PRINTING, None, None
        try:
            printout = st.printout = self.printout_of(ticket, target)
        except ValueError as exc:  # e.g. no tracking URL: show it, report it, print nothing
            log.error("ticket %s cannot be printed: %s", ticket.label, exc)
            st.printout = None
            k.changed()
            self._print_done(ticket, PrinterError("error", detail=str(exc)))
            return
        k.changed()
        k.tasks.keep("print", lambda: self._print(ticket, printout))

    def _issue_failed(self, message: Text) -> None:
        k, st = self.kiosk, self.kiosk.state
        st.phase, st.issue_error = Phase.ISSUE_FAILED, message
        k.last_touch = k.clock()
        k.changed()

    # ---- the ticket and its wait words -----------------------------------------------------
    def ticket_figure(self, ticket: TicketOut) -> WaitFigure | None:
        """The one wait figure of a ticket: the server's, else the shared rules applied to its
        minutes and whether a counter of its line is open here."""
        if ticket.wait is not None:
            return ticket.wait
        queue = next((q for q in self.kiosk.state.queues if q.service_id == ticket.service_id), None)
        counter_open = queue.counter_open if queue is not None else True
        if ticket.estimated_wait_minutes is None and counter_open:
            return None
        return figure_from(ticket.estimated_wait_minutes, any_counter_open=counter_open,
                           people_ahead=ticket.people_ahead)

    def ticket_wait(self, ticket: TicketOut, lang: str) -> str:
        """The wait words of one ticket: the screen and the paper say the same."""
        return server_wait_text(ticket.wait, lang) or figure_text(self.ticket_figure(ticket), lang) or \
            wait_text(None, lang)

    def printout_of(self, ticket: TicketOut, target: Target) -> TicketPrintout:
        """What the paper says of a ticket the server issued."""
        issued = ticket.issued_at if ticket.issued_at.tzinfo else ticket.issued_at.replace(tzinfo=UTC)
        center = self.kiosk.state.center_name or ticket.site_name_vi
        elsewhere = target.site_code is not None and target.site_code != self.kiosk.settings.site_code
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

    # ---- printing and its report -----------------------------------------------------------
    async def _print(self, ticket: TicketOut, printout: TicketPrintout) -> None:
        try:
            await asyncio.to_thread(self.kiosk.printer.print_ticket, printout)
        except PrinterError as exc:
            self._print_done(ticket, exc)
        except Exception as exc:  # a bug in a driver must not leave the ticket unreported
            log.exception("printing %s failed unexpectedly", ticket.label)
            self._print_done(ticket, PrinterError("error", detail=f"{type(exc).__name__}: {exc}"))
        else:
            self._print_done(ticket, None)

    def _print_done(self, ticket: TicketOut, error: PrinterError | None) -> None:
        k, st = self.kiosk, self.kiosk.state
        now = k.clock()
        if error is None:
            report = PrintResultIn(printed=True)
            wait = k.settings.ticket_timeout
        else:
            report = PrintResultIn(printed=False, error_kind=error.kind,
                                   message=f"{error.message_vi} {error.detail}".strip()[:200])
            wait = max(FAILED_TICKET_MIN_SECONDS, k.settings.ticket_timeout)
        if st.ticket is not None and st.ticket.id == ticket.id:
            st.print_state = PrintState.PRINTED if error is None else PrintState.FAILED
            st.print_error = None if error is None else Text(error.message_vi, error.message_en)
            k.ticket_deadline = now + wait
            st.seconds_left = int(wait)
            k.changed()
        k.tasks.keep("report", lambda: self._report_print(ticket.id, report))

    async def _report_print(self, ticket_id: int, report: PrintResultIn) -> None:
        """Tell the server; a failure raises an alert for staff. Retried until it lands:
        a failed print must never stay a silent ghost ticket."""
        k = self.kiosk
        attempt = 0
        while True:
            try:
                await k.api.report_print(ticket_id, report)
                return
            except ServerUnreachable:
                k.server_lost()
            except ApiError as exc:
                log.error("server refused the print result of ticket %s: %s", ticket_id, exc)
                return
            await asyncio.sleep(k.retry_delay(attempt))
            attempt += 1

    def finish_ticket(self) -> None:
        """"Done" on the ticket screen. Printing (and its report) carries on by itself."""
        k = self.kiosk
        if k.accepting_taps and k.state.phase in (Phase.TICKET, Phase.ISSUE_FAILED):
            k.reset_to_home()


PRESENTER = IssuingPresenter
