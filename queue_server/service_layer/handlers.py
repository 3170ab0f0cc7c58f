"""One handler per ticket or counter command, each `(cmd, uow)`: load the objects, let
them move (domain.ticket, domain.counter), save them, publish their events, commit; the
reply is built after the commit (ticket_views.reply_of) from what the handler holds.

A route never commits and a half-done command never reaches the database. What a
handler reads goes through `uow.tickets`, `uow.counters` and `uow.catalog`, so a handler
test runs on a fake unit of work (tests/unit/handlers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from queue_server.adapters.secrets import new_tracking_token
from queue_server.domain import commands as cmd
from queue_server.domain.business_day import business_day
from queue_server.domain.counter import Counter
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound, NoTicketWaiting
from queue_server.domain.ordering import CounterView, choose
from queue_server.domain.ticket import Ticket
from queue_server.service_layer.ticket_views import (  # noqa: F401 - ticket_reply, Record: the other areas' import
    Record,
    counter_brief,
    reply_of,
    ticket_brief,
    ticket_reply,
    ticket_view,
    waiting_figures,
)
from queue_server.service_layer.unit_of_work import PendingEvent, UnitOfWork
from shared.enums import EventType, PriorityClass, TicketStatus, TransferTarget
from shared.labels import LabelFormat

# Moves that leave every line as it was: their events carry no waiting counts, and the
# commit counts nothing for them.
_LINES_UNCHANGED = frozenset({EventType.TICKET_STARTED, EventType.TICKET_SERVED})


# ---- loading -------------------------------------------------------------------------------
def _not_found(what_vi: str, what_en: str) -> NotFound:
    return NotFound(f"Không tìm thấy {what_vi}.", f"{what_en} not found.")


def _ticket(uow: UnitOfWork, ticket_id: int) -> Ticket:
    ticket = uow.tickets.get(ticket_id)
    if ticket is None:
        raise _not_found(f"phiếu số thứ tự {ticket_id}", f"Ticket {ticket_id}")
    return ticket


def _counter(uow: UnitOfWork, counter_id: int) -> Counter:
    counter = uow.counters.get(counter_id)
    if counter is None:
        raise _not_found(f"quầy {counter_id}", f"Counter {counter_id}")
    return counter


def _counter_and_ticket(uow: UnitOfWork, counter_id: int) -> tuple[Counter, Ticket | None]:
    counter, ticket = uow.counters.get_with_ticket(counter_id)
    if counter is None:
        raise _not_found(f"quầy {counter_id}", f"Counter {counter_id}")
    return counter, ticket


def _at_desk(uow: UnitOfWork, counter_id: int) -> tuple[Counter, Ticket]:
    """The counter and its current ticket (refused if it has none), in one read."""
    counter, ticket = _counter_and_ticket(uow, counter_id)
    return counter, counter.at_desk(ticket)


# ---- events and replies --------------------------------------------------------------------
def _brief(uow: UnitOfWork, state: dict[str, Any]) -> dict[str, Any]:
    """A ticket event's brief: the ticket as the event saw it, with the catalog's names."""
    counter = uow.catalog.counter_info(state["counter_id"]) if state["counter_id"] else None
    return ticket_brief(Record(state, status=state["status"].value,
                               service_code=uow.catalog.service(state["service_id"]).code,
                               counter_number=counter.number if counter else None))


def _publish(uow: UnitOfWork, ticket: Ticket, counter: Counter | None = None, *, device_id: int | None = None,
             waiting: dict[int, int] | None = None) -> None:
    """The ticket's recorded events, to the unit of work (which numbers them at commit);
    `counter` (as it is now) rides on the events that happened at it."""
    for event in ticket.events:
        state = event.ticket
        at_counter = counter is not None and event.counter_id == counter.id
        uow.emit(PendingEvent(
            type=event.type, site_id=state["site_id"], ticket=_brief(uow, state),
            counter=counter_brief(counter) if at_counter else None,
            counter_id=event.counter_id if event.counter_id is not None else state["counter_id"],
            staff_id=event.staff_id, device_id=device_id,
            services=() if event.type in _LINES_UNCHANGED else (state["service_id"],), data=event.data,
            waiting=waiting,
        ))
    ticket.events.clear()


def _publish_counter(uow: UnitOfWork, counter: Counter) -> None:
    for event in counter.events:
        uow.emit(PendingEvent(type=event.type, site_id=counter.site_id, counter=counter_brief(counter),
                              counter_id=counter.id, staff_id=event.staff_id, data=event.data))
    counter.events.clear()


def _seen(uow: UnitOfWork, ticket: Ticket) -> tuple[Record, dict[str, Any] | None]:
    """What the reply shows, read before the commit: the ticket with its names and, while
    it waits, its wait figure (which needs the line as this transaction left it)."""
    wait = waiting_figures(uow, ticket, uow.tickets.estimate_inputs(ticket)) if ticket.is_waiting else None
    return ticket_view(uow, ticket), wait


def _save_and_publish(uow: UnitOfWork, ticket: Ticket, counter: Counter | None = None) -> None:
    uow.tickets.save(ticket)
    if counter is not None:
        uow.counters.save(counter)
    _publish(uow, ticket, counter)


# ---- issuing -------------------------------------------------------------------------------
def issue_ticket(c: cmd.IssueTicket, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        if c.request_key is not None and c.device_id is not None:
            existing = uow.tickets.id_by_request(c.device_id, c.request_key)
            if existing is not None:  # the answer was lost and the citizen tapped "try again"
                view, wait = _seen(uow, _ticket(uow, existing))
                return reply_of(view, uow.rules, wait=wait, with_token=True)
        catalog = uow.catalog
        site = catalog.site_by_code(c.site_code) if c.site_code else catalog.site(c.device_site_id)
        if site is None:
            raise _not_found(f"điểm phục vụ {c.site_code}", f"Site {c.site_code}")
        procedure_id = None
        if c.procedure_code:
            procedure = catalog.procedure(c.procedure_code)
            if procedure is None:
                raise _not_found(f"thủ tục {c.procedure_code}", f"Procedure {c.procedure_code}")
            procedure_id = procedure.id
            service_id = catalog.line_for(site, procedure_id)
            if service_id is None:
                raise catalog.not_received_here(site, procedure_id)
        elif c.service_id:
            service_id = c.service_id
            if catalog.service(service_id) is None:
                raise _not_found(f"dịch vụ {service_id}", f"Service {service_id}")
            if not catalog.site_offers(site.id, service_id):
                raise Conflict(
                    f"{site.name_vi} không có dịch vụ này.", "This site does not offer that service.",
                    code="service_not_offered",
                )
        else:
            raise Invalid("Hãy chọn một thủ tục hoặc dịch vụ.", "Give a procedure_code or a service_id.")

        service = catalog.service(service_id)
        now, rules = uow.now, uow.rules
        day = business_day(now, rules.tz, rules.rollover)
        number = uow.tickets.next_number(site.id, service_id, day)
        ticket = Ticket(
            id=0, site_id=site.id, service_id=service_id, procedure_id=procedure_id, business_day=day,
            numbering_service_id=service_id, sequence_number=number,
            label=LabelFormat(service.prefix, service.digits, service.number_start, service.number_end).label_for(number),
            priority=c.priority.value, rank=rules.priority_weights[c.priority], status=TicketStatus.WAITING,
            device_id=c.device_id, tracking_token=new_tracking_token(),
            arrived_at=uow.tickets.arrival_stamp(site.id, now), issued_at=now,
            appointment_at=now if c.priority is PriorityClass.APPOINTMENT else None, updated_at=now,
            request_key=c.request_key,
        )
        uow.tickets.add(ticket)
        ticket.issued(for_other_site=bool(c.site_code) and site.id != c.device_site_id)
        # One statement for the reply's estimate and the event's waiting count.
        inputs = uow.tickets.new_ticket_estimate_inputs(ticket)
        _publish(uow, ticket, device_id=c.device_id, waiting={service_id: inputs.waiting})
        view, wait = ticket_view(uow, ticket), waiting_figures(uow, ticket, inputs)
        uow.commit()
    return reply_of(view, rules, wait=wait, with_token=True)


def ticket_for_request(c: cmd.IssueTicket, uow: UnitOfWork) -> dict[str, Any] | None:
    """The ticket this kiosk already got for the command's request key, if any."""
    with uow:
        existing = uow.tickets.id_by_request(c.device_id, c.request_key) if c.request_key and c.device_id else None
        if existing is None:
            return None
        view, wait = _seen(uow, _ticket(uow, existing))
    return reply_of(view, uow.rules, wait=wait, with_token=True)


def once_per_request(issue: Callable[[cmd.IssueTicket, UnitOfWork], dict[str, Any]]
                     ) -> Callable[[cmd.IssueTicket, Callable[[], UnitOfWork]], dict[str, Any]]:
    """For the caller: `issue` run once per kiosk request. Two copies of one request racing
    on PostgreSQL: the unique index lets one insert, and the other then finds its ticket."""
    def run(c: cmd.IssueTicket, new_uow: Callable[[], UnitOfWork]) -> dict[str, Any]:
        try:
            return issue(c, new_uow())
        except IntegrityError:
            reply = ticket_for_request(c, new_uow())
            if reply is None:
                raise
            return reply
    return run


def report_print_result(c: cmd.ReportPrintResult, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        ticket = _ticket(uow, c.ticket_id)
        if ticket.device_id != c.device_id:
            raise Forbidden("Phiếu số thứ tự này không do ki-ốt này cấp.", "This ticket was not issued by this kiosk.")
        ticket.print_result(c.printed, c.error_kind, c.message)
        uow.tickets.save(ticket)
        _publish(uow, ticket, device_id=c.device_id)
        view, wait = _seen(uow, ticket)
        uow.commit()
    return reply_of(view, uow.rules, wait=wait)


def cancel_ticket(c: cmd.CancelTicket, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        ticket = _ticket(uow, c.ticket_id)
        if c.allowed_site is not None and ticket.site_id != c.allowed_site:
            raise Forbidden("Phiếu số thứ tự này thuộc điểm phục vụ khác.", "This ticket belongs to another site.")
        ticket.cancel(c.staff_id, uow.now, c.reason)
        _save_and_publish(uow, ticket)
        view = ticket_view(uow, ticket)
        uow.commit()
    return reply_of(view, uow.rules)


# ---- the desk --------------------------------------------------------------------------------
def open_counter(c: cmd.OpenCounter, uow: UnitOfWork) -> None:
    with uow:
        counter = _counter(uow, c.counter_id)
        counter.open(c.staff_id, uow.now)
        uow.counters.save(counter)
        _publish_counter(uow, counter)
        uow.commit()


def pause_counter(c: cmd.PauseCounter, uow: UnitOfWork) -> None:
    with uow:
        counter = _counter(uow, c.counter_id)
        counter.pause(c.staff_id, uow.now, c.reason)
        uow.counters.save(counter)
        _publish_counter(uow, counter)
        uow.commit()


def close_counter(c: cmd.CloseCounter, uow: UnitOfWork) -> None:
    """Closing hands held tickets back to the line (keeping their place) so none is lost."""
    with uow:
        counter = _counter(uow, c.counter_id)
        counter.require_idle()
        for held in uow.tickets.held_at(counter.id):
            held.back_in_line(c.staff_id, uow.now)
            _save_and_publish(uow, held)
        counter.close(c.staff_id, uow.now)
        uow.counters.save(counter)
        _publish_counter(uow, counter)
        uow.commit()


def call_next(c: cmd.CallNext, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter, current = _counter_and_ticket(uow, c.counter_id)
        counter.require_open()
        finished_label = None
        if counter.current_ticket_id is not None and c.finish_current:
            # The counter row is written once, below, with the ticket it calls.
            finished_label = _finish(uow, counter, counter.at_desk(current), c.staff_id).label
        counter.require_idle()
        weights = uow.catalog.counter_weights(counter.id)
        policy = uow.rules.policy
        candidates = uow.tickets.candidates(counter.site_id, counter.id, sorted(weights), policy.heads)
        best = choose(policy, candidates, CounterView(counter.id, weights), uow.now)
        if best is None:
            if finished_label:
                uow.counters.save(counter)
                uow.commit()  # the clerk's "finish" stands even though nobody is waiting
                raise NoTicketWaiting(f"Đã kết thúc số {finished_label}. Không có công dân nào đang chờ.",
                                      f"Finished {finished_label}. Nobody is waiting.")
            raise NoTicketWaiting("Không có công dân nào đang chờ.", "Nobody is waiting.")
        # The candidate rows are current: read in this write transaction (SQLite) or
        # locked by it (PostgreSQL), and the ticket's update checks the status again.
        return _call(uow, counter, uow.tickets.claimed(best.ticket_id), c.staff_id, {})


def call_specific(c: cmd.CallSpecific, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter = _counter(uow, c.counter_id)
        counter.require_open()
        counter.require_idle()
        ticket = _ticket(uow, c.ticket_id)
        if ticket.site_id != counter.site_id:
            raise Conflict("Phiếu số thứ tự này thuộc điểm phục vụ khác.", "This ticket belongs to another site.",
                           code="ticket_other_site")
        return _call(uow, counter, ticket, c.staff_id, {"out_of_order": True, "reason": c.reason})


def _call(uow: UnitOfWork, counter: Counter, ticket: Ticket, staff_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Call `ticket` to `counter` and commit; the reply (a called ticket has no wait to
    read) is built after the commit."""
    counter.call(ticket, staff_id, uow.now, data)
    _save_and_publish(uow, ticket, counter)
    view = ticket_view(uow, ticket)
    uow.commit()
    return reply_of(view, uow.rules)


def recall(c: cmd.Recall, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter, ticket = _at_desk(uow, c.counter_id)
        ticket.recall(c.staff_id, uow.now)
        _save_and_publish(uow, ticket, counter)
        view = ticket_view(uow, ticket)
        uow.commit()
    return reply_of(view, uow.rules)


def start_service(c: cmd.StartService, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter, ticket = _at_desk(uow, c.counter_id)
        ticket.start(c.staff_id, uow.now)
        _save_and_publish(uow, ticket, counter)
        view = ticket_view(uow, ticket)
        uow.commit()
    return reply_of(view, uow.rules)


def _finish(uow: UnitOfWork, counter: Counter, ticket: Ticket, staff_id: int) -> Ticket:
    """Finish the desk's ticket and free the desk (the caller saves the counter: call-next
    writes it once, with the ticket it calls)."""
    seconds = ticket.finish(staff_id, uow.now)
    counter.free(uow.now)
    uow.tickets.save(ticket)
    uow.tickets.record_handling_time(ticket, seconds)
    _publish(uow, ticket, counter)
    return ticket


def finish_service(c: cmd.FinishService, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter, ticket = _at_desk(uow, c.counter_id)
        _finish(uow, counter, ticket, c.staff_id)
        uow.counters.save(counter)
        view = ticket_view(uow, ticket)
        uow.commit()
    return reply_of(view, uow.rules)


def mark_no_show(c: cmd.MarkNoShow, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter, ticket = _at_desk(uow, c.counter_id)
        rules, now = uow.rules, uow.now
        ticket.no_show(c.staff_id, now, recalls_required=rules.no_show_after_recalls)
        counter.free(now)
        _publish(uow, ticket, counter)
        if ticket.may_requeue(rules.no_show_requeue, rules.max_requeues):
            arrived = (uow.tickets.arrival_stamp(ticket.site_id, now) if rules.no_show_requeue == "back_of_line"
                       else ticket.arrived_at)
            ticket.requeue(c.staff_id, now, arrived_at=arrived, rule=rules.no_show_requeue)
            _publish(uow, ticket)
        uow.tickets.save(ticket)
        uow.counters.save(counter)
        view, wait = _seen(uow, ticket)
        uow.commit()
    return reply_of(view, rules, wait=wait)


def hold_ticket(c: cmd.HoldTicket, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter, ticket = _at_desk(uow, c.counter_id)
        ticket.hold(c.staff_id, uow.now)
        counter.free(uow.now)
        _save_and_publish(uow, ticket, counter)
        view = ticket_view(uow, ticket)
        uow.commit()
    return reply_of(view, uow.rules)


def resume_ticket(c: cmd.ResumeTicket, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        counter = _counter(uow, c.counter_id)
        counter.require_idle()
        ticket = _ticket(uow, c.ticket_id)
        counter.resume(ticket, c.staff_id, uow.now)
        _save_and_publish(uow, ticket, counter)
        view = ticket_view(uow, ticket)
        uow.commit()
    return reply_of(view, uow.rules)


def transfer(c: cmd.Transfer, uow: UnitOfWork) -> dict[str, Any]:
    """Send the counter's current ticket to another service, counter or site. It keeps its
    original arrival time, so the citizen does not go to the back of a new line."""
    with uow:
        counter, ticket = _at_desk(uow, c.counter_id)
        catalog, now = uow.catalog, uow.now
        data: dict[str, Any] = {"target": c.target.value, "reason": c.reason, "from_service_id": ticket.service_id,
                                "from_counter_id": counter.id}
        services = {ticket.service_id}
        site_ids = {ticket.site_id}
        if c.target is TransferTarget.SERVICE:
            if not c.service_id or catalog.service(c.service_id) is None:
                raise _not_found(f"dịch vụ {c.service_id}", f"Service {c.service_id}")
            if not catalog.site_offers(ticket.site_id, c.service_id):
                raise Conflict("Điểm phục vụ này không có dịch vụ đó.", "This site does not offer that service.",
                               code="service_not_offered")
            ticket.transfer(now, service_id=c.service_id)
            services.add(c.service_id)
        elif c.target is TransferTarget.COUNTER:
            target = catalog.counter_info(c.to_counter_id) if c.to_counter_id else None
            if target is None or target.site_id != ticket.site_id:
                raise _not_found(f"quầy {c.to_counter_id} tại điểm này", f"Counter {c.to_counter_id} at this site")
            if target.id == counter.id:
                raise Conflict("Không thể chuyển sang chính quầy này.", "Cannot transfer to the same counter.",
                               code="same_counter")
            ticket.transfer(now, to_counter_id=target.id)
            data.update(to_counter_id=target.id, to_counter_number=target.number)
        else:
            site = catalog.site_by_code(c.site_code) if c.site_code else None
            if site is None:
                raise _not_found(f"điểm phục vụ {c.site_code}", f"Site {c.site_code}")
            if site.id == ticket.site_id:
                raise Conflict("Phiếu số thứ tự đã ở điểm phục vụ này.", "The ticket is already at that site.", code="same_site")
            if not catalog.site_offers(site.id, ticket.service_id):
                raise Conflict(f"{site.name_vi} không có dịch vụ này.", "That site does not offer this service.",
                               code="service_not_offered")
            data.update(from_site_id=ticket.site_id, to_site_id=site.id, old_label=ticket.label, to_site_code=site.code)
            service = catalog.service(ticket.service_id)
            day = business_day(now, uow.rules.tz, uow.rules.rollover)
            number = uow.tickets.next_number(site.id, ticket.service_id, day)
            ticket.transfer(now)
            ticket.renumber(site.id, day, number, LabelFormat(service.prefix, service.digits, service.number_start,
                                                              service.number_end).label_for(number))
            site_ids.add(site.id)
        ticket.transferred(c.staff_id, counter.id, data)
        counter.free(now)
        uow.tickets.save(ticket)
        uow.counters.save(counter)
        # One event per site the ticket leaves or joins; the counter rides on its own site's.
        event = ticket.events.pop()
        brief = _brief(uow, event.ticket)
        for site_id in sorted(site_ids):
            uow.emit(PendingEvent(
                type=event.type, site_id=site_id, ticket=brief,
                counter=counter_brief(counter) if site_id == counter.site_id else None,
                counter_id=counter.id, staff_id=event.staff_id, services=tuple(sorted(services)), data=event.data,
            ))
        view, wait = _seen(uow, ticket)
        uow.commit()
    return reply_of(view, uow.rules, wait=wait)
