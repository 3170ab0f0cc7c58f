"""The control slip: "Phiếu kiểm soát quá trình giải quyết hồ sơ" (form 06 of Circular
03/2025/TT-VPCP; form 05 under Circular 01/2018/TT-VPCP). It travels with the dossier and
records every hand-off: who gave it, who took it, when, and whether on time (before, on or
after the due day). A5, with the QR code of the dossier's lookup page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer

from ._layout import PageName, QrCode, build_pdf, sheet, table, text
from .vi_format import format_appointment_vi

TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"


@dataclass(frozen=True)
class HandoffLine:
    giver: str  # "Trung tâm … (Nguyễn Văn An)"
    taker: str
    at: datetime  # aware
    result: str  # "Trước hạn" | "Đúng hạn" | "Quá hạn" | ""
    note: str = ""


@dataclass(frozen=True)
class ControlSlipData:
    unit_name: str  # the receiving center
    dossier_code: str
    applicant_name: str
    procedure_name: str
    agency_name: str  # the processing agency ("" while not known)
    received_at: datetime  # aware
    due: date | None
    new_due: date | None
    handoffs: Sequence[HandoffLine]
    lookup_url: str
    issued_at: datetime  # aware
    coordinating: str = ""  # cơ quan phối hợp giải quyết
    governing_body: str = ""
    place_name: str = ""
    tz: str = "Asia/Ho_Chi_Minh"


def _moment(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def render_control_slip_pdf(data: ControlSlipData, page: PageName = "A5") -> bytes:
    if data.issued_at.tzinfo is None or data.received_at.tzinfo is None:
        raise ValueError("issued_at and received_at must be timezone-aware")
    if not data.lookup_url.strip():
        raise ValueError("a control slip needs the lookup URL for its QR code")
    sh = sheet(page, data.issued_at, data.tz, data.place_name)
    spec, base, st, width, zone, field = sh.spec, sh.base, sh.st, sh.width, sh.zone, sh.field

    due = format_appointment_vi(data.due) if data.due else ""
    if data.new_due:
        due = f"{due} — hẹn lại: {format_appointment_vi(data.new_due)}"
    facts = [
        field("Kèm theo hồ sơ của", data.applicant_name),
        field("Nội dung yêu cầu giải quyết", data.procedure_name),
        field("Cơ quan (bộ phận) giải quyết hồ sơ", data.agency_name),
        field("Cơ quan phối hợp giải quyết hồ sơ", data.coordinating),
        field("Thời gian nhận hồ sơ", _moment(data.received_at, zone)),
        field("Thời hạn trả kết quả", due),
    ]
    qr = [QrCode(data.lookup_url, spec.qr_size), Paragraph("Quét để tra cứu", st["small_center"])]
    story: list[Flowable] = [
        *sh.heading(data.governing_body, data.unit_name, TITLE, data.dossier_code),
        # The QR code sits beside the facts, so it stays on the first page however many
        # hand-offs follow.
        table([[facts, qr]], [width - spec.qr_size - 8, spec.qr_size + 8], [
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0),
            ("RIGHTPADDING", (1, 0), (1, 0), 0)]),
        Spacer(1, base * 0.4),
        _handoff_table(data, st, width, zone),
        Spacer(1, base * 0.4),
        Paragraph(f"Tra cứu: {text(data.lookup_url)}. Trường hợp hồ sơ được chuyển qua dịch vụ bưu chính, thời "
                  "gian giao nhận và việc ký nhận thể hiện trên phiếu gửi của doanh nghiệp bưu chính.", st["small"]),
    ]
    return build_pdf(story, page=page, title=f"{TITLE} {data.dossier_code}",
                     footer=f"Mã hồ sơ {data.dossier_code}")


def _handoff_table(data: ControlSlipData, st: dict, width: float, zone: ZoneInfo) -> Flowable:
    small = st["small"]
    head = [Paragraph(f"<b>{h}</b>", st["small_center"]) for h in (
        "TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (trước hạn / đúng hạn / quá hạn)",
        "GHI CHÚ")]
    rows: list[list] = [head]
    for n, line in enumerate(data.handoffs, start=1):
        rows.append([
            [Paragraph(f"{n}. <b>Giao:</b> {text(line.giver)}", small),
             Paragraph(f"<b>Nhận:</b> {text(line.taker)}", small)],
            Paragraph(_moment(line.at, zone), small),
            Paragraph(text(line.result) or "—", st["small_center"]),
            Paragraph(text(line.note), small),
        ])
    if len(rows) == 1:
        rows.append([Paragraph("Chưa có lần giao nhận nào.", small), "", "", ""])
    return table(rows, [width * 0.37, width * 0.21, width * 0.19, width * 0.23], [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ])
