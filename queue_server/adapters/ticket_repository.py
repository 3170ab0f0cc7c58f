"""Tickets and counters as domain objects: loaded from rows and saved back, through the
prebuilt statements of `adapters.repository` (no statement is built per request).

Each repository keeps the values it loaded; `save` writes only the fields the object
changed, in one UPDATE, and a ticket's UPDATE still checks the status it was loaded in
(another transaction that moved it makes the command fail, not pretend).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row

from queue_server.adapters import repository as repo
from queue_server.domain.counter import Counter
from queue_server.domain.estimation import Desk
from queue_server.domain.ordering import Candidate, Head
from queue_server.domain.ticket import Ticket
from shared.enums import CounterState, TicketStatus


class _Tracking:
    """Objects built from rows, each with the values it was loaded with, so that saving
    writes only what changed. `kind` is the domain class; `state` its enum field (kept as
    the enum on the object, as a plain string in the database)."""

    kind: type
    state: str

    def __init__(self) -> None:
        self._loaded: dict[int, dict[str, Any]] = {}

    def track(self, values: Mapping[str, Any]) -> Any:
        """The object of a row read by this transaction."""
        loaded = dict(values)
        obj = self.kind(**loaded)
        setattr(obj, self.state, _ENUMS[self.state](loaded[self.state]))
        self._loaded[obj.id] = loaded
        return obj

    def _changes(self, obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the values `obj` was loaded with, the fields it changed since: enums as values)."""
        loaded = self._loaded[obj.id]
        changes = {}
        for name, value in obj.__dict__.items():
            if name != "events" and loaded[name] != value:
                changes[name] = value.value if name == self.state else value
        return loaded, changes

    def _saved(self, obj: Any, loaded: dict[str, Any]) -> None:
        loaded.update(obj.__dict__)
        loaded[self.state] = getattr(obj, self.state).value


_ENUMS = {"status": TicketStatus, "state": CounterState}


class TicketRepository(_Tracking):
    kind, state = Ticket, "status"

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn
        self._claimed: dict[int, Row] = {}

    # ---- loading and saving -----------------------------------------------------------------
    def get(self, ticket_id: int) -> Ticket | None:
        """The ticket, locked to the end of the transaction (PostgreSQL; SQLite's write
        transaction holds the whole database)."""
        row = repo.ticket_for_update(self.conn, ticket_id)
        return None if row is None else self.track(row._mapping)

    def add(self, ticket: Ticket) -> None:
        """Insert a new ticket (its `id` is set from the insert)."""
        values = {k: v for k, v in ticket.__dict__.items() if k not in ("id", "events")}
        values["status"] = ticket.status.value
        ticket.id = repo.insert_ticket(self.conn, **values)
        self._saved(ticket, self._loaded.setdefault(ticket.id, {}))

    def save(self, ticket: Ticket) -> None:
        loaded, changes = self._changes(ticket)
        if changes:
            repo.update_ticket(self.conn, ticket.id, loaded["status"], **changes)
            self._saved(ticket, loaded)

    # ---- the lines ----------------------------------------------------------------------------
    def candidates(self, site_id: int, counter_id: int, service_ids: list[int],
                   heads: tuple[Head, ...]) -> list[Candidate]:
        """The ordering policy's candidates for this counter (see repository.claim_candidates;
        locked with SKIP LOCKED on PostgreSQL); `claimed` gives the chosen one without a
        second read."""
        rows = repo.claim_candidates(self.conn, site_id, counter_id, service_ids, heads)
        self._claimed = {r.id: r for r in rows}
        return [repo.as_candidate(r, counter_id) for r in rows]

    def claimed(self, ticket_id: int) -> Ticket:
        return self.track(self._claimed[ticket_id]._mapping)

    def held_at(self, counter_id: int) -> list[Ticket]:
        return [self.track(r._mapping) for r in repo.held_tickets_of(self.conn, counter_id)]

    def id_by_request(self, device_id: int, request_key: str) -> int | None:
        return repo.ticket_by_request(self.conn, device_id, request_key)

    def next_number(self, site_id: int, service_id: int, day: date) -> int:
        return repo.take_sequence_number(self.conn, site_id, service_id, day)

    def arrival_stamp(self, site_id: int, now: datetime) -> datetime:
        return repo.arrival_stamp(self.conn, site_id, now)

    def record_handling_time(self, ticket: Ticket, seconds: float) -> None:
        repo.record_handling_time(self.conn, ticket.site_id, ticket.service_id, seconds)

    # ---- what a wait estimate reads ------------------------------------------------------------
    def estimate_inputs(self, ticket: Ticket) -> Row:
        return repo.estimate_inputs(self.conn, ticket.site_id, ticket.service_id, ticket.rank, ticket.arrived_at,
                                    ticket.id)

    def new_ticket_estimate_inputs(self, ticket: Ticket) -> Row:
        return repo.new_ticket_estimate_inputs(self.conn, ticket.site_id, ticket.service_id, ticket.rank)


class CounterRepository(_Tracking):
    kind, state = Counter, "state"

    def __init__(self, conn: Connection, tickets: TicketRepository) -> None:
        super().__init__()
        self.conn = conn
        self.tickets = tickets

    def get(self, counter_id: int) -> Counter | None:
        row = repo.counter_for_update(self.conn, counter_id)
        return None if row is None else self.track(row._mapping)

    def get_with_ticket(self, counter_id: int) -> tuple[Counter | None, Ticket | None]:
        """The counter and the ticket at it, both locked, in one statement."""
        counter, ticket = repo.counter_and_current_ticket(self.conn, counter_id)
        if counter is None:
            return None, None
        return self.track(counter), (self.tickets.track(ticket) if ticket is not None else None)

    def save(self, counter: Counter) -> None:
        loaded, changes = self._changes(counter)
        if changes:
            repo.update_counter(self.conn, counter.id, **changes)
            self._saved(counter, loaded)

    def open_desks(self, site_id: int) -> tuple[list[Desk], set[int]]:
        return repo.open_desks(self.conn, site_id)
