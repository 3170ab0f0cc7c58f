"""The one error a print can end with, worded for the citizen in Vietnamese then English."""

from __future__ import annotations

from typing import Literal

PrinterErrorKind = Literal["offline", "paper_out", "error"]

MESSAGES: dict[str, tuple[str, str]] = {
    "offline": (
        "Không kết nối được máy in.",
        "The printer cannot be reached.",
    ),
    "paper_out": (
        "Máy in đã hết giấy.",
        "The printer is out of paper.",
    ),
    "error": (
        "Máy in gặp lỗi, phiếu chưa được in.",
        "The printer failed; the ticket was not printed.",
    ),
}


class PrinterError(Exception):
    """A ticket was not (or not surely) printed.

    kind: "offline" (no connection, no answer), "paper_out", or "error" (anything else).
    detail: the technical cause, for logs and staff, never for the citizen.
    """

    def __init__(
        self,
        kind: PrinterErrorKind,
        message_vi: str | None = None,
        message_en: str | None = None,
        detail: str = "",
    ) -> None:
        if kind not in MESSAGES:
            raise ValueError(f"unknown printer error kind {kind!r}")
        default_vi, default_en = MESSAGES[kind]
        self.kind: PrinterErrorKind = kind
        self.message_vi = message_vi or default_vi
        self.message_en = message_en or default_en
        self.detail = detail
        super().__init__(f"{kind}: {self.message_en}" + (f" ({detail})" if detail else ""))
