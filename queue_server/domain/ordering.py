"""Which waiting ticket a counter calls next: one pure, table-tested strategy.

The database only narrows the field to a few head candidates per service (see
`CANDIDATES_PER_SERVICE`); the policy's `sort_key` decides among them, so the whole
ordering can be tested without a database and changed in one place.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from shared.enums import PriorityClass

# Higher weight is served first. Appointment is handled separately (only once due).
DEFAULT_PRIORITY_WEIGHTS: Mapping[PriorityClass, int] = {
    PriorityClass.NORMAL: 0,
    PriorityClass.CHILD: 1,
    PriorityClass.PREGNANCY: 2,
    PriorityClass.DISABILITY: 2,
    PriorityClass.ELDERLY: 2,
    PriorityClass.MERIT: 3,
    PriorityClass.APPOINTMENT: 4,
}

# How many head tickets per service the database hands to the policy: the best by
# (rank, arrival) and the oldest by arrival. Enough for every policy defined here, which
# only compares rank, the counter's service weight and arrival time.
CANDIDATES_PER_SERVICE = 4


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    service_id: int
    priority: PriorityClass
    rank: int
    arrived_at: datetime
    appointment_at: datetime | None = None
    targeted: bool = False  # sent to this very counter by a transfer


@dataclass(frozen=True)
class CounterView:
    counter_id: int
    service_weights: Mapping[int, int] = field(default_factory=dict)

    def weight(self, service_id: int) -> int:
        return self.service_weights.get(service_id, 0)


class OrderingPolicy(Protocol):
    name: str

    def sort_key(self, ticket: Candidate, counter: CounterView, now: datetime) -> tuple: ...


@dataclass(frozen=True)
class DefaultPolicy:
    """Due appointments and tickets transferred to this counter, then priority class, then
    the counter's service weight, then first come first served. A ticket waiting longer than `max_wait` rises above all of
    that (oldest first) so nobody starves behind a stream of priority tickets."""

    max_wait: timedelta = timedelta(minutes=60)
    appointment_grace: timedelta = timedelta(minutes=0)
    name: str = "default"

    def sort_key(self, ticket: Candidate, counter: CounterView, now: datetime) -> tuple:
        arrived = ticket.arrived_at.timestamp()
        if now - ticket.arrived_at >= self.max_wait:
            return (0, 0, 0, 0, arrived, ticket.ticket_id)
        is_appointment = ticket.priority is PriorityClass.APPOINTMENT
        due = is_appointment and (
            ticket.appointment_at is None or ticket.appointment_at - self.appointment_grace <= now
        )
        # An appointment that is not yet due waits like a normal ticket.
        rank = 0 if is_appointment and not due else ticket.rank
        return (1, 0 if due or ticket.targeted else 1, -rank, -counter.weight(ticket.service_id), arrived, ticket.ticket_id)


@dataclass(frozen=True)
class FifoPolicy:
    """Strict arrival order, ignoring priority and weights (some commune points want it)."""

    name: str = "fifo"

    def sort_key(self, ticket: Candidate, counter: CounterView, now: datetime) -> tuple:
        return (ticket.arrived_at.timestamp(), ticket.ticket_id)


POLICIES: dict[str, Callable[..., OrderingPolicy]] = {
    "default": DefaultPolicy,
    "fifo": FifoPolicy,
}


def make_policy(name: str, *, max_wait: timedelta | None = None,
                appointment_grace: timedelta | None = None) -> OrderingPolicy:
    """Build a policy by name; an unknown name is a start-up error, never a silent default."""
    if name not in POLICIES:
        raise ValueError(f"unknown ordering policy {name!r}; choose one of {sorted(POLICIES)}")
    if name == "default":
        options: dict = {}
        if max_wait is not None:
            options["max_wait"] = max_wait
        if appointment_grace is not None:
            options["appointment_grace"] = appointment_grace
        return DefaultPolicy(**options)
    return POLICIES[name]()


def choose(
    policy: OrderingPolicy, candidates: list[Candidate], counter: CounterView, now: datetime
) -> Candidate | None:
    if not candidates:
        return None
    return min(candidates, key=lambda c: policy.sort_key(c, counter, now))
