"""A network printer that is off, stalls, drops the line or reports a problem: one
PrinterError, in bounded time, never a hang and never a false "printed"."""

import time
from typing import Any

import pytest

from kiosk.printing import PrinterError, PrinterSettings, print_ticket, sample_printout


def network(port: int, timeout: float = 0.5, **kwargs: Any) -> PrinterSettings:
    return PrinterSettings(
        connection="network", host="127.0.0.1", port=port, timeout=timeout, **kwargs
    )


def failure(settings: PrinterSettings) -> tuple[PrinterError, float]:
    started = time.monotonic()
    with pytest.raises(PrinterError) as info:
        print_ticket(settings, sample_printout())
    return info.value, time.monotonic() - started


def test_nothing_listening_is_offline_at_once(refused_port):
    err, elapsed = failure(network(refused_port, timeout=5))
    assert err.kind == "offline"
    assert err.message_vi == "Không kết nối được máy in."
    assert "refused" in err.detail.lower()
    assert elapsed < 1


def test_a_printer_that_accepts_then_stalls_times_out(fake_printer):
    printer = fake_printer(behaviour="stall")
    err, elapsed = failure(network(printer.port, timeout=0.5))
    # The job may sit in the socket buffer, but the printer never read it: not printed.
    assert err.kind == "offline"
    assert "did not respond" in err.message_en
    assert elapsed < 2.5


def test_a_printer_that_drops_the_connection_mid_ticket_is_an_error(fake_printer):
    printer = fake_printer(behaviour="drop", drop_after=2000)
    err, elapsed = failure(network(printer.port, timeout=2))
    assert err.kind == "error"
    assert elapsed < 3


def test_a_printer_reporting_offline_is_offline(fake_printer):
    printer = fake_printer(status="offline")
    err, _ = failure(network(printer.port, status_check=True))
    assert err.kind == "offline"
    job = printer.wait_for_job()
    assert job == b"\x10\x04\x01"  # asked, and sent no ticket


def test_a_printer_out_of_paper_is_paper_out(fake_printer):
    printer = fake_printer(status="paper_out")
    err, _ = failure(network(printer.port, status_check=True))
    assert err.kind == "paper_out"
    assert err.message_vi == "Máy in đã hết giấy."
    assert printer.wait_for_job() == b"\x10\x04\x01\x10\x04\x04"


def test_a_printer_silent_to_status_queries_fails_in_bounded_time(fake_printer):
    printer = fake_printer(status=None)
    err, elapsed = failure(network(printer.port, timeout=0.5, status_check=True))
    assert err.kind == "offline"
    assert elapsed < 2.5


def test_without_receipt_confirmation_a_stalled_printer_looks_printed(fake_printer):
    # Documents why confirm_receipt defaults to on: the bytes only reached a buffer.
    printer = fake_printer(behaviour="stall")
    print_ticket(network(printer.port, confirm_receipt=False), sample_printout())
