"""What every kiosk screen shares: hooks the app calls, and small text helpers."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.texts import T, escape  # noqa: F401  (the screens take escape from here)
from kiosk.widgets import LoadingSpinner

SPINNER_DELAY = 0.3  # a quick answer shows no spinner at all; a slow one shows it from here


class KioskScreen(Screen):
    # What a screen drawn in kv alone shows, from its presenter's `view(name)`: the kv
    # binds to `root.view` (screens that draw rows in Python override refresh instead).
    view = ObjectProperty(None, allownone=True)

    def differs(self, part: str, *key: object) -> bool:
        """True when what `part` shows has changed since it was last drawn: rebuilding
        rows of widgets on every key press or live event would make the kiosk sluggish."""
        memo = self.__dict__.setdefault("_drawn", {})
        if memo.get(part) == key:
            return False
        memo[part] = key
        return True

    def lock_rows(self, rows: Any, loading: bool) -> None:
        """While a page loads its rows are the old page's: greyed and not tappable at once,
        a spinner over them after SPINNER_DELAY."""
        rows.disabled = loading
        rows.opacity = 0.4 if loading else 1
        spinner = self.__dict__.setdefault("_spinner", None)
        pending = self.__dict__.setdefault("_spinner_due", None)
        if loading:
            if spinner is None and pending is None:
                self._spinner_due = Clock.schedule_once(lambda _dt: self._show_spinner(), SPINNER_DELAY)
            return
        if pending is not None:
            pending.cancel()
            self._spinner_due = None
        if spinner is not None:
            self.remove_widget(spinner)
            self._spinner = None

    def _show_spinner(self) -> None:
        self._spinner_due = None
        self._spinner = LoadingSpinner()
        self.add_widget(self._spinner)

    def enter(self, app: Any, state: Any) -> None:
        """The screen is shown for a new phase."""

    def refresh(self, app: Any, state: Any) -> None:
        """The presenter's state changed while this screen is shown."""
        self.view = app.presenter.view_of(self.name)


def size(app: Any, points: float) -> int:
    return int(points * app.u)


def small(text: str, app: Any, points: float = 24, colour: str | None = None) -> str:
    body = f"[size={size(app, points)}]{text}[/size]"
    return f"[color={colour}]{body}[/color]" if colour else body


def both(key: str, lang: str, sep: str = " / ", **values: object) -> str:
    return T[key].both(lang, sep, **values)
