"""The fee receipt (biên lai thu phí, lệ phí) given when a dossier's fee is paid: the series
and number (one series per site and year), who paid what for which dossier, the amount in
figures and in words, how it was paid, and who collected it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable, Paragraph

from queue_server.domain.fees import RECEIPT_FORM, format_vnd
from shared.vn_numbers import MAX_NUMBER, read_number

from ._layout import PageName, build_pdf, sheet, text
from .vi_format import format_moment_vi

TITLE = "BIÊN LAI THU PHÍ, LỆ PHÍ"
METHOD_VI = {"cash": "Tiền mặt", "transfer": "Chuyển khoản"}


@dataclass(frozen=True)
class FeeReceiptData:
    unit_name: str
    series: str  # ký hiệu, e.g. "BL26-HUETT"
    number: str  # số, e.g. "0000001"
    payer_name: str
    payer_id: str
    address: str
    dossier_code: str
    procedure_name: str
    amount_vnd: int
    method: str  # cash | transfer
    paid_at: datetime  # aware
    collector_name: str
    bank_ref: str = ""
    governing_body: str = ""
    place_name: str = ""
    tz: str = "Asia/Ho_Chi_Minh"


def amount_in_words(amount: int) -> str:
    """'Năm mươi nghìn đồng', as a receipt writes the sum in words."""
    if not 0 < amount <= MAX_NUMBER:
        return format_vnd(amount)
    words = read_number(amount)
    return f"{words[0].upper()}{words[1:]} đồng"


def render_fee_receipt_pdf(data: FeeReceiptData, page: PageName = "A5") -> bytes:
    if data.paid_at.tzinfo is None:
        raise ValueError("paid_at must be timezone-aware")
    sh = sheet(page, data.paid_at, data.tz, data.place_name)
    field = sh.field
    method = METHOD_VI.get(data.method, data.method)
    if data.bank_ref:
        method = f"{method} (mã giao dịch {data.bank_ref})"
    story: list[Flowable] = [
        *sh.masthead(data.governing_body, data.unit_name, TITLE),
        Paragraph(f"Mẫu số: {RECEIPT_FORM} · Ký hiệu: {text(data.series)} · Số: {text(data.number)}", sh.st["code"]),
        field("Đơn vị thu", data.unit_name),
        field("Người nộp", data.payer_name),
        field("Số định danh cá nhân / Mã số thuế", data.payer_id),
        field("Địa chỉ", data.address),
        field("Nội dung thu", f"Phí, lệ phí giải quyết thủ tục hành chính: {data.procedure_name}"),
        field("Mã hồ sơ", data.dossier_code),
        Paragraph(f"<b>Số tiền:</b> <b>{text(format_vnd(data.amount_vnd))}</b>", sh.st["field"]),
        field("Viết bằng chữ", amount_in_words(data.amount_vnd)),
        field("Hình thức thanh toán", method),
        field("Thời gian nộp", format_moment_vi(sh.local(data.paid_at))),
        *sh.signatures("NGƯỜI THU TIỀN", data.collector_name, "NGƯỜI NỘP TIỀN", data.payer_name),
    ]
    return build_pdf(story, page=page, title=f"{TITLE} {data.series}/{data.number}",
                     footer=f"Biên lai {data.series}/{data.number} · hồ sơ {data.dossier_code}")
