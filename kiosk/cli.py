"""`motcua kiosk`: the touchscreen app, and operator commands that need no screen.

    motcua kiosk                                            # start the app (= motcua kiosk run)
    motcua kiosk run --config /etc/motcua/kiosk.ini --size 1080x1920
    motcua kiosk print-sample --to network:192.168.1.50:9100  # a test ticket on a real printer
    motcua kiosk print-sample --to usb:0416:5011               # any address the kiosk takes
    motcua kiosk print-sample --to ticket.bin --width 58       # the exact bytes, to inspect
    motcua kiosk print-sample --to ticket.bin --png ticket.png

Kivy is imported only by `run`: print-sample works on a machine without a screen.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from kiosk.printing.device import EscposTicketPrinter
from kiosk.printing.errors import PrinterError
from kiosk.printing.render import render_ticket_image
from kiosk.printing.settings import PrinterSettings
from kiosk.printing.ticket import sample_printout
from kiosk.settings import SettingsError, parse_printer_address, printer_address


def _sample_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua kiosk print-sample",
        description=(
            "In phiếu mẫu (số A023) ra tệp hoặc máy in ESC/POS. "
            "Print the sample ticket (A023) to an ESC/POS file or printer device."
        ),
    )
    parser.add_argument(
        "--to",
        metavar="ADDRESS",
        help="a printer address as the kiosk's settings take it (network:HOST[:PORT], "
        "usb:VENDOR:PRODUCT, serial:DEVICE[@BAUD], cups:NAME, file:PATH), or a file path",
    )
    parser.add_argument("--width", type=int, choices=(80, 58), default=80, help="paper width in mm")
    parser.add_argument(
        "--qr",
        choices=("native", "image"),
        default="image",
        help="QR drawn by the printer or sent as an image",
    )
    parser.add_argument(
        "--png", type=Path, metavar="FILE", help="also save the rendered ticket as PNG"
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for the device"
    )
    return parser


def print_sample_command(argv: list[str]) -> int:
    """`motcua kiosk print-sample ...`; argv is what follows "print-sample". Returns an exit code."""
    if argv[:1] == ["print-sample"]:
        argv = argv[1:]
    parser = _sample_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help or a usage error; argparse already explained
        return int(exc.code or 0)
    if args.to is None and args.png is None:
        parser.print_usage(sys.stderr)
        print("Cần --to hoặc --png / Give --to or --png", file=sys.stderr)
        return 2

    printout = sample_printout()
    if args.png is not None:
        args.png.parent.mkdir(parents=True, exist_ok=True)
        render_ticket_image(printout, PrinterSettings(paper_width_mm=args.width).width_dots).save(
            args.png
        )
        print(f"Đã lưu ảnh phiếu / Saved ticket image: {args.png}")
    if args.to is not None:
        try:
            settings = sample_printer(args.to, paper_width_mm=args.width, qr_mode=args.qr,
                                      timeout=args.timeout)
        except SettingsError as exc:
            parser.print_usage(sys.stderr)
            print(f"Địa chỉ máy in sai / Wrong printer address: {exc}", file=sys.stderr)
            return 2
        where = printer_address(settings)
        try:
            with _printing_log_silenced():
                EscposTicketPrinter(settings).print_ticket(printout)  # what the kiosk prints with
        except PrinterError as exc:
            print(f"{where}: {exc.message_vi} / {exc.message_en} ({exc.detail})", file=sys.stderr)
            return 1
        print(f"Đã gửi phiếu mẫu / Sent sample ticket: {where} ({args.width} mm, QR {args.qr})")
    return 0


@contextmanager
def _printing_log_silenced() -> Iterator[None]:
    """The printing code logs its outcome for the kiosk's log; here the outcome is printed
    once, in both languages (python-escpos sets up root logging on import, so the log line
    would show on the terminal too, in English only)."""
    log = logging.getLogger("kiosk.printing")
    handler, propagate = logging.NullHandler(), log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        yield
    finally:
        log.propagate = propagate
        log.removeHandler(handler)


def sample_printer(target: str, **details: object) -> PrinterSettings:
    """The printer `--to` names: an address in the kiosk's own syntax (parsed by the same
    function as its settings), or a plain path, which is a file. Anything that looks like
    an address but is not one ("netwrok:...") is refused rather than written to a file
    of that name; so is "dummy", which prints nowhere."""
    kind, colon, _ = target.partition(":")
    looks_like_address = bool(colon) and kind.isalpha()  # not /dev/usb/lp0 or ./ticket.bin
    if not looks_like_address and target.strip() != "dummy":
        address = {"connection": "file", "path": target}
    else:
        address = parse_printer_address(target)
    if address["connection"] == "dummy":
        raise SettingsError(f"printer address {target!r}: dummy prints nowhere; give a real printer")
    try:
        return PrinterSettings.from_mapping({**address, **details})
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua kiosk run",
        description=(
            "Chạy ki-ốt lấy số. Start the kiosk app. Settings: the INI file (--config, "
            "MOTCUA_KIOSK_CONFIG, or ~/.config/motcua/kiosk.ini), then MOTCUA_KIOSK_* and "
            "MOTCUA_PRINTER_* environment variables, which win."
        ),
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (INI)")
    parser.add_argument(
        "--size", metavar="WxH", help="window size, e.g. 1920x1080 or 1080x1920 (default: the screen)"
    )
    parser.add_argument("--fullscreen", action="store_true", default=None, help="full screen")
    return parser


def run_command(argv: list[str]) -> int:
    """`motcua kiosk run ...`: load and check the settings, then start the app."""
    parser = _run_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    size = None
    if args.size:
        width, _, height = args.size.lower().partition("x")
        if not (width.isdigit() and height.isdigit()):
            parser.print_usage(sys.stderr)
            print("--size: WxH, ví dụ / e.g. 1080x1920", file=sys.stderr)
            return 2
        size = (int(width), int(height))
    from kiosk.settings import load_settings

    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(f"Cài đặt ki-ốt sai / Kiosk settings error: {exc}", file=sys.stderr)
        return 2
    if args.fullscreen:
        settings = replace(settings, fullscreen=True)
    from kiosk.run import run_kiosk  # Kivy from here on

    return run_kiosk(settings, size)


COMMANDS = {"run": run_command, "print-sample": print_sample_command}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        return run_command(argv)  # `motcua kiosk [--size ...]` starts the app
    if argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv[0] not in COMMANDS:
        print(f"Lệnh / Commands: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
