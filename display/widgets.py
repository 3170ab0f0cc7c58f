"""Widgets of the lobby screen whose behaviour needs Python: flashing, fitting, scrolling.

Their looks (colours, fonts, sizes) are in kv/widgets.kv.
"""

from __future__ import annotations

import math

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.factory import Factory
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget


class CallPanel(BoxLayout):
    """The latest call, large. A new `serial` makes its frame flash for `flash_seconds`."""

    serial = NumericProperty(0)
    flash = NumericProperty(0.0)  # 0..1: how bright and wide the frame is
    border = NumericProperty(0.0)
    flash_seconds = NumericProperty(8.0)
    _animation = ObjectProperty(None, allownone=True)

    def on_serial(self, *_: object) -> None:
        if self._animation is not None:
            self._animation.cancel(self)
        # One beat a second: a quick bright flash, a slow fade (eyes catch the change).
        animation = None
        for _ in range(max(1, round(self.flash_seconds))):
            beat = Animation(flash=1.0, duration=0.15) + Animation(flash=0.0, duration=0.85)
            animation = beat if animation is None else animation + beat
        self._animation = animation
        animation.start(self)


class CounterTileView(BoxLayout):
    number = NumericProperty(0)
    label = StringProperty("")
    status = StringProperty("idle")  # called | serving | idle
    state_vi = StringProperty("")
    state_en = StringProperty("")
    services = StringProperty("")  # "Tư pháp, Công an": what the counter serves
    compact = BooleanProperty(False)  # one line: number and ticket
    border_width = NumericProperty(0)


class CounterGrid(Widget):
    """The open counters, in rows of `columns` tiles of one height from the top: full tiles
    (number, ticket, services) or, with many open, one-line tiles (shared/lobby_layout.py)."""

    tiles = ListProperty()  # dicts: number, label, status, state_vi, state_en, services
    spacing = NumericProperty(12)
    columns = NumericProperty(3)
    compact = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._views: list[CounterTileView] = []
        self._relayout = Clock.create_trigger(self._layout)
        self.bind(pos=self._relayout, size=self._relayout, columns=self._relayout, compact=self._relayout)

    def on_tiles(self, *_: object) -> None:
        while len(self._views) < len(self.tiles):
            view = CounterTileView()
            self._views.append(view)
            self.add_widget(view)
        while len(self._views) > len(self.tiles):
            self.remove_widget(self._views.pop())
        for view, tile in zip(self._views, self.tiles, strict=True):
            for key, value in tile.items():
                setattr(view, key, value)
        self._relayout()

    def _layout(self, *_: object) -> None:
        count = len(self._views)
        if not count or self.width <= 0 or self.height <= 0:
            return
        columns = max(1, int(self.columns))
        rows = math.ceil(count / columns)
        tile_w = (self.width - self.spacing * (columns - 1)) / columns
        tile_h = (self.height - self.spacing * (rows - 1)) / rows
        for index, view in enumerate(self._views):
            row, column = divmod(index, columns)
            view.compact = self.compact
            view.size = (tile_w, tile_h)
            view.pos = (self.x + column * (tile_w + self.spacing),
                        self.top - (row + 1) * tile_h - row * self.spacing)


class Marquee(StencilView):
    """The notice line. Starts at the left edge so the first words are read at once, then
    scrolls right to left and comes back in from the right, forever."""

    text = StringProperty("")
    font_size = NumericProperty(40)
    color = ListProperty([1, 1, 1, 1])
    speed = NumericProperty(140)  # pixels per second at unit 1
    pause_seconds = NumericProperty(3.0)

    def __init__(self, **kwargs: object) -> None:
        self._label = Label(size_hint=(None, None), halign="left", valign="middle")
        super().__init__(**kwargs)
        self.add_widget(self._label)
        self._restart = Clock.create_trigger(self._start)
        self.bind(text=self._restart, size=self._restart, pos=self._restart, font_size=self._restart)

    def _start(self, *_: object) -> None:
        Animation.cancel_all(self._label)
        label = self._label
        label.text = self.text
        label.font_size = self.font_size
        label.color = self.color
        label.font_name = "MotcuaSans"
        label.texture_update()
        label.size = label.texture_size
        label.y = self.y + (self.height - label.height) / 2
        label.x = self.x + self.height * 0.3
        if not self.text:
            return
        self._scroll_out(first=True)

    def _scroll_out(self, *_: object, first: bool = False) -> None:
        label = self._label
        end = self.x - label.width
        distance = label.x - end
        animation = Animation(x=end, duration=max(0.1, distance / max(1.0, self.speed)))
        if first:
            animation = Animation(duration=self.pause_seconds) + animation
        animation.bind(on_complete=self._come_back)
        animation.start(label)

    def _come_back(self, *_: object) -> None:
        self._label.x = self.right
        self._scroll_out()


class FitLabel(Label):
    """A label whose font shrinks (never grows past `max_font`) so its text fits its width,
    but never below `min_font` (its role's floor, shared/lobby_layout.py): a text still too
    long then ends in "…" rather than getting too small to read from across the hall."""

    role = StringProperty("")  # shared.lobby_layout.TEXT_PX key; the legibility checks read it
    max_font = NumericProperty(40)
    min_font = NumericProperty(1)
    fit = BooleanProperty(True)  # False: keep max_font and shorten with "…"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._fit = Clock.create_trigger(self._refit)
        self.bind(text=self._fit, width=self._fit, height=self._fit, max_font=self._fit, min_font=self._fit,
                  bold=self._fit, font_name=self._fit, fit=self._fit)
        self._refit()

    def _refit(self, *_: object) -> None:
        largest = max(1, self.max_font)
        if not self.fit or not self.text or self.width <= 1:
            self.font_size, self.shorten = largest, not self.fit
            return
        measure = CoreLabel(text=self.text, font_size=largest, font_name=self.font_name, bold=self.bold)
        natural = measure.get_extents(self.text)[0]
        # 4% to spare: a text exactly as wide as its label is wrapped by Kivy's layout.
        room = 0.96 * (self.width - self.padding[0] - self.padding[2])
        wanted = largest * min(1.0, room / max(1, natural))
        self.font_size = max(self.min_font, wanted)
        self.shorten = wanted < self.min_font
        self.shorten_from = "right"


class StatusMarker(FitLabel):
    """Discreet, for staff walking by: shown only while `active`."""

    active = BooleanProperty(False)


class RowList(BoxLayout):
    """A fixed number of equal row slots filled from `rows` (dicts of a row's properties),
    so a short list keeps the same row height as a full one. Rows are made once and
    refilled: a call must not rebuild the list's widgets and textures."""

    rows = ListProperty()
    row_class = StringProperty("")
    slots = NumericProperty(5)

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("orientation", "vertical")
        super().__init__(**kwargs)
        self._made: tuple[str, int] = ("", 0)
        self._refill = Clock.create_trigger(self._fill)
        self.bind(rows=self._refill, slots=self._refill, row_class=self._refill)

    def _fill(self, *_: object) -> None:
        shape = (self.row_class, max(int(self.slots), 1))
        if shape != self._made:
            self.clear_widgets()
            if self.row_class:
                for _ in range(shape[1]):
                    self.add_widget(getattr(Factory, self.row_class)())
            self._made = shape
        # BoxLayout keeps its children last-added first.
        for index, row in enumerate(reversed(self.children)):
            if index < len(self.rows):
                for key, value in self.rows[index].items():
                    setattr(row, key, value)
                row.opacity = 1
            else:
                row.opacity = 0
