"""The Kivy app: Kivy properties, the screens, and the wiring to the presenter.

Runs on asyncio (`serve()` = `async_run(async_lib="asyncio")`), so the presenter's HTTP
and WebSocket tasks share the UI's loop and never block it. Import this module only
after `kiosk.run.prepare_kivy()` has set the window up.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition

from kiosk import screens as _screens  # noqa: F401  (registers the screen classes)
from kiosk import widgets as _widgets  # noqa: F401  (registers the kv classes)
from kiosk.presenter import KioskPresenter, KioskState, Phase, server_banner
from kiosk.scanner import ENTER_KEYS, ScannerBuffer
from kiosk.texts import T, clock_text
from shared.fonts import SCREEN_BOLD, SCREEN_REGULAR

log = logging.getLogger(__name__)
KV_DIR = Path(__file__).resolve().parent / "kv"
COMMON_KV = "common.kv"  # the widgets every screen uses; each screen's own kv is named by its ScreenSpec


class KioskRoot(BoxLayout):
    """Top bar (site, clock, language), server banner, and the screens."""


def banner_text(state: KioskState) -> str:
    message = server_banner(state)
    return message.both(state.lang, "\n") if message else ""


def title_markup(state: KioskState, u: float) -> str:
    site = state.site
    if site is None:
        return T["kiosk_title"].both(state.lang)
    if not state.center_name or state.center_name == site.name_vi:
        return site.name_vi
    return f"{site.name_vi}\n[size={int(24 * u)}]{state.center_name}[/size]"


class KioskApp(App):
    title = "motcua — ki-ốt lấy số"
    lang = StringProperty("vi")
    portrait = BooleanProperty(False)
    u = NumericProperty(1.0)  # 1.0 on a 1080-pixel short side; every size is multiplied by it
    clock_time = StringProperty("")
    clock_date = StringProperty("")
    banner = StringProperty("")
    site_title = StringProperty("")

    def __init__(self, presenter: KioskPresenter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.presenter = presenter
        self.lang = presenter.state.lang
        self._shown_phase: Phase | None = None
        self.scanner = ScannerBuffer()

    # ---- text helpers used by the kv files -------------------------------------------------
    def tr(self, key: str, lang: str, **values: object) -> str:
        return T[key](lang, **values)

    def bi(self, key: str, lang: str, secondary: float = 24) -> str:
        """Button text: the chosen language, then the other one smaller (secondary points)."""
        text = T[key]
        return f"{text(lang)}\n[size={int(secondary * self.u)}]{text.other(lang)}[/size]"

    # ---- life cycle ------------------------------------------------------------------------
    def build(self) -> KioskRoot:
        self._geometry()
        # One type family on every screen of the lobby (shared/fonts: Roboto, full Vietnamese).
        LabelBase.register(DEFAULT_FONT, str(SCREEN_REGULAR), fn_bold=str(SCREEN_BOLD))
        specs = self.presenter.screens
        for kv in dict.fromkeys([COMMON_KV, *(spec.kv for spec in specs)]):
            Builder.load_file(str(KV_DIR / kv))
        root = KioskRoot()
        manager = root.ids.sm
        manager.transition = NoTransition()
        self.screen_of_phase: dict[str, str] = {}
        for spec in specs:
            name = str(spec.name)
            manager.add_widget(Factory.get(spec.widget)(name=name))
            for phase in (spec.name, *spec.also_shows):
                self.screen_of_phase[phase] = name
        Window.bind(on_touch_down=self._any_touch, size=lambda *_: self._geometry())
        # A USB barcode/QR scanner is a keyboard: it types the code, then Enter.
        Window.bind(on_textinput=self._typed, on_key_down=self._key_down)
        self.idle_warning = Factory.IdleWarning()
        return root

    def on_start(self) -> None:
        self._refresh_soon = Clock.create_trigger(self._refresh)
        self.presenter.listeners.append(self._refresh_soon)
        self.presenter.start()
        Clock.schedule_interval(self._tick, 0.5)
        self._tick(0)
        self._refresh()

    async def serve(self) -> None:
        """Run until the window closes, then stop the presenter's tasks and client."""
        try:
            await self.async_run(async_lib="asyncio")
        finally:
            await self.presenter.stop()

    # ---- wiring ----------------------------------------------------------------------------
    def _geometry(self) -> None:
        width, height = Window.size
        self.portrait = height > width
        self.u = min(width, height) / 1080
        p = self.presenter
        p.fields_per_page = 12
        p.rows_per_page = 8 if self.portrait else 4
        p.results_per_page = 6 if self.portrait else 4

    def _any_touch(self, _window: Any, _touch: Any) -> None:
        self.presenter.touched()  # returns None: the touch carries on to the widgets

    def _typed(self, _window: Any, text: str) -> None:
        self.scanner.feed(text)

    def _key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        if key in ENTER_KEYS:
            line = self.scanner.enter()
            # Enter is only taken when a scan was used (home and booking screens).
            return bool(line) and self.presenter.scanned(line)
        return False

    def _tick(self, _dt: float) -> None:
        self.presenter.tick()
        self.clock_time, self.clock_date = clock_text(datetime.now(UTC), self.lang)

    def _refresh(self, *_args: Any) -> None:
        state = self.presenter.state
        self.lang = state.lang
        self.banner = banner_text(state)
        self.site_title = title_markup(state, self.u)
        self.clock_time, self.clock_date = clock_text(datetime.now(UTC), self.lang)
        self._show_idle_warning(state)
        manager = self.root.ids.sm
        name = self.screen_of_phase[state.phase]
        screen = manager.get_screen(name)
        try:
            if state.phase is not self._shown_phase:
                self._shown_phase = state.phase
                screen.enter(self, state)
                manager.current = name
            screen.refresh(self, state)
        except Exception:
            # A drawing bug must not take the kiosk down in front of a citizen: the flow
            # (and the ticket) live in the presenter; the next change redraws.
            log.exception("drawing the %s screen failed", name)
            manager.current = name

    def _show_idle_warning(self, state: KioskState) -> None:
        view = self.idle_warning
        if state.idle_left is None:
            if view.parent is not None:
                view.dismiss(animation=False)
            return
        lang = state.lang
        view.ids.title.text = T["idle_title"].both(lang, "\n")
        view.ids.body.text = T["idle_body"].both(lang, "\n", n=state.idle_left)
        view.ids.go_on.text = self.bi("idle_continue", lang, 30)
        if view.parent is None:
            view.open(animation=False)
