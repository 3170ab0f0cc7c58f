"""Booking rules without a database: slots from opening hours, codes, phone numbers as
people write them, and the check-in window."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.booking import (
    CheckinTiming,
    SlotRules,
    bookable_days,
    checkin_timing,
    format_code,
    mask_phone,
    new_booking_code,
    normalize_id_number,
    normalize_phone,
    opening_periods,
    parse_code,
    slot_starts,
    token_in,
)
from queue_server.domain.calendar import WorkingCalendar
from queue_server.domain.errors import Invalid

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS = {"mon-fri": ["07:00-11:30", "13:30-17:00"], "sat": ["07:30-11:30"], "issue_until": ["11:15", "16:30"]}
RULES = SlotRules(slot=timedelta(minutes=15), capacity=2, horizon_days=7, checkin_before=timedelta(minutes=30),
                  checkin_after=timedelta(minutes=15))


class NoHolidays:
    def days_off(self, year: int) -> frozenset:
        return frozenset({date(2026, 11, 24)})

    def working_weekend_days(self, year: int) -> frozenset:
        return frozenset()


@pytest.mark.parametrize("written", ["0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678",
                                     "(+84) 912-345-678", "+840912345678", "0084912345678"])
def test_one_phone_number_however_it_is_written(written: str) -> None:
    assert normalize_phone(written) == "+84912345678"


@pytest.mark.parametrize("bad", ["", "12345", "0012345678", "+1 415 555 0100", "09123456789012", "0912abc678"])
def test_what_is_not_a_vietnamese_phone_number_is_refused_with_an_example(bad: str) -> None:
    with pytest.raises(Invalid) as refused:
        normalize_phone(bad)
    assert "0912 345 678" in refused.value.message_vi


def test_landline_numbers_have_ten_national_digits() -> None:
    assert normalize_phone("0234 3822 123") == "+842343822123"


def test_codes_are_typable_and_forgiving() -> None:
    code = new_booking_code()
    assert len(code) == 8 and not set(code) & set("01OIL")
    assert parse_code(format_code(code).lower()) == code
    assert parse_code(" abcd 2345 ") == "ABCD2345"
    assert parse_code("ABCD-2340") is None  # 0 is never in a code
    assert parse_code("ABC") is None
    assert token_in("http://host/b/abcdefghijklmnopqrstuvwx") == "abcdefghijklmnopqrstuvwx"
    assert token_in("ABCD-2345") is None


def test_id_numbers_and_masked_phones() -> None:
    assert normalize_id_number(" 079 123 456 789 ") == "079123456789"
    assert normalize_id_number("") == ""
    with pytest.raises(Invalid):
        normalize_id_number("12#4")
    assert mask_phone("+84912345678") == "0912 *** 678"


def test_slots_follow_the_periods_and_stop_where_the_kiosk_stops_issuing() -> None:
    wednesday = date(2026, 11, 25)
    starts = [s.strftime("%H:%M") for s in slot_starts(HOURS, wednesday, RULES.slot, HUE)]
    assert starts[:3] == ["07:00", "07:15", "07:30"]
    assert "11:00" in starts and "11:15" not in starts  # issuing stops at 11:15
    assert starts[starts.index("11:00") + 1] == "13:30" and starts[-1] == "16:15"
    assert all(s.tzinfo is HUE for s in slot_starts(HOURS, wednesday, RULES.slot, HUE))
    assert opening_periods(HOURS, 6) == []  # Sunday: closed
    assert opening_periods({"mon-sun": ["00:00-24:00"]}, 6) == [(time(0, 0), time.max, None)]


def test_bookable_days_are_the_days_the_site_opens_except_holidays() -> None:
    calendar = WorkingCalendar(holidays=NoHolidays())
    days = bookable_days(HOURS, date(2026, 11, 23), RULES, calendar)
    # Tuesday 24 is a holiday here; the site opens on Saturday morning, not on Sunday.
    assert days == [date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27),
                    date(2026, 11, 28), date(2026, 11, 30)]
    # Saturday: 07:30-11:30, none starting once the kiosk stops issuing at 11:15
    assert slot_starts(HOURS, date(2026, 11, 28), RULES.slot, HUE)[-1].time() == time(11, 0)


def test_a_holiday_on_a_saturday_the_site_opens_is_not_bookable() -> None:
    calendar = WorkingCalendar(holidays=NoHolidays(), extra_days_off=[date(2026, 11, 28)])
    days = bookable_days(HOURS, date(2026, 11, 23), RULES, calendar)
    assert date(2026, 11, 28) not in days and date(2026, 11, 27) in days


def test_the_check_in_window_around_the_slot_start() -> None:
    start = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert checkin_timing(start, start - timedelta(minutes=31), RULES) is CheckinTiming.TOO_EARLY
    assert checkin_timing(start, start - timedelta(minutes=30), RULES) is CheckinTiming.ON_TIME
    assert checkin_timing(start, start + timedelta(minutes=15), RULES) is CheckinTiming.ON_TIME
    assert checkin_timing(start, start + timedelta(minutes=16), RULES) is CheckinTiming.TOO_LATE
