"""'I have a booking': type the code on big keys (only the characters a code can have) or
hold the confirmation QR to the scanner."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen, escape, size
from kiosk.texts import T
from kiosk.widgets import GREY, INK, WHITE, KButton

# The booking code's alphabet (no 0/O, 1/I/L), in the order people look for them.
KEY_ROWS = ("23456789", "ABCDEFGH", "JKMNPQRS", "TUVWXYZ")


def shown_code(typed: str) -> str:
    """ABCD-2345 as the citizen's phone shows it, whether or not they typed the dash."""
    if "/" in typed:  # a scanned URL: the code is not in it; show that something came
        return "QR ✓"
    bare = typed.replace("-", "").replace(" ", "")
    return f"{bare[:4]}-{bare[4:]}" if len(bare) > 4 else bare


class BookingScreen(KioskScreen):
    def on_kv_post(self, base_widget: Any) -> None:
        self._keys_built_for: float | None = None

    def _build_keyboard(self, app: Any) -> None:
        if self._keys_built_for == app.u:
            return
        self._keys_built_for = app.u
        presenter = app.presenter
        board = self.ids.keyboard
        board.clear_widgets()
        for keys in KEY_ROWS:
            row = BoxLayout(spacing=size(app, 8))
            for key in keys:
                button = KButton(text=key, bg=WHITE, fg=INK, outline=GREY, font_size=size(app, 46))
                button.bind(on_release=lambda _b, ch=key: presenter.booking_type(ch))
                row.add_widget(button)
            board.add_widget(row)

    def refresh(self, app: Any, state: Any) -> None:
        lang = state.lang
        self._build_keyboard(app)
        self.ids.title.text = T["booking_title"].both(lang, "\n")
        self.ids.hint.text = T["booking_hint"](lang)
        typed = state.booking_code
        if typed:
            self.ids.code.text = f"{escape(shown_code(typed))}[color=0D47A1]|[/color]"
        else:
            self.ids.code.text = f"[color=4A5160][size={size(app, 44)}]ABCD-2345[/size][/color]"
        self.ids.submit.disabled = not typed
