"""Home: the site's menu as tiles (one tap into a group, or straight to a ticket), the
waiting counts with the one wait figure per line, and what to do when tickets cannot be had."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.screens.base import KioskScreen, escape, size, small
from kiosk.texts import T, name_in, t
from kiosk.widgets import GREEN, GREY, INK, MUTED_HEX, NAVY, RED, WHITE, KButton


def _tile(app: Any, title: str, lines: list[str], *, bg: Any = WHITE, fg: Any = NAVY,
          muted: str = MUTED_HEX) -> KButton:
    body = "\n".join(small(escape(line), app, 24, muted) for line in lines if line)
    text = f"[b]{escape(title)}[/b]" + (f"\n{body}" if body else "")
    return KButton(text=text, bg=bg, fg=fg, outline=NAVY if bg == WHITE else (0, 0, 0, 0),
                   font_size=size(app, 30 if app.portrait else 34), max_lines=5)


class HomeScreen(KioskScreen):
    has_return_service = BooleanProperty(False)
    can_issue = BooleanProperty(False)

    @staticmethod
    def waiting_title(lang: str, u: float) -> str:
        title = T["waiting_now"]
        return f"[b]{title(lang)}[/b]\n[size={int(26 * u)}]{title.other(lang)}[/size]"

    def refresh(self, app: Any, state: Any) -> None:
        presenter = app.presenter
        lang = state.lang
        self.has_return_service = state.return_service_id is not None
        self.can_issue = presenter.can_issue
        if self.can_issue:
            self.ids.question.color = NAVY
            self.ids.question.text = T["choose_service"].both(lang, "\n")
        else:
            # Nothing to take: say what to do instead, in both languages.
            self.ids.question.color = RED
            self.ids.question.text = (f"{T['server_down_title'](lang)}\n{T['server_down_body'](lang)}\n"
                                      f"{small(T['server_down_body'].other(lang), app, 26)}")
        stale = T["counts_stale"]
        self.ids.stale.text = "" if state.counts_live or not state.queues else stale.both(lang, "\n")
        waits = [presenter.line_wait(q.service_id, lang) for q in state.queues]
        if self.differs("tiles", state.menu, self.can_issue, lang, app.u):
            self._tiles(app, state, lang)
        if self.differs("queues", state.queues, waits, lang, app.u):
            self._queues(app, state, lang, waits)

    def _tiles(self, app: Any, state: Any, lang: str) -> None:
        presenter = app.presenter
        grid = self.ids.tiles
        grid.clear_widgets()
        tiles: list[KButton] = []
        menu = state.menu
        # Disabled tiles draw in the palette's disabled ink: their white lines would vanish.
        light = "FFFFFF" if self.can_issue else MUTED_HEX
        if menu is None:  # a server without a site menu: the catalog by field
            take = _tile(app, T["take_ticket"](lang), [T["take_ticket"].other(lang)], bg=RED, fg=WHITE,
                         muted=light)
            take.bind(on_release=lambda _b: presenter.start_flow())
            tiles.append(take)
        else:
            if menu.top:
                top = _tile(app, T["most_requested"](lang), [T["most_requested"].other(lang),
                                                             T["most_requested_hint"](lang)],
                            bg=RED, fg=WHITE, muted=light)
                top.bind(on_release=lambda _b: presenter.open_top())
                tiles.append(top)
            for group in menu.groups:
                other = group.name_vi if lang == "en" else group.name_en
                direct = group.direct_item is not None or group.kind == "return" or not group.items
                count = t("one_procedure", lang) if direct else t("group_count", lang, n=len(group.items))
                # The wait of each line is beside the tiles, in the waiting panel.
                title = f"{group.letter}  {name_in(group, lang)}" if group.letter else name_in(group, lang)
                other = other if other and other != name_in(group, lang) else ""
                tile = _tile(app, title, [" · ".join(x for x in (other, count) if x)])
                tile.bind(on_release=lambda _b, sid=group.service_id: presenter.open_group(sid))
                tiles.append(tile)
            if menu.help is not None:
                help_tile = _tile(app, T["i_dont_know"](lang), [T["i_dont_know"].other(lang),
                                                                T["i_dont_know_hint"](lang)],
                                  bg=GREEN, fg=WHITE, muted=light)
                help_tile.bind(on_release=lambda _b: presenter.open_help())
                tiles.append(help_tile)
        for tile in tiles:
            tile.disabled = not self.can_issue
            grid.add_widget(tile)

    def _queues(self, app: Any, state: Any, lang: str, waits: list[str]) -> None:
        box = self.ids.queues
        box.clear_widgets()
        # Every line gets a row of the panel: two columns on a portrait screen's short panel.
        box.cols = 2 if app.portrait and len(state.queues) > 4 else 1
        slots = max(len(state.queues), 5 * box.cols)
        if not state.queues:
            box.add_widget(Label(text=T["counts_loading"].both(lang, "\n"), color=GREY, font_size=size(app, 30),
                                 halign="center"))
        for queue, wait in zip(state.queues, waits, strict=True):
            row = BoxLayout(spacing=size(app, 8))
            name = queue.name_en if lang == "en" else queue.name_vi
            # One line each, cut with "…": a long line name must not push its wait out of sight.
            left = BoxLayout(orientation="vertical")
            for text, points, colour in ((name, 26 if box.cols > 1 else 28, INK), (wait, 24, GREY)):
                line = Label(text=escape(text), markup=True, color=colour, font_size=size(app, points),
                             halign="left", valign="middle", shorten=True, shorten_from="right")
                line.bind(size=lambda w, s: setattr(w, "text_size", s))
                left.add_widget(line)
            row.add_widget(left)
            count = (f"[b][size={size(app, 44)}]{queue.waiting}[/size][/b]\n"
                     f"[size={size(app, 22)}]{t('people_waiting_short', lang)}[/size]")
            row.add_widget(Label(text=count, markup=True, color=NAVY, font_size=size(app, 22),
                                 size_hint_x=None, width=size(app, 130),
                                 halign="right", valign="middle", text_size=(size(app, 130), None)))
            box.add_widget(row)
        for _ in range(slots - len(state.queues) if state.queues else 0):
            box.add_widget(Widget())
