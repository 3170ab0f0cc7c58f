"""Clock text of the lobby (pure functions, no Kivy)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from display.clock_text import clock_text, date_text, date_text_en

HUE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_clock_and_date_are_local_time_in_vietnamese() -> None:
    late_utc = datetime(2026, 11, 22, 17, 5, tzinfo=UTC)  # already Monday 00:05 in Huế
    assert clock_text(late_utc, HUE) == "00:05"
    assert date_text(late_utc, HUE) == "Thứ Hai, 23/11/2026"
    assert date_text_en(late_utc, HUE) == "Monday 23 November 2026"
    assert date_text(datetime(2026, 11, 29, 3, 0, tzinfo=UTC), HUE) == "Chủ nhật, 29/11/2026"
