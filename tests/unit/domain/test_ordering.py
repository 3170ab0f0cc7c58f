"""The ordering policy, one tie-breaker per row, including the direction of arrival time."""

from datetime import UTC, datetime, timedelta

import pytest

from queue_server.domain.ordering import (
    Candidate,
    CounterView,
    DefaultPolicy,
    FifoPolicy,
    choose,
    make_policy,
)
from shared.enums import PriorityClass as P

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
WEIGHTS = {1: 2, 2: 1}  # this counter prefers service 1
COUNTER = CounterView(counter_id=7, service_weights=WEIGHTS)
RANK = {P.NORMAL: 0, P.CHILD: 1, P.ELDERLY: 2, P.MERIT: 3, P.APPOINTMENT: 4}


def ticket(tid: int, minutes_ago: float, priority: P = P.NORMAL, service: int = 1, *, appointment_in: float | None = None,
           targeted: bool = False) -> Candidate:
    appointment = NOW + timedelta(minutes=appointment_in) if appointment_in is not None else None
    return Candidate(tid, service, priority, RANK[priority], NOW - timedelta(minutes=minutes_ago), appointment, targeted)


# (why, candidates, the ticket id that must be called)
CASES = [
    ("first come first served: the EARLIER arrival wins", [ticket(1, 5), ticket(2, 10)], 2),
    ("same arrival time: the lower id (issued first) wins", [ticket(9, 5), ticket(3, 5)], 3),
    ("priority class beats arrival", [ticket(1, 30), ticket(2, 1, P.ELDERLY)], 2),
    ("a higher priority class beats a lower one", [ticket(1, 5, P.CHILD), ticket(2, 1, P.MERIT)], 2),
    ("the counter's service weight beats arrival", [ticket(1, 30, service=2), ticket(2, 1, service=1)], 2),
    ("priority class beats the counter's service weight", [ticket(1, 5, service=1), ticket(2, 1, P.ELDERLY, service=2)], 2),
    ("a due appointment beats every priority class", [ticket(1, 5, P.MERIT), ticket(2, 1, P.APPOINTMENT, appointment_in=0)], 2),
    ("an appointment not yet due waits like a normal ticket", [ticket(1, 5), ticket(2, 10, P.APPOINTMENT, appointment_in=30)], 2),
    ("an early appointment does not beat an earlier normal ticket", [ticket(1, 10), ticket(2, 5, P.APPOINTMENT, appointment_in=30)], 1),
    ("a ticket transferred to this counter goes first", [ticket(1, 5, P.MERIT), ticket(2, 1, targeted=True)], 2),
    ("past the maximum wait a normal ticket beats priority", [ticket(1, 61), ticket(2, 1, P.MERIT)], 1),
    ("among starving tickets the oldest wins", [ticket(1, 61, P.MERIT), ticket(2, 90)], 2),
    ("starving beats a due appointment", [ticket(1, 1, P.APPOINTMENT, appointment_in=0), ticket(2, 61, service=2)], 2),
]


@pytest.mark.parametrize(("why", "candidates", "expected"), CASES, ids=[c[0] for c in CASES])
def test_default_policy_tie_breakers(why: str, candidates: list[Candidate], expected: int) -> None:
    policy = DefaultPolicy(max_wait=timedelta(minutes=60))
    assert choose(policy, candidates, COUNTER, NOW).ticket_id == expected
    assert choose(policy, list(reversed(candidates)), COUNTER, NOW).ticket_id == expected


def test_fifo_policy_ignores_priority_and_weights() -> None:
    picked = choose(FifoPolicy(), [ticket(1, 5, P.MERIT, service=1), ticket(2, 6, service=2)], COUNTER, NOW)
    assert picked.ticket_id == 2


def test_nobody_waiting_chooses_nothing() -> None:
    assert choose(DefaultPolicy(), [], COUNTER, NOW) is None


def test_unknown_policy_name_is_an_error_not_a_silent_default() -> None:
    with pytest.raises(ValueError, match="unknown ordering policy 'lifo'"):
        make_policy("lifo")
    assert make_policy("default", max_wait=timedelta(minutes=5)).max_wait == timedelta(minutes=5)
