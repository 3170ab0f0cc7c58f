"""The exact ESC/POS byte stream of one ticket, built in memory before any printer is touched.

Building the whole job first means a rendering problem can never leave half a ticket on
paper, and what a test decodes is byte for byte what a printer receives.
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
from collections.abc import Iterator

from escpos.capabilities import Profile, get_profile_class
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from kiosk.printing.render import qr_module_dots, render_blocks
from kiosk.printing.settings import PrinterSettings
from kiosk.printing.ticket import TicketPrintout

log = logging.getLogger(__name__)

FEED_LINES_BEFORE_CUT = 6


class TicketProfile(Profile):
    """python-escpos's generic profile with the paper width filled in.

    With the width known, python-escpos refuses an image wider than the paper instead of
    letting the printer wrap it, and stops print()-ing a notice on every image.
    """

    def __init__(self, width_dots: int) -> None:
        # Profile.__init__ would wipe the feature list (cut support): fill the data instead.
        data = copy.deepcopy(get_profile_class("default").profile_data)
        data["media"] = {"dpi": 203, "width": {"mm": width_dots / 8, "pixels": width_dots}}
        self.profile_data = data
        self.columns = None


@contextlib.contextmanager
def quiet_escpos() -> Iterator[None]:
    """python-escpos print()s notices; send them to the log, never to the kiosk's stdout."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    if buffer.getvalue().strip():
        log.debug("python-escpos: %s", buffer.getvalue().strip())


def render_escpos_bytes(printout: TicketPrintout, settings: PrinterSettings) -> bytes:
    """init, the ticket as raster images (GS v 0), the QR (image or GS ( k), feed, cut."""
    width = settings.width_dots
    native_qr = settings.qr_mode == "native"
    blocks = render_blocks(printout, width, include_qr=not native_qr)
    p = Dummy(profile=TicketProfile(width))
    with quiet_escpos():  # only around python-escpos calls: stdout is process-wide
        p.hw("INIT")
        for block in blocks:
            if native_qr and block.name == "instruction":
                _native_qr(p, printout.tracking_url, width)
            p.image(block.image, impl="bitImageRaster", center=False)
        if settings.cut:
            p.cut()  # feeds the paper past the cutter first
        else:
            p.print_and_feed(FEED_LINES_BEFORE_CUT)
    return p.output


def _native_qr(p: Dummy, url: str, width: int) -> None:
    # Centre with ESC a: python-escpos cannot centre a native QR itself.
    p.set(align="center")
    p.qr(url, native=True, ec=QR_ECLEVEL_M, size=qr_module_dots(url, width))
    p.print_and_feed(1)  # ESC d, not a text LF: no code page switch is needed
    p.set(align="left")
