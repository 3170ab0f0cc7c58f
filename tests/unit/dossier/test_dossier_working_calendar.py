"""Working days and due dates, pinned to the real calendar: Tết 2026 (Mon 16 – Fri 20 Feb,
the Prime Minister's 9-day break 14–22 Feb) and Tết 2027 (Thu 4 – Wed 10 Feb, the Labour
Code's days as the `holidays` package computes them; the 2027 decision was not out yet)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.calendar import (
    SATURDAY,
    SUNDAY,
    TimeUnit,
    WorkingCalendar,
    WorkingHours,
    add_months,
    parse_time_value,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WD, DAYS, HOURS, MONTHS = "Ngày làm việc", "Ngày", "Giờ", "Tháng"


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def at(y: int, mo: int, d: int, h: int = 9, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=VN)


# --- which days count --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        (date(2026, 2, 12), True, "Thu before Tết"),
        (date(2026, 2, 13), True, "Fri, last working day before Tết 2026"),
        (date(2026, 2, 14), False, "Sat"),
        (date(2026, 2, 15), False, "Sun"),
        (date(2026, 2, 16), False, "29 Tết"),
        (date(2026, 2, 17), False, "Mùng 1 Tết Bính Ngọ"),
        (date(2026, 2, 18), False, "Mùng 2"),
        (date(2026, 2, 19), False, "Mùng 3"),
        (date(2026, 2, 20), False, "Mùng 4"),
        (date(2026, 2, 21), False, "Sat"),
        (date(2026, 2, 22), False, "Sun, Mùng 6"),
        (date(2026, 2, 23), True, "Mon, back to work"),
        (date(2027, 2, 3), True, "Wed before Tết 2027"),
        (date(2027, 2, 4), False, "29 Tết (day off in lieu of Mùng 1 on Sat)"),
        (date(2027, 2, 5), False, "Giao thừa"),
        (date(2027, 2, 6), False, "Mùng 1 Tết Đinh Mùi, Sat"),
        (date(2027, 2, 7), False, "Mùng 2, Sun"),
        (date(2027, 2, 8), False, "Mùng 3"),
        (date(2027, 2, 9), False, "Mùng 4"),
        (date(2027, 2, 10), False, "Mùng 5 (day off in lieu of Mùng 2 on Sun)"),
        (date(2027, 2, 11), True, "Thu, back to work"),
        (date(2026, 1, 1), False, "Tết Dương lịch"),
        (date(2026, 4, 27), False, "Giỗ Tổ on Sun 26/4, observed Mon"),
        (date(2026, 4, 30), False, "Ngày Chiến thắng"),
        (date(2026, 5, 1), False, "Quốc tế Lao động"),
        (date(2026, 8, 22), True, "Sat worked in exchange for Mon 31/8"),
        (date(2026, 8, 31), False, "Mon off, swapped with Sat 22/8"),
        (date(2026, 9, 2), False, "Quốc khánh"),
        (date(2026, 3, 7), False, "an ordinary Saturday"),
        (date(2026, 3, 8), False, "an ordinary Sunday"),
        (date(2026, 3, 9), True, "an ordinary Monday"),
    ],
)
def test_working_days_follow_vietnamese_weekends_and_holidays(
    cal: WorkingCalendar, day: date, working: bool, why: str
) -> None:
    assert cal.is_working_day(day) is working, why


def test_a_day_off_the_government_adds_later_is_configured_with_its_make_up_saturday() -> None:
    # Hypothetical 2027 decision: Wed 3 Feb off, worked back on Sat 20 Feb.
    cal = WorkingCalendar(
        extra_days_off=[date(2027, 2, 3)], extra_working_days=[date(2027, 2, 20)]
    )
    assert not cal.is_working_day(date(2027, 2, 3))
    assert cal.is_working_day(date(2027, 2, 20))
    assert cal.due_date(at(2027, 2, 2), 1, WD) == date(2027, 2, 11)


def test_a_holiday_listed_before_the_law_is_in_force_can_be_worked() -> None:
    # The package lists 24/11 (Ngày Văn hóa Việt Nam) from 2026, from a Politburo decision
    # that still awaits the Labour Code amendment.
    assert not WorkingCalendar().is_working_day(date(2026, 11, 24))
    assert WorkingCalendar(extra_working_days=[date(2026, 11, 24)]).is_working_day(
        date(2026, 11, 24)
    )


def test_holidays_can_come_from_another_source() -> None:
    class Fixed:
        def days_off(self, year: int) -> set[date]:
            return {date(2026, 3, 10)}

        def working_weekend_days(self, year: int) -> set[date]:
            return {date(2026, 3, 14)}

    cal = WorkingCalendar(holidays=Fixed())
    assert not cal.is_working_day(date(2026, 3, 10))
    assert cal.is_working_day(date(2026, 3, 14))
    assert cal.is_working_day(date(2026, 2, 17))  # Tết is not in this source


def test_contradictory_or_impossible_configuration_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="both off and working"):
        WorkingCalendar(extra_days_off=[date(2026, 5, 2)], extra_working_days=[date(2026, 5, 2)])
    with pytest.raises(ValueError, match="weekend"):
        WorkingCalendar(weekend=range(7))
    with pytest.raises(ValueError, match="ordered"):
        WorkingHours(((time(13, 30), time(17, 0)), (time(7, 0), time(11, 30))))


def test_a_datetime_is_refused_where_a_local_day_is_meant(cal: WorkingCalendar) -> None:
    # A datetime never equals a date: it would silently miss every holiday.
    with pytest.raises(TypeError):
        cal.is_working_day(datetime(2026, 2, 17, 9, 0, tzinfo=VN))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 13), 1, date(2026, 2, 23)),
        (date(2026, 2, 13), 0, date(2026, 2, 13)),
        (date(2026, 2, 15), 0, date(2026, 2, 23)),  # n = 0 on a day off: next working day
        (date(2027, 2, 3), 2, date(2027, 2, 12)),
        (date(2026, 3, 6), 5, date(2026, 3, 13)),
    ],
)
def test_add_working_days_does_not_count_the_start_day(
    cal: WorkingCalendar, start: date, n: int, expected: date
) -> None:
    assert cal.add_working_days(start, n) == expected


def test_add_working_days_refuses_to_count_backwards(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 3, 9), -1)


# --- due dates -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("received", "value", "unit", "expected"),
    [
        # working days, counted from the next working day after receipt
        (at(2026, 3, 9), 3, WD, date(2026, 3, 12)),
        (at(2026, 3, 13), 1, WD, date(2026, 3, 16)),  # Fri → Mon
        (at(2026, 2, 13), 1, WD, date(2026, 2, 23)),  # across Tết 2026
        (at(2026, 2, 12, 10), 2, WD, date(2026, 2, 23)),
        (at(2026, 2, 13), 5, WD, date(2026, 2, 27)),
        (at(2027, 2, 3), 1, WD, date(2027, 2, 11)),  # across Tết 2027
        (at(2027, 2, 3), 5, WD, date(2027, 2, 17)),
        (at(2026, 4, 24), 3, WD, date(2026, 5, 4)),  # Giỗ Tổ observed, 30/4, 1/5
        (at(2026, 8, 21), 1, WD, date(2026, 8, 22)),  # the make-up Saturday counts
        (at(2026, 8, 28), 1, WD, date(2026, 9, 3)),  # National Day break 29/8–2/9
        (at(2025, 12, 30, 10), 2, WD, date(2026, 1, 2)),  # across New Year
        (at(2026, 3, 13, 16, 30), 1, WD, date(2026, 3, 16)),  # the cut-off is for same-day only
        # a dossier received at a Saturday counter opening counts from Monday
        (at(2026, 3, 7), 3, WD, date(2026, 3, 11)),
        (at(2026, 2, 21), 1, WD, date(2026, 2, 23)),  # Saturday after Tết: Mon is day 1
        # calendar days; a due date on a day off moves to the next working day
        (at(2026, 3, 2), 4, DAYS, date(2026, 3, 6)),
        (at(2026, 3, 2), 5, DAYS, date(2026, 3, 9)),  # Sat → Mon
        (at(2026, 3, 2), 6, DAYS, date(2026, 3, 9)),  # Sun → Mon
        (at(2026, 3, 2), 7, DAYS, date(2026, 3, 9)),
        (at(2026, 2, 2), 15, DAYS, date(2026, 2, 23)),  # lands on Mùng 1
        (at(2026, 4, 17), 10, DAYS, date(2026, 4, 28)),  # lands on observed Giỗ Tổ
        (at(2026, 3, 7), 7, DAYS, date(2026, 3, 16)),  # received Sat: day 1 is Monday
        (at(2026, 3, 7), 10, DAYS, date(2026, 3, 18)),
        (at(2026, 3, 6), 10, DAYS, date(2026, 3, 16)),
        # months: same day of the month, or the month's last day
        (at(2026, 3, 10), 6, MONTHS, date(2026, 9, 10)),
        (at(2026, 1, 30), 1, MONTHS, date(2026, 3, 2)),  # 28/2 is a Saturday
        (at(2026, 12, 31), 2, MONTHS, date(2027, 3, 1)),  # 28/2/2027 is a Sunday
        (at(2027, 1, 8), 1, MONTHS, date(2027, 2, 11)),  # lands in Tết 2027
        (at(2026, 2, 23), 12, MONTHS, date(2027, 2, 23)),
        # the catalog's spellings
        (at(2026, 3, 9), "5.000", WD, date(2026, 3, 16)),
        (at(2026, 3, 9), "3", "ngày làm việc", date(2026, 3, 12)),
        (at(2026, 3, 9), 3, TimeUnit.WORKING_DAYS, date(2026, 3, 12)),
    ],
)
def test_due_date_in_days_and_months(
    cal: WorkingCalendar, received: datetime, value: object, unit: object, expected: date
) -> None:
    due = cal.due_date(received, value, unit)
    assert due == expected
    assert not isinstance(due, datetime)


@pytest.mark.parametrize(
    ("received", "hours", "expected"),
    [
        (at(2026, 3, 9, 10), 1, at(2026, 3, 9, 11)),
        (at(2026, 3, 9, 11), 1, at(2026, 3, 9, 14)),  # lunch break 11:30–13:30 skipped
        (at(2026, 3, 9, 12, 15), 1, at(2026, 3, 9, 14, 30)),  # received during lunch
        (at(2026, 3, 9, 6, 30), 2, at(2026, 3, 9, 9)),  # before opening
        (at(2026, 3, 9, 10), 8, at(2026, 3, 10, 10)),
        (at(2026, 3, 9, 17, 30), 8, at(2026, 3, 10, 17)),  # after closing
        (at(2026, 3, 9, 7), 24, at(2026, 3, 11, 17)),
        (at(2026, 3, 7, 9), 2, at(2026, 3, 9, 9)),  # Saturday opening: from Monday 07:00
        (at(2026, 2, 13, 16), 8, at(2026, 2, 23, 16)),  # across Tết
        (at(2026, 3, 13, 14, 59), 4, at(2026, 3, 16, 8, 59)),  # before the cut-off
        (at(2026, 3, 13, 15, 0), 1, at(2026, 3, 13, 16)),
        (at(2026, 3, 13, 15, 1), 2, at(2026, 3, 16, 17)),  # after it: within next working day
        (at(2026, 3, 13, 15, 1), 8, at(2026, 3, 16, 15, 1)),  # not a same-day procedure
    ],
)
def test_due_date_in_hours_counts_working_hours_only(
    cal: WorkingCalendar, received: datetime, hours: int, expected: datetime
) -> None:
    due = cal.due_date(received, hours, HOURS)
    assert due == expected
    assert isinstance(due, datetime) and due.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # Friday before a weekend
        (at(2026, 3, 13, 14, 59), date(2026, 3, 13)),
        (at(2026, 3, 13, 15, 0), date(2026, 3, 13)),
        (at(2026, 3, 13, 15, 0, 59), date(2026, 3, 13)),  # the slip reads 15:00
        (at(2026, 3, 13, 15, 1), date(2026, 3, 16)),
        (at(2026, 3, 13, 16, 45), date(2026, 3, 16)),
        # the day before a holiday (30/4 and 1/5, then the weekend)
        (at(2026, 4, 29, 14, 59), date(2026, 4, 29)),
        (at(2026, 4, 29, 15, 0), date(2026, 4, 29)),
        (at(2026, 4, 29, 15, 1), date(2026, 5, 4)),
        # the last working days before Tết
        (at(2026, 2, 13, 15, 1), date(2026, 2, 23)),
        (at(2027, 2, 3, 15, 1), date(2027, 2, 11)),
        # received at a Saturday opening
        (at(2026, 3, 7, 9, 0), date(2026, 3, 9)),
        # the cut-off is local time: 08:01 UTC is 15:01 in Hà Nội
        (datetime(2026, 3, 13, 8, 1, tzinfo=UTC), date(2026, 3, 16)),
        (datetime(2026, 3, 13, 7, 59, tzinfo=UTC), date(2026, 3, 13)),
        (datetime(2026, 3, 12, 23, 30, tzinfo=UTC), date(2026, 3, 13)),  # 06:30 Friday
    ],
)
def test_same_day_procedure_received_after_15_00_is_due_next_working_day(
    cal: WorkingCalendar, received: datetime, expected: date
) -> None:
    assert cal.due_date(received, 0, WD) == expected
    assert cal.due_date(received, "0", DAYS) == expected


def test_the_same_day_cut_off_is_configurable(cal: WorkingCalendar) -> None:
    received = at(2026, 3, 13, 15, 30)
    assert cal.due_date(received, 0, WD) == date(2026, 3, 16)
    assert cal.due_date(received, 0, WD, same_day_cutoff=time(16, 0)) == date(2026, 3, 13)


@pytest.mark.parametrize(
    ("value", "unit"),
    [(None, None), ("", ""), ("1", ""), ("120", None), ("", WD), (None, DAYS), ("  ", " ")],
)
def test_no_legal_time_gives_no_due_date(cal: WorkingCalendar, value: object, unit: object) -> None:
    # The catalog has 346 procedures without a time, some with a number but no unit.
    assert cal.due_date(at(2026, 3, 9), value, unit) is None


@pytest.mark.parametrize(
    ("value", "unit"),
    [("1.5", DAYS), ("-1", WD), ("ba", WD), (True, WD), ("3", "Tuần"), ("3", "Phút")],
)
def test_a_time_that_cannot_be_read_is_refused(
    cal: WorkingCalendar, value: object, unit: object
) -> None:
    with pytest.raises((ValueError, TypeError)):
        cal.due_date(at(2026, 3, 9), value, unit)


def test_a_naive_receipt_time_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        cal.due_date(datetime(2026, 3, 9, 9, 0), 3, WD)


def test_unit_labels_are_read_whatever_their_case_spacing_or_normal_form() -> None:
    import unicodedata

    assert TimeUnit.parse(" NGÀY LÀM VIỆC ") is TimeUnit.WORKING_DAYS
    assert TimeUnit.parse(unicodedata.normalize("NFD", "Ngày làm việc")) is TimeUnit.WORKING_DAYS
    assert TimeUnit.parse("giờ") is TimeUnit.HOURS
    assert TimeUnit.parse("months") is TimeUnit.MONTHS
    assert parse_time_value("1100.000") == 1100


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 5, 15), 12) == date(2027, 5, 15)


def test_a_site_may_declare_a_different_legal_weekend() -> None:
    # Not Vietnam's rule, but the weekend is data, not code.
    cal = WorkingCalendar(weekend=(SUNDAY,))
    assert cal.is_working_day(date(2026, 3, 7))
    assert not cal.is_working_day(date(2026, 3, 8))
    assert WorkingCalendar(weekend=(SATURDAY, SUNDAY)).add_working_days(
        date(2026, 3, 6), 1
    ) == date(2026, 3, 9)
