"""Labels, their wrap, and the local business day (23:59 and 00:01 never share a day)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.business_day import business_day, day_bounds_utc
from shared.labels import LabelFormat, split_label

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(("fmt", "n", "label"), [
    (LabelFormat("A", 3, 1, 999), 1, "A001"),
    (LabelFormat("A", 3, 1, 999), 23, "A023"),
    (LabelFormat("A", 3, 1, 999), 999, "A999"),
    (LabelFormat("A", 3, 1, 999), 1000, "A001"),  # wraps after the range
    (LabelFormat("A", 3, 1, 999), 1023, "A024"),
    (LabelFormat("", 4, 1001, 1999), 23, "1023"),
    (LabelFormat("", 4, 1001, 1999), 999, "1999"),
    (LabelFormat("", 4, 1001, 1999), 1000, "1001"),
    (LabelFormat("AB", 2, 0, 99), 1, "AB00"),
])
def test_label_for_sequence_number(fmt: LabelFormat, n: int, label: str) -> None:
    assert fmt.label_for(n) == label


def test_bad_formats_are_refused() -> None:
    for bad in (dict(prefix="a"), dict(digits=0), dict(number_start=5, number_end=4), dict(digits=2, number_end=100)):
        with pytest.raises(ValueError):
            LabelFormat(**bad)
    with pytest.raises(ValueError):
        LabelFormat().label_for(0)


def test_split_label_for_reading_aloud() -> None:
    assert split_label("A023") == ("A", 23)
    assert split_label("1023") == ("", 1023)
    with pytest.raises(ValueError):
        split_label("A-23")


def test_ticket_at_2359_and_0001_local_time_are_on_different_days() -> None:
    before = datetime(2026, 11, 23, 16, 59, tzinfo=UTC)  # 23:59 in Hà Nội
    after = datetime(2026, 11, 23, 17, 1, tzinfo=UTC)  # 00:01 next day
    assert business_day(before, HCM) == date(2026, 11, 23)
    assert business_day(after, HCM) == date(2026, 11, 24)


def test_the_day_does_not_turn_at_utc_midnight() -> None:
    # 07:00 local is 00:00 UTC: the UTC date changes, the business day must not.
    assert business_day(datetime(2026, 11, 23, 23, 59, tzinfo=UTC), HCM) == date(2026, 11, 24)
    assert business_day(datetime(2026, 11, 24, 0, 1, tzinfo=UTC), HCM) == date(2026, 11, 24)


def test_rollover_hour_moves_the_start_of_the_day() -> None:
    two_am_local = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # 02:00 on the 24th
    assert business_day(two_am_local, HCM, time(3, 0)) == date(2026, 11, 23)
    start, end = day_bounds_utc(date(2026, 11, 24), HCM, time(3, 0))
    assert start.astimezone(UTC) == datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    assert (end - start).total_seconds() == 86400


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        business_day(datetime(2026, 1, 1, 12, 0), HCM)
