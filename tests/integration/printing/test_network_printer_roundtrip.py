"""A ticket printed through python-escpos's real Network transport, read back from the wire."""

from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image, ImageChops

from kiosk.printing import (
    PrinterSettings,
    print_ticket,
    render_escpos_bytes,
    render_label_block,
    render_ticket_image,
    sample_printout,
)
from kiosk.printing.escpos_decode import decode

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "printing"


def same(a: Image.Image, b: Image.Image) -> bool:
    return (
        a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    )


def stack(images: list[Image.Image]) -> Image.Image:
    sheet = Image.new("1", (images[0].width, sum(i.height for i in images)), 1)
    y = 0
    for img in images:
        sheet.paste(img, (0, y))
        y += img.height
    return sheet


def network(port: int, **kwargs: Any) -> PrinterSettings:
    return PrinterSettings(connection="network", host="127.0.0.1", port=port, timeout=2, **kwargs)


@pytest.mark.parametrize("paper, dots", [(80, 576), (58, 384)])
def test_printed_ticket_shows_the_label_and_a_qr_that_scans_to_the_tracking_page(
    fake_printer, paper, dots
):
    printer = fake_printer()
    ticket = sample_printout()
    settings = network(printer.port, paper_width_mm=paper, qr_mode="image")

    print_ticket(settings, ticket)
    received = printer.wait_for_job()

    assert received == render_escpos_bytes(ticket, settings)
    stream = decode(received)
    assert stream.has_init and stream.ends_with_cut
    assert {img.width_bytes for img in stream.images} == {dots // 8}
    # The label block on paper is pixel for pixel the label rendered here.
    expected_label = render_label_block(ticket.label, dots)
    assert sum(same(img.image, expected_label) for img in stream.images) == 1
    # Some block is a QR that a phone would read as the ticket's tracking URL.
    scanned = [
        r.text for img in stream.images for r in zxingcpp.read_barcodes(img.image.convert("L"))
    ]
    assert scanned == [ticket.tracking_url]
    # The whole paper, as the printer received it, also scans.
    paper_image = stack([img.image for img in stream.images])
    assert [r.text for r in zxingcpp.read_barcodes(paper_image.convert("L"))] == [
        ticket.tracking_url
    ]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    paper_image.save(ARTIFACTS / f"received_over_network_{paper}mm.png")


@pytest.mark.parametrize("paper, dots", [(80, 576), (58, 384)])
def test_native_qr_mode_sends_the_tracking_url_to_the_printer_qr_command(fake_printer, paper, dots):
    printer = fake_printer()
    ticket = sample_printout(tracking_url="http://127.0.0.1:8000/t/Zx81-native")
    print_ticket(network(printer.port, paper_width_mm=paper, qr_mode="native"), ticket)

    stream = decode(printer.wait_for_job())
    assert [qr.text for qr in stream.qr_codes] == [ticket.tracking_url]
    assert stream.qr_codes[0].module_size * 21 <= dots  # even a version-1 symbol fits
    assert not any(zxingcpp.read_barcodes(img.image.convert("L")) for img in stream.images)
    assert (
        sum(same(img.image, render_label_block(ticket.label, dots)) for img in stream.images) == 1
    )
    assert stream.ends_with_cut


def test_two_tickets_in_a_row_arrive_as_two_whole_jobs(fake_printer):
    printer = fake_printer()
    for label in ("A023", "A024"):
        print_ticket(network(printer.port), sample_printout(label=label))
        printer.wait_for_job()
        printer._job_done.clear()
    assert len(printer.jobs) == 2
    labels = [
        [same(img.image, render_label_block(label, 576)) for img in decode(job).images]
        for job, label in zip(printer.jobs, ("A023", "A024"), strict=True)
    ]
    assert all(any(found) for found in labels)


def test_status_check_passes_on_a_printer_reporting_online_with_paper(fake_printer):
    printer = fake_printer(status="ok")
    ticket = sample_printout()
    print_ticket(network(printer.port, status_check=True), ticket)
    stream = decode(printer.wait_for_job())
    queries = [c for c in stream.commands if c.name == "status_query"]
    assert len(queries) == 4  # online + paper, before and after the ticket
    assert stream.commands[-1].name == "status_query" and stream.cuts


@pytest.mark.parametrize("paper", [80, 58])
def test_sample_ticket_pngs_are_saved_for_eyes(paper):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dots = PrinterSettings(paper_width_mm=paper).width_dots
    image = render_ticket_image(sample_printout(), dots)
    path = ARTIFACTS / f"sample_ticket_{paper}mm.png"
    image.save(path)
    with Image.open(path) as saved:
        assert saved.size == (dots, image.height)
    assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == [
        sample_printout().tracking_url
    ]
