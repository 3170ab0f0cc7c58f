"""A unit of work in memory, for handler tests without a database (the cosmicpython way).

`FakeUnitOfWork` has what the handlers reach through a unit of work: `tickets`,
`counters`, `catalog` (sites, services, procedures, counter weights), `rules`, `now`,
`emit`/`commit`/`rollback`. Its repositories keep rows as dicts, like the database: a
handler gets fresh objects on each load, and leaving the `with` block without a commit
restores the rows it changed. Other areas attach their own fakes with `attach`
(fake_dossiers.py, fake_bookings.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain.counter import Counter
from queue_server.domain.errors import Conflict
from queue_server.domain.estimation import Desk
from queue_server.domain.ordering import Candidate, Head, make_policy
from queue_server.domain.ticket import Ticket
from queue_server.service_layer.rules import Policies, QueueRules
from queue_server.service_layer.unit_of_work import PendingEvent
from shared.enums import CounterState, PriorityClass, TicketStatus

START = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)  # 08:30 in Huế


def queue_rules(**changes: Any) -> QueueRules:
    rules = dict(tz=ZoneInfo("Asia/Ho_Chi_Minh"), rollover=time(0, 0), policy=make_policy("default"),
                 public_base_url="https://motcua.test")
    return QueueRules(**(rules | changes))


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class InMemoryRows:
    """Rows by id, rolled back with the unit of work: a base for fake repositories."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}
        self._before: dict[int, dict[str, Any]] | None = None

    def begin(self) -> None:
        self._before = {k: dict(v) for k, v in self.rows.items()}

    def rollback(self) -> None:
        if self._before is not None:
            self.rows = self._before
        self._before = None

    def commit(self) -> None:
        self._before = None

    def _new_id(self) -> int:
        return max(self.rows, default=0) + 1


def _row(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in obj.__dict__.items() if k != "events"}


class FakeTickets(InMemoryRows):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__()
        self._uow = uow
        self.numbers: dict[tuple[int, int, date], int] = {}
        self.handling: dict[tuple[int, int], list[float]] = {}
        self.saves = 0  # UPDATEs a real repository would send

    def get(self, ticket_id: int) -> Ticket | None:
        row = self.rows.get(ticket_id)
        return None if row is None else Ticket(**row)

    def add(self, ticket: Ticket) -> None:
        ticket.id = self._new_id()
        self.rows[ticket.id] = _row(ticket)

    def save(self, ticket: Ticket) -> None:
        row = _row(ticket)
        if row != self.rows[ticket.id]:
            self.rows[ticket.id] = row
            self.saves += 1

    def candidates(self, site_id: int, counter_id: int, service_ids: list[int],
                   heads: tuple[Head, ...]) -> list[Candidate]:
        """Every waiting ticket this counter may call (the real one reads only the heads
        of the lines, which is where the policy's choice is)."""
        out = []
        for row in self.rows.values():
            if row["site_id"] != site_id or row["status"] != TicketStatus.WAITING:
                continue
            if row["target_counter_id"] == counter_id or (row["target_counter_id"] is None
                                                          and row["service_id"] in service_ids):
                out.append(Candidate(row["id"], row["service_id"], PriorityClass(row["priority"]), row["rank"],
                                     row["arrived_at"], row["appointment_at"], row["target_counter_id"] == counter_id))
        return out

    def claimed(self, ticket_id: int) -> Ticket:
        return Ticket(**self.rows[ticket_id])

    def held_at(self, counter_id: int) -> list[Ticket]:
        return [Ticket(**r) for r in self.rows.values()
                if r["counter_id"] == counter_id and r["status"] == TicketStatus.HELD]

    def id_by_request(self, device_id: int, request_key: str) -> int | None:
        return next((r["id"] for r in self.rows.values()
                     if r["device_id"] == device_id and r["request_key"] == request_key), None)

    def next_number(self, site_id: int, service_id: int, day: date) -> int:
        key = (site_id, service_id, day)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return self.numbers[key]

    def arrival_stamp(self, site_id: int, now: datetime) -> datetime:
        waiting = [r["arrived_at"] for r in self.rows.values()
                   if r["site_id"] == site_id and r["status"] == TicketStatus.WAITING]
        return max([now, *waiting])

    def record_handling_time(self, ticket: Ticket, seconds: float) -> None:
        self.handling.setdefault((ticket.site_id, ticket.service_id), []).append(seconds)

    def waiting(self, site_id: int, service_id: int) -> list[dict[str, Any]]:
        return [r for r in self.rows.values() if r["site_id"] == site_id and r["service_id"] == service_id
                and r["status"] == TicketStatus.WAITING]

    def estimate_inputs(self, ticket: Ticket) -> SimpleNamespace:
        line = self.waiting(ticket.site_id, ticket.service_id)
        ahead = [r for r in line if (-r["rank"], r["arrived_at"], r["id"]) < (-ticket.rank, ticket.arrived_at, ticket.id)]
        times = self.handling.get((ticket.site_id, ticket.service_id))
        serving = [c for c in self._uow.counters.rows.values() if c["site_id"] == ticket.site_id
                   and ticket.service_id in self._uow.catalog.counter_weights(c["id"])]
        return SimpleNamespace(waiting=len(line), ahead=len(ahead), average=sum(times) / len(times) if times else None,
                               open_counters=sum(c["state"] == CounterState.OPEN for c in serving),
                               configured_counters=len(serving))

    new_ticket_estimate_inputs = estimate_inputs


class FakeCounters(InMemoryRows):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__()
        self._uow = uow

    def get(self, counter_id: int) -> Counter | None:
        row = self.rows.get(counter_id)
        return None if row is None else Counter(**row)

    def get_with_ticket(self, counter_id: int) -> tuple[Counter | None, Ticket | None]:
        counter = self.get(counter_id)
        if counter is None or counter.current_ticket_id is None:
            return counter, None
        return counter, self._uow.tickets.get(counter.current_ticket_id)

    def save(self, counter: Counter) -> None:
        self.rows[counter.id] = _row(counter)

    def open_desks(self, site_id: int) -> tuple[list[Desk], set[int]]:
        desks = [Desk(r["current_ticket_id"] is None, self._uow.catalog.counter_weights(r["id"]))
                 for r in self.rows.values() if r["site_id"] == site_id and r["state"] == CounterState.OPEN]
        waiting = {r["service_id"] for r in self._uow.tickets.rows.values()
                   if r["site_id"] == site_id and r["status"] == TicketStatus.WAITING}
        return desks, waiting


@dataclass
class FakeCatalog:
    """Sites, services, procedures and counter weights (what `static_rows.Catalog` caches)."""

    sites: dict[int, SimpleNamespace] = field(default_factory=dict)
    services: dict[int, SimpleNamespace] = field(default_factory=dict)
    procedures: dict[str, SimpleNamespace] = field(default_factory=dict)
    offers: set[tuple[int, int]] = field(default_factory=set)  # (site, service)
    lines: dict[tuple[int, int], int] = field(default_factory=dict)  # (site, procedure) -> service
    weights: dict[int, dict[int, int]] = field(default_factory=dict)  # counter -> service -> weight
    counters: dict[int, SimpleNamespace] = field(default_factory=dict)

    def site(self, site_id: int) -> Any:
        return self.sites.get(site_id)

    def site_by_code(self, code: str) -> Any:
        return next((s for s in self.sites.values() if s.code == code), None)

    def service(self, service_id: int) -> Any:
        return self.services.get(service_id)

    def procedure(self, code: str) -> Any:
        return self.procedures.get(code)

    def procedure_by_id(self, procedure_id: int) -> Any:
        return next((p for p in self.procedures.values() if p.id == procedure_id), None)

    def site_offers(self, site_id: int, service_id: int) -> bool:
        return (site_id, service_id) in self.offers

    def counter_info(self, counter_id: int) -> Any:
        return self.counters.get(counter_id)

    def counter_weights(self, counter_id: int) -> dict[int, int]:
        return self.weights.get(counter_id, {})

    def line_for(self, site: Any, procedure_id: int) -> int | None:
        return self.lines.get((site.id, procedure_id))

    def not_received_here(self, site: Any, procedure_id: int) -> Conflict:
        return Conflict(f"{site.name_vi} không tiếp nhận thủ tục này.", "This site does not receive this procedure.",
                        code="procedure_not_offered")


class FakeUnitOfWork:
    """The unit of work every area's handler tests share. Each area attaches its fake
    repositories (`attach`); leaving the `with` block without a commit puts every one back
    as it was when the unit of work began. A store with `begin`/`commit`/`rollback` (an
    `InMemoryRows`) keeps its own copy; any other is copied whole (`copy.deepcopy`)."""

    def __init__(self, rules: QueueRules | None = None, clock: FakeClock | None = None,
                 policies: Policies | None = None) -> None:
        self.rules = rules or (policies.queue if policies else queue_rules())
        self.policies = policies
        self.clock = clock or FakeClock()
        self.catalog = FakeCatalog()
        self.events: list[PendingEvent] = []
        self.published: list[PendingEvent] = []  # every committed event, in order
        self.signals: list[dict[str, Any]] = []
        self.commits = 0
        self._stores: dict[str, Any] = {}
        self._copies: dict[str, dict[str, Any]] = {}
        self.tickets = self.attach("tickets", FakeTickets(self))
        self.counters = self.attach("counters", FakeCounters(self))

    def attach(self, name: str, store: Any) -> Any:
        """Another area's fake repository, reached as `uow.<name>`, rolled back with the rest."""
        self._stores[name] = store
        setattr(self, name, store)
        return store

    def _keep(self) -> None:
        for name, store in self._stores.items():
            if hasattr(store, "begin"):
                store.begin()
            else:
                self._copies[name] = copy.deepcopy(vars(store))

    @property
    def now(self) -> datetime:
        """The clock's time (a test moves either: `uow.now += …` or `clock.advance(…)`)."""
        return self.clock.now

    @now.setter
    def now(self, value: datetime) -> None:
        self.clock.now = value

    def __enter__(self) -> FakeUnitOfWork:
        self.events = []
        self._keep()
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def emit(self, event: PendingEvent) -> None:
        self.events.append(event)

    def signal(self, message: dict[str, Any]) -> None:
        self.signals.append(message)

    def commit(self) -> list[PendingEvent]:
        for store in self._stores.values():
            if hasattr(store, "commit"):
                store.commit()
        self._keep()  # a later rollback goes back to what was committed
        self.published.extend(self.events)
        committed, self.events = self.events, []
        self.commits += 1
        return committed

    def rollback(self) -> None:
        """What was not committed is gone (a no-op after a commit)."""
        for name, store in self._stores.items():
            if hasattr(store, "rollback"):
                store.rollback()
            elif name in self._copies:
                vars(store).clear()
                vars(store).update(self._copies[name])
        self.events = []

    # ---- building the world -------------------------------------------------------------------
    def add_site(self, site_id: int, code: str, name_vi: str) -> SimpleNamespace:
        site = self.catalog.sites[site_id] = SimpleNamespace(id=site_id, code=code, name_vi=name_vi, name_en=None)
        return site

    def add_service(self, service_id: int, code: str, prefix: str, *sites: int) -> SimpleNamespace:
        service = self.catalog.services[service_id] = SimpleNamespace(
            id=service_id, code=code, name_vi=f"Dịch vụ {code}", name_en=f"Service {code}", prefix=prefix, digits=3,
            number_start=1, number_end=999)
        self.catalog.offers |= {(site_id, service_id) for site_id in sites}
        return service

    def add_procedure(self, procedure_id: int, code: str, lines: dict[int, int]) -> None:
        """`lines`: site -> the service a ticket for this procedure joins there."""
        self.catalog.procedures[code] = SimpleNamespace(id=procedure_id, code=code, name_vi=f"Thủ tục {code}")
        self.catalog.lines |= {(site_id, procedure_id): service_id for site_id, service_id in lines.items()}

    def add_counter(self, counter_id: int, site_id: int, number: int, weights: dict[int, int],
                    state: CounterState = CounterState.CLOSED) -> None:
        self.counters.rows[counter_id] = _row(Counter(counter_id, site_id, number, f"Quầy {number}", state))
        self.catalog.counters[counter_id] = SimpleNamespace(id=counter_id, site_id=site_id, number=number,
                                                            name=f"Quầy {number}")
        self.catalog.weights[counter_id] = weights
