"""The kiosk's screen presenters: one module per screen or concern, each a
`ScreenPresenter` subclass over the kiosk's one state and services (`kiosk.presenter`).

The registry is this package itself: every module here that names a `PRESENTER` is
found by `presenter_classes()`, and the Kivy screens it lists in `screens` are built by
the app from their kv files. Adding a screen is a new module here and a kv file.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from shared.app_presenters import public_names

if TYPE_CHECKING:
    from kiosk.presenter import KioskPresenter


@dataclass(frozen=True)
class ScreenSpec:
    """A Kivy screen: its name (the phase that shows it), its kv file in kiosk/kv, the
    widget class the kv file styles (a KioskScreen subclass in kiosk/screens, or a
    class the kv file declares itself), and any further phases drawn by it."""

    name: str
    kv: str
    widget: str
    also_shows: tuple[str, ...] = ()


class ScreenPresenter:
    """What one screen (or concern) does with taps and answers. Public methods are the
    screen's taps, reached by name on the kiosk presenter; `self.kiosk` is the core."""

    name: ClassVar[str]
    screens: ClassVar[tuple[ScreenSpec, ...]] = ()

    def __init__(self, kiosk: KioskPresenter) -> None:
        self.kiosk = kiosk

    @classmethod
    def taps(cls) -> list[str]:
        """The public methods and properties this presenter adds to the kiosk."""
        return public_names(cls, ScreenPresenter)

    def reset(self) -> None:
        """The citizen's session is over: forget what this presenter keeps of it."""

    def view(self, screen: str) -> Any:
        """What a screen drawn in kv alone shows (KioskScreen.view); None for screens
        that draw the kiosk state in Python."""
        return None


def presenter_classes() -> list[type[ScreenPresenter]]:
    """Every screen presenter in this package, in module order."""
    found: list[type[ScreenPresenter]] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        cls = getattr(module, "PRESENTER", None)
        if inspect.isclass(cls) and issubclass(cls, ScreenPresenter):
            found.append(cls)
    return found
