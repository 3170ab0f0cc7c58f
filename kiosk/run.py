"""Start the kiosk: Kivy's window set up before Kivy is imported, the presenter wired to
the real server client and printer, everything on one asyncio loop."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from kiosk.api import HttpKioskApi
from kiosk.presenter import KioskPresenter
from kiosk.printing import EscposTicketPrinter, PrinterError, TicketPrinter, TicketPrintout
from kiosk.settings import KioskSettings, save_settings

log = logging.getLogger(__name__)


def prepare_kivy(size: tuple[int, int] | None = None, fullscreen: bool = False) -> None:
    """Window and input settings that Kivy reads once, at its first import."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our own options are not Kivy's
    # One log line per HTTP request (and httpcore's debug chatter) would drown the log.
    for noisy in ("httpx", "httpcore", "websockets"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from kivy.config import Config

    if size is not None:
        Config.set("graphics", "width", str(size[0]))
        Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    # A kiosk must not quit on Esc, nor draw red multitouch dots on a right click.
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,multitouch_on_demand")
    # The settings form (staff only) gets Kivy's keyboard when no physical one is plugged.
    Config.set("kivy", "keyboard_mode", "systemanddock")


class NoPrinter:
    """The printer setting left at "dummy": nothing would come out, so say so. The citizen
    gets the ticket on screen and staff get the "not printed" alert, instead of a kiosk
    that cheerfully asks people to take a ticket from an empty slot."""

    def print_ticket(self, printout: TicketPrintout) -> None:
        raise PrinterError("offline", "Ki-ốt chưa được nối máy in.", "No printer is set up for this kiosk.",
                           detail="printer connection is 'dummy'")


def printer_for(settings: KioskSettings) -> TicketPrinter:
    if settings.printer.connection == "dummy":
        return NoPrinter()
    return EscposTicketPrinter(settings.printer)


def make_presenter(settings: KioskSettings, **overrides: Any) -> KioskPresenter:
    options: dict[str, Any] = {
        "api_factory": lambda s: HttpKioskApi(s.server_url, s.device_token),
        "printer_factory": printer_for,
        "save_settings": save_settings,
    }
    options.update(overrides)
    return KioskPresenter(settings, **options)


def run_kiosk(settings: KioskSettings, size: tuple[int, int] | None = None) -> int:
    prepare_kivy(size, settings.fullscreen)
    from kivy.core.window import Window

    from kiosk.app import KioskApp

    if settings.fullscreen:
        Window.show_cursor = False
    app = KioskApp(make_presenter(settings))
    asyncio.run(app.serve())
    return 0
