"""SQL used by the command handlers, kept out of them so they read as queue rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, insert, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.adapters import tables as t
from queue_server.domain.ordering import CANDIDATES_PER_SERVICE, Candidate
from shared.enums import CounterState, PriorityClass, TicketStatus


def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


# ---- sites, services, procedures ---------------------------------------------------------
def site_by_id(conn: Connection, site_id: int) -> Row | None:
    return conn.execute(select(t.sites).where(t.sites.c.id == site_id)).first()


def site_by_code(conn: Connection, code: str) -> Row | None:
    return conn.execute(select(t.sites).where(t.sites.c.code == code)).first()


def service_by_id(conn: Connection, service_id: int) -> Row | None:
    return conn.execute(select(t.services).where(t.services.c.id == service_id)).first()


def procedure_by_code(conn: Connection, code: str) -> Row | None:
    return conn.execute(select(t.procedures).where(t.procedures.c.code == code)).first()


def site_offers(conn: Connection, site_id: int, service_id: int) -> bool:
    return (
        conn.execute(
            select(t.site_services.c.site_id).where(
                t.site_services.c.site_id == site_id, t.site_services.c.service_id == service_id
            )
        ).first()
        is not None
    )


def service_for_procedure(conn: Connection, site_id: int, field_id: int) -> int | None:
    """The queue of this site that serves the procedure's field (lowest id if several)."""
    return conn.execute(
        select(func.min(t.service_fields.c.service_id))
        .select_from(
            t.service_fields.join(t.site_services, t.site_services.c.service_id == t.service_fields.c.service_id)
        )
        .where(t.service_fields.c.field_id == field_id, t.site_services.c.site_id == site_id)
    ).scalar()


# ---- numbering ---------------------------------------------------------------------------
def take_sequence_number(conn: Connection, site_id: int, service_id: int, day: date) -> int:
    """Next number of (site, service, day), in one upsert. The row stays locked until
    commit, so two kiosks can never both get the same number, on either database."""
    seq = t.ticket_sequence.c
    ins = (pg_insert if _is_pg(conn) else sqlite_insert)(t.ticket_sequence).values(
        site_id=site_id, service_id=service_id, business_day=day, last_number=1
    )
    return conn.execute(
        ins.on_conflict_do_update(
            index_elements=[seq.site_id, seq.service_id, seq.business_day],
            set_={"last_number": seq.last_number + 1},
        ).returning(seq.last_number)
    ).scalar_one()


# ---- tickets -----------------------------------------------------------------------------
def insert_ticket(conn: Connection, **values: Any) -> int:
    return conn.execute(insert(t.tickets).values(**values).returning(t.tickets.c.id)).scalar_one()


def ticket_for_update(conn: Connection, ticket_id: int) -> Row | None:
    stmt = select(t.tickets).where(t.tickets.c.id == ticket_id)
    if _is_pg(conn):
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def update_ticket(conn: Connection, ticket_id: int, expected_status: str, **values: Any) -> None:
    """Change a ticket only if it is still in the status the handler saw; anything else
    means the world moved under us and the command must not pretend it succeeded."""
    from queue_server.domain.errors import Conflict

    result = conn.execute(
        update(t.tickets)
        .where(t.tickets.c.id == ticket_id, t.tickets.c.status == expected_status)
        .values(**values)
    )
    if result.rowcount != 1:
        raise Conflict(
            "Số thứ tự vừa được thay đổi ở nơi khác, vui lòng thử lại.",
            "The ticket was changed by someone else just now; please try again.",
            code="ticket_changed",
        )


def people_ahead(conn: Connection, site_id: int, service_id: int, rank: int, arrived_at: datetime, ticket_id: int) -> int:
    c = t.tickets.c
    return conn.execute(
        select(func.count())
        .select_from(t.tickets)
        .where(
            c.site_id == site_id,
            c.service_id == service_id,
            t.TICKET_IS_WAITING,
            or_(c.rank > rank, and_(c.rank == rank, or_(c.arrived_at < arrived_at, and_(c.arrived_at == arrived_at, c.id < ticket_id)))),
        )
    ).scalar_one()


def waiting_count(conn: Connection, site_id: int, service_id: int) -> int:
    c = t.tickets.c
    return conn.execute(
        select(func.count()).select_from(t.tickets).where(c.site_id == site_id, c.service_id == service_id, t.TICKET_IS_WAITING)
    ).scalar_one()


def claim_candidates(conn: Connection, site_id: int, counter_id: int, service_ids: list[int]) -> list[Candidate]:
    """Head tickets of each served service (best by rank, and the oldest), plus tickets
    transferred to this counter. One index range per service, however deep the queue and
    whatever piles up in services nobody serves. On PostgreSQL the rows are locked with
    SKIP LOCKED, so concurrent counters pick disjoint candidates without waiting."""
    c = t.tickets.c
    cols = (c.id, c.service_id, c.priority, c.rank, c.arrived_at, c.appointment_at, c.target_counter_id)
    open_to_me = or_(c.target_counter_id.is_(None), c.target_counter_id == counter_id)
    selects = []
    for service_id in service_ids:
        base = select(*cols).where(c.site_id == site_id, c.service_id == service_id, t.TICKET_IS_WAITING, open_to_me)
        selects.append(base.order_by(c.rank.desc(), c.arrived_at, c.id).limit(CANDIDATES_PER_SERVICE))
        selects.append(base.order_by(c.arrived_at, c.id).limit(1))
    targeted = (
        select(*cols)
        .where(c.target_counter_id == counter_id, t.TICKET_IS_WAITING)
        .order_by(c.arrived_at, c.id)
        .limit(CANDIDATES_PER_SERVICE)
    )
    selects.append(targeted)
    rows: list[Row] = []
    if _is_pg(conn):
        for stmt in selects:
            rows.extend(conn.execute(stmt.with_for_update(of=t.tickets, skip_locked=True)).all())
    else:
        rows = list(conn.execute(union_all(*(s.subquery().select() for s in selects))).all())
    seen: dict[int, Candidate] = {}
    for r in rows:
        seen.setdefault(
            r.id,
            Candidate(
                ticket_id=r.id,
                service_id=r.service_id,
                priority=PriorityClass(r.priority),
                rank=r.rank,
                arrived_at=r.arrived_at,
                appointment_at=r.appointment_at,
                targeted=r.target_counter_id == counter_id,
            ),
        )
    return list(seen.values())


# ---- counters ----------------------------------------------------------------------------
def counter_for_update(conn: Connection, counter_id: int) -> Row | None:
    stmt = select(t.counters).where(t.counters.c.id == counter_id)
    if _is_pg(conn):
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def counter_weights(conn: Connection, counter_id: int) -> dict[int, int]:
    rows = conn.execute(
        select(t.counter_services.c.service_id, t.counter_services.c.weight).where(
            t.counter_services.c.counter_id == counter_id
        )
    ).all()
    return {r.service_id: r.weight for r in rows}


def update_counter(conn: Connection, counter_id: int, **values: Any) -> None:
    conn.execute(update(t.counters).where(t.counters.c.id == counter_id).values(**values))


def counters_serving(conn: Connection, site_id: int, service_id: int) -> tuple[int, int]:
    """(open counters, configured counters) serving a service at a site."""
    rows = conn.execute(
        select(t.counters.c.state, func.count())
        .select_from(t.counters.join(t.counter_services, t.counter_services.c.counter_id == t.counters.c.id))
        .where(t.counters.c.site_id == site_id, t.counter_services.c.service_id == service_id)
        .group_by(t.counters.c.state)
    ).all()
    by_state = {r[0]: r[1] for r in rows}
    return by_state.get(CounterState.OPEN.value, 0), sum(by_state.values())


def handling_average(conn: Connection, site_id: int, service_id: int) -> tuple[float | None, int]:
    row = conn.execute(
        select(t.service_stats.c.avg_handling_seconds, t.service_stats.c.samples).where(
            t.service_stats.c.site_id == site_id, t.service_stats.c.service_id == service_id
        )
    ).first()
    return (row.avg_handling_seconds, row.samples) if row else (None, 0)


def save_handling_average(conn: Connection, site_id: int, service_id: int, average: float, samples: int) -> None:
    values = {"site_id": site_id, "service_id": service_id, "avg_handling_seconds": average, "samples": samples}
    ins = (pg_insert if _is_pg(conn) else sqlite_insert)(t.service_stats).values(**values)
    conn.execute(
        ins.on_conflict_do_update(
            index_elements=["site_id", "service_id"],
            set_={"avg_handling_seconds": average, "samples": samples},
        )
    )


def held_tickets_of(conn: Connection, counter_id: int) -> list[Row]:
    return conn.execute(
        select(t.tickets).where(t.tickets.c.counter_id == counter_id, t.tickets.c.status == TicketStatus.HELD.value)
    ).all()


def ticket_brief_row(conn: Connection, ticket_id: int) -> Row:
    """The ticket joined with the names every reply and event shows."""
    c = t.tickets.c
    return conn.execute(
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
            t.tickets.join(t.sites, t.sites.c.id == c.site_id)
            .join(t.services, t.services.c.id == c.service_id)
            .outerjoin(t.procedures, t.procedures.c.id == c.procedure_id)
            .outerjoin(t.counters, t.counters.c.id == c.counter_id)
        )
        .where(c.id == ticket_id)
    ).one()


