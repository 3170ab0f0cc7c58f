"""Fields, the procedures of a field, and search: lists of big rows, paged."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.screens.base import KioskScreen, both, escape, size, small
from kiosk.texts import T, display_name, name_in, shorten, t
from kiosk.widgets import GREEN, GREY, INK, NAVY, SUCCESS_HEX, WHITE, KButton, was_swipe

KEY_ROWS = ("AĂÂBCDĐEÊG", "HIKLMNOÔƠP", "QRSTUƯVXY")


def _pager(screen: KioskScreen, page: int, pages: int, lang: str, total_text: str = "") -> None:
    screen.ids.prev.disabled = page <= 0
    screen.ids.next.disabled = page >= pages - 1
    text = t("page_of", lang, page=page + 1, pages=pages)
    screen.ids.page.text = f"{text}\n{total_text}" if total_text else text


def procedure_row(app: Any, procedure: Any, limit: int, on_choose: Any) -> KButton:
    name = escape(shorten(display_name(procedure.name_vi), limit))
    code = small(f"{procedure.code} · {escape(procedure.field_vi)}", app, 22, "4A5160")
    row = KButton(text=f"{name}\n{code}", bg=WHITE, fg=INK, outline=NAVY, halign="left",
                  font_size=size(app, 30), max_lines=4)
    row.bind(on_release=lambda button: None if was_swipe(button) else on_choose(procedure))
    return row


def elsewhere_row(app: Any, offer: Any, lang: str, limit: int, presenter: Any) -> KButton:
    name = escape(shorten(name_in(offer, lang), limit))
    where = offer.message_en if lang == "en" and offer.message_en else offer.message_vi
    row = KButton(text=f"{name}\n{small(escape(where), app, 24, SUCCESS_HEX)}", bg=WHITE, fg=INK,
                  outline=GREEN, halign="left", font_size=size(app, 28), max_lines=4)
    row.disabled = not presenter.can_issue
    row.bind(on_release=lambda button: None if was_swipe(button) else presenter.take_elsewhere(offer.procedure_code))
    return row


def _message(app: Any, text: str) -> Label:
    return Label(text=text, color=GREY, font_size=size(app, 32), halign="center", valign="middle",
                 text_size=(size(app, 1200), None))


class FieldsScreen(KioskScreen):
    def refresh(self, app: Any, state: Any) -> None:
        presenter = app.presenter
        lang = state.lang
        shown = presenter.fields_on_page()
        _pager(self, state.fields_page, presenter.fields_pages, lang)
        if not self.differs("tiles", [f.id for f in shown], lang, app.u):
            return
        grid = self.ids.tiles
        grid.clear_widgets()
        if not shown:
            grid.add_widget(_message(app, both("loading", lang, "\n")))
        for field in shown:
            tile = KButton(text=f"[b]{escape(field.name_vi)}[/b]\n"
                                f"{small(t('procedure_count', lang, n=field.procedure_count), app, 24, '4A5160')}",
                           bg=WHITE, fg=NAVY, outline=NAVY, font_size=size(app, 32), max_lines=5)
            tile.bind(on_release=lambda button, f=field: None if was_swipe(button) else presenter.choose_field(f.id))
            grid.add_widget(tile)
        for _ in range(presenter.fields_per_page - len(shown) if shown else 0):
            grid.add_widget(Widget())


class ProceduresScreen(KioskScreen):
    def refresh(self, app: Any, state: Any) -> None:
        presenter = app.presenter
        lang = state.lang
        field = state.current_field
        name = escape(field.name_vi) if field else ""
        self.ids.title.text = f"[b]{name}[/b] — {t('choose_procedure', lang)}"
        pages = presenter.procedures_pages
        _pager(self, state.procedures_page, pages, lang, t("swipe_hint", lang) if pages > 1 else "")
        waiting = state.procedures_loading and not state.procedures
        self.lock_rows(self.ids.rows, state.procedures_loading)
        if not self.differs("rows", [p.code for p in state.procedures], waiting, lang, app.u):
            return
        rows = self.ids.rows
        rows.clear_widgets()
        if waiting:
            rows.add_widget(_message(app, both("loading", lang, "\n")))
        else:
            limit = 170 if app.portrait else 210
            for procedure in state.procedures:
                rows.add_widget(procedure_row(app, procedure, limit, presenter.choose_procedure))
            for _ in range(presenter.rows_per_page - len(state.procedures)):
                rows.add_widget(Widget())


class SearchScreen(KioskScreen):
    def on_kv_post(self, base_widget: Any) -> None:
        self._keys_built_for: tuple[str, float] | None = None

    def _build_keyboard(self, app: Any, lang: str) -> None:
        """Letters in Vietnamese alphabet order; Ă, Â, Đ... work as typed (search ignores accents)."""
        if self._keys_built_for == (lang, app.u):
            return
        self._keys_built_for = (lang, app.u)
        presenter = app.presenter
        board = self.ids.keyboard
        board.clear_widgets()
        for letters in KEY_ROWS:
            row = BoxLayout(spacing=size(app, 6))
            for letter in letters:
                key = KButton(text=letter, bg=WHITE, fg=INK, outline=GREY, font_size=size(app, 42))
                typed = letter.lower()
                key.bind(on_release=lambda _b, ch=typed: presenter.type_text(ch))
                row.add_widget(key)
            for _ in range(10 - len(letters)):
                row.add_widget(Widget())
            board.add_widget(row)
        row = BoxLayout(spacing=size(app, 6))
        space = KButton(text=both("space", lang), bg=WHITE, fg=INK, outline=GREY, size_hint_x=2,
                        font_size=size(app, 28))
        space.bind(on_release=lambda _b: presenter.type_text(" "))
        delete = KButton(text=t("delete", lang), bg=GREY, font_size=size(app, 28))
        delete.bind(on_release=lambda _b: presenter.delete_char())
        clear = KButton(text=t("clear", lang), bg=GREY, font_size=size(app, 28))
        clear.bind(on_release=lambda _b: presenter.clear_query())
        for widget in (space, delete, clear):
            row.add_widget(widget)
        board.add_widget(row)

    def refresh(self, app: Any, state: Any) -> None:
        presenter = app.presenter
        lang = state.lang
        self._build_keyboard(app, lang)
        if state.query:
            shown = state.query if len(state.query) <= 48 else "…" + state.query[-47:]
            self.ids.query.text = f"{escape(shown)}[color=0D47A1]|[/color]"
        else:
            hint = T["search_hint"]
            self.ids.query.text = f"[color=4A5160][size={size(app, 30)}]{hint(lang)}[/size][/color]"
        loading = state.results_loading
        found = t("search_found", lang, n=state.results_total) if state.results_total else ""
        self.ids.count.text = t("loading", lang) if loading else found
        _pager(self, state.results_page, presenter.results_pages, lang)
        offers = state.elsewhere if state.results_page == 0 else []
        nothing = bool(state.query.strip()) and not loading and state.results_total == 0 and not offers
        self.lock_rows(self.ids.rows, loading and bool(state.results or offers))
        if not self.differs("rows", [p.code for p in state.results], [o.procedure_code for o in offers], nothing,
                            lang, app.u, presenter.can_issue):
            return
        rows = self.ids.rows
        rows.clear_widgets()
        if nothing:
            rows.add_widget(_message(app, both("search_none", lang, "\n")))
            return
        limit = 150 if app.portrait else 120
        for procedure in state.results:
            rows.add_widget(procedure_row(app, procedure, limit, presenter.choose_procedure))
        # What only other sites receive fills the free rows: offered there, with how far.
        room = presenter.results_per_page - len(state.results)
        for offer in offers[:max(room, 0)]:
            rows.add_widget(elsewhere_row(app, offer, lang, limit, presenter))
        for _ in range(room - len(offers[:max(room, 0)])):
            rows.add_widget(Widget())
