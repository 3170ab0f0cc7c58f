"""What a printed ticket says: the data, and how its times and numbers read on paper.

Kept free of Pillow and python-escpos so the kiosk screen can show the same wording when
the printer fails (the citizen then reads the ticket off the screen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.wait_words import WaitFigure, figure_from, wait_text


def _local_zone() -> timezone | ZoneInfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:
        # Windows kiosks without the tzdata package have no zone database. Vietnam has
        # kept UTC+7 without daylight saving since 1975, so a fixed offset prints the same.
        return timezone(timedelta(hours=7), "ICT")


LOCAL_ZONE = _local_zone()


@dataclass(frozen=True)
class TicketPrintout:
    """Everything printed on one queue ticket (số thứ tự)."""

    center_name: str
    site_name: str
    label: str
    service_name: str
    procedure_name: str
    issued_at: datetime
    people_ahead: int
    estimated_wait_minutes: int | None
    tracking_url: str
    printed_note_vi: str | None = None
    printed_note_en: str | None = None
    mark: str | None = None  # e.g. "LỊCH HẸN / APPOINTMENT", printed big above the number
    # The server's wait figure of this ticket (its `wait`): printed in the words every other
    # surface uses. Without it (an old server) the minutes are worded the same way.
    wait: WaitFigure | None = None

    def __post_init__(self) -> None:
        # A naive time is how "tickets corrupt after 5 pm" bugs start: refuse it here.
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware")
        if not self.label.strip():
            raise ValueError("label must not be empty")
        if not self.tracking_url.strip():
            raise ValueError("tracking_url must not be empty")
        if self.people_ahead < 0:
            raise ValueError("people_ahead must not be negative")
        if self.estimated_wait_minutes is not None and self.estimated_wait_minutes < 0:
            raise ValueError("estimated_wait_minutes must not be negative")

    @property
    def issued_text(self) -> str:
        """Issue time in Vietnam's local time, as dd/mm/yyyy HH:MM."""
        return self.issued_at.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")

    @property
    def wait_figure(self) -> WaitFigure | None:
        if self.wait is not None:
            return self.wait
        if self.estimated_wait_minutes is None:
            return None
        return figure_from(self.estimated_wait_minutes, any_counter_open=True, people_ahead=self.people_ahead)

    @property
    def wait_text_vi(self) -> str:
        return wait_text(self.wait_figure, "vi") or "chưa ước tính được"

    @property
    def wait_text_en(self) -> str:
        return wait_text(self.wait_figure, "en") or "not estimated yet"


SAMPLE_TRACKING_URL = "http://127.0.0.1:8000/t/7Kq2xWm9PbR4tZ8e"


def sample_printout(**overrides: object) -> TicketPrintout:
    """A realistic ticket for test prints, previews and the `print-sample` command.

    Fixed values (not "now") so two runs give the same bytes; pass overrides to vary it.
    """
    fields: dict[str, object] = {
        "center_name": "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh",
        "site_name": "Chi nhánh Từ Sơn",
        "label": "A023",
        "service_name": "Hộ tịch",
        "procedure_name": "Đăng ký khai sinh",
        "issued_at": datetime(2026, 3, 5, 8, 15, tzinfo=LOCAL_ZONE),
        "people_ahead": 4,
        "estimated_wait_minutes": 20,
        "tracking_url": SAMPLE_TRACKING_URL,
        "printed_note_vi": None,
        "printed_note_en": None,
    }
    fields.update(overrides)
    return TicketPrintout(**fields)  # type: ignore[arg-type]
