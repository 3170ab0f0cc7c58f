"""The procedure before the ticket, and the priority question that issues it."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen, escape, size, small
from kiosk.texts import (
    T,
    agency_text,
    counters_text,
    display_name,
    processing_time_text,
    shorten,
    t,
    wait_text,
)
from kiosk.widgets import GREEN, INK, MUTED_HEX, RED

TITLE_CHARS = 300


def _service_text(state: Any, service_id: int | None, lang: str) -> str:
    queue = next((q for q in state.queues if q.service_id == service_id), None)
    name = (queue.name_en if lang == "en" else queue.name_vi) if queue else ""
    counters = counters_text(state.counters_by_service.get(service_id or 0, []), lang)
    return " — ".join(x for x in (name, counters) if x)


def _here_wait(here: Any, lang: str) -> str:
    if here is None:
        return wait_text(None, lang)
    return wait_text(here.estimated_wait_minutes, lang, counter_open=here.serving_counters > 0)


class DetailScreen(KioskScreen):
    def refresh(self, app: Any, state: Any) -> None:
        lang = state.lang
        procedure = state.procedure
        if procedure is None:
            return
        # Names reach 1,100 characters: the first 300 as the title, smaller the longer it
        # is, so time, fee and the wait stay in sight; the whole name comes last.
        name = display_name(procedure.name_vi)
        self.ids.name.font_size = size(app, 40 if len(name) <= 150 else 34 if len(name) <= TITLE_CHARS else 30)
        self.ids.name.text = escape(shorten(name, TITLE_CHARS))
        self.ids.code.text = f"{t('procedure_code', lang)}: {procedure.code} · {escape(procedure.field_vi)}"
        here = state.nearby.here if state.nearby else None
        loading = t("loading", lang)
        # Who waits and for how long first, side by side: what decides "here or elsewhere".
        waiting = [
            ("people_waiting", loading if state.detail_loading else str(here.people_waiting if here else "—")),
            ("estimated_wait", loading if state.detail_loading
             else _here_wait(here, lang)),
        ]
        rows = [
            ("served_at", _service_text(state, procedure.service_id, lang) or t("not_received_here", lang)),
            ("processing_time", processing_time_text(procedure.time_value, procedure.time_unit_vi, lang)),
            ("fee", shorten(app.presenter.detail_fee(lang), 260)),
        ]
        agency = agency_text(procedure.agency_vi, lang)
        if agency:
            rows.append(("agency", shorten(agency, 200)))
        if len(" ".join(name.split())) > TITLE_CHARS:
            rows.append(("full_name", name))
        box = self.ids.rows
        box.clear_widgets()
        pair = BoxLayout(size_hint_y=None, spacing=size(app, 24))
        for key, value in waiting:
            pair.add_widget(self._info(t(key, lang), value))
        pair.bind(minimum_height=pair.setter("height"))
        box.add_widget(pair)
        for key, value in rows:
            box.add_widget(self._info(t(key, lang), value))
        offered = procedure.service_id is not None
        self.ids.take_here.disabled = not offered
        self._suggest(app, state, lang, here)

    @staticmethod
    def _info(caption: str, value: str) -> Any:
        row = Factory.InfoRow()
        row.caption, row.value = caption, escape(value)
        return row

    def _suggest(self, app: Any, state: Any, lang: str, here: Any) -> None:
        panel = self.ids.suggestion
        column = panel.parent or self._suggestion_column
        s = state.suggestion
        if s is None:
            # Taken out of the layout, not just hidden: a hidden disabled widget would
            # still swallow taps meant for what is drawn where it sits.
            if panel.parent is not None:
                self._suggestion_column = column
                column.remove_widget(panel)
            return
        if panel.parent is None:
            column.add_widget(panel, index=len(column.children))  # above the big button
        site = s.site_name_en if lang == "en" else s.site_name_vi
        km = f"{s.distance_km:g}".replace(".", "," if lang == "vi" else ".")
        there_wait = wait_text(s.estimated_wait_minutes, lang)
        if state.procedure.service_id is None:  # not received here: where it is received
            self.ids.suggestion_title.text = escape(T["elsewhere_title"](lang, site=site))
            self.ids.suggestion_body.text = escape(T["elsewhere_body"](
                lang, km=km, travel=s.travel_minutes, waiting=s.people_waiting, wait=there_wait))
        else:
            self.ids.suggestion_title.text = T["sooner_title"](lang)
            self.ids.suggestion_body.text = escape(T["sooner_body"](
                lang, site=site, km=km, travel=s.travel_minutes, waiting=s.people_waiting, wait=there_wait,
                here_wait=_here_wait(here, lang)))
        self.ids.take_there.text = escape(T["take_ticket_there"](lang, site=site))


class PriorityScreen(KioskScreen):
    main_priority = StringProperty("normal")  # what the big button issues
    alt_priority = StringProperty("elderly")  # the first small button (the other choice)

    def refresh(self, app: Any, state: Any) -> None:
        presenter = app.presenter
        lang = state.lang
        target = state.target
        if target is None:
            return
        if target.procedure_code:
            title = target.title_en if lang == "en" and target.title_en else target.title_vi
        else:
            title = (target.title_en if lang == "en" and target.title_en
                     else target.title_vi if target.title_vi and lang == "vi" else T["return_service"](lang))
        site = target.site_name_en if lang == "en" and target.site_name_en else target.site_name_vi
        lines = [f"[b]{t('ticket_for', lang, name=escape(shorten(title, 140)))}[/b]"]
        detail = target.detail_en if lang == "en" else target.detail_vi
        line_id = target.line_id or target.service_id
        wait = presenter.line_wait(line_id, lang) if target.site_code is None else ""
        where = _service_text(state, line_id, lang) if target.site_code is None else ""
        facts = " · ".join(x for x in (where, wait) if x)
        for extra in (escape(detail), escape(facts)):
            if extra:
                lines.append(small(extra, app, 28, MUTED_HEX))
        if site:
            lines.append(small(t("ticket_at", lang, site=escape(site)), app, 26, MUTED_HEX))
        self.ids.summary.text = "\n".join(lines)
        # A scanned card of a citizen aged 60+: the big button is their priority ticket.
        elderly = state.card_elderly
        self.main_priority, self.alt_priority = ("elderly", "normal") if elderly else ("normal", "elderly")
        main = T["elderly_ticket"] if elderly else T["print_ticket"]
        self.ids.no_priority.text = f"[b][size={size(app, 56)}]{main(lang)}[/size][/b]\n{main.other(lang)}"
        if not elderly:
            self.ids.no_priority.text += f"\n[size={size(app, 26)}]{T['priority_skip'].both(lang)}[/size]"
        self.ids.no_priority.font_size = size(app, 32)
        self.ids.offer.text = escape(state.card_offer.both(lang, "\n")) if state.card_offer else ""
        self.ids.offer.color = GREEN if elderly else INK
        usable = presenter.can_issue
        if not usable:
            self.ids.offer.color = RED
            self.ids.offer.text = T["server_down_body"].both(lang, "\n")
        for button in (self.ids.no_priority, *self.ids.priorities.children):
            button.disabled = not usable
