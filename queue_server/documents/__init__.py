"""Printed documents of the one-stop desk and the processing agencies, rendered to PDF
bytes (forms of Circular 03/2025/TT-VPCP): the receipt slip (01), the supplement request
(02), the refusal (03), the apology with a new date (04), the stop notice (05), the control
slip (06), the tracking book (07, also XLSX) and the fee receipt (biên lai). No I/O here:
callers store or print."""

from .apology_pdf import ApologyData, render_apology_pdf
from .control_slip_pdf import ControlSlipData, HandoffLine, render_control_slip_pdf
from .fee_receipt_pdf import FeeReceiptData, render_fee_receipt_pdf
from .receipt_pdf import FeeOnSlip, ReceiptData, ReceivedDocument, render_receipt_pdf
from .refusal_pdf import RefusalData, render_refusal_pdf
from .stop_notice_pdf import StopNoticeData, render_stop_notice_pdf
from .supplement_pdf import SupplementItem, SupplementRequestData, render_supplement_request_pdf
from .tracking_book import (
    BookLine,
    TrackingBookData,
    render_tracking_book_pdf,
    render_tracking_book_xlsx,
)

__all__ = [
    "ApologyData",
    "BookLine",
    "ControlSlipData",
    "FeeOnSlip",
    "FeeReceiptData",
    "HandoffLine",
    "ReceiptData",
    "ReceivedDocument",
    "RefusalData",
    "StopNoticeData",
    "SupplementItem",
    "SupplementRequestData",
    "TrackingBookData",
    "render_apology_pdf",
    "render_control_slip_pdf",
    "render_fee_receipt_pdf",
    "render_receipt_pdf",
    "render_refusal_pdf",
    "render_stop_notice_pdf",
    "render_supplement_request_pdf",
    "render_tracking_book_pdf",
    "render_tracking_book_xlsx",
]
