"""One handler per command: load, let the domain decide, write, record the event.

Each handler runs inside a unit of work (one transaction) and commits it itself, so a
route never commits and a half-done command never reaches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Row, update
from sqlalchemy.exc import IntegrityError

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.secrets import new_tracking_token
from queue_server.domain import commands as cmd
from queue_server.domain.business_day import business_day
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound, NoTicketWaiting
from queue_server.domain.estimation import updated_average
from queue_server.domain.ordering import CounterView, choose
from queue_server.domain.ticket_states import Action, next_status
from queue_server.service_layer import static_rows
from queue_server.service_layer.menu_scope import line_for
from queue_server.service_layer.unit_of_work import PendingEvent, UnitOfWork
from queue_server.service_layer.wait_estimates import SiteDesks, wait_figure, wait_out
from shared.enums import CounterState, EventType, PriorityClass, TicketStatus, TransferTarget
from shared.labels import LabelFormat


# ---- helpers -----------------------------------------------------------------------------
def _not_found(what_vi: str, what_en: str) -> NotFound:
    return NotFound(f"Không tìm thấy {what_vi}.", f"{what_en} not found.")


def ticket_brief(row: Row) -> dict[str, Any]:
    """What displays and counters need to know of a ticket (no tracking token)."""
    return {
        "id": row.id,
        "label": row.label,
        "status": row.status,
        "priority": row.priority,
        "site_id": row.site_id,
        "service_id": row.service_id,
        "service_code": row.service_code,
        "counter_id": row.counter_id,
        "counter_number": row.counter_number,
        "target_counter_id": row.target_counter_id,
        "recall_count": row.recall_count,
        "called_at": row.called_at.isoformat() if row.called_at else None,
    }


def counter_brief(row: Row) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "name": row.name,
        "state": row.state,
        "current_ticket_id": row.current_ticket_id,
    }


class Record(dict):
    """A row built in memory from values just read or written (attribute access, like a
    Row), so a handler does not read back what it has just written."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# A new ticket's columns that the insert leaves to their defaults.
_NEW_TICKET = {c.name: None for c in t.tickets.c} | {"recall_count": 0, "requeue_count": 0, "transfer_count": 0}


def ticket_view(uow: UnitOfWork, ticket: Any, **changes: Any) -> Record:
    """The ticket (a row or a mapping) with `changes` applied and the names replies and
    events show, from the cached catalog: what `repo.ticket_brief_row` reads, without a
    query."""
    values = Record(ticket._mapping if isinstance(ticket, Row) else ticket)
    values.update(changes)
    site = static_rows.site(uow, values["site_id"])
    service = static_rows.service(uow, values["service_id"])
    procedure = static_rows.procedure_by_id(uow, values["procedure_id"]) if values["procedure_id"] else None
    counter = static_rows.counter_info(uow, values["counter_id"]) if values["counter_id"] else None
    values.update(
        site_code=site.code, site_name_vi=site.name_vi, service_code=service.code,
        service_name_vi=service.name_vi, service_name_en=service.name_en,
        procedure_code=procedure.code if procedure else None,
        procedure_name_vi=procedure.name_vi if procedure else None,
        counter_number=counter.number if counter else None,
    )
    return values


def counter_view(counter: Any, **changes: Any) -> Record:
    values = Record(counter._mapping if isinstance(counter, Row) else counter)
    values.update(changes)
    return values


def ticket_reply(uow: UnitOfWork, ticket_id: int, *, with_token: bool = False, row: Any = None,
                 estimate: Row | None = None) -> dict[str, Any]:
    row = row if row is not None else repo.ticket_brief_row(uow.conn, ticket_id)
    reply = {k: getattr(row, k) for k in (
        "id", "label", "status", "priority", "site_id", "site_code", "site_name_vi", "service_id",
        "service_code", "service_name_vi", "service_name_en", "procedure_code", "procedure_name_vi",
        "counter_id", "counter_number", "target_counter_id", "issued_at", "arrived_at", "called_at",
        "started_at", "finished_at", "recall_count", "printed",
    )}
    if row.status == TicketStatus.WAITING.value:
        reply.update(_estimate_for(uow, row, estimate))
    else:
        reply["wait"] = wait_out(wait_figure(None, 0, row.status))
    if with_token:
        reply["tracking_token"] = row.tracking_token
        reply["tracking_url"] = uow.rules.tracking_url(row.tracking_token)
    return reply


def _estimate_for(uow: UnitOfWork, row: Any, inputs: Row | None = None) -> dict[str, Any]:
    if inputs is None:
        inputs = repo.estimate_inputs(uow.conn, row.site_id, row.service_id, row.rank, row.arrived_at, row.id)
    estimate, figure = SiteDesks(uow.conn, row.site_id).estimate(row.service_id, inputs.ahead, inputs.average,
                                                                 inputs.open_counters, inputs.configured_counters)
    return {"people_ahead": estimate.people_ahead, "estimated_wait_minutes": estimate.minutes,
            "wait": wait_out(figure)}


def _emit_ticket(uow: UnitOfWork, type_: EventType, ticket_id: int, *, counter: Any = None,
                 staff_id: int | None = None, device_id: int | None = None,
                 services: tuple[int, ...] = (), data: dict[str, Any] | None = None,
                 row: Any = None, waiting: dict[int, int] | None = None, changes_waiting: bool = True) -> None:
    """`changes_waiting=False` for events that leave every line as it was (a start, a
    finish): they carry no waiting counts, and the commit counts nothing for them."""
    row = row if row is not None else repo.ticket_brief_row(uow.conn, ticket_id)
    uow.emit(PendingEvent(
        type=type_, site_id=row.site_id, ticket=ticket_brief(row),
        counter=counter_brief(counter) if counter is not None else None,
        counter_id=counter.id if counter is not None else row.counter_id,
        staff_id=staff_id, device_id=device_id,
        services=(services or (row.service_id,)) if changes_waiting else (), data=data or {},
        waiting=waiting,
    ))


# ---- issuing -----------------------------------------------------------------------------
def issue_ticket_once(c: cmd.IssueTicket, new_uow: Callable[[], UnitOfWork]) -> dict[str, Any]:
    """Issue a ticket, or, when this kiosk already got one for the same request key (the
    answer was lost and the citizen tapped "try again"), that ticket again. Two copies of
    one request racing on PostgreSQL: the unique index lets one insert and the other
    then finds the ticket."""
    try:
        return issue_ticket(c, new_uow())
    except IntegrityError:
        if c.request_key is None or c.device_id is None:
            raise
        with new_uow() as uow:
            existing = repo.ticket_by_request(uow.conn, c.device_id, c.request_key)
            if existing is None:
                raise
            return ticket_reply(uow, existing, with_token=True)


def issue_ticket(c: cmd.IssueTicket, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        conn = uow.conn
        if c.request_key is not None and c.device_id is not None:
            existing = repo.ticket_by_request(conn, c.device_id, c.request_key)
            if existing is not None:
                return ticket_reply(uow, existing, with_token=True)
        site = static_rows.site_by_code(uow, c.site_code) if c.site_code else static_rows.site(uow, c.device_site_id)
        if site is None:
            raise _not_found(f"điểm phục vụ {c.site_code}", f"Site {c.site_code}")
        procedure = None
        if c.procedure_code:
            procedure = static_rows.procedure(uow, c.procedure_code)
            if procedure is None:
                raise _not_found(f"thủ tục {c.procedure_code}", f"Procedure {c.procedure_code}")
            service_id = line_for(uow, site.id, site.code, procedure.id)
            if service_id is None:
                raise not_received_here(uow, site, procedure.id)
        elif c.service_id:
            service_id = c.service_id
            if static_rows.service(uow, service_id) is None:
                raise _not_found(f"dịch vụ {service_id}", f"Service {service_id}")
            if not static_rows.site_offers(uow, site.id, service_id):
                raise Conflict(
                    f"{site.name_vi} không có dịch vụ này.", "This site does not offer that service.",
                    code="service_not_offered",
                )
        else:
            raise Invalid("Hãy chọn một thủ tục hoặc dịch vụ.", "Give a procedure_code or a service_id.")

        service = static_rows.service(uow, service_id)
        now = uow.now
        day = business_day(now, uow.rules.tz, uow.rules.rollover)
        number = repo.take_sequence_number(conn, site.id, service_id, day)
        label = LabelFormat(service.prefix, service.digits, service.number_start, service.number_end).label_for(number)
        values = dict(
            site_id=site.id, service_id=service_id, procedure_id=procedure.id if procedure else None,
            business_day=day, numbering_service_id=service_id, sequence_number=number, label=label,
            priority=c.priority.value,
            rank=uow.rules.priority_weights[c.priority], status=TicketStatus.WAITING.value,
            device_id=c.device_id, tracking_token=new_tracking_token(),
            arrived_at=repo.arrival_stamp(conn, site.id, now), issued_at=now,
            appointment_at=now if c.priority is PriorityClass.APPOINTMENT else None, updated_at=now,
            request_key=c.request_key,
        )
        ticket_id = repo.insert_ticket(conn, **values)
        row = ticket_view(uow, _NEW_TICKET | values, id=ticket_id)
        # One statement for the reply's estimate and the event's waiting count.
        inputs = repo.new_ticket_estimate_inputs(conn, site.id, service_id, row.rank)
        _emit_ticket(uow, EventType.TICKET_ISSUED, ticket_id, device_id=c.device_id, row=row,
                     data={"for_other_site": bool(c.site_code) and site.id != c.device_site_id},
                     waiting={service_id: inputs.waiting})
        reply = ticket_reply(uow, ticket_id, with_token=True, row=row, estimate=inputs)
        uow.commit()
        return reply


def not_received_here(uow: UnitOfWork, site: Any, procedure_id: int) -> Conflict:
    """The refusal of a ticket for a procedure the site does not receive, saying where it is."""
    # menu_search reads views, which import this module: imported when a refusal needs it.
    from queue_server.service_layer.menu_search import refusal_not_received

    return refusal_not_received(uow, site, procedure_id)


def report_print_result(c: cmd.ReportPrintResult, uow: UnitOfWork) -> dict[str, Any]:
    """A kiosk says whether the paper ticket came out. A failure is an event staff see at
    once (the printer needs a hand); the ticket itself stays valid: the citizen has it on
    screen with its QR code."""
    with uow:
        ticket = _load_ticket(uow, c.ticket_id)
        if ticket.device_id != c.device_id:
            raise Forbidden("Phiếu số thứ tự này không do ki-ốt này cấp.", "This ticket was not issued by this kiosk.")
        uow.conn.execute(update(t.tickets).where(t.tickets.c.id == ticket.id).values(printed=c.printed))
        if not c.printed:
            _emit_ticket(uow, EventType.TICKET_PRINT_FAILED, ticket.id, device_id=c.device_id,
                         data={"error_kind": c.error_kind or "error", "message": c.message})
        reply = ticket_reply(uow, ticket.id)
        uow.commit()
        return reply


def cancel_ticket(c: cmd.CancelTicket, uow: UnitOfWork, *, allowed_site: int | None) -> dict[str, Any]:
    with uow:
        ticket = _load_ticket(uow, c.ticket_id)
        if allowed_site is not None and ticket.site_id != allowed_site:
            raise Forbidden("Phiếu số thứ tự này thuộc điểm phục vụ khác.", "This ticket belongs to another site.")
        new = next_status(Action.CANCEL, TicketStatus(ticket.status), ticket.label)
        repo.update_ticket(uow.conn, ticket.id, ticket.status, status=new.value, updated_at=uow.now,
                           finished_at=uow.now)
        _emit_ticket(uow, EventType.TICKET_CANCELLED, ticket.id, staff_id=c.staff_id, data={"reason": c.reason})
        reply = ticket_reply(uow, ticket.id)
        uow.commit()
        return reply


def _load_ticket(uow: UnitOfWork, ticket_id: int) -> Row:
    ticket = repo.ticket_for_update(uow.conn, ticket_id)
    if ticket is None:
        raise _not_found(f"phiếu số thứ tự {ticket_id}", f"Ticket {ticket_id}")
    return ticket


# ---- counters ----------------------------------------------------------------------------
def _load_counter(uow: UnitOfWork, counter_id: int) -> Row:
    counter = repo.counter_for_update(uow.conn, counter_id)
    if counter is None:
        raise _not_found(f"quầy {counter_id}", f"Counter {counter_id}")
    return counter


def _load_counter_and_ticket(uow: UnitOfWork, counter_id: int) -> tuple[Record, Record | None]:
    counter, ticket = repo.counter_and_current_ticket(uow.conn, counter_id)
    if counter is None:
        raise _not_found(f"quầy {counter_id}", f"Counter {counter_id}")
    return Record(counter), (Record(ticket) if ticket is not None else None)


def _current_ticket(uow: UnitOfWork, counter: Any, ticket: Any = None) -> Any:
    """The counter's current ticket: `ticket` if the caller read it with the counter."""
    if ticket is None and counter.current_ticket_id:
        ticket = repo.ticket_for_update(uow.conn, counter.current_ticket_id)
    if ticket is None:
        raise Conflict(
            f"Quầy {counter.number} chưa gọi số nào.", f"Counter {counter.number} has no current ticket.",
            code="no_current_ticket",
        )
    return ticket


def _require_idle(counter: Row) -> None:
    if counter.current_ticket_id is not None:
        raise Conflict(
            f"Quầy {counter.number} đang phục vụ một số thứ tự: hãy kết thúc, đánh dấu vắng mặt, tạm giữ hoặc chuyển trước.",
            f"Counter {counter.number} is busy with a ticket: finish, mark no-show, hold or transfer it first.",
            code="counter_busy",
        )


def _require_open(counter: Row) -> None:
    if counter.state != CounterState.OPEN.value:
        raise Conflict(
            f"Quầy {counter.number} chưa mở. Hãy mở quầy trước khi gọi số.",
            f"Counter {counter.number} is not open. Open it before calling.",
            code="counter_not_open",
        )


def _counter_event(uow: UnitOfWork, type_: EventType, counter_id: int, staff_id: int, data: dict | None = None) -> None:
    counter = repo.counter_for_update(uow.conn, counter_id)
    uow.emit(PendingEvent(type=type_, site_id=counter.site_id, counter=counter_brief(counter),
                          counter_id=counter.id, staff_id=staff_id, data=data or {}))


def open_counter(c: cmd.OpenCounter, uow: UnitOfWork) -> None:
    with uow:
        _load_counter(uow, c.counter_id)
        repo.update_counter(uow.conn, c.counter_id, state=CounterState.OPEN.value, staff_id=c.staff_id,
                            pause_reason="", updated_at=uow.now)
        _counter_event(uow, EventType.COUNTER_OPENED, c.counter_id, c.staff_id)
        uow.commit()


def pause_counter(c: cmd.PauseCounter, uow: UnitOfWork) -> None:
    with uow:
        counter = _load_counter(uow, c.counter_id)
        _require_idle(counter)
        repo.update_counter(uow.conn, c.counter_id, state=CounterState.PAUSED.value, pause_reason=c.reason,
                            updated_at=uow.now)
        _counter_event(uow, EventType.COUNTER_PAUSED, c.counter_id, c.staff_id, {"reason": c.reason})
        uow.commit()


def close_counter(c: cmd.CloseCounter, uow: UnitOfWork) -> None:
    """Closing hands held tickets back to the line (keeping their place) so none is lost."""
    with uow:
        counter = _load_counter(uow, c.counter_id)
        _require_idle(counter)
        for held in repo.held_tickets_of(uow.conn, counter.id):
            repo.update_ticket(uow.conn, held.id, held.status, status=TicketStatus.WAITING.value,
                               counter_id=None, updated_at=uow.now)
            _emit_ticket(uow, EventType.TICKET_REQUEUED, held.id, staff_id=c.staff_id, data={"reason": "counter_closed"})
        repo.update_counter(uow.conn, c.counter_id, state=CounterState.CLOSED.value, staff_id=None,
                            pause_reason="", updated_at=uow.now)
        _counter_event(uow, EventType.COUNTER_CLOSED, c.counter_id, c.staff_id)
        uow.commit()


def _mark_called(uow: UnitOfWork, counter: Any, ticket: Row, staff_id: int, data: dict) -> dict[str, Any]:
    new = next_status(Action.CALL, TicketStatus(ticket.status), ticket.label)
    now = uow.now
    values = dict(status=new.value, counter_id=counter.id, staff_id=staff_id, called_at=now,
                  first_called_at=ticket.first_called_at or now, recall_count=0, target_counter_id=None,
                  updated_at=now)
    repo.update_ticket(uow.conn, ticket.id, ticket.status, **values)
    repo.update_counter(uow.conn, counter.id, current_ticket_id=ticket.id, updated_at=now)
    counter = counter_view(counter, current_ticket_id=ticket.id, updated_at=now)
    row = ticket_view(uow, ticket, **values)
    _emit_ticket(uow, EventType.TICKET_CALLED, ticket.id, counter=counter, staff_id=staff_id, data=data, row=row)
    reply = ticket_reply(uow, ticket.id, row=row)
    uow.commit()
    return reply


def call_next(c: cmd.CallNext, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter, current = _load_counter_and_ticket(uow, c.counter_id)
        _require_open(counter)
        finished_label = None
        if counter.current_ticket_id is not None and c.finish_current:
            # The counter row is written once, below, with the ticket it calls.
            finished_label = _finish(uow, counter, c.staff_id, update_counter=False, ticket=current).label
            counter = counter_view(counter, current_ticket_id=None)
        _require_idle(counter)
        weights = static_rows.counter_weights(uow, counter.id)
        policy = uow.rules.policy
        rows = {r.id: r for r in repo.claim_candidates(uow.conn, counter.site_id, counter.id, sorted(weights),
                                                       policy.heads)}
        candidates = [repo.as_candidate(r, counter.id) for r in rows.values()]
        best = choose(policy, candidates, CounterView(counter.id, weights), uow.now)
        if best is None:
            if finished_label:
                repo.update_counter(uow.conn, counter.id, current_ticket_id=None, updated_at=uow.now)
                uow.commit()  # the clerk's "finish" stands even though nobody is waiting
                raise NoTicketWaiting(f"Đã kết thúc số {finished_label}. Không có công dân nào đang chờ.",
                                      f"Finished {finished_label}. Nobody is waiting.")
            raise NoTicketWaiting("Không có công dân nào đang chờ.", "Nobody is waiting.")
        # The candidate rows are current: read in this write transaction (SQLite) or
        # locked by it (PostgreSQL), and the update below checks the status again.
        return _mark_called(uow, counter, rows[best.ticket_id], c.staff_id, {})


def call_specific(c: cmd.CallSpecific, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter = _load_counter(uow, c.counter_id)
        _require_open(counter)
        _require_idle(counter)
        ticket = _load_ticket(uow, c.ticket_id)
        if ticket.site_id != counter.site_id:
            raise Conflict("Phiếu số thứ tự này thuộc điểm phục vụ khác.", "This ticket belongs to another site.",
                           code="ticket_other_site")
        return _mark_called(uow, counter, ticket, c.staff_id, {"out_of_order": True, "reason": c.reason})


def recall(c: cmd.Recall, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter = _load_counter(uow, c.counter_id)
        ticket = _current_ticket(uow, counter)
        new = next_status(Action.RECALL, TicketStatus(ticket.status), ticket.label)
        repo.update_ticket(uow.conn, ticket.id, ticket.status, status=new.value, called_at=uow.now,
                           recall_count=ticket.recall_count + 1, updated_at=uow.now)
        _emit_ticket(uow, EventType.TICKET_RECALLED, ticket.id, counter=counter, staff_id=c.staff_id)
        reply = ticket_reply(uow, ticket.id)
        uow.commit()
        return reply


def start_service(c: cmd.StartService, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter, current = _load_counter_and_ticket(uow, c.counter_id)
        ticket = _current_ticket(uow, counter, current)
        new = next_status(Action.START, TicketStatus(ticket.status), ticket.label)
        values = dict(status=new.value, started_at=uow.now, updated_at=uow.now)
        repo.update_ticket(uow.conn, ticket.id, ticket.status, **values)
        row = ticket_view(uow, ticket, **values)
        _emit_ticket(uow, EventType.TICKET_STARTED, ticket.id, counter=counter, staff_id=c.staff_id, row=row,
                     changes_waiting=False)
        reply = ticket_reply(uow, ticket.id, row=row)
        uow.commit()
        return reply


def _finish(uow: UnitOfWork, counter: Any, staff_id: int, *, update_counter: bool = True,
            ticket: Any = None) -> Record:
    """Finish the counter's current ticket (`ticket`, if already read); returns it as
    finished. Without `update_counter` the caller writes the counter row itself
    (call-next does, once)."""
    ticket = _current_ticket(uow, counter, ticket)
    new = next_status(Action.FINISH, TicketStatus(ticket.status), ticket.label)
    now = uow.now
    values = dict(status=new.value, finished_at=now, updated_at=now)
    repo.update_ticket(uow.conn, ticket.id, ticket.status, **values)
    if update_counter:
        repo.update_counter(uow.conn, counter.id, current_ticket_id=None, updated_at=now)
    # Handling time (first call to finish) feeds the wait estimate of this service.
    average, samples = repo.handling_average(uow.conn, ticket.site_id, ticket.service_id)
    # Never negative, even if the system clock went back while the citizen was at the desk.
    observed = max(0.0, (now - (ticket.first_called_at or ticket.called_at or now)).total_seconds())
    repo.save_handling_average(uow.conn, ticket.site_id, ticket.service_id,
                               updated_average(average, samples, observed), samples + 1)
    row = ticket_view(uow, ticket, **values)
    _emit_ticket(uow, EventType.TICKET_SERVED, ticket.id, counter=counter_view(counter, current_ticket_id=None),
                 staff_id=staff_id, data={"handling_seconds": round(observed, 1)}, row=row, changes_waiting=False)
    return row


def finish_service(c: cmd.FinishService, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter, current = _load_counter_and_ticket(uow, c.counter_id)
        row = _finish(uow, counter, c.staff_id, ticket=current)
        reply = ticket_reply(uow, row.id, row=row)
        uow.commit()
        return reply


def mark_no_show(c: cmd.MarkNoShow, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter = _load_counter(uow, c.counter_id)
        ticket = _current_ticket(uow, counter)
        rules = uow.rules
        if TicketStatus(ticket.status) is TicketStatus.CALLED and ticket.recall_count < rules.no_show_after_recalls:
            raise Conflict(
                f"Hãy gọi lại số {ticket.label} ít nhất {rules.no_show_after_recalls} lần trước khi đánh dấu vắng mặt.",
                f"Recall {ticket.label} at least {rules.no_show_after_recalls} time(s) before marking a no-show.",
                code="recall_first",
            )
        new = next_status(Action.NO_SHOW, TicketStatus(ticket.status), ticket.label)
        now = uow.now
        repo.update_ticket(uow.conn, ticket.id, ticket.status, status=new.value, finished_at=now, updated_at=now)
        repo.update_counter(uow.conn, counter.id, current_ticket_id=None, updated_at=now)
        counter = repo.counter_for_update(uow.conn, counter.id)
        _emit_ticket(uow, EventType.TICKET_NO_SHOW, ticket.id, counter=counter, staff_id=c.staff_id)
        if rules.no_show_requeue != "never" and ticket.requeue_count < rules.max_requeues:
            back = next_status(Action.REQUEUE, new, ticket.label)
            arrived = (repo.arrival_stamp(uow.conn, ticket.site_id, now) if rules.no_show_requeue == "back_of_line"
                       else ticket.arrived_at)
            repo.update_ticket(uow.conn, ticket.id, new.value, status=back.value, arrived_at=arrived,
                               counter_id=None, finished_at=None, requeue_count=ticket.requeue_count + 1,
                               updated_at=now)
            _emit_ticket(uow, EventType.TICKET_REQUEUED, ticket.id, staff_id=c.staff_id,
                         data={"rule": rules.no_show_requeue})
        reply = ticket_reply(uow, ticket.id)
        uow.commit()
        return reply


def hold_ticket(c: cmd.HoldTicket, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter = _load_counter(uow, c.counter_id)
        ticket = _current_ticket(uow, counter)
        new = next_status(Action.HOLD, TicketStatus(ticket.status), ticket.label)
        repo.update_ticket(uow.conn, ticket.id, ticket.status, status=new.value, updated_at=uow.now)
        repo.update_counter(uow.conn, counter.id, current_ticket_id=None, updated_at=uow.now)
        counter = repo.counter_for_update(uow.conn, counter.id)
        _emit_ticket(uow, EventType.TICKET_HELD, ticket.id, counter=counter, staff_id=c.staff_id)
        reply = ticket_reply(uow, ticket.id)
        uow.commit()
        return reply


def resume_ticket(c: cmd.ResumeTicket, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter = _load_counter(uow, c.counter_id)
        _require_idle(counter)
        ticket = _load_ticket(uow, c.ticket_id)
        if ticket.counter_id != counter.id:
            raise Conflict(
                f"Số {ticket.label} không được tạm giữ tại quầy {counter.number}.",
                f"Ticket {ticket.label} is not held at counter {counter.number}.", code="not_held_here",
            )
        new = next_status(Action.RESUME, TicketStatus(ticket.status), ticket.label)
        repo.update_ticket(uow.conn, ticket.id, ticket.status, status=new.value, updated_at=uow.now)
        repo.update_counter(uow.conn, counter.id, current_ticket_id=ticket.id, updated_at=uow.now)
        counter = repo.counter_for_update(uow.conn, counter.id)
        _emit_ticket(uow, EventType.TICKET_RESUMED, ticket.id, counter=counter, staff_id=c.staff_id)
        reply = ticket_reply(uow, ticket.id)
        uow.commit()
        return reply


def transfer(c: cmd.Transfer, uow: UnitOfWork) -> dict[str, Any]:
    """Send the counter's current ticket to another service, counter or site. It keeps its
    original arrival time, so the citizen does not go to the back of a new line."""
    with uow:
        conn = uow.conn
        counter = _load_counter(uow, c.counter_id)
        ticket = _current_ticket(uow, counter)
        new = next_status(Action.TRANSFER, TicketStatus(ticket.status), ticket.label)
        values: dict[str, Any] = {"status": new.value, "counter_id": None, "target_counter_id": None,
                                  "called_at": None, "transfer_count": ticket.transfer_count + 1,
                                  "recall_count": 0, "updated_at": uow.now}
        data: dict[str, Any] = {"target": c.target.value, "reason": c.reason, "from_service_id": ticket.service_id,
                                "from_counter_id": counter.id}
        services = {ticket.service_id}
        site_ids = {ticket.site_id}
        if c.target is TransferTarget.SERVICE:
            if not c.service_id or repo.service_by_id(conn, c.service_id) is None:
                raise _not_found(f"dịch vụ {c.service_id}", f"Service {c.service_id}")
            if not repo.site_offers(conn, ticket.site_id, c.service_id):
                raise Conflict("Điểm phục vụ này không có dịch vụ đó.", "This site does not offer that service.",
                               code="service_not_offered")
            values["service_id"] = c.service_id
            services.add(c.service_id)
        elif c.target is TransferTarget.COUNTER:
            target = repo.counter_for_update(conn, c.to_counter_id) if c.to_counter_id else None
            if target is None or target.site_id != ticket.site_id:
                raise _not_found(f"quầy {c.to_counter_id} tại điểm này", f"Counter {c.to_counter_id} at this site")
            if target.id == counter.id:
                raise Conflict("Không thể chuyển sang chính quầy này.", "Cannot transfer to the same counter.",
                               code="same_counter")
            values["target_counter_id"] = target.id
            data["to_counter_id"] = target.id
            data["to_counter_number"] = target.number
        else:
            site = repo.site_by_code(conn, c.site_code) if c.site_code else None
            if site is None:
                raise _not_found(f"điểm phục vụ {c.site_code}", f"Site {c.site_code}")
            if site.id == ticket.site_id:
                raise Conflict("Phiếu số thứ tự đã ở điểm phục vụ này.", "The ticket is already at that site.", code="same_site")
            if not repo.site_offers(conn, site.id, ticket.service_id):
                raise Conflict(f"{site.name_vi} không có dịch vụ này.", "That site does not offer this service.",
                               code="service_not_offered")
            # A new number in the target site's line (labels are per site), same arrival time.
            service = repo.service_by_id(conn, ticket.service_id)
            day = business_day(uow.now, uow.rules.tz, uow.rules.rollover)
            number = repo.take_sequence_number(conn, site.id, ticket.service_id, day)
            values.update(site_id=site.id, business_day=day, numbering_service_id=ticket.service_id,
                          sequence_number=number,
                          label=LabelFormat(service.prefix, service.digits, service.number_start,
                                            service.number_end).label_for(number))
            data.update(from_site_id=ticket.site_id, to_site_id=site.id, old_label=ticket.label,
                        to_site_code=site.code)
            site_ids.add(site.id)
        repo.update_ticket(conn, ticket.id, ticket.status, **values)
        repo.update_counter(conn, counter.id, current_ticket_id=None, updated_at=uow.now)
        counter = repo.counter_for_update(conn, counter.id)
        row = repo.ticket_brief_row(conn, ticket.id)
        for site_id in sorted(site_ids):
            uow.emit(PendingEvent(
                type=EventType.TICKET_TRANSFERRED, site_id=site_id, ticket=ticket_brief(row),
                counter=counter_brief(counter) if site_id == counter.site_id else None,
                counter_id=counter.id, staff_id=c.staff_id, services=tuple(sorted(services)), data=data,
            ))
        reply = ticket_reply(uow, ticket.id)
        uow.commit()
        return reply
