"""The ticket itself while it prints (issuing, and why it failed, is drawn by kv/issuing.kv alone)."""

from __future__ import annotations

from typing import Any

from kivy.properties import ColorProperty

from kiosk.presenter import PrintState
from kiosk.printing.ticket import LOCAL_ZONE
from kiosk.screens.base import KioskScreen, escape
from kiosk.texts import T, counters_text, t
from kiosk.widgets import GREEN, NAVY, RED


class TicketScreen(KioskScreen):
    print_colour = ColorProperty(NAVY)

    def refresh(self, app: Any, state: Any) -> None:
        ticket = state.ticket
        if ticket is None:
            return
        lang = state.lang
        ids = self.ids
        ids.your_number.text = T["your_number"].both(lang)
        ids.label.text = ticket.label
        service = ticket.service_name_en if lang == "en" else ticket.service_name_vi
        elsewhere = state.target is not None and state.target.site_code is not None
        counters = "" if elsewhere else counters_text(state.counters_by_service.get(ticket.service_id, []), lang)
        ids.service.text = escape(" — ".join(x for x in (service, counters) if x))
        if elsewhere:
            place = ", ".join(x for x in (ticket.site_name_vi, state.target.site_address) if x)
            ids.go_to.text = escape(t("go_to", lang, site=place))
        elif getattr(ticket, "appointment_at", None) is not None:
            when = ticket.appointment_at.astimezone(LOCAL_ZONE).strftime("%H:%M")
            ids.go_to.text = escape(T["appointment_at"](lang, time=when, code=ticket.booking_code))
        else:
            ids.go_to.text = ""
        ids.ahead_caption.text = t("people_ahead", lang)
        ids.ahead.text = str(ticket.people_ahead if ticket.people_ahead is not None else "—")
        ids.wait_caption.text = t("estimated_wait", lang)
        ids.wait.text = escape(app.presenter.ticket_wait(ticket, lang))
        ids.qr.data = ticket.tracking_url or ""
        ids.scan.text = T["scan_to_follow"].both(lang, "\n")
        ids.url.text = escape(ticket.tracking_url or "")
        if state.print_state is PrintState.PRINTING:
            self.print_colour = NAVY
            ids.print_status.text = T["printing"].both(lang, "\n")
            ids.print_hint.text = ""
        elif state.print_state is PrintState.PRINTED:
            self.print_colour = GREEN
            ids.print_status.text = T["printed"].both(lang, "\n")
            ids.print_hint.text = ""
        else:
            self.print_colour = RED
            error = state.print_error or T["issue_failed"]
            ids.print_status.text = escape(error.both(lang, "\n"))
            ids.print_hint.text = T["print_failed_hint"].both(lang, "\n")
        left = state.seconds_left
        ids.countdown.text = t("returning_home", lang, n=left) if left else ""
