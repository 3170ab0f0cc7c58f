from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.screens.base import KioskScreen, escape, size
from kiosk.texts import T, t, wait_text
from kiosk.widgets import GREY, INK, NAVY


class HomeScreen(KioskScreen):
    has_return_service = BooleanProperty(False)

    @staticmethod
    def cta_text(lang: str, u: float) -> str:
        take = T["take_ticket"]
        start = T["touch_to_start"]
        return (f"[b][size={int(100 * u)}]{take(lang)}[/size][/b]\n"
                f"[size={int(54 * u)}]{take.other(lang)}[/size]\n\n"
                f"[size={int(30 * u)}]{start(lang)} · {start.other(lang)}[/size]")

    @staticmethod
    def waiting_title(lang: str, u: float) -> str:
        title = T["waiting_now"]
        return f"[b]{title(lang)}[/b]\n[size={int(26 * u)}]{title.other(lang)}[/size]"

    def refresh(self, app: Any, state: Any) -> None:
        self.has_return_service = state.return_service_id is not None
        lang = state.lang
        stale = T["counts_stale"]
        self.ids.stale.text = "" if state.counts_live or not state.queues else stale.both(lang, "\n")
        if not self.differs("queues", state.queues, lang, app.u):
            return
        box = self.ids.queues
        box.clear_widgets()
        if not state.queues:
            box.add_widget(Label(text=T["counts_loading"].both(lang, "\n"), color=GREY, font_size=size(app, 30),
                                 halign="center"))
        for queue in state.queues:
            row = BoxLayout(spacing=size(app, 16))
            name = queue.name_en if lang == "en" else queue.name_vi
            wait = wait_text(queue.estimated_wait_minutes, lang) if queue.waiting else ""
            left = Label(text=f"{escape(name)}\n[size={size(app, 22)}][color=5c6270]{wait}[/color][/size]"
                         if wait else escape(name), markup=True, color=INK, font_size=size(app, 30),
                         halign="left", valign="middle", max_lines=3)
            left.bind(size=lambda w, s: setattr(w, "text_size", s))
            row.add_widget(left)
            count = (f"[b][size={size(app, 44)}]{queue.waiting}[/size][/b]\n"
                     f"[size={size(app, 20)}]{t('people_waiting_short', lang)}[/size]")
            row.add_widget(Label(text=count, markup=True, color=NAVY, size_hint_x=None, width=size(app, 150),
                                 halign="right", valign="middle", text_size=(size(app, 150), None)))
            box.add_widget(row)
