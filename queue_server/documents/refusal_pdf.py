"""The refusal: "Phiếu từ chối tiếp nhận giải quyết hồ sơ" (form 03 of Circular
03/2025/TT-VPCP, which replaced Circular 01/2018/TT-VPCP). Issued by the one-stop desk or
by the processing agency when a dossier will not be settled, with every reason written
out so the citizen knows exactly why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable, Paragraph, Spacer

from ._layout import PageName, build_dossier_pdf, contact_line, sheet, text
from .notice import ClosingNotice
from .vi_format import format_moment_vi

TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"


@dataclass(frozen=True)
class RefusalData(ClosingNotice):
    reasons: Sequence[str]
    officer_name: str
    received_at: datetime  # aware: when the dossier was received
    issued_at: datetime  # aware: when refused


def render_refusal_pdf(data: RefusalData, page: PageName = "A5") -> bytes:
    if data.issued_at.tzinfo is None or data.received_at.tzinfo is None:
        raise ValueError("issued_at and received_at must be timezone-aware")
    reasons = [r for r in data.reasons if r.strip()]
    if not reasons:
        raise ValueError("a refusal must say why")
    sh = sheet(page, data.issued_at, data.tz, data.place_name)
    base, st, field = sh.base, sh.st, sh.field
    unit = text(data.unit_name)
    story: list[Flowable] = [
        *sh.heading(data.governing_body, data.unit_name, TITLE, data.dossier_code),
        Paragraph(f"{unit} tiếp nhận hồ sơ của:", st["field"]),
        field("Ông/Bà", data.applicant_name),
        field("Địa chỉ", data.address),
        field("Số điện thoại", contact_line(data.phone, data.email)),
        field("Nội dung yêu cầu giải quyết", data.procedure_name),
        field("Thời gian tiếp nhận", format_moment_vi(sh.local(data.received_at))),
        Spacer(1, base * 0.3),
        Paragraph(f"Qua xem xét, đối chiếu với quy định hiện hành, {unit} từ chối tiếp nhận, giải quyết hồ sơ "
                  "này vì các lý do sau:", st["field"]),
        *[Paragraph(f"{n}. {text(reason)}", st["item"]) for n, reason in enumerate(reasons, start=1)],
        Spacer(1, base * 0.4),
        Paragraph("Xin thông báo để Ông/Bà được biết và thực hiện./.", st["body"]),
        *sh.signatures(data.signer_title, data.officer_name),
    ]
    return build_dossier_pdf(story, page=page, title=TITLE, dossier_code=data.dossier_code)
