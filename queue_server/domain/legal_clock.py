"""The legal clock of a dossier after the counter: working days left, when the center must
forward it, whether a hand-off came on time, and the clock stopped for a supplement.

All days are local business days (dates, never datetimes). Working days are counted the
way `calendar.WorkingCalendar.due_date` counts them: a span (a, b] holds the working days
strictly after a, up to and including b.

The 15:00 rule (Decree 118/2025, as Decree 61/2018 before it, read here as the project
reads it, and configurable): a dossier received up to the cut-off on a working day is
forwarded to its processing agency that same day; later, or on a day off, by the next
working day.

Supplements: while the citizen completes the dossier the clock does not run. The working
days left when it stopped are kept; on receipt of the complete dossier they run again
from that day, as if the dossier had been received then with only those days to go (the
time the agency already spent still counts). A dossier stopped on its day of receipt thus
gets its whole legal time again, exactly as a fresh reception would.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from .calendar import SAME_DAY_CUTOFF, WorkingCalendar

FORWARD_CUTOFF = SAME_DAY_CUTOFF


class Timeliness(StrEnum):
    """The control slip's column "Kết quả giải quyết hồ sơ": before, on, or after the due day."""

    EARLY = "early"  # trước hạn
    ON_TIME = "on_time"  # đúng hạn
    LATE = "late"  # quá hạn


TIMELINESS_VI = {Timeliness.EARLY: "Trước hạn", Timeliness.ON_TIME: "Đúng hạn", Timeliness.LATE: "Quá hạn"}
TIMELINESS_EN = {Timeliness.EARLY: "Early", Timeliness.ON_TIME: "On time", Timeliness.LATE: "Late"}


def working_days_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    """Working days in (start, end]; 0 when end is not after start."""
    _require(start, end)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count


def working_days_left(calendar: WorkingCalendar, today: date, due: date) -> int:
    """What the inbox shows: 0 on the due day, n working days before it, and a negative
    count of the working days already past it once late (due Friday, read on Monday: -1)."""
    if due >= today:
        return working_days_between(calendar, today, due)
    return -working_days_between(calendar, due, today)


def forward_deadline(calendar: WorkingCalendar, received_local: datetime, cutoff: time = FORWARD_CUTOFF) -> date:
    """The day by which the center hands the dossier to its agency (the 15:00 rule)."""
    if received_local.tzinfo is None:
        raise ValueError("received_local must be timezone-aware (local time)")
    day = received_local.date()
    minute = received_local.time().replace(second=0, microsecond=0)
    if calendar.is_working_day(day) and minute <= cutoff:
        return day
    return calendar.next_working_day(day)


def timeliness(done_day: date, deadline: date | None) -> Timeliness | None:
    """None when there is no deadline to judge against (no legal time)."""
    if deadline is None:
        return None
    _require(done_day, deadline)
    if done_day < deadline:
        return Timeliness.EARLY
    return Timeliness.ON_TIME if done_day == deadline else Timeliness.LATE


def days_left_when_stopped(calendar: WorkingCalendar, stopped_day: date, due: date) -> int:
    """Working days still to run when the clock stops for a supplement (never negative: a
    dossier already late stays late, with nothing left to run)."""
    return max(0, working_days_left(calendar, stopped_day, due))


def due_after_restart(calendar: WorkingCalendar, restarted_day: date, days_left: int) -> date:
    """The due day once the complete dossier is received on `restarted_day` (day not
    counted, as at reception; a day off counts as the eve of the next working day)."""
    if days_left < 0:
        raise ValueError("days_left must not be negative")
    if days_left == 0:
        return calendar.on_or_after(restarted_day)
    anchor = (restarted_day if calendar.is_working_day(restarted_day)
              else calendar.next_working_day(restarted_day) - timedelta(days=1))
    return calendar.add_working_days(anchor, days_left)


def working_days_used(calendar: WorkingCalendar, received_day: date, done_day: date,
                      stops: list[tuple[date, date]]) -> int:
    """Working days the dossier spent with the administration: (received, done] minus the
    working days of each stop (stopped, restarted] the citizen spent completing it."""
    used = working_days_between(calendar, received_day, done_day)
    for stopped, restarted in stops:
        used -= working_days_between(calendar, stopped, min(restarted, done_day))
    return max(0, used)


def _require(*days: date) -> None:
    for d in days:
        if isinstance(d, datetime) or not isinstance(d, date):
            raise TypeError(f"expected a date (local business day), got {type(d).__name__}")
