"""Queue tickets on ESC/POS thermal printers: layout, byte stream, transports, decoding.

No Kivy here: the kiosk, the counter client and the command line all print through it.
The kiosk calls `print_ticket(settings, printout)` and, on PrinterError, tells the server
"not printed" and shows the ticket on screen.
"""

from kiosk.printing.device import EscposTicketPrinter, FakeTicketPrinter, TicketPrinter
from kiosk.printing.errors import PrinterError, PrinterErrorKind
from kiosk.printing.job import render_escpos_bytes
from kiosk.printing.printer import open_printer, print_ticket
from kiosk.printing.render import render_blocks, render_label_block, render_ticket_image
from kiosk.printing.settings import PrinterSettings
from kiosk.printing.ticket import TicketPrintout, sample_printout

__all__ = [
    "EscposTicketPrinter",
    "FakeTicketPrinter",
    "PrinterError",
    "PrinterErrorKind",
    "PrinterSettings",
    "TicketPrinter",
    "TicketPrintout",
    "open_printer",
    "print_ticket",
    "render_blocks",
    "render_escpos_bytes",
    "render_label_block",
    "render_ticket_image",
    "sample_printout",
]
