"""The supplement request: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" (form 02, Circular
03/2025/TT-VPCP). An incomplete dossier is guided once, in writing: everything missing is
listed on one form, each item with its reason, so the citizen never comes back to learn of
one more gap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable, Paragraph, Spacer

from ._layout import PageName, build_pdf, contact_line, sheet, text

TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"


@dataclass(frozen=True)
class SupplementItem:
    what: str  # the document or content to add or correct
    reason: str  # why, with the legal ground where there is one


@dataclass(frozen=True)
class SupplementRequestData:
    unit_name: str
    applicant_name: str
    procedure_name: str
    items: Sequence[SupplementItem]
    officer_name: str
    issued_at: datetime  # aware
    dossier_code: str = ""  # empty when guided before the dossier is received
    governing_body: str = ""
    place_name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    contact: str = ""  # who to ask while completing the dossier, with a phone number
    tz: str = "Asia/Ho_Chi_Minh"


def render_supplement_request_pdf(data: SupplementRequestData, page: PageName = "A5") -> bytes:
    if data.issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    if not data.items:
        raise ValueError("a supplement request must list what is missing")
    sh = sheet(page, data.issued_at, data.tz, data.place_name)
    base, st, field = sh.base, sh.st, sh.field
    story: list[Flowable] = sh.masthead(data.governing_body, data.unit_name, TITLE)
    if data.dossier_code:
        story.append(Paragraph(f"Mã hồ sơ: {text(data.dossier_code)}", st["code"]))
    else:
        story.append(Spacer(1, base * 0.8))
    story += [
        field("Hồ sơ của", data.applicant_name),
        field("Nội dung yêu cầu giải quyết", data.procedure_name),
        field("Địa chỉ", data.address),
        field("Số điện thoại", contact_line(data.phone, data.email)),
        Spacer(1, base * 0.3),
        Paragraph(
            "<b>Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:</b>", st["field"]
        ),
        *_item_lines(data.items, st),
        Spacer(1, base * 0.4),
        Paragraph(
            "Phiếu này hướng dẫn một lần, đầy đủ các nội dung cần bổ sung, hoàn thiện.",
            st["body"],
        ),
    ]
    if data.contact:
        story.append(
            Paragraph(
                "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ "
                f"{text(data.contact)} để được hướng dẫn.",
                st["body"],
            )
        )
    story += sh.signatures("NGƯỜI HƯỚNG DẪN", data.officer_name)
    footer = f"Mã hồ sơ {data.dossier_code}" if data.dossier_code else data.applicant_name
    return build_pdf(story, page=page, title=TITLE, footer=footer)


def _item_lines(items: Sequence[SupplementItem], st: dict) -> list[Flowable]:
    lines: list[Flowable] = []
    for number, item in enumerate(items, start=1):
        lines.append(Paragraph(f"{number}. {text(item.what)}", st["item"]))
        lines.append(Paragraph(f"<b>Lý do:</b> {text(item.reason)}", st["reason"]))
    return lines
