"""The receipt slip: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" (form 01, Circular
03/2025/TT-VPCP). A dossier is never received without one; it carries the appointment for
results and the means to look the dossier up (QR code of the lookup page + PIN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from shared.dossier_protocol import format_lookup_pin

from ._layout import PageName, QrCode, build_dossier_pdf, contact_line, sheet, styles, table, text
from .vi_format import format_appointment_vi, format_moment_vi

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"


@dataclass(frozen=True)
class ReceivedDocument:
    name: str
    copies: int = 1
    kind: str = ""  # "Bản chính", "Bản sao có chứng thực", ...
    reused_from: str = ""  # the dossier whose digitized copy was reused (no paper handed in again)


@dataclass(frozen=True)
class FeeOnSlip:
    amount_text: str  # "50.000 đồng"
    paid: bool
    receipt_number: str = ""  # once paid
    vietqr: str = ""  # the VietQR payload while unpaid (empty: no account set, pay in cash)
    purpose: str = ""  # the transfer description
    account_text: str = ""  # bank · account number · account name


@dataclass(frozen=True)
class ReceiptData:
    unit_name: str  # receiving unit, e.g. "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh"
    dossier_code: str
    applicant_name: str
    applicant_id: str  # CCCD number or tax code
    phone: str
    address: str
    procedure_name: str
    documents: Sequence[ReceivedDocument]
    received_at: datetime  # aware
    due: date | datetime | None  # None: no legal time, the clerk writes it by hand
    officer_name: str
    lookup_pin: str
    lookup_url: str
    governing_body: str = ""  # the line above the unit, e.g. "UBND tỉnh Bắc Ninh"
    place_name: str = ""  # for the "Bắc Ninh, ngày … tháng … năm …" line
    procedure_code: str = ""
    legal_time: str = ""  # as published, e.g. "05 ngày làm việc"
    result_delivery: str = ""  # e.g. "Tại Bộ phận Một cửa", "Qua dịch vụ bưu chính"
    email: str = ""
    tz: str = "Asia/Ho_Chi_Minh"
    fee: FeeOnSlip | None = None  # None: no fee


def render_receipt_pdf(data: ReceiptData, page: PageName = "A5") -> bytes:
    if data.received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    if not data.lookup_url.strip():
        raise ValueError("a receipt needs a lookup URL for its QR code")
    sh = sheet(page, data.received_at, data.tz, data.place_name)
    base, st, field = sh.base, sh.st, sh.field
    due = data.due
    if isinstance(due, datetime):
        if due.tzinfo is None:
            raise ValueError("an hour-based due must be timezone-aware")
        due = sh.local(due)  # the citizen reads local time, whatever was stored
    procedure = data.procedure_name
    if data.procedure_code:
        procedure = f"{procedure} (mã {data.procedure_code})"

    story: list[Flowable] = [
        *sh.heading(data.governing_body, data.unit_name, TITLE, data.dossier_code),
        field("Đơn vị tiếp nhận", data.unit_name),
        field("Tiếp nhận hồ sơ của", data.applicant_name),
        field("Số định danh cá nhân / Mã số thuế", data.applicant_id),
        field("Số điện thoại", contact_line(data.phone, data.email)),
        field("Địa chỉ", data.address),
        field("Thủ tục (nội dung yêu cầu giải quyết)", procedure),
        Paragraph("<b>Thành phần hồ sơ đã nhận:</b>", st["field"]),
        *_document_lines(data.documents, st),
        Spacer(1, base * 0.3),
    ]
    if data.legal_time:
        story.append(field("Thời hạn giải quyết theo quy định", data.legal_time))
    story += [
        field("Thời gian nhận hồ sơ", format_moment_vi(sh.local(data.received_at))),
        Paragraph(
            "<b>Thời gian hẹn trả kết quả:</b> "
            + (
                f"<b>{format_appointment_vi(due)}</b>"
                if due is not None
                else "giờ ...... phút ......, ngày ...... tháng ...... năm ..........."
            ),
            st["field"],
        ),
    ]
    if data.result_delivery:
        story.append(field("Nơi nhận kết quả", data.result_delivery))
    if data.fee is not None:
        story.append(_fee_line(data.fee, st))
    story += [
        Spacer(1, base * 0.6),
        KeepTogether([_boxes(data, st, sh.width, sh.spec.qr_size)]),
        *sh.signatures("NGƯỜI TIẾP NHẬN HỒ SƠ", data.officer_name, "NGƯỜI NỘP HỒ SƠ", data.applicant_name),
    ]
    return build_dossier_pdf(story, page=page, title=TITLE, dossier_code=data.dossier_code)


def _document_lines(documents: Sequence[ReceivedDocument], st: dict) -> list[Flowable]:
    if not documents:
        return [Paragraph("—", st["item"])]
    lines: list[Flowable] = []
    for number, document in enumerate(documents, start=1):
        kind = f" ({text(document.kind.lower())})" if document.kind else ""
        reused = (f" — <b>tái sử dụng từ hồ sơ {text(document.reused_from)}</b>"
                  if document.reused_from else "")
        lines.append(
            Paragraph(
                f"{number}. {text(document.name)}{kind} — số lượng: {document.copies:02d}{reused}",
                st["item"],
            )
        )
    return lines


def _fee_line(fee: FeeOnSlip, st: dict) -> Paragraph:
    if fee.paid:
        paid = f"đã nộp, biên lai số {fee.receipt_number}" if fee.receipt_number else "đã nộp"
        return Paragraph(f"<b>Phí, lệ phí:</b> {text(fee.amount_text)} ({paid})", st["field"])
    return Paragraph(f"<b>Phí, lệ phí:</b> {text(fee.amount_text)} (chưa nộp)", st["field"])


def _boxes(data: ReceiptData, st: dict, width: float, qr_size: float) -> Flowable:
    """The lookup box, and beside it the VietQR box while a fee is to pay by transfer: side
    by side they keep the slip on one A5 page."""
    lookup_text = [
        Paragraph("<b>TRA CỨU TÌNH TRẠNG HỒ SƠ</b>", st["body"]),
        Paragraph(f"Mã hồ sơ: <b>{text(data.dossier_code)}</b>", st["body"]),
        Paragraph(f"Mã PIN tra cứu: <b>{text(format_lookup_pin(data.lookup_pin))}</b>", st["body"]),
        Paragraph(f"Địa chỉ tra cứu: {text(data.lookup_url)}", st["small"]),
        Paragraph("Quét mã QR bằng điện thoại, nhập mã PIN để xem tình trạng hồ sơ. "
                  "Không cho người khác biết mã PIN. Mang theo giấy này khi nhận kết quả.", st["small"]),
    ]
    lookup = _qr_box(data.lookup_url, "Quét để tra cứu", lookup_text, width, qr_size)
    fee = data.fee
    if fee is None or fee.paid or not fee.vietqr:
        return lookup
    half = (width - 4) / 2
    pay_text = [
        Paragraph("<b>NỘP LỆ PHÍ BẰNG VIETQR</b>", st["small"]),
        Paragraph(f"Số tiền: <b>{text(fee.amount_text)}</b>", st["small"]),
        Paragraph(f"Nội dung: <b>{text(fee.purpose)}</b>", st["small"]),
        Paragraph(text(fee.account_text), st["small"]),
        Paragraph("Quét bằng ứng dụng ngân hàng, hoặc nộp tiền mặt tại quầy.", st["small"]),
    ]
    lookup_text[3:] = [Paragraph("Quét mã, nhập mã PIN để xem tình trạng hồ sơ. Không cho người khác biết "
                                 "mã PIN.", st["small"])]
    return table([[_qr_box(fee.vietqr, "VietQR", pay_text, half, qr_size),
                    _qr_box(data.lookup_url, "Tra cứu", [Paragraph(p.text, st["small"]) for p in lookup_text],
                            half, qr_size)]],
                 [half + 2, half + 2], [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                        ("RIGHTPADDING", (0, 0), (-1, -1), 2)])


def _qr_box(payload: str, caption: str, lines: list[Flowable], width: float, qr_size: float) -> Flowable:
    st_caption = styles(7)["small_center"]
    return table(
        [[[QrCode(payload, qr_size), Paragraph(caption, st_caption)], lines]],
        [qr_size + 6, width - qr_size - 6],
        [("BOX", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
         ("LEFTPADDING", (0, 0), (0, 0), 3), ("RIGHTPADDING", (0, 0), (0, 0), 3)],
    )
