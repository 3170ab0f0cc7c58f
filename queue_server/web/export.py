"""Report exports: CSV (UTF-8 with BOM so spreadsheet programs read the accents) and XLSX."""

from __future__ import annotations

import csv
import io

# At module level: FastAPI reads the download pages' annotations from this module's names.
from fastapi import Request
from fastapi.responses import Response

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
    ("dossiers", "Hồ sơ tiếp nhận", "Dossiers received"),
    ("digitized_share", "Tỷ lệ số hóa (%)", "Digitized (%)"),
    ("document_lines", "Thành phần hồ sơ", "Documents"),
    ("reused_share", "Tỷ lệ tái sử dụng (%)", "Reused (%)"),
    ("fees_paid", "Số biên lai", "Fees paid"),
    ("fees_paid_vnd", "Lệ phí đã thu (đồng)", "Fees collected (VND)"),
)
SHARES = frozenset({"no_show_rate", "satisfied_share", "digitized_share", "reused_share"})


def header(grouping: str) -> list[str]:
    vi, en = GROUPINGS[grouping]
    return [f"{vi} / {en}"] + [f"{vi_name} / {en_name}" for _, vi_name, en_name in COLUMNS]


def values(row: ReportRow) -> list:
    out: list = [row.key]
    for name, _, _ in COLUMNS:
        value = getattr(row, name)
        if name in SHARES and value is not None:
            value = round(value * 100, 1)
        out.append(value)
    return out


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_download(request, kind: str, head: list[str], rows: list[list], *, title: str, filename: str,  # noqa: ANN001
                   sheet_title: str = "Báo cáo"):  # noqa: ANN201
    """A table as a CSV or XLSX attachment, with the pages' security headers."""
    from queue_server.web.templating import secure_headers

    if kind == "csv":
        body, media = table_csv(head, rows), "text/csv; charset=utf-8"
    else:
        body, media = table_xlsx(head, rows, title, sheet_title), XLSX
    response = Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    secure_headers(request, response)
    return response


def add_table_downloads(router, path: str, export) -> None:  # noqa: ANN001
    """GET `<path>.csv` and `<path>.xlsx` on `router`, both answered by `await export(request,
    kind)` (which checks who asks, then returns `table_download(...)`)."""
    from queue_server.web.session import web_page

    def download(kind: str):  # noqa: ANN202
        async def page(request: Request) -> Response:
            return await export(request, kind)

        return web_page(page)

    for kind in ("csv", "xlsx"):
        router.add_api_route(f"{path}.{kind}", download(kind), methods=["GET"],
                             name=f"{path.strip('/').replace('/', '_')}_{kind}")


def table_csv(head: list[str], rows: list[list]) -> bytes:
    """A table as CSV; the last row is the total."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(head: list[str], rows: list[list], title: str, sheet_title: str = "Báo cáo") -> bytes:
    """A table as an XLSX sheet under a title line; the last row (the total) in bold."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("XLSX export needs openpyxl: pip install openpyxl") from exc
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(head)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 36
    for index in range(2, len(head) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.freeze_panes = "B3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
