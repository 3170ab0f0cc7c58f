"""The stop notice: "Thông báo dừng giải quyết hồ sơ" (form 05 of Circular 03/2025/TT-VPCP).
Issued by the one-stop desk or the processing agency when a dossier's processing stops
before a result: the citizen withdrew it in writing, or the law requires the case to stop.
It names the dossier, the reason and the legal basis, so the citizen knows why and on
what ground."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable, Paragraph, Spacer

from ._layout import PageName, build_dossier_pdf, contact_line, sheet, text
from .notice import ClosingNotice
from .vi_format import format_moment_vi

TITLE = "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"


@dataclass(frozen=True)
class StopNoticeData(ClosingNotice):
    receiving_unit: str  # where the dossier was received
    ground: str  # "Theo đề nghị … của người nộp hồ sơ" or "… theo quy định của pháp luật"
    reason: str
    legal_basis: str
    officer_name: str
    received_at: datetime  # aware
    issued_at: datetime  # aware: when processing stopped


def render_stop_notice_pdf(data: StopNoticeData, page: PageName = "A5") -> bytes:
    if data.issued_at.tzinfo is None or data.received_at.tzinfo is None:
        raise ValueError("issued_at and received_at must be timezone-aware")
    if not data.reason.strip() or not data.legal_basis.strip():
        raise ValueError("a stop notice must give the reason and the legal basis")
    sh = sheet(page, data.issued_at, data.tz, data.place_name)
    base, st, field = sh.base, sh.st, sh.field
    unit = text(data.unit_name)
    story: list[Flowable] = [
        *sh.heading(data.governing_body, data.unit_name, TITLE, data.dossier_code),
        *sh.addressee(data.applicant_name, data.address),
        field("Số điện thoại", contact_line(data.phone, data.email)),
        Spacer(1, base * 0.3),
        *sh.received_recap(data.received_at, data.receiving_unit, data.procedure_name),
        Spacer(1, base * 0.3),
        Paragraph(f"{unit} thông báo dừng giải quyết hồ sơ nêu trên kể từ "
                  f"{format_moment_vi(sh.local(data.issued_at))}.", st["field"]),
        field("Căn cứ dừng giải quyết", data.ground),
        field("Lý do", data.reason),
        field("Căn cứ pháp lý", data.legal_basis),
        Spacer(1, base * 0.4),
        Paragraph("Hồ sơ được trả lại cho Ông/Bà tại nơi tiếp nhận (trừ giấy tờ theo quy định phải lưu). "
                  "Ông/Bà có thể nộp lại hồ sơ khi có nhu cầu.", st["body"]),
        Paragraph("Xin thông báo để Ông/Bà được biết./.", st["body"]),
        *sh.signatures(data.signer_title, data.officer_name),
    ]
    return build_dossier_pdf(story, page=page, title=TITLE, dossier_code=data.dossier_code)
