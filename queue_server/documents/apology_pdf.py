"""The apology: "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết" (form 04 of
Circular 03/2025/TT-VPCP; "Phiếu xin lỗi và hẹn lại ngày trả kết quả" under Circular
01/2018/TT-VPCP). Required when an agency will miss the due date: it says why, apologises
and gives the new date, which the citizen's dossier page shows too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable, Paragraph, Spacer

from ._layout import PageName, build_dossier_pdf, sheet, text
from .vi_format import format_appointment_vi

TITLE = "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"


@dataclass(frozen=True)
class ApologyData:
    agency_name: str  # the processing agency that is late
    receiving_unit: str  # where the dossier was received (the center)
    dossier_code: str
    applicant_name: str
    procedure_name: str
    received_at: datetime  # aware
    due: date  # the appointment that will be missed
    new_due: date  # the new appointment
    reason: str
    issued_at: datetime  # aware
    head_name: str = ""  # who signs for the agency
    governing_body: str = ""
    place_name: str = ""
    address: str = ""
    lookup_url: str = ""
    tz: str = "Asia/Ho_Chi_Minh"


def render_apology_pdf(data: ApologyData, page: PageName = "A5") -> bytes:
    if data.issued_at.tzinfo is None or data.received_at.tzinfo is None:
        raise ValueError("issued_at and received_at must be timezone-aware")
    if data.new_due <= data.due:
        raise ValueError("the new date must come after the missed one")
    if not data.reason.strip():
        raise ValueError("an apology must say why the result is late")
    sh = sheet(page, data.issued_at, data.tz, data.place_name)
    base, st, field = sh.base, sh.st, sh.field
    agency = text(data.agency_name)

    story: list[Flowable] = [
        *sh.heading(data.governing_body, data.agency_name, TITLE, data.dossier_code),
        *sh.addressee(data.applicant_name, data.address),
        Spacer(1, base * 0.3),
        *sh.received_recap(data.received_at, data.receiving_unit, data.procedure_name),
        field("Thời hạn trả kết quả đã hẹn", format_appointment_vi(data.due)),
        Paragraph(f"Đến nay, {agency} chưa giải quyết xong hồ sơ của Ông/Bà.", st["field"]),
        field("Lý do", data.reason),
        Paragraph(f"Sự chậm trễ này đã gây phiền hà, tốn kém thời gian, chi phí đi lại của Ông/Bà. {agency} "
                  "trân trọng xin lỗi Ông/Bà và đề nghị gia hạn thời gian giải quyết, hẹn lại ngày trả kết quả:",
                  st["field"]),
        Paragraph(f"<b>{format_appointment_vi(data.new_due)}</b>", st["center_bold"]),
        Spacer(1, base * 0.3),
    ]
    if data.lookup_url:
        story.append(Paragraph(f"Ông/Bà có thể theo dõi hồ sơ tại {text(data.lookup_url)} (mã PIN trên giấy "
                               "tiếp nhận hồ sơ).", st["small"]))
    story += [
        Paragraph(f"{agency} trân trọng cảm ơn sự hợp tác của Ông/Bà./.", st["body"]),
        *sh.signatures("THỦ TRƯỞNG CƠ QUAN", data.head_name),
    ]
    return build_dossier_pdf(story, page=page, title=TITLE, dossier_code=data.dossier_code)
