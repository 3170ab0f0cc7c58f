"""What every kiosk screen shares: hooks the app calls, and small text helpers."""

from __future__ import annotations

from typing import Any

from kivy.uix.screenmanager import Screen

from kiosk.texts import T


class KioskScreen(Screen):
    def differs(self, part: str, *key: object) -> bool:
        """True when what `part` shows has changed since it was last drawn: rebuilding
        rows of widgets on every key press or live event would make the kiosk sluggish."""
        memo = self.__dict__.setdefault("_drawn", {})
        if memo.get(part) == key:
            return False
        memo[part] = key
        return True

    def enter(self, app: Any, state: Any) -> None:
        """The screen is shown for a new phase."""

    def refresh(self, app: Any, state: Any) -> None:
        """The presenter's state changed while this screen is shown."""


def size(app: Any, points: float) -> int:
    return int(points * app.u)


def small(text: str, app: Any, points: float = 24, colour: str | None = None) -> str:
    body = f"[size={size(app, points)}]{text}[/size]"
    return f"[color={colour}]{body}[/color]" if colour else body


def both(key: str, lang: str, sep: str = " / ", **values: object) -> str:
    return T[key].both(lang, sep, **values)


def escape(text: str) -> str:
    """Text from the server shown inside Kivy markup."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")
