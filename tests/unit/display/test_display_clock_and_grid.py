"""Clock text and the counter grid's arithmetic (pure functions, no Kivy)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from display.clock_text import clock_text, date_text, date_text_en
from display.layout import best_grid

HUE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_clock_and_date_are_local_time_in_vietnamese() -> None:
    late_utc = datetime(2026, 11, 22, 17, 5, tzinfo=UTC)  # already Monday 00:05 in Huế
    assert clock_text(late_utc, HUE) == "00:05"
    assert date_text(late_utc, HUE) == "Thứ Hai, 23/11/2026"
    assert date_text_en(late_utc, HUE) == "Monday 23 Nov 2026"
    assert date_text(datetime(2026, 11, 29, 3, 0, tzinfo=UTC), HUE) == "Chủ nhật, 29/11/2026"


@pytest.mark.parametrize(
    ("count", "width", "height", "expected"),
    [
        (9, 920, 800, (3, 3)),  # the demo center on a landscape TV
        (9, 1050, 700, (3, 3)),  # the same in portrait
        (2, 1050, 700, (2, 1)),
        (1, 400, 400, (1, 1)),
        (67, 920, 800, (8, 9)),  # Hồ Chí Minh City's 67 counters still fit
    ],
)
def test_counters_get_the_largest_tiles_that_fit(count: int, width: int, height: int, expected: tuple) -> None:
    columns, rows = best_grid(count, width, height, spacing=10)
    assert (columns, rows) == expected
    assert columns * rows >= count
