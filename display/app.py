"""The lobby display's Kivy App: properties the kv files show, filled from the presenter.

Import this module only after `display.runtime.configure_kivy()` (window size and the like
are fixed when Kivy's window module is first imported).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import LabelBase
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.screenmanager import NoTransition, ScreenManager

import display.widgets  # noqa: F401  (registers the widget classes the kv files use)
from display.clock_text import clock_text, date_text
from display.presenter import LobbyPresenter, LobbyView, counter_state_text
from display.screens.connecting import ConnectingScreen
from display.screens.lobby import LobbyScreen
from display.settings import DisplaySettings
from shared import fonts, glossary
from shared import lobby_layout as L
from shared.client import StreamState
from shared.look import rgba

KV_DIR = Path(__file__).resolve().parent / "kv"
KV_FILES = ("widgets.kv", "lobby.kv", "connecting.kv")
# Design sizes the kv files are drawn for; `unit` scales them to the real window.
LANDSCAPE_DESIGN = (1920, 1080)
PORTRAIT_DESIGN = (1080, 1920)


class DisplayApp(App):
    site_code = StringProperty("")
    server_url = StringProperty("")
    site_name_vi = StringProperty("")
    site_name_en = StringProperty("")
    notice = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    featured_label = StringProperty("")
    featured_counter = StringProperty("")
    featured_speaking = BooleanProperty(False)
    flash_serial = NumericProperty(0)
    flash_seconds = NumericProperty(8.0)
    counters = ListProperty()
    recent = ListProperty()
    recent_slots = NumericProperty(L.RECENT_SLOTS)
    services = ListProperty()
    closed_line = StringProperty("")
    offline_counters = ListProperty()  # closed and paused: {number, status}, named on one line
    tile_columns = NumericProperty(L.TILE_COLUMNS)
    tiles_compact = BooleanProperty(False)
    counters_px = NumericProperty(L.counters_panel_px(0))
    call_counter_text = StringProperty("")
    call_english = StringProperty("")
    # Fixed words, from shared/lobby_layout.py (the web display shows the same).
    call_heading = StringProperty(L.both(glossary.CALL_HEADING))
    idle_title = StringProperty(L.IDLE_TITLE.vi)
    idle_title_en = StringProperty(L.IDLE_TITLE.en)
    idle_hint = StringProperty(L.IDLE_HINT.vi)
    idle_hint_en = StringProperty(L.IDLE_HINT.en)
    recent_title = StringProperty(L.both(glossary.RECENT_CALLS))
    no_calls_text = StringProperty(L.both(L.NO_CALLS_YET))
    waiting_title = StringProperty(L.both(glossary.WAITING))
    counters_title = StringProperty(L.both(glossary.COUNTERS))
    counter_word = StringProperty(L.COUNTER_WORD.vi)
    reconnecting_text = StringProperty("• " + L.both(L.RECONNECTING))
    no_sound_text = StringProperty("• " + L.both(L.NO_SOUND))
    ready = BooleanProperty(False)
    reconnecting = BooleanProperty(False)
    sound_missing = BooleanProperty(False)
    problem_vi = StringProperty("")
    problem_en = StringProperty("")
    portrait = BooleanProperty(False)
    unit = NumericProperty(1.0)

    def __init__(self, presenter: LobbyPresenter, settings: DisplaySettings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.presenter = presenter
        self.settings = settings
        self.title = f"motcua — màn hình sảnh {settings.site}"
        self.site_code = settings.site
        self.server_url = settings.server
        self.flash_seconds = settings.flash_seconds
        self.recent_slots = max(1, min(settings.recent_calls, L.RECENT_SLOTS))
        self._day = ""

    def build(self) -> ScreenManager:
        LabelBase.register("MotcuaSans", fn_regular=str(fonts.SCREEN_REGULAR), fn_bold=str(fonts.SCREEN_BOLD))
        for name in KV_FILES:
            Builder.load_file(str(KV_DIR / name))
        Window.clearcolor = rgba("display_bg")
        self._fit(Window, Window.size)
        Window.bind(size=self._fit)
        self.manager = ScreenManager(transition=NoTransition())
        self.manager.add_widget(ConnectingScreen())
        self.lobby = LobbyScreen(portrait=self.portrait)
        self.bind(portrait=self.lobby.setter("portrait"))
        self.manager.add_widget(self.lobby)
        self._refresh = Clock.create_trigger(lambda _dt: self.show(self.presenter.view()))
        self.presenter.on_change = self._refresh
        self._tick(0)
        Clock.schedule_interval(self._tick, 1.0)
        self.show(self.presenter.view())
        return self.manager

    def show(self, view: LobbyView) -> None:
        self.site_name_vi, self.site_name_en = view.site_name_vi, view.site_name_en
        self.notice = view.notice or self.settings.notice
        featured = view.featured
        self.featured_label = featured.label if featured else ""
        self.featured_counter = str(featured.counter_number) if featured else ""
        self.featured_speaking = view.speaking
        if featured is not None:
            self.flash_serial = view.flash_serial
        if featured is not None:
            words = L.call_lines(featured.label, featured.counter_number)
            self.call_counter_text, self.call_english = words["counter"], words["english"]
        names = {s.code: s.name_vi for s in view.services}
        serving = [t for t in view.counters if t.state not in ("paused", "closed")]
        self.counters = [
            {"number": t.number, "label": t.label or "", "status": _tile_status(t.state, t.label, t.ticket_status),
             "state_vi": counter_state_text(t)[0], "state_en": counter_state_text(t)[1],
             "services": L.counter_services(
                 [{"service_code": code, "weight": weight} for code, weight in t.services], names)}
            for t in serving
        ]
        self.offline_counters = [{"number": t.number, "status": t.state}
                                 for t in view.counters if t.state in ("paused", "closed")]
        self.closed_line = L.closed_line([t.number for t in view.counters if t.state == "closed"],
                                         [t.number for t in view.counters if t.state == "paused"])
        if not serving:
            self.closed_line = L.both(L.ALL_CLOSED)
        columns, _rows, compact = L.counter_grid(len(serving))
        self.tile_columns, self.tiles_compact = columns, compact
        self.counters_px = L.counters_panel_px(len(serving))
        self.recent = [{"label": c.label, "counter": str(c.counter_number)} for c in view.recent][: self.recent_slots]
        open_codes = {code for t in serving if t.state == "open" for code, _ in t.services}
        self.services = []
        for s in view.services:
            wait_vi, wait_en = L.line_wait(
                {"waiting": s.waiting, "estimated_wait_minutes": s.estimated_wait_minutes, "wait": s.wait},
                s.code in open_codes)
            self.services.append({"code": s.code, "name_vi": s.name_vi, "name_en": s.name_en,
                                  "waiting": s.waiting, "wait_vi": wait_vi, "wait_en": wait_en})
        self.problem_vi, self.problem_en = view.problem_vi, view.problem_en
        self.reconnecting = view.ready and view.stream is StreamState.RECONNECTING
        self.sound_missing = view.sound_ok is False
        self.ready = view.ready
        self.manager.current = "lobby" if view.ready else "connecting"

    def _tick(self, _dt: float) -> None:
        now = datetime.now(UTC)
        zone = self.settings.zone
        self.clock_text = clock_text(now, zone)
        day = date_text(now, zone)
        if day != self._day:
            # At midnight yesterday's calls leave the screen.
            self._day = self.date_text = day
            if self.root is not None:
                self._refresh()

    def _fit(self, _window: object, size: tuple[int, int]) -> None:
        width, height = size
        layout = self.settings.layout
        portrait = height > width if layout == "auto" else layout == "portrait"
        design = PORTRAIT_DESIGN if portrait else LANDSCAPE_DESIGN
        self.unit = min(width / design[0], height / design[1])
        self.portrait = portrait


def _tile_status(state: str, label: str | None, ticket_status: str | None) -> str:
    if state in ("paused", "closed"):
        return state
    if label is None:
        return "idle"
    return "called" if ticket_status == "called" else "serving"
