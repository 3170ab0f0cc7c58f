"""Small shared widgets: flat buttons big enough for a finger (and showing their key),
cards, and rows of lists. Their look lives in kv/common.kv."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.recycleview.views import RecycleDataViewBehavior

TONES = {
    "primary": (0.08, 0.40, 0.75, 1),  # call
    "go": (0.18, 0.49, 0.20, 1),  # start, finish, open
    "warn": (0.90, 0.42, 0.0, 1),  # recall, no-show
    "neutral": (0.27, 0.35, 0.39, 1),  # transfer, hold, call a number, pause
    "danger": (0.78, 0.16, 0.16, 1),  # close
    "quiet": (0.40, 0.44, 0.48, 1),  # secondary actions: white text at 5:1
}


class DeskButton(ButtonBehavior, Label):
    """A flat button; `tone` names its colour. Disabled buttons fade but keep their text,
    so the clerk still learns where each action lives (palette disabled_ink on disabled_bg)."""

    tone = StringProperty("neutral")
    fill = ColorProperty(TONES["neutral"])
    radius = NumericProperty(8)

    def on_tone(self, *_: object) -> None:
        self.fill = TONES.get(self.tone, TONES["neutral"])


class Card(BoxLayout):
    pass


class OptionRow(RecycleDataViewBehavior, ButtonBehavior, BoxLayout):
    """One choice in a dialog list; tapping it selects it (Enter or the button confirms)."""

    index = NumericProperty(0)
    title = StringProperty("")
    subtitle = StringProperty("")
    selected = BooleanProperty(False)

    def on_release(self) -> None:
        # A tap selects; a tap on the selected row confirms (Enter does the same).
        presenter = App.get_running_app().presenter
        if self.selected:
            presenter.submit_dialog(self.index)
        else:
            presenter.select_option(self.index)


class WaitingRow(RecycleDataViewBehavior, BoxLayout):
    label = StringProperty("")
    detail = StringProperty("")
    priority = StringProperty("")


class QueueRow(BoxLayout):
    title = StringProperty("")
    waiting = StringProperty("")
    priority = StringProperty("")
    longest = StringProperty("")


class CounterTile(ButtonBehavior, BoxLayout):
    counter_id = NumericProperty(0)
    title = StringProperty("")
    detail = StringProperty("")
    selected = BooleanProperty(False)
    remembered = BooleanProperty(False)
