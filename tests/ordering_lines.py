"""Random waiting lines for the ordering policy's property tests (in memory and through both
databases), and a plain reference of the written rules to check them against.

A line: up to 26 tickets over four services of which the counter serves some (with
weights), priority classes, appointments due and early, tickets sent to this counter or to
another one, arrivals spread so that some pass the maximum wait and some tie, and the clock
moving between calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import strategies as st

from queue_server.domain.ordering import DEFAULT_PRIORITY_WEIGHTS, Candidate, make_policy
from shared.enums import PriorityClass as P

SERVICES = 4  # service indexes 0..3; the counter serves a random subset
HERE, ELSEWHERE = "here", "elsewhere"  # where a transfer sent a ticket


@dataclass(frozen=True)
class Waiting:
    service: int
    priority: P
    minutes_ago: int
    appointment_in: int | None  # minutes from the start (appointments only; None: no time)
    sent_to: str | None  # None, HERE or ELSEWHERE

    def candidate(self, ticket_id: int, service_id: int, start: datetime) -> Candidate:
        at = None if self.appointment_in is None else start + timedelta(minutes=self.appointment_in)
        return Candidate(ticket_id, service_id, self.priority, DEFAULT_PRIORITY_WEIGHTS[self.priority],
                         start - timedelta(minutes=self.minutes_ago), at, self.sent_to == HERE)


@dataclass(frozen=True)
class Line:
    tickets: tuple[Waiting, ...]
    weights: dict[int, int]  # served service index -> the counter's weight for it
    clock_steps: tuple[int, ...]  # minutes the clock moves before each call
    policy: str
    max_wait: int
    grace: int

    def make_policy(self):  # noqa: ANN201
        return make_policy(self.policy, max_wait=timedelta(minutes=self.max_wait),
                           appointment_grace=timedelta(minutes=self.grace))

    def visible(self, waiting: Waiting) -> bool:
        """Who this counter may call: its services' line, and whatever was sent to it."""
        return waiting.sent_to == HERE or (waiting.sent_to is None and waiting.service in self.weights)


_PRIORITIES = [P.NORMAL, P.APPOINTMENT, P.ELDERLY, P.CHILD, P.PREGNANCY, P.DISABILITY, P.MERIT]


def _palette(values: list) -> st.SearchStrategy:  # noqa: ANN001
    """A line draws its tickets from a few of the kinds only (swarm testing): a line of six
    early appointments and one elderly citizen is then as likely as any mixed line."""
    return st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True).map(st.sampled_from)


@st.composite
def waiting(draw: st.DrawFn, priorities: st.SearchStrategy, services: st.SearchStrategy,
            sent_to: st.SearchStrategy, appointment_in: st.SearchStrategy, spread: int) -> Waiting:
    priority = draw(priorities)
    return Waiting(
        service=draw(services),
        priority=priority,
        # Whole minutes: arrivals tie, and land on the maximum wait exactly.
        minutes_ago=draw(st.integers(0, spread)),
        appointment_in=draw(appointment_in) if priority is P.APPOINTMENT else None,
        sent_to=draw(sent_to),
    )


@st.composite
def lines(draw: st.DrawFn, policies: tuple[str, ...] = ("default",), max_tickets: int = 18) -> Line:
    served = draw(st.sets(st.integers(0, SERVICES - 1), min_size=1))
    kinds = waiting(priorities=draw(_palette(_PRIORITIES)),
                    services=draw(st.one_of(st.just(st.sampled_from(sorted(served))), _palette(list(range(SERVICES))))),
                    sent_to=draw(st.one_of(st.just(st.none()), _palette([None, HERE, ELSEWHERE]))),
                    # due long ago, due at the boundary (with or without grace), or early
                    appointment_in=draw(_palette([None, -30, -10, 0, 1, 5, 10, 11, 25, 45])),
                    spread=draw(st.sampled_from([15, 45, 130])))  # nobody, some or many past the max wait
    size = draw(st.integers(0, max_tickets))  # (a plain list strategy keeps lines short)
    tickets = draw(st.lists(kinds, min_size=size, max_size=size))
    # A block of appointments checked in early in one served line (the field report had six):
    # stored at the top rank, they wait like walk-ins until due.
    early = waiting(priorities=st.just(P.APPOINTMENT), services=st.just(min(served)), sent_to=st.none(),
                    appointment_in=st.integers(30, 90), spread=draw(st.sampled_from([15, 45])))
    tickets += draw(st.lists(early, max_size=8))
    return Line(
        tickets=tuple(draw(st.permutations(tickets))),
        weights={s: draw(st.integers(0, 3)) for s in sorted(served)},
        clock_steps=tuple(draw(st.lists(st.sampled_from([0, 1, 5, 10, 25]), min_size=1, max_size=6))),
        policy=draw(st.sampled_from(policies)),
        max_wait=draw(st.sampled_from([30, 60, 120])),
        grace=draw(st.sampled_from([0, 10])),
    )


def depth(choice: Candidate | None, waiting: list[Candidate]) -> int:
    """How many tickets of its own line come before the policy's choice by stored rank and
    arrival, unless it is the line's oldest: what a pre-selection by stored rank (plus the
    oldest) would have to read to find it. Property tests `target()` it, so the search
    seeks the lines that bury the choice deepest."""
    if choice is None or choice.targeted:
        return 0
    line = [c for c in waiting if c.service_id == choice.service_id and not c.targeted]
    if min(line, key=lambda c: (c.arrived_at, c.ticket_id)) is choice:
        return 0
    return sum(1 for c in line if (-c.rank, c.arrived_at, c.ticket_id) < (-choice.rank, choice.arrived_at,
                                                                          choice.ticket_id))


def reference_next(policy_name: str, tickets: list[Candidate], weights: dict[int, int], now: datetime,
                   max_wait: timedelta, grace: timedelta) -> Candidate | None:
    """The rules as docs/api.md ("Which ticket is called next") words them, written plainly,
    without sort_key."""
    if not tickets:
        return None

    def first_come(group: list[Candidate]) -> Candidate:
        return min(group, key=lambda x: (x.arrived_at, x.ticket_id))

    if policy_name == "fifo":
        return first_come(tickets)
    starving = [x for x in tickets if now - x.arrived_at >= max_wait]
    if starving:
        return first_come(starving)

    def due(x: Candidate) -> bool:
        return x.priority is P.APPOINTMENT and (x.appointment_at is None or x.appointment_at - grace <= now)

    def effective_rank(x: Candidate) -> int:
        return 0 if x.priority is P.APPOINTMENT and not due(x) else x.rank

    group = [x for x in tickets if due(x) or x.targeted] or tickets
    best = max(effective_rank(x) for x in group)
    group = [x for x in group if effective_rank(x) == best]
    heaviest = max(weights.get(x.service_id, 0) for x in group)
    return first_come([x for x in group if weights.get(x.service_id, 0) == heaviest])
