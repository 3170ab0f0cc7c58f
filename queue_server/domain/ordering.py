"""Which waiting ticket a counter calls next: one pure, table-tested strategy that owns the
whole choice.

A policy says two things: `sort_key`, the order of every ticket a counter may call, and
`heads`, the few tickets of each service's line among which the first by `sort_key` is
always found (its proof is in the policy's docstring; the property tests check it on
random lines, in memory and through both databases). The database reads only those heads
(an index probe each, however deep the line) plus the tickets sent to this very counter;
the simulator reads the same heads from its own lines with `line_heads`. Either way the
policy's `choose` then decides, so the choice lives here and nowhere else.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol, TypeVar

from shared.enums import PriorityClass

T = TypeVar("T")

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


# ---- the candidate query a policy declares -------------------------------------------------
class Slice(Enum):
    """Which tickets of one service's line a head is taken from."""

    EVERY = "every"
    WALK_INS = "walk_ins"  # every ticket but appointments
    APPOINTMENTS = "appointments"  # checked-in appointments, due or early: a handful per line

    def holds(self, ticket: Candidate) -> bool:
        if self is Slice.EVERY:
            return True
        return (ticket.priority is PriorityClass.APPOINTMENT) == (self is Slice.APPOINTMENTS)


class Order(Enum):
    ARRIVAL = "arrival"  # first come first served: (arrived_at, id)
    RANK = "rank"  # the highest stored rank first, then arrival

    def key(self, ticket: Candidate) -> tuple:
        if self is Order.ARRIVAL:
            return (ticket.arrived_at, ticket.ticket_id)
        return (-ticket.rank, ticket.arrived_at, ticket.ticket_id)


@dataclass(frozen=True)
class Head:
    """The first ticket of a slice of one line in `order` (one index probe per service), or,
    with no order, every ticket of the slice (for a slice that stays small)."""

    slice: Slice
    order: Order | None


class OrderingPolicy(Protocol):
    name: str
    heads: tuple[Head, ...]

    def sort_key(self, ticket: Candidate, counter: CounterView, now: datetime) -> tuple: ...


@dataclass(frozen=True)
class DefaultPolicy:
    """Due appointments and tickets transferred to this counter, then priority class, then
    the counter's service weight, then first come first served. A ticket waiting longer than
    `max_wait` rises above all of that (oldest first) so nobody starves behind a stream of
    priority tickets. An appointment not yet due waits like a normal ticket.

    Why `heads` is enough: in one service's line (not sent to a particular counter) the
    counter's weight is the same for every ticket, so `sort_key` ranks them by: past the
    maximum wait, oldest first (if anyone is, the line's oldest ticket is: EVERY by
    ARRIVAL); then due appointments, then the rest by effective rank and arrival. All the
    line's appointments are candidates (APPOINTMENTS: whether due or early is decided here,
    at call time), and among walk-ins the effective rank is the stored one, so the first
    by rank and arrival (WALK_INS by RANK) is their best. The line's first ticket is one of
    these; the counter's first is the best of its lines' firsts and of the tickets sent to
    it, which the database always hands over in full."""

    max_wait: timedelta = timedelta(minutes=60)
    appointment_grace: timedelta = timedelta(minutes=0)
    name: str = "default"
    heads: tuple[Head, ...] = (
        Head(Slice.EVERY, Order.ARRIVAL),
        Head(Slice.WALK_INS, Order.RANK),
        Head(Slice.APPOINTMENTS, None),
    )

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
    """Strict arrival order, ignoring priority and weights (some commune points want it).
    The first of every line by arrival is its only head."""

    name: str = "fifo"
    heads: tuple[Head, ...] = (Head(Slice.EVERY, Order.ARRIVAL),)

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


def line_heads(heads: Iterable[Head], buckets: Mapping[int, Iterable[T]],
               candidate: Callable[[T], Candidate] = lambda x: x) -> list[Candidate]:
    """The heads of one service's line held in memory as rank -> entries in arrival order
    (the simulator's lines; `candidate` reads an entry): what the database's index probes
    return for that line."""
    out: list[Candidate] = []
    for head in heads:
        if head.order is None:
            out.extend(c for rank in buckets for c in map(candidate, buckets[rank]) if head.slice.holds(c))
            continue
        firsts = []
        for rank in sorted(buckets, reverse=True):
            first = next((c for c in map(candidate, buckets[rank]) if head.slice.holds(c)), None)
            if first is not None:
                firsts.append(first)
                if head.order is Order.RANK:
                    break  # no lower rank comes first
        if firsts:
            out.append(min(firsts, key=head.order.key))
    return out


def choose(
    policy: OrderingPolicy, candidates: list[Candidate], counter: CounterView, now: datetime
) -> Candidate | None:
    if not candidates:
        return None
    return min(candidates, key=lambda c: policy.sort_key(c, counter, now))
