"""Thin Kivy screens: each draws the presenter's state and forwards taps to it.

`enter(app, state)` runs when the screen is shown for a new phase; `refresh(app, state)`
after every change while it is shown.
"""

from kiosk.screens.booking import BookingScreen
from kiosk.screens.browse import FieldsScreen, ProceduresScreen, SearchScreen
from kiosk.screens.detail import DetailScreen, PriorityScreen
from kiosk.screens.home import HomeScreen
from kiosk.screens.menu import MenuScreen
from kiosk.screens.staff import PinScreen, SettingsScreen
from kiosk.screens.ticket import IssuingScreen, TicketScreen

__all__ = [
    "BookingScreen",
    "DetailScreen",
    "FieldsScreen",
    "HomeScreen",
    "IssuingScreen",
    "MenuScreen",
    "PinScreen",
    "PriorityScreen",
    "ProceduresScreen",
    "SearchScreen",
    "SettingsScreen",
    "TicketScreen",
]
