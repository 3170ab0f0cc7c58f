"""`motcua kiosk print-sample` sends the sample ticket's exact ESC/POS bytes to any printer
address the kiosk takes (here a file and a raw TCP printer on 127.0.0.1), through the
kiosk's own printing code, and fails loudly when the printer cannot be reached."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops

from kiosk.cli import main, print_sample_command, sample_printer
from kiosk.printing import PrinterSettings, render_escpos_bytes, render_label_block, sample_printout
from kiosk.printing.escpos_decode import decode
from kiosk.settings import load_settings, printer_address

REPO = Path(__file__).resolve().parents[3]


def same(a, b) -> bool:
    return (
        a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    )


def assert_is_the_sample_ticket(data: bytes, width: str, qr: str) -> None:
    """The bytes are the sample ticket's: label, QR that scans to its page, cut."""
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


@pytest.mark.parametrize(
    "width, qr", [("80", "image"), ("58", "image"), ("80", "native"), ("58", "native")]
)
def test_print_sample_writes_bytes_that_decode_to_the_sample_ticket(tmp_path, capsys, width, qr):
    out = tmp_path / "sample.bin"
    assert print_sample_command(["--to", str(out), "--width", width, "--qr", qr]) == 0
    assert "Sent sample ticket" in capsys.readouterr().out
    assert_is_the_sample_ticket(out.read_bytes(), width, qr)


@pytest.mark.parametrize("width, qr", [("80", "image"), ("58", "native")])
def test_print_sample_prints_on_a_network_printer_given_by_its_address(
    fake_printer, tmp_path, monkeypatch, capsys, width, qr
):
    monkeypatch.chdir(tmp_path)  # nothing may land in a file named after the address
    printer = fake_printer()
    address = f"network:127.0.0.1:{printer.port}"
    assert print_sample_command(["--to", address, "--width", width, "--qr", qr, "--timeout", "2"]) == 0
    assert_is_the_sample_ticket(printer.wait_for_job(), width, qr)
    assert f"Sent sample ticket: {address}" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_network_printer_exits_non_zero_with_the_reason(
    refused_port, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    address = f"network:127.0.0.1:{refused_port}"
    assert print_sample_command(["--to", address, "--timeout", "2"]) == 1
    out, err = capsys.readouterr()
    assert "Sent" not in out
    assert f"{address}: Không kết nối được máy in. / The printer cannot be reached." in err
    assert "ConnectionRefusedError" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "address", ["usb:0416:5011", "serial:/dev/motcua-no-such-tty@19200", "cups:TM-T20"]
)
def test_every_kiosk_address_reaches_its_own_transport(address, tmp_path, monkeypatch, capsys):
    """Read by the kiosk's own parser into the settings the kiosk would print with; with no
    such printer here, each fails with its reason instead of writing a file."""
    monkeypatch.chdir(tmp_path)
    kiosk = load_settings(tmp_path / "none.ini", environ={"MOTCUA_KIOSK_PRINTER": address}).printer
    assert sample_printer(address, paper_width_mm=80, qr_mode="image", timeout=5.0) == kiosk
    assert print_sample_command(["--to", address, "--timeout", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(printer_address(kiosk) + ": ")
    assert "máy in" in err and "printer" in err
    assert list(tmp_path.iterdir()) == []


def test_a_mistyped_or_dummy_address_is_refused_not_written_to_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert print_sample_command(["--to", "netwrok:127.0.0.1:9100"]) == 2
    assert "Wrong printer address" in capsys.readouterr().err
    assert print_sample_command(["--to", "dummy"]) == 2
    assert "dummy prints nowhere" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert print_sample_command(["--to", f"file:{tmp_path / 'by-address.bin'}"]) == 0
    assert_is_the_sample_ticket((tmp_path / "by-address.bin").read_bytes(), "80", "image")


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


def test_the_readme_printer_addresses_mean_what_they_say():
    """Each address the README offers reads back unchanged (a serial baud rate after ":"
    instead of "@" would silently become part of the device name)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### A real ticket printer", 1)[1].split("\n### ", 1)[0]
    addresses = re.findall(r"`((?:network|usb|serial|cups|file):[^`\s]+)`", section)
    assert {a.partition(":")[0] for a in addresses} == {"network", "usb", "serial", "cups", "file"}
    for address in addresses:
        assert printer_address(sample_printer(address)) == address
    assert "print-sample --to ADDRESS" in section
