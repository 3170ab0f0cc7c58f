"""The stop notice: "Thông báo dừng giải quyết hồ sơ" (form 05 of Circular 03/2025/TT-VPCP).
Issued by the one-stop desk or the processing agency when a dossier's processing stops
before a result: the citizen withdrew it in writing, or the law requires the case to stop.
It names the dossier, the reason and the legal basis, so the citizen knows why and on
what ground."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from ._layout import PageName, build_pdf, contact_line, sheet, signature_block, text
from .vi_format import format_moment_vi

TITLE = "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"


@dataclass(frozen=True)
class StopNoticeData:
    unit_name: str  # who stops it: the center or the processing agency
    receiving_unit: str  # where the dossier was received
    dossier_code: str
    applicant_name: str
    procedure_name: str
    ground: str  # "Theo đề nghị … của người nộp hồ sơ" or "… theo quy định của pháp luật"
    reason: str
    legal_basis: str
    officer_name: str
    received_at: datetime  # aware
    issued_at: datetime  # aware: when processing stopped
    governing_body: str = ""
    place_name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    signer_title: str = "NGƯỜI TIẾP NHẬN HỒ SƠ"
    tz: str = "Asia/Ho_Chi_Minh"


def render_stop_notice_pdf(data: StopNoticeData, page: PageName = "A5") -> bytes:
    if data.issued_at.tzinfo is None or data.received_at.tzinfo is None:
        raise ValueError("issued_at and received_at must be timezone-aware")
    if not data.reason.strip() or not data.legal_basis.strip():
        raise ValueError("a stop notice must give the reason and the legal basis")
    sh = sheet(page, data.issued_at, data.tz, data.place_name)
    base, st, width, zone, field = sh.base, sh.st, sh.width, sh.zone, sh.field
    unit = text(data.unit_name)
    story: list[Flowable] = [
        *sh.heading(data.governing_body, data.unit_name, TITLE, data.dossier_code),
        Paragraph(f"<b>Kính gửi:</b> Ông/Bà {text(data.applicant_name)}", st["field"]),
        field("Địa chỉ", data.address),
        field("Số điện thoại", contact_line(data.phone, data.email)),
        Spacer(1, base * 0.3),
        Paragraph(f"Vào {format_moment_vi(data.received_at.astimezone(zone))}, {text(data.receiving_unit)} đã "
                  "tiếp nhận hồ sơ của Ông/Bà:", st["field"]),
        field("Nội dung yêu cầu giải quyết", data.procedure_name),
        Spacer(1, base * 0.3),
        Paragraph(f"{unit} thông báo dừng giải quyết hồ sơ nêu trên kể từ "
                  f"{format_moment_vi(data.issued_at.astimezone(zone))}.", st["field"]),
        field("Căn cứ dừng giải quyết", data.ground),
        field("Lý do", data.reason),
        field("Căn cứ pháp lý", data.legal_basis),
        Spacer(1, base * 0.4),
        Paragraph("Hồ sơ được trả lại cho Ông/Bà tại nơi tiếp nhận (trừ giấy tờ theo quy định phải lưu). "
                  "Ông/Bà có thể nộp lại hồ sơ khi có nhu cầu.", st["body"]),
        Paragraph("Xin thông báo để Ông/Bà được biết./.", st["body"]),
        Spacer(1, base * 0.8),
        KeepTogether(signature_block("", "", data.signer_title, data.officer_name, width=width, st=st, base=base)),
    ]
    return build_pdf(story, page=page, title=f"{TITLE} {data.dossier_code}",
                     footer=f"Mã hồ sơ {data.dossier_code}")
