"""The lobby screen. Its panels are built once and placed for a landscape or portrait TV."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen


class LobbyScreen(Screen):
    portrait = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.call_panel = Factory.CallPanel()
        self.counters_panel = Factory.CountersPanel()
        self.recent_panel = Factory.RecentPanel()
        self.waiting_panel = Factory.WaitingPanel()
        self.arrange()

    def on_portrait(self, *_: object) -> None:
        if "body" in self.ids:  # not yet during __init__, which arranges itself
            self.arrange()

    def arrange(self) -> None:
        body = self.ids.body
        for panel in (self.call_panel, self.counters_panel, self.recent_panel, self.waiting_panel):
            if panel.parent is not None:
                panel.parent.remove_widget(panel)
        body.clear_widgets()
        spacing = body.spacing
        lists = BoxLayout(spacing=spacing)
        body.bind(spacing=lists.setter("spacing"))
        lists.add_widget(self.recent_panel)
        lists.add_widget(self.waiting_panel)
        self.recent_panel.size_hint_x = 0.45
        self.waiting_panel.size_hint_x = 0.55
        if self.portrait:
            # A TV on its side: the call on top, counters in the middle, lists below.
            body.orientation = "vertical"
            self.call_panel.size_hint = (1, 0.29)
            self.counters_panel.size_hint = (1, 0.41)
            lists.size_hint = (1, 0.30)
            for widget in (self.call_panel, self.counters_panel, lists):
                body.add_widget(widget)
        else:
            # Reading order of a wide screen: the call where the eye lands first (top left).
            body.orientation = "horizontal"
            left = BoxLayout(orientation="vertical", spacing=spacing, size_hint_x=0.52)
            body.bind(spacing=left.setter("spacing"))
            self.call_panel.size_hint = (1, 0.56)
            lists.size_hint = (1, 0.44)
            left.add_widget(self.call_panel)
            left.add_widget(lists)
            self.counters_panel.size_hint = (0.48, 1)
            body.add_widget(left)
            body.add_widget(self.counters_panel)
