"""`motcua cccd-sample`: print a test ID card's QR (text and PNG) to try the scan in a demo."""

from __future__ import annotations

import argparse
from pathlib import Path

from shared.cccd import SAMPLE_CARDS, format_card_qr


def write_qr_png(text: str, target: Path, *, box_size: int = 8) -> Path:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    qr.add_data(text.encode("utf-8"))  # bytes: the reader sees UTF-8, as a card's QR holds
    qr.make(fit=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    qr.make_image(fill_color="black", back_color="white").save(target)
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua cccd-sample",
                                     description="Print a made-up chip ID card's QR code (PNG) for a demo scan.")
    parser.add_argument("--card", choices=sorted(SAMPLE_CARDS), default="elderly",
                        help="elderly: born 1960 (kiosk offers priority); young: born 2001")
    parser.add_argument("--out", default="cccd-sample.png", help="PNG file to write")
    args = parser.parse_args(argv)
    line = format_card_qr(SAMPLE_CARDS[args.card])
    path = write_qr_png(line, Path(args.out))
    print(line)
    print(f"QR written to {path} - show it to the counter's scanner (F2 on the dossier form)")
    return 0
