"""The tracking book: "Sổ theo dõi hồ sơ" (form 07 of Circular 03/2025/TT-VPCP; form 06
under Circular 01/2018/TT-VPCP), for a site or a processing agency over a date range: one
line per dossier received, with each date of its way. A4 (turned sideways: fourteen
columns) as PDF, and the same table as XLSX."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer

from ._layout import A4_LANDSCAPE, build_pdf, national_header, sheet, table, text
from .vi_format import format_date_vi

TITLE = "SỔ THEO DÕI HỒ SƠ"
COLUMNS = (
    "STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết", "Nhận hồ sơ", "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết", "Nhận kết quả từ cơ quan giải quyết", "Trả kết quả cho cá nhân, tổ chức",
    "Ký nhận", "Ghi chú",
)
DATE_COLUMNS = ("Ngày, tháng, năm", 7, 11)  # the dates share one heading over columns 8-12
_WIDTHS = (0.03, 0.135, 0.12, 0.04, 0.085, 0.095, 0.085, 0.062, 0.062, 0.062, 0.062, 0.062, 0.04, 0.06)


@dataclass(frozen=True)
class BookLine:
    dossier_code: str
    procedure_name: str
    sets: int
    applicant_name: str
    address_phone: str
    agency_name: str
    received: date
    due: date | None
    forwarded: date | None
    result_back: date | None
    returned: date | None
    note: str = ""


@dataclass(frozen=True)
class TrackingBookData:
    unit_name: str  # the site or the agency whose book it is
    start: date
    end: date
    lines: Sequence[BookLine]
    issued_at: datetime  # aware
    governing_body: str = ""
    place_name: str = ""
    tz: str = "Asia/Ho_Chi_Minh"


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def line_values(n: int, line: BookLine) -> list:
    return [n, line.dossier_code, line.procedure_name, line.sets, line.applicant_name, line.address_phone,
            line.agency_name, _d(line.received), _d(line.due), _d(line.forwarded), _d(line.result_back),
            _d(line.returned), "", line.note]


def period_vi(data: TrackingBookData) -> str:
    return f"Từ {format_date_vi(data.start)} đến {format_date_vi(data.end)}"


def render_tracking_book_pdf(data: TrackingBookData) -> bytes:
    if data.end < data.start:
        raise ValueError("the period ends before it starts")
    sh = sheet(A4_LANDSCAPE, data.issued_at, data.tz, data.place_name)
    base, st, width, place_date = sh.base, sh.st, sh.width, sh.place_date
    story: list[Flowable] = [
        national_header(governing_body=data.governing_body, unit_name=data.unit_name, place_date=place_date,
                        width=width * 0.7, base=base),
        Paragraph(TITLE, st["title"]),
        Paragraph(text(period_vi(data)), st["small_center"]),
        Spacer(1, base * 0.6),
        _book_table(data, st, width),
        Spacer(1, base * 0.5),
        Paragraph(f"Tổng số: {len(data.lines)} hồ sơ.", st["body"]),
    ]
    return build_pdf(story, page=A4_LANDSCAPE, title=f"{TITLE} {data.unit_name}",
                     footer=f"Sổ theo dõi hồ sơ · {data.unit_name} · {period_vi(data)}")


def _book_table(data: TrackingBookData, st: dict, width: float) -> Flowable:
    cell, centre = st["small"], st["small_center"]
    label, first, last = DATE_COLUMNS
    top = [Paragraph(f"<b>{h}</b>", centre) if not first <= i <= last else "" for i, h in enumerate(COLUMNS)]
    top[first] = Paragraph(f"<b>{label}</b>", centre)
    second = ["" if not first <= i <= last else Paragraph(f"<b>{h}</b>", centre) for i, h in enumerate(COLUMNS)]
    numbers = [Paragraph(f"({i})", centre) for i in range(1, len(COLUMNS) + 1)]
    rows: list[list] = [top, second, numbers]
    for n, line in enumerate(data.lines, start=1):
        rows.append([Paragraph(text(str(v)), centre if i in (0, 3) or first <= i <= last else cell)
                     for i, v in enumerate(line_values(n, line))])
    spans = [("SPAN", (first, 0), (last, 0))] + [("SPAN", (i, 0), (i, 1)) for i in range(len(COLUMNS))
                                                 if not first <= i <= last]
    return _repeating(rows, [width * w for w in _WIDTHS], spans)


def _repeating(rows: list[list], widths: list[float], spans: list[tuple]) -> Flowable:
    """The register runs over pages: its three heading rows repeat on each."""
    result = table(rows, widths, [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 2), colors.HexColor("#EEEEEE")),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        *spans,
    ])
    result.repeatRows = 3
    return result


def render_tracking_book_xlsx(data: TrackingBookData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Sổ theo dõi hồ sơ"
    sheet.append([f"{TITLE} — {data.unit_name}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([period_vi(data)])
    sheet.append(list(COLUMNS))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for n, line in enumerate(data.lines, start=1):
        values = line_values(n, line)
        for i in range(7, 12):  # real dates in the sheet, so they sort and filter
            values[i] = [line.received, line.due, line.forwarded, line.result_back, line.returned][i - 7]
        sheet.append(values)
    for letter, chars in zip("ABCDEFGHIJKLMN", (5, 26, 40, 8, 24, 30, 28, 12, 12, 12, 12, 12, 10, 24), strict=True):
        sheet.column_dimensions[letter].width = chars
    for row in sheet.iter_rows(min_row=4, min_col=8, max_col=12):
        for cell in row:
            cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "C4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
