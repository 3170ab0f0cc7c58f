"""The fee receipt (biên lai thu phí, lệ phí) given when a dossier's fee is paid: the series
and number (one series per site and year), who paid what for which dossier, the amount in
figures and in words, how it was paid, and who collected it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from queue_server.domain.fees import RECEIPT_FORM, format_vnd
from shared.vn_numbers import MAX_NUMBER, read_number

from ._layout import (
    PageName,
    build_pdf,
    field_line,
    national_header,
    page_spec,
    register_fonts,
    signature_block,
    styles,
    text,
)
from .vi_format import format_date_vi, format_moment_vi

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
    spec = page_spec(page)
    register_fonts()
    base = spec.font_size
    st = styles(base)
    width = spec.size[0] - 2 * spec.margin
    paid = data.paid_at.astimezone(ZoneInfo(data.tz))
    place_date = format_date_vi(paid.date())
    if data.place_name:
        place_date = f"{data.place_name}, {place_date}"

    def field(label: str, value: str) -> Paragraph:
        return field_line(label, value, st["field"])

    method = METHOD_VI.get(data.method, data.method)
    if data.bank_ref:
        method = f"{method} (mã giao dịch {data.bank_ref})"
    story: list[Flowable] = [
        national_header(governing_body=data.governing_body, unit_name=data.unit_name, place_date=place_date,
                        width=width, base=base),
        Paragraph(TITLE, st["title"]),
        Paragraph(f"Mẫu số: {RECEIPT_FORM} · Ký hiệu: {text(data.series)} · Số: {text(data.number)}", st["code"]),
        field("Đơn vị thu", data.unit_name),
        field("Người nộp", data.payer_name),
        field("Số định danh cá nhân / Mã số thuế", data.payer_id),
        field("Địa chỉ", data.address),
        field("Nội dung thu", f"Phí, lệ phí giải quyết thủ tục hành chính: {data.procedure_name}"),
        field("Mã hồ sơ", data.dossier_code),
        Paragraph(f"<b>Số tiền:</b> <b>{text(format_vnd(data.amount_vnd))}</b>", st["field"]),
        field("Viết bằng chữ", amount_in_words(data.amount_vnd)),
        field("Hình thức thanh toán", method),
        field("Thời gian nộp", format_moment_vi(paid)),
        Spacer(1, base * 0.8),
        KeepTogether(signature_block("NGƯỜI NỘP TIỀN", data.payer_name, "NGƯỜI THU TIỀN", data.collector_name,
                                     width=width, st=st, base=base)),
    ]
    return build_pdf(story, page=page, title=f"{TITLE} {data.series}/{data.number}",
                     footer=f"Biên lai {data.series}/{data.number} · hồ sơ {data.dossier_code}")
