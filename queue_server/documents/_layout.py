"""The shared look of the desk's forms: page sizes, embedded Vietnamese fonts, the national
motto header, a vector QR code and a footer that names the dossier on every page."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from shared.fonts import BOLD, REGULAR

from .vi_format import format_date_vi, format_moment_vi

PageName = Literal["A5", "A4"]
# The tracking book (sổ theo dõi hồ sơ) is a wide register: A4 turned sideways.
A4_LANDSCAPE = "A4-landscape"
FONT = "MotcuaSans"
FONT_BOLD = "MotcuaSans-Bold"


@dataclass(frozen=True)
class PageSpec:
    size: tuple[float, float]
    margin: float
    font_size: float
    qr_size: float


PAGES: dict[str, PageSpec] = {
    "A5": PageSpec(A5, 10 * mm, 8.5, 27 * mm),
    "A4": PageSpec(A4, 18 * mm, 11.0, 36 * mm),
    A4_LANDSCAPE: PageSpec(landscape(A4), 10 * mm, 8.0, 30 * mm),
}


def page_spec(page: str) -> PageSpec:
    try:
        return PAGES[page]
    except KeyError:
        raise ValueError(f"page must be one of {sorted(PAGES)}, not {page!r}") from None


@dataclass(frozen=True)
class Sheet:
    """What every form of the agencies starts from: the page, its type sizes, the width
    between the margins, the local time zone and the "Huế, ngày … tháng … năm …" line."""

    spec: PageSpec
    base: float
    st: dict[str, ParagraphStyle]
    width: float
    zone: ZoneInfo
    place_date: str

    def field(self, label: str, value: str) -> Paragraph:
        return field_line(label, value, self.st["field"])

    def masthead(self, governing_body: str, unit_name: str, title: str) -> list[Flowable]:
        """The issuing body and the national motto, then the form's title."""
        return [national_header(governing_body=governing_body, unit_name=unit_name, place_date=self.place_date,
                                width=self.width, base=self.base),
                Paragraph(title, self.st["title"])]

    def heading(self, governing_body: str, unit_name: str, title: str, dossier_code: str) -> list[Flowable]:
        """The masthead and, under the title, the dossier code."""
        return [*self.masthead(governing_body, unit_name, title),
                Paragraph(f"Mã hồ sơ: {text(dossier_code)}", self.st["code"])]

    def local(self, moment: datetime) -> datetime:
        """An aware moment in the site's time zone: the citizen reads local time."""
        return moment.astimezone(self.zone)

    def addressee(self, applicant_name: str, address: str) -> list[Flowable]:
        """"Kính gửi: Ông/Bà …" and the address, at the head of a letter to the citizen."""
        return [Paragraph(f"<b>Kính gửi:</b> Ông/Bà {text(applicant_name)}", self.st["field"]),
                self.field("Địa chỉ", address)]

    def received_recap(self, received_at: datetime, receiving_unit: str, procedure_name: str) -> list[Flowable]:
        """When and where the dossier was received, and what it asks: how a letter about a
        dossier already in hand recalls it."""
        return [Paragraph(f"Vào {format_moment_vi(self.local(received_at))}, {text(receiving_unit)} đã "
                          "tiếp nhận hồ sơ của Ông/Bà:", self.st["field"]),
                self.field("Nội dung yêu cầu giải quyết", procedure_name)]

    def signatures(self, right_title: str, right_name: str, left_title: str = "",
                   left_name: str = "") -> list[Flowable]:
        """The signature block at the foot of a form, kept on one page; the right-hand one
        is the issuer's, the left-hand one (if any) the citizen's."""
        return [Spacer(1, self.base * 0.8),
                KeepTogether(signature_block(left_title, left_name, right_title, right_name, width=self.width,
                                             st=self.st, base=self.base))]


def sheet(page: str, issued_at: datetime, tz: str, place_name: str = "") -> Sheet:
    if issued_at.tzinfo is None:
        raise ValueError("the issue moment must be timezone-aware")
    spec = page_spec(page)
    register_fonts()
    zone = ZoneInfo(tz)
    place_date = format_date_vi(issued_at.astimezone(zone).date())
    if place_name:
        place_date = f"{place_name}, {place_date}"
    return Sheet(spec, spec.font_size, styles(spec.font_size), spec.size[0] - 2 * spec.margin, zone, place_date)


def register_fonts() -> None:
    """Embed DejaVu (subset, TrueType) so tones render on any viewer or printer."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(REGULAR)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(BOLD)))
    # There is no italic face: <i> falls back to upright instead of failing.
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


def text(value: str) -> str:
    """Clean user text for Paragraph markup: NFC (decomposed tone marks render as loose
    accents), whitespace runs folded (catalog names carry line breaks), & < > escaped."""
    return escape(" ".join(unicodedata.normalize("NFC", value).split()))


def field_line(label: str, value: str, style: ParagraphStyle) -> Paragraph:
    """'Label: value' with a hanging indent; an empty value shows a dash, not a gap."""
    shown = text(value) if value.strip() else "—"
    return Paragraph(f"<b>{label}:</b> {shown}", style)


def contact_line(phone: str, email: str) -> str:
    return f"{phone}    Email: {email}" if email else phone


def styles(base: float) -> dict[str, ParagraphStyle]:
    leading = base * 1.3
    body = ParagraphStyle("body", fontName=FONT, fontSize=base, leading=leading, alignment=TA_LEFT)
    return {
        "body": body,
        "field": ParagraphStyle(
            "field", parent=body, leftIndent=base, firstLineIndent=-base, spaceAfter=base * 0.25
        ),
        # The number stays inline (not a bullet): text extractors and screen readers
        # would otherwise read all the numbers first, then all the lines.
        "item": ParagraphStyle(
            "item", parent=body, leftIndent=base * 2.6, firstLineIndent=-base * 1.6
        ),
        "reason": ParagraphStyle(
            "reason", parent=body, leftIndent=base * 2.6, spaceAfter=base * 0.35
        ),
        "small": ParagraphStyle("small", parent=body, fontSize=base * 0.85, leading=base * 1.1),
        "center_bold": ParagraphStyle(
            "center_bold", parent=body, fontName=FONT_BOLD, alignment=TA_CENTER
        ),
        "small_center": ParagraphStyle(
            "small_center", parent=body, fontSize=base * 0.85, leading=base * 1.1,
            alignment=TA_CENTER,
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=base * 1.35,
            leading=base * 1.75, alignment=TA_CENTER, spaceBefore=base * 0.8,
        ),
        "code": ParagraphStyle(
            "code", parent=body, fontName=FONT_BOLD, fontSize=base * 1.2, leading=base * 1.6,
            alignment=TA_CENTER, spaceAfter=base * 0.6,
        ),
    }


def table(rows: list[list[Any]], col_widths: list[float], style: list[tuple]) -> Table:
    """A layout table whose cells start in the embedded font: reportlab would otherwise
    select Helvetica in every cell, a font reference that is never embedded."""
    result = Table(rows, colWidths=col_widths)
    result.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *style]))
    return result


def national_header(
    *,
    governing_body: str,
    unit_name: str,
    place_date: str,
    width: float,
    base: float,
) -> Table:
    """Left: the issuing body; right: the national motto, as on every administrative form."""
    size = base * 0.92
    left_style = ParagraphStyle(
        "hl", fontName=FONT, fontSize=size, leading=size * 1.25, alignment=TA_CENTER
    )
    left_bold = ParagraphStyle("hlb", parent=left_style, fontName=FONT_BOLD)
    motto_size = _fit_size(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", FONT_BOLD, size, width * 0.58 - 4
    )
    right_bold = ParagraphStyle(
        "hrb", parent=left_bold, fontSize=motto_size, leading=motto_size * 1.3
    )
    left: list[Flowable] = []
    if governing_body:
        left.append(Paragraph(text(governing_body.upper()), left_style))
    left += [
        Paragraph(text(unit_name.upper()), left_bold),
        HRFlowable(width="35%", thickness=0.6, color=colors.black, spaceBefore=2),
    ]
    right: list[Flowable] = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right_bold),
        Paragraph("Độc lập - Tự do - Hạnh phúc", right_bold),
        HRFlowable(width="55%", thickness=0.6, color=colors.black, spaceBefore=2),
    ]
    if place_date:
        right += [Spacer(1, base * 0.4), Paragraph(text(place_date), left_style)]
    return table(
        [[left, right]],
        [width * 0.42, width * 0.58],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # centres the rules under the lines
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ],
    )


def _fit_size(line: str, font: str, preferred: float, width: float) -> float:
    natural = pdfmetrics.stringWidth(line, font, preferred)
    return preferred if natural <= width else preferred * width / natural


class QrCode(Flowable):
    """A QR code drawn as one vector path: sharp at any printer resolution, and no seams
    between modules for a phone camera to trip on."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
        qr.add_data(data)
        qr.make(fit=True)
        self.matrix: list[list[bool]] = qr.get_matrix()  # quiet zone included
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        cells = len(self.matrix)
        module = self.size / cells
        path = self.canv.beginPath()
        for row_index, row in enumerate(self.matrix):
            y = self.size - (row_index + 1) * module
            col = 0
            while col < cells:
                if not row[col]:
                    col += 1
                    continue
                run_start = col
                while col < cells and row[col]:
                    col += 1
                path.rect(run_start * module, y, (col - run_start) * module, module)
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


def signature_block(
    left_title: str, left_name: str, right_title: str, right_name: str, *, width: float,
    st: dict[str, ParagraphStyle], base: float,
) -> Table:
    def cell(title: str, name: str) -> list[Flowable]:
        cell_flowables: list[Flowable] = [
            Paragraph(title, st["center_bold"]),
            Paragraph("(Ký và ghi rõ họ tên)", st["small_center"]),
            Spacer(1, base * 4.5),
        ]
        if name:
            cell_flowables.append(Paragraph(text(name), st["center_bold"]))
        return cell_flowables

    rows: list[Any] = [
        cell(left_title, left_name) if left_title else "",
        cell(right_title, right_name),
    ]
    return table([rows], [width / 2, width / 2], [("VALIGN", (0, 0), (-1, -1), "TOP")])


def build_pdf(
    story: Sequence[Flowable], *, page: str, title: str, footer: str
) -> bytes:
    spec = page_spec(page)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=spec.size,
        leftMargin=spec.margin,
        rightMargin=spec.margin,
        topMargin=spec.margin,
        bottomMargin=spec.margin + spec.font_size * 1.6,  # room for the footer
        title=title,
        author="motcua",
        creator="motcua",
        lang="vi-VN",
        # Else reportlab opens every page in Helvetica: a font reference never embedded.
        initialFontName=FONT,
        initialFontSize=spec.font_size,
    )
    footer_size = spec.font_size * 0.75
    footer = unicodedata.normalize("NFC", footer)

    def make_canvas(*args: Any, **kwargs: Any) -> canvas.Canvas:
        return _FooterCanvas(
            *args, footer=footer, font_size=footer_size, baseline=spec.margin, **kwargs
        )

    doc.build(list(story), canvasmaker=make_canvas)
    return buffer.getvalue()


def build_dossier_pdf(story: Sequence[Flowable], *, page: str, title: str, dossier_code: str) -> bytes:
    """A form about one dossier: its code follows the title and stands in every footer."""
    return build_pdf(story, page=page, title=f"{title} {dossier_code}", footer=f"Mã hồ sơ {dossier_code}")


class _FooterCanvas(canvas.Canvas):
    """Holds pages back until the end so each footer can say 'Trang 1/2': a loose second
    page of a slip still tells which dossier it belongs to."""

    def __init__(
        self, *args: Any, footer: str, font_size: float, baseline: float, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._footer_baseline = baseline
        self._footer_size = font_size
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            width, _ = self._pagesize
            self.setFont(FONT, self._footer_size)
            self.setFillColor(colors.grey)
            label = f"{self._footer} · Trang {number}/{total}" if self._footer else (
                f"Trang {number}/{total}"
            )
            self.drawCentredString(width / 2, self._footer_baseline, label)
            super().showPage()
        super().save()
