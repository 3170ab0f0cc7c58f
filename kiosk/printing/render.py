"""Draw a ticket as 1-bit image blocks exactly as wide as the printer's dot line.

Each block (header, label, QR, ...) is its own image and is sent as its own raster
command, so the printed label can be found again in the byte stream and compared
pixel for pixel with `render_label_block`.
"""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
from PIL import Image, ImageDraw

from kiosk.printing.textlines import Style, balanced_wrap, draw_lines, ellipsize, font, nfc, wrap
from kiosk.printing.ticket import TicketPrintout

# Dots per line of common thermal printers at 203 dpi (8 dots/mm).
PAPER_DOTS = {80: 576, 58: 384}

# Printers split raster images taller than this into several commands (python-escpos
# default); blocks stay below it so one block is always one command.
MAX_BLOCK_HEIGHT = 960

INSTRUCTION_VI = ("Quét mã QR để theo dõi lượt của bạn.", "Vui lòng chờ gọi số.")
INSTRUCTION_EN = "Scan the QR code to follow your turn."
TITLE = "SỐ THỨ TỰ / TICKET"

_INK = 0
_PAPER = 255
_THRESHOLD = 128


@dataclass(frozen=True)
class Block:
    """One horizontal strip of the ticket: a mode "1" image as wide as the paper."""

    name: str
    image: Image.Image


@dataclass(frozen=True)
class Layout:
    width: int
    margin: int
    header: Style
    site: Style
    title: Style
    service: Style
    procedure: Style
    row: Style
    row_value: Style
    small: Style
    label_max_height: int
    qr_fraction: float
    procedure_max_lines: int

    @property
    def left(self) -> int:
        return self.margin

    @property
    def right(self) -> int:
        return self.width - self.margin

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin


def layout_for(width: int) -> Layout:
    """Sizes for the paper: tuned for 576 (80 mm) and 384 (58 mm), scaled in between."""
    if width % 8 or not 256 <= width <= 832:
        raise ValueError(f"printer width must be a multiple of 8 between 256 and 832, not {width}")
    wide = width >= 512
    scale = width / (576 if wide else 384)

    def s(size: int) -> int:
        return max(12, round(size * scale))

    if wide:
        return Layout(
            width=width,
            margin=s(12),
            header=Style(s(26), bold=True),
            site=Style(s(24)),
            title=Style(s(26), bold=True),
            service=Style(s(26), bold=True),
            procedure=Style(s(24)),
            row=Style(s(24), align="left"),
            row_value=Style(s(24), bold=True, align="right"),
            small=Style(s(20)),
            label_max_height=s(190),
            qr_fraction=0.5,
            procedure_max_lines=6,
        )
    return Layout(
        width=width,
        margin=s(8),
        header=Style(s(22), bold=True),
        site=Style(s(20)),
        title=Style(s(22), bold=True),
        service=Style(s(22), bold=True),
        procedure=Style(s(20)),
        row=Style(s(20), align="left"),
        row_value=Style(s(20), bold=True, align="right"),
        small=Style(s(17)),
        label_max_height=s(140),
        qr_fraction=0.62,
        procedure_max_lines=7,
    )


def _scratch(width: int) -> Image.Image:
    # Drawn in grey with antialiasing, then thresholded: sharper strokes on thermal paper
    # than Pillow's aliased 1-bit text.
    return Image.new("L", (width, MAX_BLOCK_HEIGHT), _PAPER)


def _finish(name: str, scratch: Image.Image, height: int) -> Block:
    if height > MAX_BLOCK_HEIGHT:
        raise ValueError(f"block {name!r} is {height} dots tall, over {MAX_BLOCK_HEIGHT}")
    strip = scratch.crop((0, 0, scratch.width, height))
    return Block(name, strip.point(lambda v: 255 if v >= _THRESHOLD else 0, mode="1"))


def _text_block(name: str, layout: Layout, parts: list[tuple[str, Style, int]], pad: int) -> Block:
    """Stack wrapped paragraphs (text, style, max lines) between top and bottom padding."""
    scratch = _scratch(layout.width)
    y = pad
    for text, style, max_lines in parts:
        if not text or not text.strip():
            continue
        lines = wrap(text, style, layout.inner)
        if len(lines) > max_lines:
            lines = ellipsize(lines, max_lines, style, layout.inner)
        elif style.align == "center":
            lines = balanced_wrap(text, style, layout.inner)
        y = draw_lines(scratch, lines, style, y, layout.left, layout.right)
    return _finish(name, scratch, y + pad)


def _rule_block(layout: Layout) -> Block:
    scratch = _scratch(layout.width)
    thickness = max(2, layout.width // 192)
    height = 6 * thickness
    top = (height - thickness) // 2
    ImageDraw.Draw(scratch).rectangle(
        (layout.left, top, layout.right - 1, top + thickness - 1), fill=_INK
    )
    return _finish("rule", scratch, height)


def render_label_block(label: str, width: int) -> Image.Image:
    """The ticket label (e.g. "A023") as large as fits: the one thing read from afar."""
    layout = layout_for(width)
    text = nfc(label.strip())
    max_w = int(layout.inner * 0.94)

    def ink_box(size: int) -> tuple[int, int, int, int]:
        left, top, right, bottom = font(size, bold=True).getbbox(text)
        return int(left), int(top), int(right), int(bottom)

    low, high = 12, 600
    while low < high:
        mid = (low + high + 1) // 2
        left, top, right, bottom = ink_box(mid)
        if right - left <= max_w and bottom - top <= layout.label_max_height:
            low = mid
        else:
            high = mid - 1
    left, top, right, bottom = ink_box(low)
    pad = max(6, layout.width // 48)
    scratch = _scratch(layout.width)
    origin_x = (layout.width - (right - left)) // 2 - left
    ImageDraw.Draw(scratch).text((origin_x, pad - top), text, font=font(low, bold=True), fill=_INK)
    return _finish("label", scratch, (bottom - top) + 2 * pad).image


def _qr_matrix(data: str) -> list[list[bool]]:
    """QR modules without the quiet zone (error correction M survives a smudge)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_module_dots(data: str, width: int) -> int:
    """Dots per QR module so the symbol fills the layout's share of the paper width."""
    modules = len(_qr_matrix(data))
    target = int(layout_for(width).qr_fraction * width)
    return max(1, min(16, target // modules))


def render_qr_image(data: str, width: int) -> Image.Image:
    """The QR symbol, centred on a paper-wide strip with a white quiet zone of 4 modules."""
    matrix = _qr_matrix(data)
    n = len(matrix)
    box = qr_module_dots(data, width)
    quiet = 4 * box
    pixels = bytes(_INK if dark else _PAPER for row in matrix for dark in row)
    symbol = Image.frombytes("L", (n, n), pixels).resize(
        (n * box, n * box), Image.Resampling.NEAREST
    )
    height = n * box + 2 * quiet
    strip = Image.new("L", (width, height), _PAPER)
    strip.paste(symbol, ((width - n * box) // 2, quiet))
    return strip.point(lambda v: 255 if v >= _THRESHOLD else 0, mode="1")


def _pair_rows(
    scratch: Image.Image, layout: Layout, y: int, rows: list[tuple[str, str, Style, Style]]
) -> int:
    """Rows of "caption ........ value": caption wrapped on the left, value right-aligned."""
    draw = ImageDraw.Draw(scratch)
    gap = layout.width // 36
    for caption, value, caption_style, value_style in rows:
        value = nfc(value)
        value_w = int(value_style.font.getlength(value))
        beside_w = layout.inner - value_w - gap
        # Side by side only when the caption still fits on one line; otherwise the value
        # goes below, right-aligned, rather than breaking "Thời gian lấy / số".
        side_by_side = len(wrap(caption, caption_style, beside_w)) == 1
        caption_w = beside_w if side_by_side else layout.inner
        lines = wrap(caption, caption_style, caption_w)
        top = y
        y = draw_lines(scratch, lines, caption_style, y, layout.left, layout.left + caption_w)
        if not value:
            continue
        if side_by_side:
            # Share the first line's baseline so caption and value read as one line.
            baseline = top - caption_style.extent()[0]
            draw.text(
                (layout.right, baseline), value, font=value_style.font, fill=_INK, anchor="rs"
            )
            y = max(y, top + value_style.line_height)
        else:
            y = draw_lines(scratch, [value], value_style, y, layout.left, layout.right)
    return y


def _details_block(printout: TicketPrintout, layout: Layout) -> Block:
    small_left = Style(layout.small.size, align="left")
    small_right = Style(layout.small.size, align="right")
    ahead = str(printout.people_ahead)
    scratch = _scratch(layout.width)
    pad = layout.width // 48
    rows: list[tuple[str, str, Style, Style]] = [
        ("Thời gian lấy số", printout.issued_text, layout.row, layout.row_value),
        ("Issued", "", small_left, small_right),
        ("Số người phía trước", ahead, layout.row, layout.row_value),
        ("People ahead", "", small_left, small_right),
        ("Thời gian chờ dự kiến", printout.wait_text_vi, layout.row, layout.row_value),
        ("Estimated wait", printout.wait_text_en, small_left, small_right),
    ]
    y = _pair_rows(scratch, layout, pad, rows)
    return _finish("details", scratch, y + pad)


def _url_style(url: str, layout: Layout) -> Style:
    """Small enough to keep the address on one line if possible: easier to type."""
    size = layout.small.size
    floor = max(12, round(size * 0.75))
    while size > floor and len(wrap(url, Style(size), layout.inner)) > 1:
        size -= 1
    return Style(size)


def render_blocks(printout: TicketPrintout, width: int, include_qr: bool = True) -> list[Block]:
    """The ticket top to bottom. Without include_qr the printer draws the QR itself
    (native mode) between the "details" and "instruction" blocks."""
    layout = layout_for(width)
    pad = layout.width // 48
    blocks = [
        _text_block(
            "header",
            layout,
            [(printout.center_name, layout.header, 3), (printout.site_name, layout.site, 2)],
            pad,
        ),
        _rule_block(layout),
        _text_block("title", layout, [(TITLE, layout.title, 1)], pad // 2),
        *([_text_block("mark", layout, [(printout.mark, layout.title, 2)], pad // 2)] if printout.mark else []),
        Block("label", render_label_block(printout.label, width)),
        _rule_block(layout),
        _text_block(
            "service",
            layout,
            [
                (printout.service_name, layout.service, 2),
                (printout.procedure_name, layout.procedure, layout.procedure_max_lines),
            ],
            pad,
        ),
        _details_block(printout, layout),
    ]
    if include_qr:
        blocks.append(Block("qr", render_qr_image(printout.tracking_url, width)))
    small = layout.small
    blocks.append(
        _text_block(
            "instruction",
            layout,
            [
                *((sentence, layout.procedure, 2) for sentence in INSTRUCTION_VI),
                (INSTRUCTION_EN, small, 2),
                (printout.tracking_url, _url_style(printout.tracking_url, layout), 3),
                (printout.printed_note_vi or "", small, 4),
                (printout.printed_note_en or "", small, 4),
            ],
            pad,
        )
    )
    return blocks


def render_ticket_image(printout: TicketPrintout, width: int) -> Image.Image:
    """The whole ticket as one image, for previews, the kiosk screen and `--png`.

    The QR is always drawn here; a printer in native QR mode draws its own in that place.
    """
    blocks = render_blocks(printout, width, include_qr=True)
    sheet = Image.new("1", (width, sum(b.image.height for b in blocks)), 1)
    y = 0
    for block in blocks:
        sheet.paste(block.image, (0, y))
        y += block.image.height
    return sheet
