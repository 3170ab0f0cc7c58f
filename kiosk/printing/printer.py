"""Send a ticket to a real ESC/POS printer, or fail with one typed, bounded PrinterError.

`print_ticket` returns only once the whole job was handed to the printer (for a network
printer: once the printer has read it and closed the connection). Anything else —
refused, timed out, dropped mid-ticket, offline, out of paper, a missing driver — ends
as PrinterError within a bounded time, so the kiosk can mark the ticket "not printed"
and show it on screen instead.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import CupsPrinter, Dummy, File, Network, Serial, Usb

from kiosk.printing.errors import PrinterError
from kiosk.printing.job import TicketProfile, render_escpos_bytes
from kiosk.printing.settings import PrinterSettings
from kiosk.printing.ticket import TicketPrintout

__all__ = [
    "PrinterError",
    "PrinterSettings",
    "open_printer",
    "print_ticket",
    "render_escpos_bytes",
]

log = logging.getLogger(__name__)

_TIMED_OUT = (
    "Máy in không phản hồi.",
    "The printer did not respond.",
)
_DROPPED = (
    "Máy in ngắt kết nối khi đang in, phiếu có thể bị thiếu.",
    "The printer dropped the connection while printing; the ticket may be incomplete.",
)
_NO_DRIVER = (
    "Máy tính chưa cài thư viện cho loại máy in này.",
    "The driver library for this printer type is not installed.",
)

# Added to every job's deadline: room for a slow machine beyond the printer timeouts.
DEADLINE_SLACK_SECONDS = 2.0

# One job at a time per printer: two quick taps must give two whole tickets, not two
# tickets' bytes interleaved on one roll.
_locks: dict[tuple[object, ...], threading.Lock] = {}
_locks_guard = threading.Lock()


def _printer_lock(key: tuple[object, ...]) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _device_key(settings: PrinterSettings) -> tuple[object, ...]:
    s = settings
    return (
        s.connection,
        s.host,
        s.port,
        s.device,
        s.path,
        s.vendor_id,
        s.product_id,
        s.printer_name,
    )


def _to_printer_error(exc: BaseException, phase: str) -> PrinterError:
    """Map whatever a transport raised to the three kinds the kiosk acts on."""
    if isinstance(exc, PrinterError):
        return exc
    detail = f"{phase}: {type(exc).__name__}: {exc}".strip()
    if isinstance(exc, TimeoutError):  # socket.timeout is TimeoutError since 3.10
        return PrinterError("offline", *_TIMED_OUT, detail=detail)
    if phase == "connect" or isinstance(exc, DeviceNotFoundError):
        return PrinterError("offline", detail=detail)
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return PrinterError("error", *_DROPPED, detail=detail)
    # Covers escpos.exceptions.Error, OSError (usb.core.USBError and
    # serial.SerialException are OSErrors), cups.IPPError and anything unforeseen.
    return PrinterError("error", detail=detail)


def _require(usable: Callable[[], bool], package: str) -> None:
    # Check before constructing: python-escpos objects built without their driver
    # raise again from __del__, outside any try block.
    if not usable():
        raise PrinterError("error", *_NO_DRIVER, detail=f"pip install {package}")


class _Network(Network):
    """python-escpos 3.1 leaves the socket open when connect fails: one leaked descriptor
    (and a ResourceWarning) per failed ticket. create_connection closes it, and also
    resolves host names and IPv6."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)


def _build(settings: PrinterSettings) -> Escpos:
    profile = TicketProfile(settings.width_dots)
    s = settings
    if s.connection == "network":
        return _Network(host=s.host, port=s.port, timeout=s.timeout, profile=profile)
    if s.connection == "usb":
        _require(Usb.is_usable, "pyusb")
        # pyusb counts its timeout in milliseconds.
        return Usb(s.vendor_id, s.product_id, timeout=int(s.timeout * 1000), profile=profile)
    if s.connection == "serial":
        _require(Serial.is_usable, "pyserial")
        return Serial(devfile=s.device, baudrate=s.baudrate, timeout=s.timeout, profile=profile)
    if s.connection == "cups":
        _require(CupsPrinter.is_usable, "pycups")
        return CupsPrinter(s.printer_name or "", profile=profile)
    if s.connection == "file":
        return File(devfile=s.path, profile=profile)
    return Dummy(profile=profile)


def open_printer(settings: PrinterSettings) -> Escpos:
    """Connect to the configured printer. The caller closes it (`printer.close()`).

    Raises PrinterError("offline") when the printer cannot be reached.
    """
    printer = _build(settings)
    try:
        printer.open()
        if isinstance(printer, Serial) and printer.device is not None:
            # python-escpos sets only a read timeout; with hardware flow control an
            # unplugged printer would block a write for ever.
            printer.device.write_timeout = settings.timeout
    except Exception as exc:
        _close_quietly(printer)
        raise _to_printer_error(exc, "connect") from exc
    return printer


def _close_quietly(printer: Escpos) -> None:
    try:
        printer.close()
    except Exception:  # the job already failed; its first error is the one to report
        log.debug("closing a failed printer raised", exc_info=True)


def _check_status(printer: Escpos) -> None:
    """Ask a printer that can answer (DLE EOT) whether it is online and has paper."""
    if isinstance(printer, CupsPrinter):
        state = printer.printers.get(printer.printer_name, {}).get("printer-state")
        if state == 5:  # stopped
            raise PrinterError("offline", detail="CUPS queue is stopped")
        return
    if not isinstance(printer, (Network, Usb, Serial)):
        return  # files and dummies cannot report status
    if not printer.is_online():
        raise PrinterError("offline", detail="printer reports offline (DLE EOT 1)")
    if printer.paper_status() == 0:
        raise PrinterError("paper_out", detail="printer reports no paper (DLE EOT 4)")


def _await_close(printer: Network, timeout: float) -> None:
    """Half-close, then wait for the printer to close its side.

    The printer can only see our end-of-stream after reading every byte before it, so
    its close proves receipt; without this a stalled printer would "succeed" with the
    ticket stuck in the computer's socket buffer.
    """
    sock = printer.device
    assert isinstance(sock, socket.socket)
    sock.shutdown(socket.SHUT_WR)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("printer did not close the connection after the job")
        sock.settimeout(remaining)
        if not sock.recv(4096):  # status bytes a printer volunteers are not needed
            return


def _send(printer: Escpos, payload: bytes, settings: PrinterSettings, owned: bool) -> None:
    # No stdout redirection on this path (it runs in a worker that may outlive its
    # caller, and would hold sys.stdout hostage): these calls do not print().
    phase = "status"
    try:
        if settings.status_check:
            _check_status(printer)
        phase = "send"
        # python-escpos has no public "write these bytes"; _raw is its documented
        # extension point and what every one of its commands ends in.
        printer._raw(payload)
        if settings.status_check:
            phase = "status after printing"
            _check_status(printer)
        phase = "finish"
        if owned and isinstance(printer, Network) and settings.confirm_receipt:
            _await_close(printer, settings.timeout)
        if owned:
            printer.close()  # CUPS submits the job here
    except Exception as exc:
        raise _to_printer_error(exc, phase) from exc


def _deadline(settings: PrinterSettings, payload_size: int) -> float:
    """An outer bound for the whole job, past every per-operation timeout."""
    waits = 8 if settings.status_check else 4
    seconds = waits * settings.timeout + DEADLINE_SLACK_SECONDS
    if settings.connection == "serial":
        seconds += payload_size * 10 / settings.baudrate  # 10 bits per byte on the wire
    return seconds


def _run_bounded(job: Callable[[], None], lock: threading.Lock, seconds: float) -> None:
    """Run job in a worker thread and give up after `seconds`.

    Per-operation timeouts bound sockets; a write to /dev/usb/lp0 or a USB endpoint of a
    jammed printer can still block in the kernel. The stuck worker keeps the printer's
    lock until it returns, so later tickets fail fast instead of piling up behind it.
    """
    if not lock.acquire(timeout=seconds):
        raise PrinterError("offline", *_TIMED_OUT, detail="the previous ticket is still printing")
    outcome: list[BaseException] = []
    done = threading.Event()

    def work() -> None:
        try:
            job()
        except BaseException as exc:  # handed to the caller below, never lost
            outcome.append(exc)
        finally:
            lock.release()
            done.set()

    threading.Thread(target=work, name="motcua-print-job", daemon=True).start()
    if not done.wait(seconds):
        raise PrinterError("offline", *_TIMED_OUT, detail=f"no answer within {seconds:.0f} s")
    if outcome:
        raise outcome[0]


def print_ticket(
    target: PrinterSettings | Escpos,
    printout: TicketPrintout,
    settings: PrinterSettings | None = None,
) -> None:
    """Print one ticket; return only when the printer has the whole job.

    target: settings (a connection is opened and closed for this ticket), or a printer
    the caller opened and keeps (e.g. a Dummy in tests); `settings` then gives paper
    width and QR mode (default: 80 mm, QR as image).
    Raises PrinterError(kind "offline" | "paper_out" | "error") on any failure.
    """
    if isinstance(target, PrinterSettings):
        settings = target
    settings = settings or PrinterSettings()
    try:
        payload = render_escpos_bytes(printout, settings)
    except Exception as exc:
        raise _to_printer_error(exc, "render") from exc

    if isinstance(target, PrinterSettings):
        key = _device_key(settings)

        def job() -> None:
            printer = open_printer(settings)
            try:
                _send(printer, payload, settings, owned=True)
            except PrinterError:
                _close_quietly(printer)
                raise

    else:
        key = ("object", id(target))
        printer_object = target

        def job() -> None:
            _send(printer_object, payload, settings, owned=False)

    try:
        _run_bounded(job, _printer_lock(key), _deadline(settings, len(payload)))
    except PrinterError as exc:
        log.warning("ticket %s not printed: %s", printout.label, exc)
        raise
    log.info("ticket %s printed (%d bytes, %s)", printout.label, len(payload), settings.connection)
