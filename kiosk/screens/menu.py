"""The procedures of one group, or the site's most requested: one tap each to the ticket."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from kiosk.screens.base import KioskScreen, escape, size, small
from kiosk.texts import T, name_in, shorten, t
from kiosk.widgets import INK, MUTED_HEX, NAVY, WHITE, KButton


def item_row(app: Any, item: Any, lang: str, limit: int) -> KButton:
    name = shorten(name_in(item, lang), limit)
    fee = (item.fee_short_en or item.fee_short_vi) if lang == "en" else item.fee_short_vi
    days = (item.days_text_en or item.days_text_vi) if lang == "en" else item.days_text_vi
    facts = " · ".join(x for x in (days, fee) if x)
    text = f"[b]{escape(name)}[/b]" + (f"\n{small(escape(facts), app, 22, MUTED_HEX)}" if facts else "")
    row = KButton(text=text, bg=WHITE, fg=INK, outline=NAVY, halign="left",
                  font_size=size(app, 30 if app.portrait else 28), max_lines=3)
    row.bind(on_release=lambda _b, code=item.procedure_code: app.presenter.choose_item(code))
    return row


class MenuScreen(KioskScreen):
    def refresh(self, app: Any, state: Any) -> None:
        presenter = app.presenter
        lang = state.lang
        group = state.menu.group(state.menu_group_id) if state.menu and state.menu_group_id is not None else None
        heading = name_in(group, lang) if group else T["most_requested"](lang)
        self.ids.title.text = f"[b]{escape(heading)}[/b] — {t('choose_procedure', lang)}"
        pages = presenter.menu_pages
        self.ids.prev.disabled = state.menu_page <= 0
        self.ids.next.disabled = state.menu_page >= pages - 1
        for pager in (self.ids.prev, self.ids.next):  # one page (the top ten): no paging to offer
            pager.opacity = 1 if pages > 1 else 0
        self.ids.page.text = t("page_of", lang, page=state.menu_page + 1, pages=pages) if pages > 1 else ""
        shown = presenter.menu_on_page()
        if not self.differs("rows", [i.procedure_code for i in shown], lang, app.u, presenter.can_issue):
            return
        rows = self.ids.rows
        rows.clear_widgets()
        limit = 150 if app.portrait else 100
        for item in shown:
            row = item_row(app, item, lang, limit)
            row.disabled = not presenter.can_issue
            rows.add_widget(row)
        for _ in range(len(shown), 10 if shown else 0):
            rows.add_widget(Widget())
