"""Time faults: one server process running for weeks, and the system clock jumping.

The server reads time only through the wiring's clock (here a FakeClock the test moves),
so one app instance living through three weeks of days is exactly a long-running server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support import COUNTER_A, Api, FakeClock

LOCAL = timedelta(hours=7)  # Asia/Ho_Chi_Minh, no daylight saving


def at_local(clock: FakeClock, day: datetime, hour: int, minute: int, second: int = 0) -> None:
    clock.now = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC) - LOCAL


def serve_in_order(api: Api, count: int) -> list[str]:
    """Counter 1 calls `count` tickets one after the other (the way clerks do)."""
    labels = []
    for _ in range(count):
        labels.append(api.ok(COUNTER_A, "call-next", {"finish_current": True})["label"])
        api.ok(COUNTER_A, "start")
    return labels


@pytest.mark.slow
def test_numbering_restarts_at_local_midnight_every_day_for_weeks(api: Api, clock: FakeClock) -> None:
    first = datetime(2026, 11, 23)
    api.ok(COUNTER_A, "open")
    for n in range(21):
        day = first + timedelta(days=n)
        k = 1 if n == 0 else 2  # from the second day on, A001 went at 00:00:01 (below)
        api._tokens.clear()  # the clerk logs in each morning (sessions last 12 hours)
        at_local(clock, day, 6, 59)
        assert api.issue()["label"] == f"A{k:03d}", day
        at_local(clock, day, 7, 1)  # midnight UTC: nothing restarts here
        assert api.issue()["label"] == f"A{k + 1:03d}", day
        at_local(clock, day, 23, 59, 59)
        assert api.issue()["label"] == f"A{k + 2:03d}", day
        clock.advance(seconds=2)  # 00:00:01 local: a new business day
        assert api.issue(priority="elderly")["label"] == "A001", day
        # Yesterday's tickets are still served: the two waiting since morning first (over
        # the hour's maximum wait), then today's elderly citizen, then the 23:59:59 one.
        assert serve_in_order(api, 4) == [f"A{k:03d}", f"A{k + 1:03d}", "A001", f"A{k + 2:03d}"]
        api.ok(COUNTER_A, "finish")


def test_the_clock_going_back_does_not_put_new_tickets_ahead(api: Api, clock: FakeClock) -> None:
    api.ok(COUNTER_A, "open")
    n1 = api.issue()["label"]
    e1 = api.issue(priority="elderly")["label"]
    n2 = api.issue()["label"]
    clock.advance(hours=-2)  # an operator or a bad NTP source sets the clock back
    n3 = api.issue()["label"]
    e2 = api.issue(priority="elderly")["label"]
    assert serve_in_order(api, 5) == [e1, e2, n1, n2, n3]


def test_a_forward_jump_and_its_correction_keep_the_line_in_order(api: Api, clock: FakeClock) -> None:
    api.ok(COUNTER_A, "open")
    n1 = api.issue()["label"]
    e1 = api.issue(priority="elderly")["label"]
    clock.advance(minutes=30)  # the clock leaps ahead...
    n2 = api.issue()["label"]
    clock.advance(minutes=-29)  # ...and NTP puts it right a moment later
    n3 = api.issue()["label"]
    e2 = api.issue(priority="elderly")["label"]
    assert serve_in_order(api, 5) == [e1, e2, n1, n2, n3]
    waiting = api.issue()
    assert waiting["people_ahead"] == 0 and waiting["estimated_wait_minutes"] >= 0
