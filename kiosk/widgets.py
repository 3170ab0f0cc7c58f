"""Kiosk widgets: big flat buttons, a swipe area for paging, a QR code drawn from its data."""

from __future__ import annotations

import qrcode
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.image import Image
from kivy.uix.label import Label

from shared.look import PALETTE, rgba

# The shared palette (shared/look.py): the kiosk reads as the same product as the displays.
NAVY = rgba("brand")
RED = rgba("accent")
GREEN = rgba("success")
WHITE = rgba("surface")
INK = rgba("ink")
GREY = rgba("ink_muted")
PAGE = rgba("page")
AMBER = rgba("display_flash")  # banner background; ink on it reads at > 12:1
DISABLED_BG = rgba("disabled_bg")
DISABLED_INK = rgba("disabled_ink")
MUTED_HEX = PALETTE["ink_muted"].lstrip("#")  # secondary text inside markup
BRAND_HEX = PALETTE["brand"].lstrip("#")
SUCCESS_HEX = PALETTE["success"].lstrip("#")


class KButton(Button):
    """A flat rounded button; `bg`/`fg` colours, darker while pressed (drawn in common.kv)."""

    bg = ColorProperty(NAVY)
    fg = ColorProperty(WHITE)
    radius = NumericProperty(16)
    outline = ColorProperty((0, 0, 0, 0))


class KLabel(Label):
    """A label that wraps to its width and grows to its text (height follows the lines)."""

    grow = BooleanProperty(True)


class ClockArea(ButtonBehavior, BoxLayout):
    """The clock in the top bar; five quick taps on it open the staff PIN pad."""


class SwipeArea(BoxLayout):
    """Calls on_swipe(+1) for a swipe to the left (next page), -1 to the right.

    A row tapped as part of a swipe must not open: the swipe marks the touch, and rows
    ignore a release whose touch was a swipe (see `was_swipe`).
    """

    threshold = NumericProperty(120)

    def __init__(self, **kwargs: object) -> None:
        self.register_event_type("on_swipe")
        super().__init__(**kwargs)

    def on_swipe(self, step: int) -> None:
        pass

    def on_touch_down(self, touch):  # noqa: ANN001, ANN201
        if self.collide_point(*touch.pos):
            touch.ud["swipe_start"] = touch.pos
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):  # noqa: ANN001, ANN201
        start = touch.ud.get("swipe_start")
        if start is not None and not touch.ud.get("swipe_done"):
            dx, dy = touch.x - start[0], touch.y - start[1]
            if abs(dx) >= self.threshold and abs(dx) > 2 * abs(dy):
                touch.ud["swipe_done"] = True
                self.dispatch("on_swipe", 1 if dx < 0 else -1)
        return super().on_touch_up(touch)


def was_swipe(button: ButtonBehavior) -> bool:
    touch = getattr(button, "last_touch", None)
    return bool(touch is not None and touch.ud.get("swipe_done"))


class QRCode(Image):
    """A QR code of `data`, sharp at any size (one texel per module, nearest filtering)."""

    data = StringProperty("")

    def on_data(self, _instance: object, data: str) -> None:
        if not data:
            self.texture = None
            return
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        code.add_data(data)
        code.make(fit=True)
        matrix = code.get_matrix()  # includes the quiet zone
        n = len(matrix)
        # Rows bottom-up: OpenGL textures start at the bottom.
        # RGBA: 4 bytes a pixel keeps every row aligned whatever n is.
        dark, light = bytes((0, 0, 0, 255)), bytes((255, 255, 255, 255))
        pixels = b"".join(dark if cell else light for row in reversed(matrix) for cell in row)
        texture = Texture.create(size=(n, n), colorfmt="rgba")
        texture.blit_buffer(pixels, colorfmt="rgba", bufferfmt="ubyte")
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"
        self.texture = texture


class LoadingSpinner(FloatLayout):
    """A turning arc and "Đang tải… / Loading…", shown over rows that are locked."""

    angle = NumericProperty(0)

    def on_parent(self, _widget: object, parent: object) -> None:
        event = getattr(self, "_turning", None)
        if parent is not None and event is None:
            self._turning = Clock.schedule_interval(self._turn, 1 / 20)
        elif parent is None and event is not None:
            event.cancel()
            self._turning = None

    def _turn(self, dt: float) -> None:
        self.angle = (self.angle + 360 * dt) % 360
