"""Printed documents of the one-stop desk, rendered to PDF bytes: the receipt slip
(form 01), the supplement request (form 02) and the fee receipt (biên lai). No I/O here:
callers store or print."""

from .fee_receipt_pdf import FeeReceiptData, render_fee_receipt_pdf
from .receipt_pdf import FeeOnSlip, ReceiptData, ReceivedDocument, render_receipt_pdf
from .supplement_pdf import SupplementItem, SupplementRequestData, render_supplement_request_pdf

__all__ = [
    "FeeOnSlip",
    "FeeReceiptData",
    "ReceiptData",
    "ReceivedDocument",
    "SupplementItem",
    "SupplementRequestData",
    "render_fee_receipt_pdf",
    "render_receipt_pdf",
    "render_supplement_request_pdf",
]
