"""The legal clock after the counter, on the real Vietnamese calendar: working days left,
the 15:00 forwarding rule, on time or late, and the clock stopped for a supplement across
weekends and Tết (2027: 4-10 February off), against a plain day-by-day count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.calendar import WorkingCalendar
from queue_server.domain.legal_clock import (
    Timeliness,
    days_left_when_stopped,
    due_after_restart,
    forward_deadline,
    timeliness,
    working_days_between,
    working_days_left,
    working_days_used,
)
from queue_server.service_layer.rules import _VN_HOLIDAYS

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar(holidays=_VN_HOLIDAYS)
D = date


def test_working_days_left_counts_to_the_due_day_and_past_it() -> None:
    assert working_days_left(CAL, D(2027, 3, 1), D(2027, 3, 1)) == 0  # due today
    assert working_days_left(CAL, D(2027, 3, 5), D(2027, 3, 8)) == 1  # Friday → Monday
    assert working_days_left(CAL, D(2027, 3, 8), D(2027, 3, 5)) == -1  # one working day late
    assert working_days_left(CAL, D(2027, 2, 3), D(2027, 2, 12)) == 2  # across Tết: Thu 11, Fri 12
    assert working_days_left(CAL, D(2027, 2, 13), D(2027, 2, 3)) == -2  # Saturday after Tết: Thu 11, Fri 12 late


@pytest.mark.parametrize(("received", "expected"), [
    (datetime(2027, 3, 1, 9, 0), D(2027, 3, 1)),  # morning: the same day
    (datetime(2027, 3, 1, 15, 0), D(2027, 3, 1)),  # 15:00 on the dot still counts as by the cut-off
    (datetime(2027, 3, 1, 15, 1), D(2027, 3, 2)),  # after: the next working day
    (datetime(2027, 3, 5, 16, 30), D(2027, 3, 8)),  # Friday afternoon: Monday
    (datetime(2027, 3, 6, 9, 0), D(2027, 3, 8)),  # a Saturday opening: Monday
    (datetime(2027, 2, 3, 16, 0), D(2027, 2, 11)),  # the day before Tết, late: the first day after it
])
def test_the_15_00_rule_decides_the_forwarding_day(received: datetime, expected: date) -> None:
    assert forward_deadline(CAL, received.replace(tzinfo=VN)) == expected


def test_the_cut_off_is_configurable() -> None:
    late = datetime(2027, 3, 1, 14, 30, tzinfo=VN)
    assert forward_deadline(CAL, late, time(14, 0)) == D(2027, 3, 2)
    assert forward_deadline(CAL, late, time(16, 0)) == D(2027, 3, 1)


def test_before_on_and_after_the_deadline() -> None:
    assert timeliness(D(2027, 3, 1), D(2027, 3, 2)) is Timeliness.EARLY
    assert timeliness(D(2027, 3, 2), D(2027, 3, 2)) is Timeliness.ON_TIME
    assert timeliness(D(2027, 3, 3), D(2027, 3, 2)) is Timeliness.LATE
    assert timeliness(D(2027, 3, 3), None) is None


def test_a_supplement_across_tet_keeps_the_days_that_were_left() -> None:
    # Received Thursday 28 January 2027 with 3 working days: due Tuesday 2 February.
    due = CAL.add_working_days(D(2027, 1, 28), 3)
    assert due == D(2027, 2, 2)
    # Stopped on Friday 29 January: Mon 1 and Tue 2 are left.
    left = days_left_when_stopped(CAL, D(2027, 1, 29), due)
    assert left == 2
    # Completed on Wednesday 3 February, the eve of Tết: Thu 11 and Fri 12.
    assert due_after_restart(CAL, D(2027, 2, 3), left) == D(2027, 2, 12)
    # Completed on Saturday 13 February (a weekend opening): counted from Monday 15.
    assert due_after_restart(CAL, D(2027, 2, 13), left) == D(2027, 2, 16)
    # Completed during Tết itself, on Monday 8 February: as if on Wednesday 10 → Thu 11, Fri 12.
    assert due_after_restart(CAL, D(2027, 2, 8), left) == D(2027, 2, 12)
    # Days used: Fri 29 Jan (stopped that day: not counted), Wed 3 Feb (restarted: counted),
    # Thu 11 — a result on Thursday 11 February took 2 working days.
    assert working_days_used(CAL, D(2027, 1, 28), D(2027, 2, 11), [(D(2027, 1, 29), D(2027, 2, 3))]) == 2


def test_a_dossier_already_late_stays_late_after_a_supplement() -> None:
    assert days_left_when_stopped(CAL, D(2027, 3, 10), D(2027, 3, 5)) == 0
    assert due_after_restart(CAL, D(2027, 3, 15), 0) == D(2027, 3, 15)
    assert due_after_restart(CAL, D(2027, 3, 13), 0) == D(2027, 3, 15)  # a Saturday: Monday
    with pytest.raises(ValueError):
        due_after_restart(CAL, D(2027, 3, 15), -1)


def test_stopping_on_the_day_of_receipt_gives_the_whole_legal_time_again() -> None:
    received = D(2027, 1, 28)
    for legal in (1, 3, 5, 10):
        due = CAL.add_working_days(received, legal)
        left = days_left_when_stopped(CAL, received, due)
        assert left == legal
        assert due_after_restart(CAL, D(2027, 2, 3), left) == CAL.add_working_days(D(2027, 2, 3), legal)


def _plain_count(start: date, end: date) -> int:
    return sum(CAL.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


@settings(max_examples=200, deadline=None)
@given(st.dates(D(2026, 1, 1), D(2028, 12, 1)), st.integers(0, 40), st.integers(0, 12), st.integers(0, 30))
def test_stop_and_restart_against_a_day_by_day_reference(received: date, legal: int, stop_after: int,
                                                        away: int) -> None:
    due = CAL.add_working_days(received, legal)
    stopped = received + timedelta(days=stop_after)
    restarted = stopped + timedelta(days=away)
    left = days_left_when_stopped(CAL, stopped, due)
    assert left == max(0, _plain_count(stopped, due) if due >= stopped else 0)
    new_due = due_after_restart(CAL, restarted, left)
    assert CAL.is_working_day(new_due) and new_due >= restarted
    # The new due day leaves exactly `left` working days after the restart (the restart
    # day itself not counted when it is a working day); nothing left: that very day, or
    # the next working one.
    if left == 0:
        assert new_due == CAL.on_or_after(restarted)
    else:
        anchor = restarted if CAL.is_working_day(restarted) else CAL.next_working_day(restarted) - timedelta(days=1)
        assert _plain_count(anchor, new_due) == left
    if legal:
        assert working_days_between(CAL, received, due) == legal
