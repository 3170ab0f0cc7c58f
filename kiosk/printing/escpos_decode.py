"""Read an ESC/POS byte stream back: raster images, native QR codes, cuts, plain text.

For tests and for operators checking what a kiosk sent ("did the QR go out? was the
paper cut?"). It walks the stream command by command, so bytes inside image data are
never mistaken for commands. Commands it does not know stop it with the offset, rather
than guessing a length and reporting garbage.

    python -m kiosk.printing.escpos_decode ticket.bin --images out/
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

ESC, GS, DLE = 0x1B, 0x1D, 0x10

# In raster data a 1 bit is a burnt dot; in a Pillow "1" image 1 is white.
_INVERT = bytes(255 - b for b in range(256))

# ESC <c> commands with a fixed number of parameter bytes.
_ESC_FIXED = {
    b"@": ("init", 0),
    b"a": ("align", 1),
    b"d": ("feed_lines", 1),
    b"J": ("feed_dots", 1),
    b"E": ("bold", 1),
    b"G": ("double_strike", 1),
    b"-": ("underline", 1),
    b"!": ("print_mode", 1),
    b"M": ("font", 1),
    b"t": ("codepage", 1),
    b"R": ("charset", 1),
    b"V": ("rotate", 1),
    b"{": ("upside_down", 1),
    b"2": ("line_spacing_default", 0),
    b"3": ("line_spacing", 1),
    b"p": ("cash_drawer", 3),
    b"i": ("cut", 0),  # legacy partial cut
    b"m": ("cut", 0),
    b"e": ("feed_reverse", 1),
}
# GS <c> commands with a fixed number of parameter bytes.
_GS_FIXED = {
    b"!": ("text_size", 1),
    b"B": ("invert", 1),
    b"H": ("barcode_text_position", 1),
    b"f": ("barcode_font", 1),
    b"h": ("barcode_height", 1),
    b"w": ("barcode_width", 1),
    b"a": ("auto_status_back", 1),
    b"r": ("status_request", 1),
    b"b": ("smoothing", 1),
    b"I": ("printer_id", 1),
    b"L": ("left_margin", 2),
    b"W": ("print_area_width", 2),
}
_QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}


class EscposDecodeError(ValueError):
    def __init__(self, offset: int, message: str) -> None:
        self.offset = offset
        super().__init__(f"at byte {offset}: {message}")


@dataclass(frozen=True)
class Command:
    offset: int
    name: str
    args: bytes = b""


@dataclass(frozen=True)
class RasterImage:
    """A `GS v 0` image; `image` is mode "1" with printed dots black."""

    offset: int
    width_bytes: int
    height: int
    density: int
    image: Image.Image


@dataclass(frozen=True)
class NativeQr:
    """A QR code the printer draws itself (`GS ( k`: data stored by function 80, printed by 81)."""

    offset: int
    data: bytes
    module_size: int | None
    error_correction: str | None
    model: int | None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(frozen=True)
class Cut:
    offset: int
    partial: bool
    feed: int | None = None


@dataclass
class DecodedStream:
    commands: list[Command] = field(default_factory=list)
    images: list[RasterImage] = field(default_factory=list)
    qr_codes: list[NativeQr] = field(default_factory=list)
    cuts: list[Cut] = field(default_factory=list)
    text: str = ""

    @property
    def ends_with_cut(self) -> bool:
        return bool(self.commands) and self.commands[-1].name == "cut"

    @property
    def has_init(self) -> bool:
        return bool(self.commands) and self.commands[0].name == "init"


@dataclass
class _QrState:
    """QR settings sent before the print command (functions 65, 67, 69, 80)."""

    model: int | None = None
    size: int | None = None
    ec: str | None = None
    data: bytes | None = None


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise EscposDecodeError(self.pos, f"stream ends inside {what}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u16(self, what: str) -> int:
        low, high = self.take(2, what)
        return low + 256 * high


def decode(data: bytes) -> DecodedStream:
    """Parse a whole ESC/POS job."""
    out = DecodedStream()
    reader = _Reader(data)
    text: list[bytes] = []
    qr_state = _QrState()
    while reader.pos < len(data):
        start = reader.pos
        byte = data[start]
        if byte == ESC:
            reader.take(1, "ESC")
            _decode_esc(reader, start, out)
        elif byte == GS:
            reader.take(1, "GS")
            _decode_gs(reader, start, out, qr_state)
        elif byte == DLE:
            reader.take(1, "DLE")
            _decode_dle(reader, start, out)
        elif byte in (0x0A, 0x0D, 0x09, 0x0C):
            reader.take(1, "control")
            text.append(bytes([byte]))
            out.commands.append(
                Command(start, {0x0A: "lf", 0x0D: "cr", 0x09: "tab", 0x0C: "ff"}[byte])
            )
        elif byte >= 0x20:
            reader.take(1, "text")
            text.append(bytes([byte]))
            if not out.commands or out.commands[-1].name != "text":
                out.commands.append(Command(start, "text"))
        else:
            raise EscposDecodeError(start, f"unknown control byte 0x{byte:02x}")
    # Code pages are printer-specific; latin-1 keeps every byte visible for a check.
    out.text = b"".join(text).decode("latin-1")
    return out


def _decode_esc(reader: _Reader, start: int, out: DecodedStream) -> None:
    code = reader.take(1, "ESC command")
    if code in _ESC_FIXED:
        name, size = _ESC_FIXED[code]
        args = reader.take(size, name)
        out.commands.append(Command(start, name, args))
        if name == "cut":
            out.cuts.append(Cut(start, partial=True))
        return
    if code == b"*":  # column-format image: m nL nH then 1 or 3 bytes per column
        mode = reader.take(1, "ESC *")[0]
        columns = reader.u16("ESC *")
        reader.take(columns * (3 if mode >= 32 else 1), "ESC * data")
        out.commands.append(Command(start, "column_image", bytes([mode])))
        return
    raise EscposDecodeError(start, f"unknown command ESC 0x{code[0]:02x}")


def _decode_gs(reader: _Reader, start: int, out: DecodedStream, qr: _QrState) -> None:
    code = reader.take(1, "GS command")
    if code == b"v":
        if reader.take(1, "GS v") != b"0":
            raise EscposDecodeError(start, "GS v other than GS v 0")
        density = reader.take(1, "GS v 0")[0]
        width_bytes = reader.u16("GS v 0 width")
        height = reader.u16("GS v 0 height")
        raster = reader.take(width_bytes * height, "GS v 0 image data")
        image = Image.frombytes("1", (width_bytes * 8, height), raster.translate(_INVERT))
        out.images.append(RasterImage(start, width_bytes, height, density, image))
        out.commands.append(Command(start, "raster_image", bytes([density])))
        return
    if code == b"(":
        function = reader.take(1, "GS (")
        body = reader.take(reader.u16("GS ( length"), "GS ( data")
        if function == b"k":
            _decode_2d_code(start, body, out, qr)
        else:
            out.commands.append(Command(start, f"gs({function.decode('latin-1')}", body))
        return
    if code == b"V":
        mode = reader.take(1, "GS V")[0]
        feed = reader.take(1, "GS V feed")[0] if mode >= 65 else None
        out.commands.append(Command(start, "cut", bytes([mode])))
        out.cuts.append(Cut(start, partial=mode in (1, 49, 66, 98, 104), feed=feed))
        return
    if code == b"k":  # barcode: m < 65 ends with NUL, otherwise a length byte
        kind = reader.take(1, "GS k")[0]
        if kind < 65:
            end = reader.data.find(b"\x00", reader.pos)
            if end < 0:
                raise EscposDecodeError(start, "barcode without its NUL terminator")
            reader.take(end + 1 - reader.pos, "barcode data")
        else:
            reader.take(reader.take(1, "barcode length")[0], "barcode data")
        out.commands.append(Command(start, "barcode", bytes([kind])))
        return
    if code in _GS_FIXED:
        name, size = _GS_FIXED[code]
        out.commands.append(Command(start, name, reader.take(size, name)))
        return
    raise EscposDecodeError(start, f"unknown command GS 0x{code[0]:02x}")


def _decode_2d_code(start: int, body: bytes, out: DecodedStream, qr: _QrState) -> None:
    """GS ( k: cn (49 = QR) fn parameters; fn 80 stores data, fn 81 prints it."""
    if len(body) < 2:
        raise EscposDecodeError(start, "GS ( k too short")
    cn, fn, params = body[0], body[1], body[2:]
    out.commands.append(Command(start, f"2d_code_fn{fn}", body))
    if cn != 49:  # PDF417 and others: recorded as commands only
        return
    if fn == 65 and params:
        qr.model = params[0] - 48
    elif fn == 67 and params:
        qr.size = params[0]
    elif fn == 69 and params:
        qr.ec = _QR_EC.get(params[0])
    elif fn == 80:
        qr.data = params[1:]  # params[0] is m = 48
    elif fn == 81:
        if qr.data is None:
            raise EscposDecodeError(start, "QR print command before any QR data")
        out.qr_codes.append(NativeQr(start, qr.data, qr.size, qr.ec, qr.model))


def _decode_dle(reader: _Reader, start: int, out: DecodedStream) -> None:
    code = reader.take(1, "DLE command")[0]
    if code == 0x04:
        out.commands.append(Command(start, "status_query", reader.take(1, "DLE EOT")))
    elif code == 0x14:
        out.commands.append(Command(start, "realtime_request", reader.take(3, "DLE DC4")))
    else:
        raise EscposDecodeError(start, f"unknown command DLE 0x{code:02x}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.printing.escpos_decode",
        description="Tóm tắt một tệp ESC/POS / Summarise an ESC/POS file.",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--images", type=Path, help="save each raster image as PNG here")
    args = parser.parse_args(argv)
    try:
        stream = decode(args.file.read_bytes())
    except (OSError, EscposDecodeError) as exc:
        print(f"Lỗi / Error: {exc}", file=sys.stderr)
        return 1
    for i, img in enumerate(stream.images):
        print(f"image {i}: {img.width_bytes * 8}x{img.height} dots at byte {img.offset}")
        if args.images:
            args.images.mkdir(parents=True, exist_ok=True)
            img.image.save(args.images / f"image_{i:02d}.png")
    for qr in stream.qr_codes:
        print(f"native QR: {qr.text!r} (module {qr.module_size}, EC {qr.error_correction})")
    print(f"cuts: {len(stream.cuts)}; ends with a cut: {'yes' if stream.ends_with_cut else 'no'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
