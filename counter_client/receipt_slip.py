"""The receipt slip for the counter's thermal printer (80 or 58 mm), drawn as an image.

Code pages garble Vietnamese (HEADLESS.md); text drawn with a TTF font that has every
tone mark prints the same on any ESC/POS printer. The full A5/A4 slip is the server's PDF;
this is its short form with the same fields and the same QR code.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import tzinfo

import qrcode
from PIL import Image, ImageDraw, ImageFont

from shared.dossier_protocol import DOCUMENT_FORM_VI, DossierOut, format_lookup_pin
from shared.fonts import BOLD, REGULAR

PAPER_DOTS = {80: 576, 58: 384}
TITLE = ("GIẤY TIẾP NHẬN HỒ SƠ", "VÀ HẸN TRẢ KẾT QUẢ")


@dataclass(frozen=True)
class SlipLine:
    text: str
    bold: bool = False
    size: int = 22
    center: bool = False


def slip_lines(dossier: DossierOut, pin: str | None, tz: tzinfo) -> list[SlipLine]:
    received = dossier.received_at.astimezone(tz)
    due = "Theo thông báo của cơ quan giải quyết"
    if dossier.due_at is not None:
        due = dossier.due_at.astimezone(tz).strftime("%H giờ %M, ngày %d/%m/%Y")
    elif dossier.due_date is not None:
        due = dossier.due_date.strftime("Ngày %d/%m/%Y")
    applicant = dossier.applicant
    lines = [SlipLine(dossier.site_name_vi, bold=True, size=20, center=True),
             *(SlipLine(t, bold=True, size=26, center=True) for t in TITLE),
             SlipLine(f"Mã hồ sơ: {dossier.code}", bold=True, size=24),
             SlipLine(f"Người nộp: {applicant.name}"),
             SlipLine(f"Số giấy tờ: {applicant.id_number}")]
    if applicant.phone:
        lines.append(SlipLine(f"Điện thoại: {applicant.phone}"))
    if applicant.address:
        lines.append(SlipLine(f"Địa chỉ: {applicant.address}"))
    lines += [SlipLine(f"Thủ tục: {dossier.procedure_code} {dossier.procedure_name_vi}"),
              SlipLine("Thành phần hồ sơ:", bold=True)]
    lines += [SlipLine(f"{i}. {d.name} ({d.copies} {DOCUMENT_FORM_VI[d.form].lower()})")
              for i, d in enumerate(dossier.documents, start=1)]
    lines += [SlipLine(f"Tiếp nhận lúc: {received:%H giờ %M, ngày %d/%m/%Y}"),
              SlipLine(f"Hẹn trả kết quả: {due}", bold=True),
              SlipLine(f"Cán bộ tiếp nhận: {dossier.received_by_name}")]
    if dossier.counter_number:
        lines.append(SlipLine(f"Quầy số {dossier.counter_number}"))
    lines.append(SlipLine("Quét mã QR để tra cứu hồ sơ", size=20, center=True))
    if pin:
        lines.append(SlipLine(f"Mã PIN tra cứu: {format_lookup_pin(pin)}", bold=True, size=24, center=True))
    return lines


def render_slip(dossier: DossierOut, pin: str | None, tz: tzinfo, paper_mm: int = 80) -> Image.Image:
    """A 1-bit image as wide as the paper's dot line, QR code included."""
    width = PAPER_DOTS[paper_mm]
    scale = width / PAPER_DOTS[80]
    margin = int(12 * scale)
    rows: list[Image.Image] = []
    lines = slip_lines(dossier, pin, tz)
    qr_after = next(i for i, line in enumerate(lines) if line.text.startswith("Quét mã QR"))
    for index, line in enumerate(lines):
        if index == qr_after:
            rows.append(_qr(dossier.lookup_url, int(width * 0.55), width))
        rows.append(_text_block(line, width, margin, scale))
    height = sum(r.height for r in rows) + int(40 * scale)
    slip = Image.new("1", (width, height), 1)
    y = int(10 * scale)
    for row in rows:
        slip.paste(row, (0, y))
        y += row.height
    return slip


def _text_block(line: SlipLine, width: int, margin: int, scale: float) -> Image.Image:
    font = ImageFont.truetype(str(BOLD if line.bold else REGULAR), max(12, int(line.size * scale)))
    text = unicodedata.normalize("NFC", line.text)
    usable = width - 2 * margin
    per_line = max(8, int(usable / (font.getlength("n") or 10)))
    wrapped = _wrap(text, font, usable, per_line)
    step = int(font.size * 1.3)
    block = Image.new("1", (width, step * len(wrapped) + int(4 * scale)), 1)
    draw = ImageDraw.Draw(block)
    for i, part in enumerate(wrapped):
        x = (width - font.getlength(part)) / 2 if line.center else margin
        draw.text((x, i * step), part, font=font, fill=0)
    return block


def _wrap(text: str, font: ImageFont.FreeTypeFont, usable: int, guess: int) -> list[str]:
    for chars in range(guess, 4, -1):
        parts = textwrap.wrap(text, chars, break_long_words=True) or [""]
        if all(font.getlength(p) <= usable for p in parts):
            return parts
    return [text]


def _qr(url: str, size: int, width: int) -> Image.Image:
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("1")
    image = image.resize((size, size), Image.Resampling.NEAREST)
    block = Image.new("1", (width, size + 8), 1)
    block.paste(image, ((width - size) // 2, 4))
    return block

