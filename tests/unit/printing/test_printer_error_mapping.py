"""Every way a print can fail ends as one PrinterError, quickly; success means bytes delivered."""

import threading
import time

import pytest
from escpos.exceptions import DeviceNotFoundError, ImageWidthError
from escpos.printer import CupsPrinter, Dummy, Serial, Usb

from kiosk.printing import printer as printer_module
from kiosk.printing.errors import PrinterError
from kiosk.printing.job import render_escpos_bytes
from kiosk.printing.printer import _to_printer_error, open_printer, print_ticket
from kiosk.printing.settings import PrinterSettings
from kiosk.printing.ticket import sample_printout


@pytest.mark.parametrize(
    "exc, phase, kind",
    [
        (ConnectionRefusedError(111, "refused"), "connect", "offline"),
        (DeviceNotFoundError("no /dev/usb/lp0"), "connect", "offline"),
        (TimeoutError("timed out"), "connect", "offline"),
        (TimeoutError("timed out"), "send", "offline"),
        (BrokenPipeError(32, "broken pipe"), "send", "error"),
        (ConnectionResetError(104, "reset"), "finish", "error"),
        (OSError(5, "I/O error"), "send", "error"),
        (ImageWidthError("600 > 576"), "send", "error"),
        (RuntimeError("cups went away"), "finish", "error"),
    ],
)
def test_transport_failures_map_to_the_three_kinds(exc, phase, kind):
    err = _to_printer_error(exc, phase)
    assert err.kind == kind
    assert err.message_vi and err.message_en and phase in err.detail


def test_printer_error_carries_both_languages_and_refuses_unknown_kinds():
    err = PrinterError("paper_out")
    assert (err.message_vi, err.message_en) == (
        "Máy in đã hết giấy.",
        "The printer is out of paper.",
    )
    assert "paper_out" in str(err)
    with pytest.raises(ValueError):
        PrinterError("jammed")  # type: ignore[arg-type]


def test_a_printer_object_receives_exactly_the_rendered_job():
    ticket = sample_printout()
    dummy = Dummy()
    assert print_ticket(dummy, ticket) is None
    assert dummy.output == render_escpos_bytes(ticket, PrinterSettings())


def test_file_printer_writes_the_job_and_a_missing_device_is_offline(tmp_path):
    ticket = sample_printout()
    target = tmp_path / "lp0"
    settings = PrinterSettings(connection="file", path=str(target), paper_width_mm=58)
    print_ticket(settings, ticket)
    assert target.read_bytes() == render_escpos_bytes(ticket, settings)

    started = time.monotonic()
    with pytest.raises(PrinterError) as info:
        print_ticket(PrinterSettings(connection="file", path=str(tmp_path / "no" / "lp0")), ticket)
    assert info.value.kind == "offline"
    assert time.monotonic() - started < 1


class FailingPrinter(Dummy):
    def _raw(self, msg: bytes) -> None:
        raise OSError(5, "Input/output error")


def test_an_io_error_while_sending_is_a_printer_error_not_a_crash():
    with pytest.raises(PrinterError) as info:
        print_ticket(FailingPrinter(), sample_printout())
    assert info.value.kind == "error" and "Input/output error" in info.value.detail
    assert isinstance(info.value.__cause__, OSError)


def test_a_rendering_bug_is_reported_as_a_printer_error(monkeypatch):
    def broken(*_args):
        raise ValueError("layout exploded")

    monkeypatch.setattr(printer_module, "render_escpos_bytes", broken)
    with pytest.raises(PrinterError, match="layout exploded"):
        print_ticket(Dummy(), sample_printout())


@pytest.mark.parametrize(
    "cls, settings, package",
    [
        (Usb, PrinterSettings(connection="usb", vendor_id=0x0416, product_id=0x5011), "pyusb"),
        (Serial, PrinterSettings(connection="serial", device="/dev/ttyUSB0"), "pyserial"),
        (CupsPrinter, PrinterSettings(connection="cups", printer_name="kiosk"), "pycups"),
    ],
)
def test_a_missing_driver_library_is_named(monkeypatch, cls, settings, package):
    monkeypatch.setattr(cls, "is_usable", staticmethod(lambda: False))
    with pytest.raises(PrinterError) as info:
        open_printer(settings)
    assert info.value.kind == "error" and f"pip install {package}" in info.value.detail


class JammedPrinter(Dummy):
    """Blocks in write like a jammed /dev/usb/lp0 until released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def _raw(self, msg: bytes) -> None:
        self.release.wait(10)
        super()._raw(msg)


def test_a_jammed_printer_fails_in_bounded_time_and_blocks_no_second_job(monkeypatch):
    monkeypatch.setattr(printer_module, "DEADLINE_SLACK_SECONDS", 0.2)
    settings = PrinterSettings(timeout=0.05)  # deadline 4 * 0.05 + 0.2 = 0.4 s
    jammed = JammedPrinter()
    try:
        started = time.monotonic()
        with pytest.raises(PrinterError) as first:
            print_ticket(jammed, sample_printout(), settings)
        assert first.value.kind == "offline"
        assert time.monotonic() - started < 1.5

        # The stuck job still owns the printer: the next ticket fails instead of
        # queueing behind it or interleaving with it.
        with pytest.raises(PrinterError, match="still printing"):
            print_ticket(jammed, sample_printout(label="A024"), settings)
        assert time.monotonic() - started < 3
    finally:
        jammed.release.set()

    # Once the printer recovers, tickets print again.
    deadline = time.monotonic() + 5
    while True:
        try:
            print_ticket(jammed, sample_printout(label="A025"), settings)
            break
        except PrinterError:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_kiosk_facing_printer_objects_print_or_raise(tmp_path):
    from kiosk.printing import EscposTicketPrinter, FakeTicketPrinter, TicketPrinter

    target = tmp_path / "lp0"
    real: TicketPrinter = EscposTicketPrinter(PrinterSettings(connection="file", path=str(target)))
    real.print_ticket(sample_printout())
    assert target.read_bytes() == render_escpos_bytes(sample_printout(), PrinterSettings())

    fake = FakeTicketPrinter()
    fake.print_ticket(sample_printout())
    assert [t.label for t in fake.printed] == ["A023"]
    with pytest.raises(PrinterError, match="paper"):
        FakeTicketPrinter(fail_with=PrinterError("paper_out")).print_ticket(sample_printout())
