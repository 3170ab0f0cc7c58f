"""Report exports: CSV (UTF-8 with BOM so spreadsheet programs read the accents) and XLSX."""

from __future__ import annotations

import csv
import io

from queue_server.web.reporting import GROUPINGS, ReportRow

COLUMNS = (
    ("issued", "Số đã cấp", "Issued"),
    ("called", "Đã gọi", "Called"),
    ("served", "Đã phục vụ", "Served"),
    ("no_shows", "Vắng mặt", "No-shows"),
    ("no_show_rate", "Tỷ lệ vắng (%)", "No-show rate (%)"),
    ("transfers", "Chuyển", "Transfers"),
    ("wait_avg", "Chờ TB (phút)", "Wait avg (min)"),
    ("wait_median", "Chờ trung vị (phút)", "Wait median (min)"),
    ("wait_p90", "Chờ P90 (phút)", "Wait p90 (min)"),
    ("service_avg", "Phục vụ TB (phút)", "Service avg (min)"),
    ("service_median", "Phục vụ trung vị (phút)", "Service median (min)"),
    ("service_p90", "Phục vụ P90 (phút)", "Service p90 (min)"),
    ("very_satisfied", "Rất hài lòng", "Very satisfied"),
    ("satisfied", "Hài lòng", "Satisfied"),
    ("unsatisfied", "Không hài lòng", "Not satisfied"),
    ("satisfied_share", "Tỷ lệ hài lòng (%)", "Satisfied (%)"),
)


def header(grouping: str) -> list[str]:
    vi, en = GROUPINGS[grouping]
    return [f"{vi} / {en}"] + [f"{vi_name} / {en_name}" for _, vi_name, en_name in COLUMNS]


def values(row: ReportRow) -> list:
    out: list = [row.key]
    for name, _, _ in COLUMNS:
        value = getattr(row, name)
        if name in ("no_show_rate", "satisfied_share") and value is not None:
            value = round(value * 100, 1)
        out.append(value)
    return out


def to_csv(grouping: str, rows: list[ReportRow], total: ReportRow) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(grouping))
    for row in [*rows, total]:
        writer.writerow(["" if v is None else v for v in values(row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(grouping: str, rows: list[ReportRow], total: ReportRow, title: str) -> bytes:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("XLSX export needs openpyxl: pip install openpyxl") from exc
    book = Workbook()
    sheet = book.active
    sheet.title = "Báo cáo"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(header(grouping))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(values(row))
    sheet.append(values(total))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 36
    for letter in "BCDEFGHIJKLMNOPQ":
        sheet.column_dimensions[letter].width = 14
    sheet.freeze_panes = "B3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
