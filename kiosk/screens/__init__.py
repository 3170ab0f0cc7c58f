"""Thin Kivy screens: each draws the presenter's state and forwards taps to it.

`enter(app, state)` runs when the screen is shown for a new phase; `refresh(app, state)`
after every change while it is shown. Every module of this package is imported here, so
its KioskScreen classes are known to Kivy's Factory by name (a ScreenSpec names them).
"""

import importlib
import pkgutil

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    importlib.import_module(f"{__name__}.{_module.name}")
