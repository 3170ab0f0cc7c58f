"""The lobby screen. Its panels are built once and placed for a landscape or portrait TV,
as shared/lobby_layout.py lays them out (the web display follows the same layout)."""

from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from shared import lobby_layout as L

PORTRAIT_CALL_PX = L.CALL_MIN_PX  # the waiting lines need the rest of the height


class LobbyScreen(Screen):
    portrait = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.call_panel = Factory.CallPanel()
        self.counters_panel = Factory.CountersPanel(size_hint_y=None)
        self.recent_panel = Factory.RecentPanel(size_hint_y=None)
        self.waiting_panel = Factory.WaitingPanel()
        app = App.get_running_app()
        if app is not None:
            app.bind(unit=self._sizes, counters_px=self._sizes)
        self.arrange()

    def on_portrait(self, *_: object) -> None:
        if "body" in self.ids:  # not yet during __init__, which arranges itself
            self.arrange()

    def _sizes(self, *_: object) -> None:
        app = App.get_running_app()
        unit = app.unit if app is not None else 1.0
        counters = app.counters_px if app is not None else L.counters_panel_px(0)
        self.counters_panel.height = counters * unit
        self.recent_panel.height = L.RECENT_PX * unit
        if self.portrait:
            self.call_panel.size_hint_y = None
            self.call_panel.height = PORTRAIT_CALL_PX * unit
        else:
            self.call_panel.size_hint_y = 1

    def arrange(self) -> None:
        body = self.ids.body
        for panel in (self.call_panel, self.counters_panel, self.recent_panel, self.waiting_panel):
            if panel.parent is not None:
                panel.parent.remove_widget(panel)
        body.clear_widgets()
        if self.portrait:
            # A TV on its side: the call on top, then the recent calls, counters, waiting lines.
            body.orientation = "vertical"
            for panel in (self.call_panel, self.recent_panel, self.counters_panel, self.waiting_panel):
                body.add_widget(panel)
        else:
            # Reading order of a wide screen: the call where the eye lands first (top left),
            # the counters under it; the recent calls and the waiting lines on the right.
            body.orientation = "horizontal"
            left = BoxLayout(orientation="vertical", spacing=body.spacing, size_hint_x=L.LEFT_SHARE)
            right = BoxLayout(orientation="vertical", spacing=body.spacing, size_hint_x=1 - L.LEFT_SHARE)
            body.bind(spacing=left.setter("spacing"))
            body.bind(spacing=right.setter("spacing"))
            left.add_widget(self.call_panel)
            left.add_widget(self.counters_panel)
            right.add_widget(self.recent_panel)
            right.add_widget(self.waiting_panel)
            body.add_widget(left)
            body.add_widget(right)
        self._sizes()
