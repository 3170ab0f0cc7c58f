"""The ticket and counter handlers on a fake unit of work: no database, milliseconds.

The integration tests (tests/integration/api, races) check the same commands through
HTTP on SQLite and PostgreSQL; these check the queue's rules one handler at a time.
"""

from __future__ import annotations

import pytest
from fake_uow import FakeUnitOfWork, queue_rules

from queue_server.domain import commands as cmd
from queue_server.domain.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    Invalid,
    NotFound,
    NoTicketWaiting,
)
from queue_server.service_layer import handlers
from shared.enums import CounterState, EventType, PriorityClass, TicketStatus, TransferTarget

TT, PB = 1, 2  # two sites
A, B = 1, 2  # two services
KIOSK, CLERK = 5, 9
DESK_1, DESK_2, DESK_PB = 1, 2, 3


def world(**rules: object) -> FakeUnitOfWork:
    uow = FakeUnitOfWork(queue_rules(**rules))
    uow.add_site(TT, "HUE-TT", "Trung tâm Phục vụ hành chính công")
    uow.add_site(PB, "HUE-PB", "Bộ phận Một cửa phường Phú Bài")
    uow.add_service(A, "HT", "A", TT, PB)
    uow.add_service(B, "DD", "B", TT)
    uow.add_procedure(77, "1.001193", {TT: A})
    uow.add_counter(DESK_1, TT, 1, {A: 1}, CounterState.OPEN)
    uow.add_counter(DESK_2, TT, 2, {A: 1, B: 1}, CounterState.OPEN)
    uow.add_counter(DESK_PB, PB, 1, {A: 1}, CounterState.OPEN)
    return uow


def issue(uow: FakeUnitOfWork, service: int = A, priority: PriorityClass = PriorityClass.NORMAL, *,
          key: str | None = None) -> dict:
    reply = handlers.issue_ticket(cmd.IssueTicket(TT, KIOSK, service_id=service, priority=priority, request_key=key),
                                  uow)
    uow.clock.advance(minutes=1)
    return reply


def at(desk: int, action: type, **fields: object) -> cmd.CounterCommand:
    return action(desk, CLERK, **fields)


def kinds(uow: FakeUnitOfWork) -> list[EventType]:
    return [e.type for e in uow.published]


def refused(code: str, error: type = Conflict) -> _Refused:
    return _Refused(error, code)


class _Refused:
    """`with refused(...)`: the command fails with this error class and code."""

    def __init__(self, error: type, code: str) -> None:
        self.error, self.code = error, code

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> bool:
        assert kind is not None, f"expected {self.error.__name__} {self.code}, nothing was raised"
        assert isinstance(exc, self.error) and exc.code == self.code, f"expected {self.code}, got {exc!r}"
        return True


# ---- issuing -------------------------------------------------------------------------------
def test_issue_numbers_the_line_and_gives_the_wait() -> None:
    uow = world()
    first, second = issue(uow), issue(uow)
    assert (first["label"], second["label"]) == ("A001", "A002")
    assert second["status"] == "waiting" and second["people_ahead"] == 1
    assert second["tracking_url"] == f"https://motcua.test/t/{second['tracking_token']}"
    issued = uow.published[-1]
    assert issued.type is EventType.TICKET_ISSUED and issued.waiting == {A: 2} and issued.device_id == KIOSK
    assert issued.ticket["label"] == "A002" and issued.ticket["service_code"] == "HT"


def test_issue_by_procedure_joins_the_sites_line_for_it() -> None:
    uow = world()
    reply = handlers.issue_ticket(cmd.IssueTicket(TT, KIOSK, procedure_code="1.001193"), uow)
    assert reply["service_id"] == A and reply["procedure_code"] == "1.001193"
    with refused("procedure_not_offered"):
        handlers.issue_ticket(cmd.IssueTicket(TT, KIOSK, procedure_code="1.001193", site_code="HUE-PB"), uow)
    with refused("not_found", NotFound):
        handlers.issue_ticket(cmd.IssueTicket(TT, KIOSK, procedure_code="9.999"), uow)


def test_issue_refuses_a_service_the_site_does_not_offer_or_no_choice_at_all() -> None:
    uow = world()
    with refused("service_not_offered"):
        handlers.issue_ticket(cmd.IssueTicket(PB, KIOSK, service_id=B), uow)
    with refused("invalid_input", Invalid):
        handlers.issue_ticket(cmd.IssueTicket(TT, KIOSK), uow)
    assert uow.tickets.rows == {} and uow.published == []


def test_the_same_request_key_gets_the_same_ticket_once() -> None:
    uow = world()
    first = issue(uow, key="k-1")
    again = issue(uow, key="k-1")
    assert again["id"] == first["id"] and again["tracking_token"] == first["tracking_token"]
    assert kinds(uow) == [EventType.TICKET_ISSUED]


# ---- calling -------------------------------------------------------------------------------
def test_call_next_takes_priority_then_arrival() -> None:
    uow = world()
    early, late = issue(uow), issue(uow)
    elderly = issue(uow, priority=PriorityClass.ELDERLY)
    called = []
    for _ in range(3):
        called.append(handlers.call_next(at(DESK_1, cmd.CallNext, finish_current=True), uow)["id"])
        handlers.start_service(at(DESK_1, cmd.StartService), uow)
    assert called == [elderly["id"], early["id"], late["id"]]


def test_call_next_marks_the_ticket_and_the_desk() -> None:
    uow = world()
    ticket = issue(uow)
    reply = handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    assert reply["status"] == "called" and reply["counter_number"] == 1 and reply["wait"]["state"] == "called"
    assert uow.counters.rows[DESK_1]["current_ticket_id"] == ticket["id"]
    event = uow.published[-1]
    assert event.type is EventType.TICKET_CALLED and event.counter["current_ticket_id"] == ticket["id"]
    assert event.services == (A,) and event.ticket["counter_number"] == 1


def test_call_next_refuses_a_busy_or_closed_desk_and_an_empty_line() -> None:
    uow = world()
    with refused("no_ticket_waiting", NoTicketWaiting):
        handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    issue(uow), issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    with refused("counter_busy"):
        handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    handlers.pause_counter(at(DESK_2, cmd.PauseCounter, reason="họp"), uow)
    with refused("counter_not_open"):
        handlers.call_next(at(DESK_2, cmd.CallNext), uow)
    with refused("not_found", NotFound):
        handlers.call_next(at(99, cmd.CallNext), uow)


def test_finishing_on_call_next_stands_when_nobody_waits() -> None:
    uow = world()
    ticket = issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    handlers.start_service(at(DESK_1, cmd.StartService), uow)
    with pytest.raises(NoTicketWaiting, match="Finished A001"):
        handlers.call_next(at(DESK_1, cmd.CallNext, finish_current=True), uow)
    assert uow.tickets.rows[ticket["id"]]["status"] is TicketStatus.DONE
    assert uow.counters.rows[DESK_1]["current_ticket_id"] is None


def test_call_specific_calls_out_of_order_at_its_own_site_only() -> None:
    uow = world()
    first, second = issue(uow), issue(uow)
    with refused("ticket_other_site"):
        handlers.call_specific(at(DESK_PB, cmd.CallSpecific, ticket_id=second["id"]), uow)
    reply = handlers.call_specific(at(DESK_1, cmd.CallSpecific, ticket_id=second["id"], reason="Giấy hẹn"), uow)
    assert reply["id"] == second["id"] and uow.tickets.rows[first["id"]]["status"] is TicketStatus.WAITING
    assert uow.published[-1].data == {"out_of_order": True, "reason": "Giấy hẹn"}


def test_a_refused_command_changes_nothing() -> None:
    uow = world()
    ticket = issue(uow)
    before = ({k: dict(v) for k, v in uow.tickets.rows.items()}, len(uow.published))
    with refused("ticket_other_site"):
        handlers.call_specific(at(DESK_PB, cmd.CallSpecific, ticket_id=ticket["id"]), uow)
    assert ({k: dict(v) for k, v in uow.tickets.rows.items()}, len(uow.published)) == before
    assert uow.counters.rows[DESK_PB]["current_ticket_id"] is None


# ---- at the desk ---------------------------------------------------------------------------
def test_recall_counts_and_needs_a_current_ticket() -> None:
    uow = world()
    with refused("no_current_ticket"):
        handlers.recall(at(DESK_1, cmd.Recall), uow)
    issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    uow.clock.advance(seconds=30)
    reply = handlers.recall(at(DESK_1, cmd.Recall), uow)
    assert reply["recall_count"] == 1 and reply["called_at"] == uow.clock.now
    assert uow.published[-1].type is EventType.TICKET_RECALLED and uow.published[-1].counter["number"] == 1


def test_start_and_finish_record_the_handling_time_and_free_the_desk() -> None:
    uow = world()
    ticket = issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    with refused("cannot_finish_called", IllegalTransition):
        handlers.finish_service(at(DESK_1, cmd.FinishService), uow)
    assert handlers.start_service(at(DESK_1, cmd.StartService), uow)["status"] == "serving"
    uow.clock.advance(minutes=5)
    done = handlers.finish_service(at(DESK_1, cmd.FinishService), uow)
    assert done["status"] == "done" and done["wait"]["state"] == "over"
    assert uow.tickets.handling[(TT, A)] == [300.0]
    assert uow.counters.rows[DESK_1]["current_ticket_id"] is None
    served = uow.published[-1]
    assert served.type is EventType.TICKET_SERVED and served.services == () and served.counter["current_ticket_id"] is None
    assert served.data == {"handling_seconds": 300.0} and served.ticket["id"] == ticket["id"]


def test_a_no_show_needs_a_recall_first_and_is_final_by_default() -> None:
    uow = world()
    issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    with refused("recall_first"):
        handlers.mark_no_show(at(DESK_1, cmd.MarkNoShow), uow)
    handlers.recall(at(DESK_1, cmd.Recall), uow)
    reply = handlers.mark_no_show(at(DESK_1, cmd.MarkNoShow), uow)
    assert reply["status"] == "no_show" and uow.counters.rows[DESK_1]["current_ticket_id"] is None
    assert kinds(uow)[-1] is EventType.TICKET_NO_SHOW


def test_a_no_show_goes_to_the_back_of_the_line_under_that_rule() -> None:
    uow = world(no_show_requeue="back_of_line", no_show_after_recalls=0)
    absent, other = issue(uow), issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    reply = handlers.mark_no_show(at(DESK_1, cmd.MarkNoShow), uow)
    assert reply["status"] == "waiting" and reply["people_ahead"] == 1
    assert kinds(uow)[-2:] == [EventType.TICKET_NO_SHOW, EventType.TICKET_REQUEUED]
    assert uow.published[-2].ticket["status"] == "no_show" and uow.published[-1].ticket["status"] == "waiting"
    assert uow.tickets.saves == 2  # called, then no-show and re-queue in one write
    assert handlers.call_next(at(DESK_1, cmd.CallNext), uow)["id"] == other["id"]
    # Re-queued once (max_requeues=1): the second no-show is final.
    assert handlers.call_specific(at(DESK_2, cmd.CallSpecific, ticket_id=absent["id"]), uow)["id"] == absent["id"]
    assert handlers.mark_no_show(at(DESK_2, cmd.MarkNoShow), uow)["status"] == "no_show"


def test_a_no_show_keeps_its_place_under_that_rule() -> None:
    uow = world(no_show_requeue="keep_place", no_show_after_recalls=0)
    absent, other = issue(uow), issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    handlers.mark_no_show(at(DESK_1, cmd.MarkNoShow), uow)
    assert uow.tickets.rows[absent["id"]]["arrived_at"] == absent["arrived_at"]
    assert handlers.call_next(at(DESK_1, cmd.CallNext), uow)["id"] == absent["id"] != other["id"]


def test_hold_frees_the_desk_and_only_that_desk_resumes_when_free() -> None:
    uow = world()
    held, other = issue(uow), issue(uow)
    handlers.call_next(at(DESK_2, cmd.CallNext), uow)
    reply = handlers.hold_ticket(at(DESK_2, cmd.HoldTicket), uow)
    assert reply["status"] == "held" and reply["counter_id"] == DESK_2
    assert uow.counters.rows[DESK_2]["current_ticket_id"] is None
    with refused("not_held_here"):
        handlers.resume_ticket(at(DESK_1, cmd.ResumeTicket, ticket_id=held["id"]), uow)
    handlers.call_next(at(DESK_2, cmd.CallNext), uow)
    with refused("counter_busy"):
        handlers.resume_ticket(at(DESK_2, cmd.ResumeTicket, ticket_id=held["id"]), uow)
    handlers.hold_ticket(at(DESK_2, cmd.HoldTicket), uow)
    resumed = handlers.resume_ticket(at(DESK_2, cmd.ResumeTicket, ticket_id=held["id"]), uow)
    assert resumed["status"] == "serving" and uow.counters.rows[DESK_2]["current_ticket_id"] == held["id"]
    assert uow.tickets.rows[other["id"]]["status"] is TicketStatus.HELD


# ---- transfers -----------------------------------------------------------------------------
def test_transfer_to_a_service_keeps_the_arrival() -> None:
    uow = world()
    ticket = issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    reply = handlers.transfer(at(DESK_1, cmd.Transfer, target=TransferTarget.SERVICE, service_id=B), uow)
    assert reply["status"] == "waiting" and reply["service_id"] == B and reply["arrived_at"] == ticket["arrived_at"]
    event = uow.published[-1]
    assert event.type is EventType.TICKET_TRANSFERRED and event.services == (A, B)
    assert event.data["from_service_id"] == A and uow.tickets.rows[ticket["id"]]["transfer_count"] == 1
    assert handlers.call_next(at(DESK_2, cmd.CallNext), uow)["id"] == ticket["id"]


def test_transfer_to_a_counter_goes_first_there() -> None:
    uow = world()
    ticket, other = issue(uow), issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    with refused("same_counter"):
        handlers.transfer(at(DESK_1, cmd.Transfer, target=TransferTarget.COUNTER, to_counter_id=DESK_1), uow)
    with refused("not_found", NotFound):
        handlers.transfer(at(DESK_1, cmd.Transfer, target=TransferTarget.COUNTER, to_counter_id=DESK_PB), uow)
    reply = handlers.transfer(at(DESK_1, cmd.Transfer, target=TransferTarget.COUNTER, to_counter_id=DESK_2), uow)
    assert reply["target_counter_id"] == DESK_2
    assert uow.published[-1].data["to_counter_number"] == 2
    # Desk 1 may not take it back; desk 2 calls it before the ticket that arrived later.
    assert handlers.call_next(at(DESK_1, cmd.CallNext), uow)["id"] == other["id"]
    assert handlers.call_next(at(DESK_2, cmd.CallNext), uow)["id"] == ticket["id"]


def test_transfer_to_another_site_gives_a_new_number_there_and_tells_both_sites() -> None:
    uow = world()
    ticket = issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    with refused("same_site"):
        handlers.transfer(at(DESK_1, cmd.Transfer, target=TransferTarget.SITE, site_code="HUE-TT"), uow)
    reply = handlers.transfer(at(DESK_1, cmd.Transfer, target=TransferTarget.SITE, site_code="HUE-PB"), uow)
    assert reply["site_code"] == "HUE-PB" and reply["label"] == "A001" and reply["arrived_at"] == ticket["arrived_at"]
    sites = [(e.site_id, e.counter is not None) for e in uow.published if e.type is EventType.TICKET_TRANSFERRED]
    assert sites == [(TT, True), (PB, False)]
    assert handlers.call_next(at(DESK_PB, cmd.CallNext), uow)["id"] == ticket["id"]


# ---- cancelling and printing ---------------------------------------------------------------
def test_cancel_a_waiting_ticket_at_the_clerks_own_site_only() -> None:
    uow = world()
    ticket, called = issue(uow), issue(uow)
    with refused("forbidden", Forbidden):
        handlers.cancel_ticket(cmd.CancelTicket(ticket["id"], CLERK, "nhầm", allowed_site=PB), uow)
    reply = handlers.cancel_ticket(cmd.CancelTicket(ticket["id"], CLERK, "nhầm", allowed_site=TT), uow)
    assert reply["status"] == "cancelled" and uow.published[-1].data == {"reason": "nhầm"}
    handlers.call_specific(at(DESK_1, cmd.CallSpecific, ticket_id=called["id"]), uow)
    with refused("cannot_cancel_called", IllegalTransition):
        handlers.cancel_ticket(cmd.CancelTicket(called["id"], CLERK), uow)


def test_a_failed_print_alerts_staff_and_the_ticket_stands() -> None:
    uow = world()
    ticket = issue(uow)
    with refused("forbidden", Forbidden):
        handlers.report_print_result(cmd.ReportPrintResult(ticket["id"], KIOSK + 1, False), uow)
    reply = handlers.report_print_result(cmd.ReportPrintResult(ticket["id"], KIOSK, False, "paper_out"), uow)
    assert reply["printed"] is False and reply["status"] == "waiting"
    assert uow.published[-1].type is EventType.TICKET_PRINT_FAILED and uow.published[-1].data["error_kind"] == "paper_out"


# ---- the desk's own state ------------------------------------------------------------------
def test_open_pause_close_and_held_tickets_go_back_in_line() -> None:
    uow = world()
    handlers.close_counter(at(DESK_1, cmd.CloseCounter), uow)
    handlers.open_counter(at(DESK_1, cmd.OpenCounter), uow)
    assert uow.counters.rows[DESK_1]["state"] is CounterState.OPEN and uow.counters.rows[DESK_1]["staff_id"] == CLERK
    held = issue(uow)
    handlers.call_next(at(DESK_1, cmd.CallNext), uow)
    with refused("counter_busy"):
        handlers.pause_counter(at(DESK_1, cmd.PauseCounter, reason="nghỉ"), uow)
    with refused("counter_busy"):
        handlers.close_counter(at(DESK_1, cmd.CloseCounter), uow)
    handlers.hold_ticket(at(DESK_1, cmd.HoldTicket), uow)
    handlers.pause_counter(at(DESK_1, cmd.PauseCounter, reason="nghỉ"), uow)
    assert uow.published[-1].type is EventType.COUNTER_PAUSED and uow.published[-1].counter["state"] == "paused"
    handlers.close_counter(at(DESK_1, cmd.CloseCounter), uow)
    assert uow.tickets.rows[held["id"]]["status"] is TicketStatus.WAITING
    assert kinds(uow)[-2:] == [EventType.TICKET_REQUEUED, EventType.COUNTER_CLOSED]
    assert uow.counters.rows[DESK_1]["state"] is CounterState.CLOSED and uow.counters.rows[DESK_1]["staff_id"] is None
