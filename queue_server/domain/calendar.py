"""Vietnam's working-day calendar and the due date of a dossier (ngày hẹn trả kết quả).

Legal processing times skip weekends and public holidays whatever a site's own opening
hours: a center that opens its counters on Saturday morning still counts Saturday as a day
off. Public holidays come from the `holidays` package; the government's yearly decisions
(extra days off around Tết, make-up working Saturdays, a holiday the package lists before
the law is in force) are configured on top, because the package only knows what had been
decided when it was released.

Counting rules (Civil Code 2015 arts. 147-148: the day of receipt is not counted; a term
ending on a day off ends on the next working day):
- "Ngày làm việc": day 1 is the first working day after the day of receipt.
- "Ngày": calendar days from the day after receipt; a due date on a day off moves to the
  next working day.
- "Tháng": the same day of the month n months later (the month's last day if it has no
  such day), moved to the next working day if needed.
- "Giờ": working hours only, within the configured periods; the result is a moment.
- Same-day procedures (0 of any unit, or at most 4 hours) received after the 15:00 cut-off
  are due the next working day (a date for 0, the end of that day for hours); before it,
  0 means the day of receipt and hours are counted as usual.
- A dossier received on a day off (a weekend counter opening) counts from the next working
  day, as if it had been received at the end of the day before it.
- No legal time (empty value or empty unit in the catalog) gives no due date: the clerk
  writes the appointment by hand.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays as holidays_package

VN_TZ = "Asia/Ho_Chi_Minh"
SATURDAY, SUNDAY = 5, 6
SAME_DAY_CUTOFF = time(15, 0)
# A procedure this short is a "same-day" one: the 15:00 cut-off applies to it.
SAME_DAY_MAX_HOURS = 4
# No real calendar goes a year without a working day; more means a misconfiguration.
_MAX_SEARCH_DAYS = 366


class TimeUnit(StrEnum):
    """Units of a legal processing time, valued as the catalog writes them."""

    WORKING_DAYS = "Ngày làm việc"
    DAYS = "Ngày"
    HOURS = "Giờ"
    MONTHS = "Tháng"

    @classmethod
    def parse(cls, text: TimeUnit | str | None) -> TimeUnit | None:
        """The unit for a catalog label or a code name; None when the catalog gives none.

        An unknown label raises ValueError: guessing a unit would print a wrong date.
        """
        if text is None or isinstance(text, TimeUnit):
            return text
        key = unicodedata.normalize("NFC", text).strip().casefold()
        if not key:
            return None
        for unit in cls:
            if key in (unit.value.casefold(), unit.name.casefold()):
                return unit
        raise ValueError(f"Đơn vị thời gian không hợp lệ / unknown time unit: {text!r}")


def parse_time_value(value: int | str | Decimal | None) -> int | None:
    """A whole, non-negative amount; None when empty. The catalog has "1100.000" too."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("time_value must be a number, not a bool")
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"Thời hạn không hợp lệ / invalid time value: {value!r}") from None
    if amount != amount.to_integral_value() or amount < 0:
        raise ValueError(f"Thời hạn phải là số nguyên không âm / not a whole number: {value!r}")
    return int(amount)


@dataclass(frozen=True)
class WorkingHours:
    """Office periods of a working day, in local wall-clock time (practice, not law)."""

    periods: tuple[tuple[time, time], ...] = (
        (time(7, 0), time(11, 30)),
        (time(13, 30), time(17, 0)),
    )

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("WorkingHours needs at least one period")
        previous_end = time.min
        for start, end in self.periods:
            if not previous_end <= start < end:
                raise ValueError(f"working periods must be ordered and disjoint: {self.periods}")
            previous_end = end

    @property
    def closing(self) -> time:
        return self.periods[-1][1]


class HolidaySource(Protocol):
    """Where public holidays come from; a fake in tests, the `holidays` package in use."""

    def days_off(self, year: int) -> Collection[date]: ...

    def working_weekend_days(self, year: int) -> Collection[date]: ...


class PackageHolidays:
    """Public holidays of a country from the `holidays` package, computed once per year.

    `working_weekend_days` are the Saturdays the government swapped with a weekday off
    (ngày làm bù) that the package knows of, e.g. 22/08/2026 for 31/08/2026.
    """

    def __init__(self, country: str = "VN") -> None:
        self._country = country
        self._days_off: dict[int, frozenset[date]] = {}
        self._working: dict[int, frozenset[date]] = {}

    def _load(self, year: int) -> None:
        calendar = holidays_package.country_holidays(self._country, years=year)
        self._days_off[year] = frozenset(calendar.keys())
        # A swap may cross a year boundary (work 27/12/2014 for 02/01/2015), so the
        # package may file it under the neighbouring year.
        swapped: set[date] = set(calendar.weekend_workdays)
        for other in (year - 1, year + 1):
            neighbour = holidays_package.country_holidays(self._country, years=other)
            swapped |= neighbour.weekend_workdays
        self._working[year] = frozenset(d for d in swapped if d.year == year)

    def days_off(self, year: int) -> frozenset[date]:
        if year not in self._days_off:
            self._load(year)
        return self._days_off[year]

    def working_weekend_days(self, year: int) -> frozenset[date]:
        if year not in self._working:
            self._load(year)
        return self._working[year]


class WorkingCalendar:
    """Which days count towards a legal deadline, and the due date of a dossier.

    extra_days_off: days off the government grants that the holiday source lacks (a
    longer Tết decided after the package's release). extra_working_days: make-up working
    days (ngày làm bù) the source lacks, or a listed holiday that is not in force; these
    win over weekends and the source, and a day cannot be in both lists.
    """

    def __init__(
        self,
        *,
        holidays: HolidaySource | None = None,
        weekend: Iterable[int] = (SATURDAY, SUNDAY),
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        hours: WorkingHours | None = None,
    ) -> None:
        self._holidays = holidays if holidays is not None else PackageHolidays("VN")
        self._weekend = frozenset(weekend)
        if not self._weekend <= set(range(7)) or len(self._weekend) == 7:
            raise ValueError(f"weekend must be some of the weekdays 0-6, not all: {weekend}")
        self._extra_off = frozenset(_only_dates(extra_days_off))
        self._extra_working = frozenset(_only_dates(extra_working_days))
        clash = self._extra_off & self._extra_working
        if clash:
            raise ValueError(f"days both off and working in the configuration: {sorted(clash)}")
        self.hours = hours if hours is not None else WorkingHours()

    def is_working_day(self, d: date) -> bool:
        _require_date(d)
        if d in self._extra_off:
            return False
        if d in self._extra_working:
            return True
        if d in self._holidays.days_off(d.year):
            return False
        if d in self._holidays.working_weekend_days(d.year):
            return True
        return d.weekday() not in self._weekend

    def is_day_off(self, d: date) -> bool:
        """A public holiday or a configured day off: closed whatever the weekday. A plain
        weekend day is not one (a site may open on Saturday morning)."""
        _require_date(d)
        if d in self._extra_off:
            return True
        return d not in self._extra_working and d in self._holidays.days_off(d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        _require_date(d)
        for offset in range(1, _MAX_SEARCH_DAYS + 1):
            candidate = d + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within a year after {d}: check the calendar")

    def on_or_after(self, d: date) -> date:
        """d itself if it is a working day, else the next one."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after start (start itself not counted).

        n = 0 gives start when it is a working day, else the next working day.
        """
        if n < 0:
            raise ValueError("add_working_days counts forward only (n >= 0)")
        day = self.on_or_after(start) if n == 0 else start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def due_date(
        self,
        received_at: datetime,
        time_value: int | str | Decimal | None,
        time_unit: TimeUnit | str | None,
        *,
        same_day_cutoff: time = SAME_DAY_CUTOFF,
        tz: str | ZoneInfo = VN_TZ,
    ) -> datetime | date | None:
        """The appointment for results: a date for day and month units, an aware
        datetime for hours, None when the procedure has no legal time."""
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")
        amount = parse_time_value(time_value)
        unit = TimeUnit.parse(time_unit)
        if amount is None or unit is None:
            return None
        zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        local = received_at.astimezone(zone)
        received_day = local.date()
        on_working_day = self.is_working_day(received_day)
        # The slip prints minutes, so the rule compares minutes: what the citizen reads as
        # "15:00" is not after 15:00.
        received_minute = local.time().replace(second=0, microsecond=0)
        after_cutoff = on_working_day and received_minute > same_day_cutoff

        if amount == 0:
            if on_working_day and not after_cutoff:
                return received_day
            return self.next_working_day(received_day)

        if unit is TimeUnit.HOURS:
            due = self._add_working_hours(local.replace(tzinfo=None), amount)
            if amount <= SAME_DAY_MAX_HOURS and after_cutoff:
                end_of_next = datetime.combine(
                    self.next_working_day(received_day), self.hours.closing
                )
                due = max(due, end_of_next)
            return due.replace(tzinfo=zone)

        # Received on a day off: count as if received on the eve of the next working day.
        anchor = (
            received_day
            if on_working_day
            else self.next_working_day(received_day) - timedelta(days=1)
        )
        if unit is TimeUnit.WORKING_DAYS:
            return self.add_working_days(anchor, amount)
        if unit is TimeUnit.DAYS:
            return self.on_or_after(anchor + timedelta(days=amount))
        return self.on_or_after(add_months(anchor, amount))

    def _add_working_hours(self, start: datetime, hours: int) -> datetime:
        """Wall-clock arithmetic over the working periods (Vietnam has no DST)."""
        remaining = timedelta(hours=hours)
        cursor = start
        while True:
            day = cursor.date()
            if self.is_working_day(day):
                for period_start, period_end in self.hours.periods:
                    begin = max(datetime.combine(day, period_start), cursor)
                    end = datetime.combine(day, period_end)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        return begin + remaining
                    remaining -= end - begin
            cursor = datetime.combine(self.next_working_day(day), time.min)


def add_months(d: date, months: int) -> date:
    """Same day of the month, or the month's last day when it has no such day."""
    year, month_index = divmod(d.month - 1 + months, 12)
    year += d.year
    month = month_index + 1
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    last_day = (first_of_next - timedelta(days=1)).day
    return date(year, month, min(d.day, last_day))


def _require_date(d: date) -> None:
    # A datetime is a date too, but it never equals one: a silent miss in every lookup.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date (local business day), got {type(d).__name__}")


def _only_dates(days: Iterable[date]) -> list[date]:
    result = list(days)
    for d in result:
        _require_date(d)
    return result
