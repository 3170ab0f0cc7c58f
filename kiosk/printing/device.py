"""The small printer interface the kiosk's presenter depends on, with a real and a fake one.

`print_ticket` blocks for up to a few timeouts: call it from a worker thread, never from
the Kivy UI thread, and hand the outcome back with Clock.schedule_once.
"""

from __future__ import annotations

from typing import Protocol

from kiosk.printing.errors import PrinterError
from kiosk.printing.printer import print_ticket
from kiosk.printing.settings import PrinterSettings
from kiosk.printing.ticket import TicketPrintout


class TicketPrinter(Protocol):
    def print_ticket(self, printout: TicketPrintout) -> None:
        """Return once printed; raise PrinterError otherwise."""


class EscposTicketPrinter:
    def __init__(self, settings: PrinterSettings) -> None:
        self.settings = settings

    def print_ticket(self, printout: TicketPrintout) -> None:
        print_ticket(self.settings, printout)


class FakeTicketPrinter:
    """For kiosk tests: keeps what was printed, or fails the way it is told to."""

    def __init__(self, fail_with: PrinterError | None = None) -> None:
        self.fail_with = fail_with
        self.printed: list[TicketPrintout] = []

    def print_ticket(self, printout: TicketPrintout) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.printed.append(printout)
