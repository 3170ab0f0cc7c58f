"""SQL used by the command handlers, kept out of them so they read as queue rules."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Float,
    Integer,
    Row,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.adapters import tables as t
from queue_server.domain.estimation import SMOOTHING, Desk
from queue_server.domain.ordering import Candidate, Head, Order, Slice
from shared.enums import CounterState, PriorityClass, TicketStatus


def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


# Statements are built once, at import, with bound parameters: building a Core statement
# and computing its cache key costs several times more CPU than executing it on SQLite.
_SITE_BY_ID = select(t.sites).where(t.sites.c.id == bindparam("site_id"))
_SITE_BY_CODE = select(t.sites).where(t.sites.c.code == bindparam("code"))
_SERVICE_BY_ID = select(t.services).where(t.services.c.id == bindparam("service_id"))
_PROCEDURE_BY_CODE = select(t.procedures).where(t.procedures.c.code == bindparam("code"))
_PROCEDURE_BY_ID = select(t.procedures).where(t.procedures.c.id == bindparam("procedure_id"))
_SITE_OFFERS = select(t.site_services.c.site_id).where(
    t.site_services.c.site_id == bindparam("site_id"), t.site_services.c.service_id == bindparam("service_id"))
_SERVICE_FOR_PROCEDURE = (
    select(func.min(t.service_fields.c.service_id))
    .select_from(t.service_fields.join(t.site_services, t.site_services.c.service_id == t.service_fields.c.service_id))
    .where(t.service_fields.c.field_id == bindparam("field_id"), t.site_services.c.site_id == bindparam("site_id"))
)


# ---- sites, services, procedures ---------------------------------------------------------
def site_by_id(conn: Connection, site_id: int) -> Row | None:
    return conn.execute(_SITE_BY_ID, {"site_id": site_id}).first()


def site_by_code(conn: Connection, code: str) -> Row | None:
    return conn.execute(_SITE_BY_CODE, {"code": code}).first()


def service_by_id(conn: Connection, service_id: int) -> Row | None:
    return conn.execute(_SERVICE_BY_ID, {"service_id": service_id}).first()


def procedure_by_code(conn: Connection, code: str) -> Row | None:
    return conn.execute(_PROCEDURE_BY_CODE, {"code": code}).first()


def procedure_by_id(conn: Connection, procedure_id: int) -> Row | None:
    return conn.execute(_PROCEDURE_BY_ID, {"procedure_id": procedure_id}).first()


def site_offers(conn: Connection, site_id: int, service_id: int) -> bool:
    return conn.execute(_SITE_OFFERS, {"site_id": site_id, "service_id": service_id}).first() is not None


def service_for_procedure(conn: Connection, site_id: int, field_id: int) -> int | None:
    """The queue of this site that serves the procedure's field (lowest id if several)."""
    return conn.execute(_SERVICE_FOR_PROCEDURE, {"site_id": site_id, "field_id": field_id}).scalar()


# ---- numbering ---------------------------------------------------------------------------
def _sequence_upsert(insert_fn):  # noqa: ANN001, ANN202
    seq = t.ticket_sequence.c
    ins = insert_fn(t.ticket_sequence).values(
        site_id=bindparam("site_id"), service_id=bindparam("service_id"), business_day=bindparam("day"),
        last_number=1)
    return ins.on_conflict_do_update(
        index_elements=[seq.site_id, seq.service_id, seq.business_day],
        set_={"last_number": seq.last_number + 1},
    ).returning(seq.last_number)


_TAKE_NUMBER = {"postgresql": _sequence_upsert(pg_insert), "sqlite": _sequence_upsert(sqlite_insert)}


def take_sequence_number(conn: Connection, site_id: int, service_id: int, day: date) -> int:
    """Next number of (site, service, day), in one upsert. The row stays locked until
    commit, so two kiosks can never both get the same number, on either database."""
    return conn.execute(_TAKE_NUMBER[conn.dialect.name],
                        {"site_id": site_id, "service_id": service_id, "day": day}).scalar_one()


# ---- tickets -----------------------------------------------------------------------------
_INSERT_TICKET = insert(t.tickets).returning(t.tickets.c.id)
_TICKET_BY_ID = select(t.tickets).where(t.tickets.c.id == bindparam("ticket_id"))
_TICKET_BY_ID_LOCKED = _TICKET_BY_ID.with_for_update()
_UPDATE_TICKET = update(t.tickets).where(
    t.tickets.c.id == bindparam("b_ticket_id"), t.tickets.c.status == bindparam("b_expected_status"))


def insert_ticket(conn: Connection, **values: Any) -> int:
    return conn.execute(_INSERT_TICKET, values).scalar_one()


def ticket_by_request(conn: Connection, device_id: int, request_key: str) -> int | None:
    """The ticket this kiosk already issued for this request key, if any."""
    return conn.execute(_TICKET_BY_REQUEST, {"device_id": device_id, "request_key": request_key}).scalar()


# Every kiosk request carries a key (the kiosk's retry path), so this runs on every issue.
_TICKET_BY_REQUEST = select(t.tickets.c.id).where(t.tickets.c.device_id == bindparam("device_id"),
                                                  t.tickets.c.request_key == bindparam("request_key"))


def ticket_for_update(conn: Connection, ticket_id: int) -> Row | None:
    return conn.execute(_TICKET_BY_ID_LOCKED if _is_pg(conn) else _TICKET_BY_ID, {"ticket_id": ticket_id}).first()


def update_ticket(conn: Connection, ticket_id: int, expected_status: str, **values: Any) -> None:
    """Change a ticket only if it is still in the status the handler saw; anything else
    means the world moved under us and the command must not pretend it succeeded."""
    from queue_server.domain.errors import Conflict

    result = conn.execute(_UPDATE_TICKET, {"b_ticket_id": ticket_id, "b_expected_status": expected_status, **values})
    if result.rowcount != 1:
        raise Conflict(
            "Số thứ tự vừa được thay đổi ở nơi khác, vui lòng thử lại.",
            "The ticket was changed by someone else just now; please try again.",
            code="ticket_changed",
        )


def arrival_stamp(conn: Connection, site_id: int, now: datetime) -> datetime:
    """The arrival time of a ticket joining the line now: `now`, unless the system clock
    went back and a ticket already waiting at the site arrived "later"; then that time
    (ties break by id, i.e. issue order). A new ticket never goes ahead of those already
    waiting, whatever the clock does. (Partial index on waiting tickets: cheap.)"""
    newest = conn.execute(_NEWEST_WAITING_ARRIVAL, {"site_id": site_id}).scalar()
    return max(now, newest) if newest is not None else now


_NEWEST_WAITING_ARRIVAL = select(func.max(t.tickets.c.arrived_at)).where(
    t.tickets.c.site_id == bindparam("site_id"), t.TICKET_IS_WAITING)


def _ahead_of(c):  # noqa: ANN001, ANN202
    """Waiting tickets called before this one: better rank, or same rank and earlier."""
    rank, arrived, tid = bindparam("rank"), bindparam("arrived_at"), bindparam("ticket_id")
    return or_(c.rank > rank, and_(c.rank == rank, or_(c.arrived_at < arrived, and_(c.arrived_at == arrived,
                                                                                     c.id < tid))))


def _counters_serving(open_only: bool):  # noqa: ANN202
    cs = t.counter_services.c
    stmt = (
        select(func.count())
        .select_from(t.counters.join(t.counter_services, cs.counter_id == t.counters.c.id))
        .where(t.counters.c.site_id == bindparam("site_id"), cs.service_id == bindparam("service_id"))
    )
    if open_only:
        stmt = stmt.where(t.counters.c.state == CounterState.OPEN.value)
    return stmt.scalar_subquery()


def _line_of_service():  # noqa: ANN202
    return select(func.count()).select_from(t.tickets).where(
        t.tickets.c.site_id == bindparam("site_id"), t.tickets.c.service_id == bindparam("service_id"),
        t.TICKET_IS_WAITING)


def _estimate_inputs(ahead):  # noqa: ANN001, ANN202
    """The line's waiting count, `ahead`, the service's average handling time and its
    open and configured counters, in one statement."""
    return (
        select(
            func.count().label("waiting"),
            ahead.label("ahead"),
            select(t.service_stats.c.avg_handling_seconds)
            .where(t.service_stats.c.site_id == bindparam("site_id"),
                   t.service_stats.c.service_id == bindparam("service_id"))
            .scalar_subquery().label("average"),
            _counters_serving(True).label("open_counters"),
            _counters_serving(False).label("configured_counters"),
        )
        .select_from(t.tickets)
        .where(t.tickets.c.site_id == bindparam("site_id"), t.tickets.c.service_id == bindparam("service_id"),
               t.TICKET_IS_WAITING)
    )


_ESTIMATE_INPUTS = _estimate_inputs(func.count().filter(_ahead_of(t.tickets.c)))
# A ticket just issued is behind everyone of its rank or better (its arrival is the
# site's newest, its id the highest): ahead = waiting - 1 - those of a lower rank. Those
# are none for an ordinary citizen, so both counts read the rank index alone, with no
# comparison per waiting ticket. (On PostgreSQL a ticket of the same line issued at the
# same instant by another kiosk, and committed first, counts as ahead: off by one at most.)
_NEW_TICKET_ESTIMATE_INPUTS = _estimate_inputs(
    func.count() - 1 - _line_of_service().where(t.tickets.c.rank < bindparam("rank")).scalar_subquery())


def estimate_inputs(conn: Connection, site_id: int, service_id: int, rank: int, arrived_at: datetime,
                    ticket_id: int) -> Row:
    """Everything a wait estimate needs, in one statement: waiting count, people ahead of
    the ticket, the service's average handling time, open and configured counters."""
    return conn.execute(_ESTIMATE_INPUTS, {"site_id": site_id, "service_id": service_id, "rank": rank,
                                           "arrived_at": arrived_at, "ticket_id": ticket_id}).one()


def line_estimate_inputs(conn: Connection, site_id: int, service_id: int) -> Row:
    """`estimate_inputs` without a ticket (its `ahead` means nothing): the line's average
    handling time and its open and configured counters, for the places of a whole line."""
    return conn.execute(_ESTIMATE_INPUTS, {"site_id": site_id, "service_id": service_id, "rank": 0,
                                           "arrived_at": None, "ticket_id": 0}).one()


def new_ticket_estimate_inputs(conn: Connection, site_id: int, service_id: int, rank: int) -> Row:
    """`estimate_inputs` of the ticket this transaction has just issued (the newest
    arrival of its site: see `arrival_stamp`)."""
    return conn.execute(_NEW_TICKET_ESTIMATE_INPUTS, {"site_id": site_id, "service_id": service_id,
                                                      "rank": rank}).one()


_OPEN_DESKS = (
    select(
        t.counters.c.id,
        t.counters.c.current_ticket_id.is_(None).label("idle"),
        t.counter_services.c.service_id,
        t.counter_services.c.weight,
        exists().where(t.tickets.c.site_id == t.counters.c.site_id,
                       t.tickets.c.service_id == t.counter_services.c.service_id,
                       t.TICKET_IS_WAITING).label("has_waiting"),
    )
    .select_from(t.counters.join(t.counter_services, t.counter_services.c.counter_id == t.counters.c.id))
    .where(t.counters.c.site_id == bindparam("site_id"), t.counters.c.state == CounterState.OPEN.value)
)


def open_desks(conn: Connection, site_id: int) -> tuple[list[Desk], set[int]]:
    """The site's open counters (free or not, with their service weights) and the services
    with someone waiting: what a wait estimate needs to know which desks will call a line.
    One statement; each "someone waiting" is an index probe, not a count."""
    weights: dict[int, dict[int, int]] = {}
    idle: dict[int, bool] = {}
    waiting: set[int] = set()
    for row in conn.execute(_OPEN_DESKS, {"site_id": site_id}):
        weights.setdefault(row.id, {})[row.service_id] = row.weight
        idle[row.id] = bool(row.idle)
        if row.has_waiting:
            waiting.add(row.service_id)
    return [Desk(idle[cid], w) for cid, w in weights.items()], waiting


def people_ahead(conn: Connection, site_id: int, service_id: int, rank: int, arrived_at: datetime, ticket_id: int) -> int:
    return estimate_inputs(conn, site_id, service_id, rank, arrived_at, ticket_id).ahead


_WAITING_COUNT = _line_of_service()
_WAITING_COUNTS = (
    select(t.tickets.c.service_id, func.count())
    .where(t.tickets.c.site_id == bindparam("site_id"),
           t.tickets.c.service_id.in_(bindparam("service_ids", expanding=True)), t.TICKET_IS_WAITING)
    .group_by(t.tickets.c.service_id)
)


def waiting_count(conn: Connection, site_id: int, service_id: int) -> int:
    return conn.execute(_WAITING_COUNT, {"site_id": site_id, "service_id": service_id}).scalar_one()


def waiting_counts(conn: Connection, site_id: int, service_ids: Iterable[int]) -> dict[int, int]:
    """Waiting tickets of several services of a site, in one statement."""
    wanted = sorted(set(service_ids))
    if not wanted:
        return {}
    found = dict(conn.execute(_WAITING_COUNTS, {"site_id": site_id, "service_ids": wanted}).all())
    return {sid: found.get(sid, 0) for sid in wanted}


_APPOINTMENT = literal_column(f"'{PriorityClass.APPOINTMENT.value}'")  # a constant: SQLite's partial index needs one
_SLICE_WHERE = {
    Slice.EVERY: true(),
    Slice.WALK_INS: t.tickets.c.priority != _APPOINTMENT,
    Slice.APPOINTMENTS: t.tickets.c.priority == _APPOINTMENT,  # ix_tickets_waiting_appointment
}
_ORDER_BY = {
    Order.ARRIVAL: (t.tickets.c.arrived_at, t.tickets.c.id),
    Order.RANK: (t.tickets.c.rank.desc(), t.tickets.c.arrived_at, t.tickets.c.id),
}


def _head_selects(head: Head, n: int) -> list[Any]:
    """`head` of the lines of services `s0`..`s{n-1}`, among the tickets not sent to a
    particular counter: per service one index probe for its first ticket; or, for a whole
    (small) slice, one read over all n services together."""
    c = t.tickets.c
    services = [bindparam(f"s{i}") for i in range(n)]

    def waiting(*service_ids: Any):  # noqa: ANN202
        return select(t.tickets).where(c.site_id == bindparam("site_id"), c.service_id.in_(service_ids),
                                       t.TICKET_IS_WAITING, c.target_counter_id.is_(None),
                                       _SLICE_WHERE[head.slice])

    if head.order is None:
        return [waiting(*services)]
    return [waiting(s).order_by(*_ORDER_BY[head.order]).limit(1) for s in services]


# Every ticket sent to this counter: a counter's own line is a handful, and handing all of
# it over keeps the choice complete whatever the policy (its weights span services).
_SENT_TO_COUNTER = select(t.tickets).where(t.tickets.c.target_counter_id == bindparam("counter_id"),
                                           t.TICKET_IS_WAITING)
_MAX_UNION_SERVICES = 32
_UNIONS: dict[tuple[tuple[Head, ...], int, bool], Any] = {}


def _claim_union(heads: tuple[Head, ...], n: int, locked: bool):  # noqa: ANN202
    """One UNION ALL of the policy's heads of n services and the tickets sent to the
    counter, built once per (policy, n). On PostgreSQL each subquery locks its rows FOR
    UPDATE SKIP LOCKED (allowed in a sub-select, not on a UNION's arms), so the claim is
    one round trip."""
    stmt = _UNIONS.get((heads, n, locked))
    if stmt is None:
        parts = [part for head in heads for part in _head_selects(head, n)] + [_SENT_TO_COUNTER]
        if locked:
            parts = [p.with_for_update(of=t.tickets, skip_locked=True) for p in parts]
        stmt = _UNIONS[(heads, n, locked)] = union_all(*(p.subquery().select() for p in parts))
    return stmt


def claim_candidates(conn: Connection, site_id: int, counter_id: int, service_ids: list[int],
                     heads: tuple[Head, ...]) -> list[Row]:
    """The ordering policy's candidates: its heads of each served service's line (see
    domain.ordering), plus every ticket sent to this counter. One index range per head and
    service (a whole-slice head reads all the services at once), however deep the queue
    and whatever piles up in services nobody serves. On PostgreSQL the rows are locked
    with SKIP LOCKED, so concurrent counters pick disjoint candidates without waiting.
    Returns whole ticket rows (the chosen one needs no second read), each once."""
    locked = _is_pg(conn)
    rows: list[Row] = []
    for start in range(0, max(1, len(service_ids)), _MAX_UNION_SERVICES):
        chunk = service_ids[start:start + _MAX_UNION_SERVICES]
        params: dict[str, Any] = {"site_id": site_id, "counter_id": counter_id}
        params.update({f"s{n}": sid for n, sid in enumerate(chunk)})
        rows.extend(conn.execute(_claim_union(heads, len(chunk), locked), params).all())
    seen: dict[int, Row] = {}
    for r in rows:
        seen.setdefault(r.id, r)
    return list(seen.values())


def as_candidate(row: Row, counter_id: int) -> Candidate:
    return Candidate(
        ticket_id=row.id,
        service_id=row.service_id,
        priority=PriorityClass(row.priority),
        rank=row.rank,
        arrived_at=row.arrived_at,
        appointment_at=row.appointment_at,
        targeted=row.target_counter_id == counter_id,
    )


# ---- counters ----------------------------------------------------------------------------
_COUNTER_BY_ID = select(t.counters).where(t.counters.c.id == bindparam("counter_id"))
_COUNTER_BY_ID_LOCKED = _COUNTER_BY_ID.with_for_update()
_COUNTER_WEIGHTS = select(t.counter_services.c.service_id, t.counter_services.c.weight).where(
    t.counter_services.c.counter_id == bindparam("counter_id"))
_UPDATE_COUNTER = update(t.counters).where(t.counters.c.id == bindparam("b_counter_id"))


def counter_for_update(conn: Connection, counter_id: int) -> Row | None:
    return conn.execute(_COUNTER_BY_ID_LOCKED if _is_pg(conn) else _COUNTER_BY_ID, {"counter_id": counter_id}).first()


_COUNTER_AND_TICKET = (
    select(t.counters, *(c.label(f"t__{c.name}") for c in t.tickets.c))
    .select_from(t.counters.outerjoin(t.tickets, t.tickets.c.id == t.counters.c.current_ticket_id))
    .where(t.counters.c.id == bindparam("counter_id"))
)
_COUNTER_NAMES = tuple(c.name for c in t.counters.c)
_TICKET_NAMES = tuple(c.name for c in t.tickets.c)


def _counter_and_ticket_locked():  # noqa: ANN202
    """PostgreSQL: both rows locked in one round trip, the counter first. FOR UPDATE cannot
    reach the nullable side of an outer join, so each row is locked in a CTE of its own;
    the ticket's reads the locked counter row (after any wait, its newest version), which
    makes PostgreSQL lock the counter before it looks for the ticket."""
    counter = select(t.counters).where(t.counters.c.id == bindparam("counter_id")).with_for_update().cte("c")
    ticket = (select(t.tickets).join(counter, t.tickets.c.id == counter.c.current_ticket_id)
              .with_for_update(of=t.tickets).cte("tk"))
    return (select(counter, *(c.label(f"t__{c.name}") for c in ticket.c))
            .select_from(counter.outerjoin(ticket, true())))


_COUNTER_AND_TICKET_LOCKED = _counter_and_ticket_locked()


def counter_and_current_ticket(conn: Connection, counter_id: int) -> tuple[Any, Any]:
    """The counter and the ticket at it (or None), as mappings, in one statement: in the
    write transaction (SQLite), both rows locked (PostgreSQL)."""
    stmt = _COUNTER_AND_TICKET_LOCKED if _is_pg(conn) else _COUNTER_AND_TICKET
    row = conn.execute(stmt, {"counter_id": counter_id}).first()
    if row is None:
        return None, None
    m = row._mapping
    counter = {name: m[name] for name in _COUNTER_NAMES}
    ticket = {name: m["t__" + name] for name in _TICKET_NAMES} if m["t__id"] is not None else None
    return counter, ticket


def counter_by_id(conn: Connection, counter_id: int) -> Row | None:
    return conn.execute(_COUNTER_BY_ID, {"counter_id": counter_id}).first()


def counter_weights(conn: Connection, counter_id: int) -> dict[int, int]:
    return {r.service_id: r.weight for r in conn.execute(_COUNTER_WEIGHTS, {"counter_id": counter_id}).all()}


def update_counter(conn: Connection, counter_id: int, **values: Any) -> None:
    conn.execute(_UPDATE_COUNTER, {"b_counter_id": counter_id, **values})


_COUNTERS_SERVING = (
    select(t.counters.c.state, func.count())
    .select_from(t.counters.join(t.counter_services, t.counter_services.c.counter_id == t.counters.c.id))
    .where(t.counters.c.site_id == bindparam("site_id"), t.counter_services.c.service_id == bindparam("service_id"))
    .group_by(t.counters.c.state)
)


def counters_serving(conn: Connection, site_id: int, service_id: int) -> tuple[int, int]:
    """(open counters, configured counters) serving a service at a site."""
    rows = conn.execute(_COUNTERS_SERVING, {"site_id": site_id, "service_id": service_id}).all()
    by_state = {r[0]: r[1] for r in rows}
    return by_state.get(CounterState.OPEN.value, 0), sum(by_state.values())


# What the wait figures of a site's lines need, in one statement (a commit's events carry
# them): the averages (kind 0), then every counter's service rows (kind 1) with its state,
# whether it is free, the weight, and, for an open one, whether that line has anyone waiting.
_COUNTER_ROWS = t.counters.join(t.counter_services, t.counter_services.c.counter_id == t.counters.c.id)
_SITE_WAIT_INPUTS = union_all(
    select(literal(0).label("kind"), t.service_stats.c.service_id,
           t.service_stats.c.avg_handling_seconds.label("average"), literal(None, Integer).label("counter_id"),
           literal(None, t.counters.c.state.type).label("state"), literal(None, Boolean).label("idle"),
           literal(None, Integer).label("weight"), literal(None, Boolean).label("has_waiting"))
    .where(t.service_stats.c.site_id == bindparam("site_id")),
    select(literal(1), t.counter_services.c.service_id, literal(None, Float), t.counters.c.id, t.counters.c.state,
           t.counters.c.current_ticket_id.is_(None), t.counter_services.c.weight,
           case((t.counters.c.state == CounterState.OPEN.value,
                 exists().where(t.tickets.c.site_id == t.counters.c.site_id,
                                t.tickets.c.service_id == t.counter_services.c.service_id,
                                t.TICKET_IS_WAITING)), else_=false()))
    .select_from(_COUNTER_ROWS).where(t.counters.c.site_id == bindparam("site_id")),
)


def site_wait_inputs(conn: Connection, site_id: int) -> tuple[dict[int, float], dict[int, tuple[int, int]],
                                                              tuple[list[Desk], set[int]]]:
    """Per line of a site: the handling averages, (open counters, configured counters), and
    the open desks with the lines someone waits in (`open_desks`), in one statement."""
    averages: dict[int, float] = {}
    serving: dict[int, list[int]] = {}
    weights: dict[int, dict[int, int]] = {}
    idle: dict[int, bool] = {}
    waiting: set[int] = set()
    open_ = CounterState.OPEN.value
    for kind, service_id, average, counter_id, state, is_idle, weight, has_waiting in conn.execute(
            _SITE_WAIT_INPUTS, {"site_id": site_id}):
        if kind == 0:
            if average is not None:
                averages[service_id] = average
            continue
        pair = serving.setdefault(service_id, [0, 0])
        pair[1] += 1
        if state == open_:
            pair[0] += 1
            weights.setdefault(counter_id, {})[service_id] = weight
            idle[counter_id] = bool(is_idle)
            if has_waiting:
                waiting.add(service_id)
    desks = [Desk(idle[cid], w) for cid, w in weights.items()]
    return averages, {sid: (p[0], p[1]) for sid, p in serving.items()}, (desks, waiting)


_HANDLING_AVERAGE = select(t.service_stats.c.avg_handling_seconds, t.service_stats.c.samples).where(
    t.service_stats.c.site_id == bindparam("site_id"), t.service_stats.c.service_id == bindparam("service_id"))


def _stats_upsert(insert_fn):  # noqa: ANN001, ANN202
    """One statement folds an observed handling time into the service's moving average:
    domain.estimation.updated_average written in SQL (the first samples averaged plainly,
    then a weight of at least SMOOTHING for the newest), so finishing a ticket needs no
    read of the average first."""
    ins = insert_fn(t.service_stats)
    stats = t.service_stats.c
    observed = ins.excluded.avg_handling_seconds
    plain = literal(1.0, Float) / (stats.samples + 1)
    alpha = case((plain > literal(SMOOTHING, Float), plain), else_=literal(SMOOTHING, Float))
    average = case((or_(stats.avg_handling_seconds.is_(None), stats.samples <= 0), observed),
                   else_=stats.avg_handling_seconds + alpha * (observed - stats.avg_handling_seconds))
    return ins.on_conflict_do_update(index_elements=["site_id", "service_id"],
                                     set_={"avg_handling_seconds": average, "samples": stats.samples + 1})


_SAVE_AVERAGE = {"postgresql": _stats_upsert(pg_insert), "sqlite": _stats_upsert(sqlite_insert)}


def handling_average(conn: Connection, site_id: int, service_id: int) -> tuple[float | None, int]:
    row = conn.execute(_HANDLING_AVERAGE, {"site_id": site_id, "service_id": service_id}).first()
    return (row.avg_handling_seconds, row.samples) if row else (None, 0)


def record_handling_time(conn: Connection, site_id: int, service_id: int, observed_seconds: float) -> None:
    """Fold one observed handling time into the (site, service) moving average."""
    conn.execute(_SAVE_AVERAGE[conn.dialect.name], {"site_id": site_id, "service_id": service_id,
                                                    "avg_handling_seconds": max(0.0, observed_seconds),
                                                    "samples": 1})


def held_tickets_of(conn: Connection, counter_id: int) -> list[Row]:
    return conn.execute(
        select(t.tickets).where(t.tickets.c.counter_id == counter_id, t.tickets.c.status == TicketStatus.HELD.value)
    ).all()


_TICKET_BRIEF_ANY = (
    select(
        t.tickets,
        t.sites.c.code.label("site_code"),
        t.sites.c.name_vi.label("site_name_vi"),
        t.services.c.code.label("service_code"),
        t.services.c.name_vi.label("service_name_vi"),
        t.services.c.name_en.label("service_name_en"),
        t.procedures.c.code.label("procedure_code"),
        t.procedures.c.name_vi.label("procedure_name_vi"),
        t.counters.c.number.label("counter_number"),
    )
    .select_from(
        t.tickets.join(t.sites, t.sites.c.id == t.tickets.c.site_id)
        .join(t.services, t.services.c.id == t.tickets.c.service_id)
        .outerjoin(t.procedures, t.procedures.c.id == t.tickets.c.procedure_id)
        .outerjoin(t.counters, t.counters.c.id == t.tickets.c.counter_id)
    )
)
_TICKET_BRIEF = _TICKET_BRIEF_ANY.where(t.tickets.c.id == bindparam("ticket_id"))
# The citizen's page also shows where the site is, and keeps the site's event number of
# the moment (the page's stream starts from it).
_CITIZEN_TICKET = _TICKET_BRIEF_ANY.add_columns(
    t.sites.c.name_en.label("site_name_en"), t.sites.c.address.label("site_address"),
    t.sites.c.latitude.label("site_latitude"), t.sites.c.longitude.label("site_longitude"),
    t.sites.c.event_seq.label("site_event_seq"))
_CITIZEN_TICKET_BY_ID = _CITIZEN_TICKET.where(t.tickets.c.id == bindparam("ticket_id"))
_CITIZEN_TICKET_BY_TOKEN = _CITIZEN_TICKET.where(t.tickets.c.tracking_token == bindparam("token"))


def ticket_brief_row(conn: Connection, ticket_id: int) -> Row:
    """The ticket joined with the names every reply and event shows."""
    return conn.execute(_TICKET_BRIEF, {"ticket_id": ticket_id}).one()


def citizen_ticket_row(conn: Connection, *, ticket_id: int | None = None, token: str | None = None) -> Row | None:
    """`ticket_brief_row` with the site's place and event number, by id or tracking token."""
    if token is not None:
        return conn.execute(_CITIZEN_TICKET_BY_TOKEN, {"token": token}).first()
    return conn.execute(_CITIZEN_TICKET_BY_ID, {"ticket_id": ticket_id}).first()


# ---- events ------------------------------------------------------------------------------
_TAKE_EVENT_SEQS = (
    update(t.sites).where(t.sites.c.id == bindparam("b_site_id"))
    .values(event_seq=t.sites.c.event_seq + bindparam("n", type_=Integer))
    .returning(t.sites.c.event_seq)
)
_INSERT_EVENT = insert(t.ticket_events)


def take_event_seqs(conn: Connection, site_id: int, n: int) -> int:
    """Reserve n consecutive event numbers of a site; returns the last one. The site row
    stays locked to commit, so numbers are gap-free and in commit order."""
    return conn.execute(_TAKE_EVENT_SEQS, {"b_site_id": site_id, "n": n}).scalar_one()


_SEQS_AND_COUNTS: dict[int, Any] = {}


def _seqs_and_counts(k: int):  # noqa: ANN202
    c = t.tickets.c
    counts = [select(func.count()).where(c.site_id == bindparam("b_site_id"), c.service_id == bindparam(f"w{i}"),
                                         t.TICKET_IS_WAITING).scalar_subquery() for i in range(k)]
    return _TAKE_EVENT_SEQS.returning(*counts)


def take_event_seqs_and_counts(conn: Connection, site_id: int, n: int,
                               service_ids: Iterable[int]) -> tuple[int, dict[int, int]]:
    """`take_event_seqs` and the waiting counts of some services of the site, in one
    statement (the counts read in RETURNING see this transaction's changes)."""
    wanted = sorted(set(service_ids))
    stmt = _SEQS_AND_COUNTS.get(len(wanted))
    if stmt is None:
        stmt = _SEQS_AND_COUNTS[len(wanted)] = _seqs_and_counts(len(wanted))
    row = conn.execute(stmt, {"b_site_id": site_id, "n": n, **{f"w{i}": sid for i, sid in enumerate(wanted)}}).one()
    return row[0], dict(zip(wanted, row[1:], strict=True))


def insert_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(_INSERT_EVENT, rows)


# ---- PostgreSQL: a commit's log rows and notifications in one round trip -------------------------
_EVENT_COLUMNS = ("site_id", "seq", "type", "at", "ticket_id", "counter_id", "staff_id", "device_id", "data")
_AUDIT_COLUMNS = ("at", "staff_id", "username", "role", "site_id", "action", "target", "address", "outcome",
                  "detail")
_JSON_COLUMNS = {"data", "detail"}
_LOG_STATEMENTS: dict[tuple[int, bool, int], Any] = {}


def _values(prefix: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"CAST(:{prefix}{c} AS JSON)" if c in _JSON_COLUMNS else f":{prefix}{c}"
                           for c in columns) + ")"


def _log_statement(events: int, with_audit: bool, notifications: int):  # noqa: ANN202
    key = (events, with_audit, notifications)
    stmt = _LOG_STATEMENTS.get(key)
    if stmt is None:
        parts = []
        if events:
            parts.append(f"e AS (INSERT INTO ticket_events ({', '.join(_EVENT_COLUMNS)}) VALUES "
                         + ", ".join(_values(f"e{i}_", _EVENT_COLUMNS) for i in range(events)) + ")")
        if with_audit:
            parts.append(f"a AS (INSERT INTO audit_log ({', '.join(_AUDIT_COLUMNS)}) VALUES "
                         + _values("a_", _AUDIT_COLUMNS) + ")")
        notify = ", ".join(f"pg_notify(:channel, :p{i})" for i in range(notifications)) or "1"
        stmt = _LOG_STATEMENTS[key] = text(("WITH " + ", ".join(parts) + " " if parts else "") + "SELECT " + notify)
    return stmt


def _bind(value: Any, column: str) -> Any:
    if column in _JSON_COLUMNS:
        return None if value is None else json.dumps(value, default=str, ensure_ascii=False)
    if isinstance(value, datetime):  # the columns hold naive UTC (tables.UtcDateTime)
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def append_log_and_notify(conn: Connection, events: list[dict[str, Any]], audit_row: dict[str, Any] | None,
                          channel: str, payloads: list[str]) -> None:
    """PostgreSQL: append a commit's events and its audit row and send its notifications
    (they leave with the commit) in one statement: data-modifying CTEs run exactly once."""
    if not events and audit_row is None and not payloads:
        return
    params: dict[str, Any] = {"channel": channel}
    for i, row in enumerate(events):
        params.update({f"e{i}_{c}": _bind(row.get(c), c) for c in _EVENT_COLUMNS})
    if audit_row is not None:
        params.update({f"a_{c}": _bind(audit_row.get(c), c) for c in _AUDIT_COLUMNS})
    params.update({f"p{i}": payload for i, payload in enumerate(payloads)})
    conn.execute(_log_statement(len(events), audit_row is not None, len(payloads)), params)
