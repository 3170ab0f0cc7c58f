"""`motcua kiosk print-sample` writes the sample ticket's exact ESC/POS bytes."""

import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops

from kiosk.cli import main, print_sample_command
from kiosk.printing import PrinterSettings, render_escpos_bytes, render_label_block, sample_printout
from kiosk.printing.escpos_decode import decode

REPO = Path(__file__).resolve().parents[3]


def same(a, b) -> bool:
    return (
        a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    )


@pytest.mark.parametrize(
    "width, qr", [("80", "image"), ("58", "image"), ("80", "native"), ("58", "native")]
)
def test_print_sample_writes_bytes_that_decode_to_the_sample_ticket(tmp_path, capsys, width, qr):
    out = tmp_path / "sample.bin"
    assert print_sample_command(["--to", str(out), "--width", width, "--qr", qr]) == 0
    assert "Sent sample ticket" in capsys.readouterr().out

    data = out.read_bytes()
    settings = PrinterSettings(paper_width_mm=int(width), qr_mode=qr)
    assert data == render_escpos_bytes(sample_printout(), settings)
    stream = decode(data)
    dots = settings.width_dots
    assert {img.width_bytes for img in stream.images} == {dots // 8}
    assert sum(same(img.image, render_label_block("A023", dots)) for img in stream.images) == 1
    assert stream.ends_with_cut
    url = sample_printout().tracking_url
    if qr == "native":
        assert [q.text for q in stream.qr_codes] == [url]
    else:
        scanned = [
            r.text for img in stream.images for r in zxingcpp.read_barcodes(img.image.convert("L"))
        ]
        assert scanned == [url]


def test_print_sample_also_saves_a_png_for_eyes(tmp_path):
    png = tmp_path / "eyes" / "sample.png"
    assert print_sample_command(["print-sample", "--png", str(png), "--width", "58"]) == 0
    with Image.open(png) as img:
        assert img.width == 384
        assert [r.text for r in zxingcpp.read_barcodes(img.convert("L"))] == [
            sample_printout().tracking_url
        ]


def test_print_sample_usage_errors_return_an_exit_code(tmp_path, capsys):
    assert print_sample_command([]) == 2
    assert print_sample_command(["--to", str(tmp_path / "x.bin"), "--width", "76"]) == 2
    assert print_sample_command(["--help"]) == 0
    assert main(["no-such-command"]) == 2
    capsys.readouterr()


def test_an_unwritable_target_fails_with_the_printer_message(tmp_path, capsys):
    assert print_sample_command(["--to", str(tmp_path / "missing" / "lp0")]) == 1
    assert "Không kết nối được máy in." in capsys.readouterr().err


def test_module_entry_point_runs_without_kivy(tmp_path):
    out = tmp_path / "sample.bin"
    code = (
        "import sys, runpy; sys.argv = ['kiosk.cli', 'print-sample', '--to', sys.argv[1]];"
        "\ntry:\n    runpy.run_module('kiosk.cli', run_name='__main__')"
        "\nexcept SystemExit as e:\n    assert e.code == 0, e.code"
        "\nassert 'kivy' not in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code, str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("Đã gửi phiếu mẫu")  # nothing from python-escpos
    assert out.read_bytes() == render_escpos_bytes(sample_printout(), PrinterSettings())
