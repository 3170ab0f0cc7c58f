"""Manager actions from the web dashboard: open and close counters, change what a counter
serves, move waiting tickets to another site, post a notice to a site's displays.

Same shape as handlers.py: `(command, uow)`, the handler commits, every change is an event
in the log. The event's `staff_id` and time are the audit trail: who did what, and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.domain import commands as cmd
from queue_server.domain.business_day import business_day
from queue_server.domain.errors import Conflict, Invalid, NotFound
from queue_server.domain.geo import distance_km, travel_minutes
from queue_server.domain.ticket_states import Action, next_status
from queue_server.service_layer import handlers
from queue_server.service_layer.handlers import counter_brief, ticket_brief
from queue_server.service_layer.unit_of_work import PendingEvent, UnitOfWork
from shared.enums import CounterState, EventType, TicketStatus, TransferTarget
from shared.labels import LabelFormat

MAX_WEIGHT = 9
MAX_NOTICE_CHARS = 500


# ---- commands ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SetCounterOpen:
    counter_id: int
    staff_id: int  # the manager
    open: bool


@dataclass(frozen=True)
class SetCounterServices:
    counter_id: int
    staff_id: int
    weights: dict[int, int]  # service id -> weight (1..9); a service left out is not served


@dataclass(frozen=True)
class MoveTickets:
    """Move waiting tickets of one site to another: all of a service, or the ones chosen."""

    from_site_code: str
    to_site_code: str
    staff_id: int
    service_id: int | None = None
    ticket_ids: tuple[int, ...] = ()
    count: int | None = None  # with service_id: only this many, from the back of the line
    reason: str = ""


@dataclass(frozen=True)
class PostNotice:
    site_code: str
    staff_id: int
    text: str


@dataclass
class MoveResult:
    moved: list[dict[str, Any]] = field(default_factory=list)  # {"old_label", "label", "service_code"}
    skipped: list[str] = field(default_factory=list)  # labels no longer waiting


# ---- helpers -------------------------------------------------------------------------------
def _site(uow: UnitOfWork, code: str):  # noqa: ANN202
    site = repo.site_by_code(uow.conn, code)
    if site is None:
        raise NotFound(f"Không tìm thấy điểm phục vụ {code}.", f"Site {code} not found.")
    return site


def _counter(uow: UnitOfWork, counter_id: int):  # noqa: ANN202
    counter = repo.counter_for_update(uow.conn, counter_id)
    if counter is None:
        raise NotFound(f"Không tìm thấy quầy {counter_id}.", f"Counter {counter_id} not found.")
    return counter


# ---- counters ------------------------------------------------------------------------------
def set_counter_open(c: SetCounterOpen, uow: UnitOfWork) -> None:
    """Opening from the dashboard keeps whoever works at the desk (the clerk logs in at the
    counter); closing follows the counter rule: idle first, held tickets back in line."""
    if not c.open:
        handlers.close_counter(cmd.CloseCounter(c.counter_id, c.staff_id), uow)
        return
    with uow:
        counter = _counter(uow, c.counter_id)
        if counter.state == CounterState.OPEN.value:
            raise Conflict(f"Quầy {counter.number} đang mở.", f"Counter {counter.number} is already open.",
                           code="counter_already_open")
        repo.update_counter(uow.conn, counter.id, state=CounterState.OPEN.value, pause_reason="",
                            updated_at=uow.now)
        counter = repo.counter_for_update(uow.conn, counter.id)
        uow.emit(PendingEvent(type=EventType.COUNTER_OPENED, site_id=counter.site_id, counter=counter_brief(counter),
                              counter_id=counter.id, staff_id=c.staff_id, data={"by": "manager"},
                              services=tuple(sorted(repo.counter_weights(uow.conn, counter.id)))))
        uow.commit()


def set_counter_services(c: SetCounterServices, uow: UnitOfWork) -> None:
    if not c.weights:
        raise Invalid("Hãy chọn ít nhất một dịch vụ cho quầy.", "Choose at least one service for the counter.")
    for weight in c.weights.values():
        if not 1 <= weight <= MAX_WEIGHT:
            raise Invalid(f"Trọng số phải từ 1 đến {MAX_WEIGHT}.", f"Weights go from 1 to {MAX_WEIGHT}.")
    with uow:
        conn = uow.conn
        counter = _counter(uow, c.counter_id)
        for service_id in c.weights:
            if not repo.site_offers(conn, counter.site_id, service_id):
                raise Conflict("Điểm phục vụ này không có dịch vụ đó.", "This site does not offer that service.",
                               code="service_not_offered")
        before = repo.counter_weights(conn, counter.id)
        if before == c.weights:
            raise Conflict("Không có gì thay đổi.", "Nothing changed.", code="unchanged")
        conn.execute(delete(t.counter_services).where(t.counter_services.c.counter_id == counter.id))
        conn.execute(insert(t.counter_services), [
            {"counter_id": counter.id, "service_id": sid, "weight": weight} for sid, weight in sorted(c.weights.items())
        ])
        repo.update_counter(conn, counter.id, updated_at=uow.now)
        codes = dict(conn.execute(select(t.services.c.id, t.services.c.code)).all())
        uow.emit(PendingEvent(
            type=EventType.COUNTER_SERVICES_CHANGED, site_id=counter.site_id, counter=counter_brief(counter),
            counter_id=counter.id, staff_id=c.staff_id, services=tuple(sorted(set(before) | set(c.weights))),
            data={"services": [{"service_id": s, "service_code": codes.get(s), "weight": w}
                               for s, w in sorted(c.weights.items())],
                  "before": [{"service_id": s, "service_code": codes.get(s), "weight": w}
                             for s, w in sorted(before.items())]},
        ))
        uow.commit()


# ---- moving waiting tickets ----------------------------------------------------------------
def move_tickets(c: MoveTickets, uow: UnitOfWork) -> MoveResult:
    """Each ticket gets a new number in the target site's line. Its place there is the time
    the citizen can get there (now plus the trip), or its original arrival if later: people
    already standing at that site are not pushed back by someone still on the way, and the
    moved citizens keep their order. Its tracking token stays, so the citizen's phone page
    follows it to the new site. Tickets called or moved meanwhile are left where they are
    and reported as skipped."""
    if c.count is not None and c.count < 1:
        raise Invalid("Số lượng cần chuyển phải từ 1 trở lên.", "The number to move must be at least 1.")
    if c.service_id is None and not c.ticket_ids:
        raise Invalid("Hãy chọn một dịch vụ hoặc các số thứ tự cần chuyển.",
                      "Choose a service or the tickets to move.")
    with uow:
        conn = uow.conn
        source, target = _site(uow, c.from_site_code), _site(uow, c.to_site_code)
        if source.id == target.id:
            raise Conflict("Hãy chọn một điểm phục vụ khác.", "Choose another site.", code="same_site")
        tc = t.tickets.c
        stmt = select(t.tickets).order_by(tc.rank.desc(), tc.arrived_at, tc.id)
        if c.ticket_ids:
            stmt = stmt.where(tc.id.in_(c.ticket_ids))
        else:
            stmt = stmt.where(tc.site_id == source.id, tc.service_id == c.service_id, t.TICKET_IS_WAITING)
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        rows = conn.execute(stmt).all()
        if c.ticket_ids and len(rows) != len(set(c.ticket_ids)):
            raise NotFound("Không tìm thấy một số số thứ tự đã chọn.", "Some of the chosen tickets do not exist.")
        result = MoveResult()

        def movable(r) -> bool:  # noqa: ANN001 - called or moved by someone else meanwhile: leave it
            return r.site_id == source.id and r.status == TicketStatus.WAITING.value

        waiting = [r for r in rows if movable(r)]
        result.skipped = [r.label for r in rows if not movable(r)]
        if c.count is not None and not c.ticket_ids:
            # The back of the line moves: they would wait longest here.
            waiting = waiting[max(0, len(waiting) - c.count):]
        if not waiting:
            raise Conflict("Không còn số thứ tự nào đang chờ để chuyển.", "No waiting ticket is left to move.",
                           code="nothing_to_move")
        day = business_day(uow.now, uow.rules.tz, uow.rules.rollover)
        trip = timedelta(minutes=travel_minutes(distance_km(source.latitude, source.longitude,
                                                            target.latitude, target.longitude)))
        for ticket in waiting:
            if not repo.site_offers(conn, target.id, ticket.service_id):
                raise Conflict(f"{target.name_vi} không có dịch vụ của số {ticket.label}.",
                               f"{target.name_en or target.name_vi} does not offer the service of {ticket.label}.",
                               code="service_not_offered")
            arrival = max(ticket.arrived_at, uow.now + trip)
            result.moved.append(_move_one(uow, ticket, source, target, day, arrival, c))
        uow.commit()
        return result


def _move_one(uow: UnitOfWork, ticket, source, target, day, arrival, c: MoveTickets) -> dict[str, Any]:  # noqa: ANN001
    conn = uow.conn
    new = next_status(Action.TRANSFER, TicketStatus(ticket.status), ticket.label)
    service = repo.service_by_id(conn, ticket.service_id)
    number = repo.take_sequence_number(conn, target.id, ticket.service_id, day)
    label = LabelFormat(service.prefix, service.digits, service.number_start, service.number_end).label_for(number)
    repo.update_ticket(conn, ticket.id, ticket.status, status=new.value, site_id=target.id, business_day=day,
                       numbering_service_id=ticket.service_id, sequence_number=number, label=label, counter_id=None, target_counter_id=None,
                       arrived_at=arrival,
                       transfer_count=ticket.transfer_count + 1, recall_count=0, updated_at=uow.now)
    row = repo.ticket_brief_row(conn, ticket.id)
    data = {"target": TransferTarget.SITE.value, "reason": c.reason, "from_service_id": ticket.service_id,
            "from_site_id": source.id, "to_site_id": target.id, "old_label": ticket.label,
            "to_site_code": target.code, "by": "manager", "arrival_at": arrival.isoformat()}
    for site_id in sorted({source.id, target.id}):
        uow.emit(PendingEvent(type=EventType.TICKET_TRANSFERRED, site_id=site_id, ticket=ticket_brief(row),
                              staff_id=c.staff_id, services=(ticket.service_id,), data=data))
    return {"old_label": ticket.label, "label": label, "service_code": service.code}


# ---- notices -------------------------------------------------------------------------------
def post_notice(c: PostNotice, uow: UnitOfWork) -> str:
    """An empty text takes the notice down."""
    text = " ".join(c.text.split())
    if len(text) > MAX_NOTICE_CHARS:
        raise Invalid(f"Thông báo tối đa {MAX_NOTICE_CHARS} ký tự.", f"A notice has at most {MAX_NOTICE_CHARS} characters.")
    with uow:
        site = _site(uow, c.site_code)
        uow.conn.execute(update(t.sites).where(t.sites.c.id == site.id).values(notice=text))
        uow.emit(PendingEvent(type=EventType.NOTICE_POSTED, site_id=site.id, staff_id=c.staff_id,
                              data={"notice": text}))
        uow.commit()
        return text
