"""Printed documents of the one-stop desk, rendered to PDF bytes: the receipt slip
(form 01) and the supplement request (form 02). No I/O here: callers store or print."""

from .receipt_pdf import ReceiptData, ReceivedDocument, render_receipt_pdf
from .supplement_pdf import SupplementItem, SupplementRequestData, render_supplement_request_pdf

__all__ = [
    "ReceiptData",
    "ReceivedDocument",
    "SupplementItem",
    "SupplementRequestData",
    "render_receipt_pdf",
    "render_supplement_request_pdf",
]
