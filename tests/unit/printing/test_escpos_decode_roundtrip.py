"""The decoder gives back exactly what the job builder put in the byte stream."""

import pytest
from PIL import ImageChops

from kiosk.printing.escpos_decode import EscposDecodeError, decode, main
from kiosk.printing.job import render_escpos_bytes
from kiosk.printing.render import render_blocks
from kiosk.printing.settings import PrinterSettings
from kiosk.printing.ticket import sample_printout


def same(a, b) -> bool:
    return (
        a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    )


@pytest.mark.parametrize("paper, dots", [(80, 576), (58, 384)])
def test_every_block_comes_back_pixel_exact_in_order(paper, dots):
    ticket = sample_printout()
    stream = decode(render_escpos_bytes(ticket, PrinterSettings(paper_width_mm=paper)))
    blocks = render_blocks(ticket, dots)
    assert len(stream.images) == len(blocks)
    for block, raster in zip(blocks, stream.images, strict=True):
        assert raster.width_bytes == dots // 8
        assert same(block.image, raster.image), block.name
    assert stream.has_init and stream.ends_with_cut
    assert stream.qr_codes == []


def test_native_qr_mode_sends_the_url_as_a_printer_qr_between_details_and_instruction():
    ticket = sample_printout()
    stream = decode(render_escpos_bytes(ticket, PrinterSettings(qr_mode="native")))
    [qr] = stream.qr_codes
    assert qr.text == ticket.tracking_url
    assert qr.error_correction == "M" and qr.model == 2 and 1 <= qr.module_size <= 16
    names = [c.name for c in stream.commands]
    qr_at = names.index("2d_code_fn81")
    images_before = names[:qr_at].count("raster_image")
    assert images_before == 7  # header .. details
    assert names[qr_at:].count("raster_image") == 1  # the instruction
    assert len(stream.images) == 8


def test_without_cut_the_paper_is_fed_but_not_cut():
    stream = decode(render_escpos_bytes(sample_printout(), PrinterSettings(cut=False)))
    assert stream.cuts == [] and not stream.ends_with_cut
    assert stream.commands[-1].name == "feed_lines"


def test_cut_variants_and_text_are_recognised():
    stream = decode(b"\x1b@Xin chao\n\x1dVA\x03\x1dV\x01")
    assert stream.text == "Xin chao\n"
    assert [(c.partial, c.feed) for c in stream.cuts] == [(False, 3), (True, None)]
    assert stream.ends_with_cut


def test_bytes_inside_image_data_are_not_read_as_commands():
    # Raster data full of 0x1d 0x56 (GS V, a cut) must stay image data.
    data = b"\x1dv0\x00\x02\x00\x02\x00" + b"\x1dV\x1dV"
    stream = decode(data)
    assert stream.cuts == [] and len(stream.images) == 1
    assert stream.images[0].image.size == (16, 2)


def test_a_truncated_stream_is_reported_with_its_offset():
    data = render_escpos_bytes(sample_printout(), PrinterSettings())[:5000]
    with pytest.raises(EscposDecodeError, match="stream ends inside GS v 0 image data"):
        decode(data)


def test_an_unknown_command_stops_the_decoder():
    with pytest.raises(EscposDecodeError) as info:
        decode(b"\x1b@\x1b\x7f")
    assert info.value.offset == 2


def test_operator_command_summarises_a_file(tmp_path, capsys):
    job = tmp_path / "ticket.bin"
    job.write_bytes(render_escpos_bytes(sample_printout(), PrinterSettings(qr_mode="native")))
    assert main([str(job), "--images", str(tmp_path / "imgs")]) == 0
    out = capsys.readouterr().out
    assert "native QR: 'http://127.0.0.1:8000/t/" in out and "ends with a cut: yes" in out
    assert len(list((tmp_path / "imgs").glob("*.png"))) == 8
    assert main([str(tmp_path / "missing.bin")]) == 1


def test_building_a_job_prints_nothing_to_stdout(capsys):
    for qr in ("image", "native"):
        render_escpos_bytes(sample_printout(), PrinterSettings(qr_mode=qr, paper_width_mm=58))
    assert capsys.readouterr().out == ""
