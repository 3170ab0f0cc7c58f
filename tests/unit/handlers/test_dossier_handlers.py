"""The dossier handlers without a database: each step over the fake repository, what it
records (status, log line, hand-off, milestone, stream event), and the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_dossiers import AGENCY, COUNTER, HEAD, OFFICER, SITE, TICKET, FakeDossiers, FakeUnitOfWork

from queue_server.domain.dossier import DossierAction, DossierStatus, IllegalDossierTransition
from queue_server.domain.dossier_commands import (
    AgencyStep,
    ChangeDossierStatus,
    ForwardDossier,
    ForwardDueDossiers,
    NewLookupPin,
    ReceiveDossier,
    StopDossier,
)
from queue_server.domain.errors import Conflict, Forbidden, Invalid
from queue_server.service_layer import agency_work, dossier_stop
from queue_server.service_layer import dossiers as handlers
from queue_server.service_layer.agency_work import StepNotAllowed
from shared.enums import EventType

CLERK = 2
APPLICANT = {"name": "Nguyễn Văn An", "id_kind": "citizen_id", "id_number": "001099012345"}


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(FakeDossiers.world())


def receive(uow: FakeUnitOfWork, **extra: object) -> str:
    return handlers.receive_dossier(ReceiveDossier(counter_id=COUNTER, staff_id=CLERK, applicant=APPLICANT,
                                                   documents=[{"name": "Tờ khai", "copies": 1}], **extra), uow)["code"]


def status_of(uow: FakeUnitOfWork, code: str) -> DossierStatus:
    return uow.dossiers.get(code).current


def center(uow: FakeUnitOfWork, code: str, action: DossierAction, note: str = "", **extra: object) -> int:
    return handlers.change_status(ChangeDossierStatus(code=code, staff_id=CLERK, action=action, note=note,
                                                      **extra), uow)


def agency(uow: FakeUnitOfWork, code: str, step: str, **extra: object) -> int:
    return agency_work.take_step(AgencyStep(code=code, staff_id=OFFICER, agency_id=AGENCY, step=step, **extra), uow)


def forwarded(uow: FakeUnitOfWork) -> str:
    code = receive(uow)
    agency_work.forward_dossier(ForwardDossier(code=code, staff_id=CLERK), uow)
    return code


def last_event(uow: FakeUnitOfWork) -> dict[str, object]:
    return uow.published[-1].data


# ---- reception -------------------------------------------------------------------------------
def test_receiving_numbers_the_dossier_logs_it_and_links_the_ticket(uow: FakeUnitOfWork) -> None:
    reply = handlers.receive_dossier(ReceiveDossier(counter_id=COUNTER, staff_id=CLERK, applicant=APPLICANT,
                                                    fee_vnd=50_000), uow)

    assert reply["code"] == "000.00.01.H01-261123-0001"
    assert len(reply["lookup_pin"]) == 12
    dossier = uow.dossiers.get(reply["code"])
    assert dossier.current is DossierStatus.RECEIVED
    assert dossier.agency_id == AGENCY  # the procedure's agency, mapped at reception
    assert dossier.due_date is not None
    assert dossier.lookup_pin_digest and reply["lookup_pin"] not in dossier.lookup_pin_digest
    assert [(line.action, line.from_status, line.to_status) for line in uow.dossiers.log] == [
        ("receive", None, "received")]
    assert uow.dossiers.ticket_links == [(dossier.id, TICKET, "intake")]
    assert [m["kind"] for m in uow.dossiers.milestones] == ["received"]
    assert [(f["dossier_id"], f["amount_vnd"], f["status"]) for f in uow.dossiers.fees.added] == [
        (dossier.id, 50_000, "unpaid")]
    assert uow.published[-1].type is EventType.DOSSIER_RECEIVED
    assert last_event(uow)["fee_vnd"] == 50_000
    assert "applicant" not in str(last_event(uow))  # codes and statuses only on the stream
    assert receive(uow).endswith("-0002")


def test_receiving_needs_a_counter_serving_someone(uow: FakeUnitOfWork) -> None:
    uow.dossiers.tickets[TICKET].status = "waiting"
    with pytest.raises(Conflict) as refused:
        receive(uow)
    assert refused.value.code == "no_current_ticket"
    assert uow.dossiers.saved == {} and uow.commits == 0


def test_receiving_for_another_ticket_than_the_form_was_opened_for_is_refused(uow: FakeUnitOfWork) -> None:
    with pytest.raises(Conflict) as refused:
        receive(uow, ticket_id=TICKET + 1)
    assert refused.value.code == "ticket_changed"


# ---- the center's steps ----------------------------------------------------------------------
def test_processing_to_ready_to_returned(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    center(uow, code, DossierAction.START_PROCESSING)
    center(uow, code, DossierAction.MARK_READY)
    assert status_of(uow, code) is DossierStatus.READY
    ready = [m for m in uow.dossiers.milestones if m["kind"] == "result"]
    assert len(ready) == 1 and ready[0]["on_time"] is True  # settled the day it was received

    center(uow, code, DossierAction.RETURN_RESULT, counter_id=COUNTER)
    assert status_of(uow, code) is DossierStatus.RETURNED
    assert uow.dossiers.handoffs[-1]["kind"] == "return"
    assert uow.dossiers.log[-1].counter_id == COUNTER
    assert last_event(uow)["from_status"] == "ready" and last_event(uow)["status"] == "returned"


def test_a_supplement_stops_the_clock_and_receiving_it_restarts_it(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    due = uow.dossiers.get(code).due_date
    center(uow, code, DossierAction.REQUEST_SUPPLEMENT, note="Thiếu bản sao",
           items=[{"what": "Giấy khai sinh", "reason": "Chưa có"}])
    asked = uow.dossiers.get(code)
    assert asked.current is DossierStatus.SUPPLEMENT_REQUESTED
    assert asked.clock_days_left == 5  # the whole legal time was still to run
    assert uow.dossiers.log[-1].data["items"] == [{"what": "Giấy khai sinh", "reason": "Chưa có"}]

    uow.now += timedelta(days=7)  # the citizen comes back a week later
    center(uow, code, DossierAction.RECEIVE_SUPPLEMENT)
    back = uow.dossiers.get(code)
    assert back.current is DossierStatus.RECEIVED
    assert back.clock_days_left is None and back.due_date > due
    assert [h["kind"] for h in uow.dossiers.handoffs] == ["supplement", "supplement_in"]


def test_refusing_needs_a_reason_and_settles_the_dossier(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    with pytest.raises(Invalid) as refused:
        center(uow, code, DossierAction.REFUSE, note="  ")
    assert refused.value.code == "reason_required"
    assert status_of(uow, code) is DossierStatus.RECEIVED

    center(uow, code, DossierAction.REFUSE, note="Không thuộc thẩm quyền")
    assert status_of(uow, code) is DossierStatus.REFUSED
    assert [m["kind"] for m in uow.dossiers.milestones][-1] == "refused"
    assert uow.dossiers.log[-1].note == "Không thuộc thẩm quyền"


def test_a_step_the_status_does_not_allow_is_refused_naming_the_allowed_ones(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    with pytest.raises(IllegalDossierTransition) as refused:
        center(uow, code, DossierAction.RETURN_RESULT)
    assert refused.value.code == "dossier_cannot_return_result_received"
    assert "refuse" in refused.value.allowed
    assert len(uow.dossiers.log) == 1  # only the receipt


def test_the_center_cannot_take_the_agencys_steps_nor_stop_without_the_form(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    for action, reason in ((DossierAction.ACCEPT, "agency_step"), (DossierAction.FORWARD, "agency_step"),
                           (DossierAction.STOP, "stop_step")):
        with pytest.raises(Invalid) as refused:
            center(uow, code, action)
        assert refused.value.code == reason


def test_staff_of_another_site_are_refused_whatever_the_step(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    for action in (DossierAction.START_PROCESSING, DossierAction.ACCEPT, DossierAction.STOP):
        with pytest.raises(Forbidden):
            center(uow, code, action, allowed_site=SITE + 1)
    with pytest.raises(Forbidden):
        handlers.new_pin(NewLookupPin(code=code, staff_id=CLERK, allowed_site=SITE + 1), uow)


def test_a_new_pin_replaces_the_old_digest(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    before = uow.dossiers.get(code).lookup_pin_digest
    reply = handlers.new_pin(NewLookupPin(code=code, staff_id=CLERK), uow)
    assert len(reply["lookup_pin"]) == 12
    assert uow.dossiers.get(code).lookup_pin_digest != before
    assert uow.dossiers.log[-1].action == "new_pin"


# ---- after the counter -----------------------------------------------------------------------
def test_forwarding_hands_the_dossier_to_its_agency_judged_by_the_1500_rule(uow: FakeUnitOfWork) -> None:
    code = forwarded(uow)
    dossier = uow.dossiers.get(code)
    assert dossier.current is DossierStatus.FORWARDED
    assert dossier.forwarded_at == uow.now
    handoff = uow.dossiers.handoffs[-1]
    assert (handoff["kind"], handoff["to_name"], handoff["timeliness"]) == ("forward", "Sở Tư pháp", "on_time")
    assert uow.dossiers.log[-1].data["agency_code"] == "STP"


def test_the_courier_run_forwards_every_received_dossier_with_an_agency(uow: FakeUnitOfWork) -> None:
    first, second = receive(uow), receive(uow)
    out = agency_work.forward_due(ForwardDueDossiers(staff_id=CLERK, site_id=SITE), uow)
    assert out == {"forwarded": [first, second], "skipped": []}
    assert {status_of(uow, first), status_of(uow, second)} == {DossierStatus.FORWARDED}


def test_accepting_puts_the_dossier_in_the_officers_hands(uow: FakeUnitOfWork) -> None:
    code = forwarded(uow)
    agency(uow, code, "accept")
    dossier = uow.dossiers.get(code)
    assert dossier.current is DossierStatus.PROCESSING
    assert dossier.assigned_staff_id == OFFICER
    assert uow.dossiers.handoffs[-1]["kind"] == "assign"

    agency(uow, code, "assign", assignee="truongphong")
    assert uow.dossiers.get(code).assigned_staff_id == HEAD
    assert uow.dossiers.log[-1].action == "assign"


def test_the_agency_asks_for_every_missing_item_at_once(uow: FakeUnitOfWork) -> None:
    code = forwarded(uow)
    with pytest.raises(Invalid) as refused:
        agency(uow, code, "request_supplement", note="Thiếu giấy tờ")
    assert refused.value.code == "items_required"
    agency(uow, code, "request_supplement", note="Thiếu giấy tờ", items=[{"what": "Sổ hộ khẩu", "reason": "Thiếu"}])
    assert status_of(uow, code) is DossierStatus.SUPPLEMENT_REQUESTED
    assert uow.dossiers.log[-1].data["by_agency"] is True


def test_the_agency_resolves_with_the_result_file_and_sends_it_back(uow: FakeUnitOfWork) -> None:
    code = forwarded(uow)
    agency(uow, code, "accept")
    with pytest.raises(Invalid) as refused:
        agency(uow, code, "resolve")
    assert refused.value.code == "result_file_required"
    agency(uow, code, "resolve", files=[(object(), "ket-qua.pdf")])
    assert status_of(uow, code) is DossierStatus.RESOLVED
    assert uow.dossiers.attachments == [(uow.dossiers.get(code).id, "ket-qua.pdf")]

    agency(uow, code, "send_back")
    assert status_of(uow, code) is DossierStatus.READY
    assert uow.dossiers.log[-1].data["on_time"] is True


def test_the_agency_refuses_with_its_reasons(uow: FakeUnitOfWork) -> None:
    code = forwarded(uow)
    with pytest.raises(Invalid):
        agency(uow, code, "refuse", reasons=["  "])
    agency(uow, code, "refuse", reasons=["Hồ sơ giả mạo"])
    assert status_of(uow, code) is DossierStatus.REFUSED
    assert uow.dossiers.handoffs[-1]["note"] == "Hồ sơ giả mạo"


def test_an_agency_step_out_of_turn_or_of_another_agency_is_refused(uow: FakeUnitOfWork) -> None:
    code = forwarded(uow)
    with pytest.raises(StepNotAllowed) as refused:
        agency(uow, code, "send_back")
    assert refused.value.allowed == ["accept", "assign", "request_supplement", "refuse", "apologize"]
    with pytest.raises(Forbidden):
        agency_work.take_step(AgencyStep(code=code, staff_id=OFFICER, agency_id=AGENCY + 1, step="accept"), uow)
    assert status_of(uow, code) is DossierStatus.FORWARDED


def test_a_late_result_needs_the_apology_first(uow: FakeUnitOfWork) -> None:
    code = forwarded(uow)
    agency(uow, code, "accept")
    uow.now += timedelta(days=30)
    with pytest.raises(Conflict) as refused:
        agency(uow, code, "resolve", files=[(object(), "ket-qua.pdf")])
    assert refused.value.code == "apology_required"

    new_day = uow.dossiers.get(code).due_date + timedelta(days=35)
    while not uow.policies.dossiers.calendar.is_working_day(new_day):
        new_day += timedelta(days=1)
    agency(uow, code, "apologize", note="Chờ xác minh", new_due_date=new_day)
    assert uow.dossiers.get(code).new_due_date == new_day
    agency(uow, code, "resolve", files=[(object(), "ket-qua.pdf")])
    assert status_of(uow, code) is DossierStatus.RESOLVED


# ---- stopping (form 05) ----------------------------------------------------------------------
def stop(uow: FakeUnitOfWork, code: str, **extra: object) -> int:
    fields = {"ground": "withdrawn", "reason": "Công dân rút hồ sơ", **extra}
    return dossier_stop.stop_dossier(StopDossier(code=code, staff_id=CLERK, **fields), uow)


def test_a_withdrawal_stops_the_dossier_with_the_citizens_request_as_basis(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    stop(uow, code, site_id=SITE)
    assert status_of(uow, code) is DossierStatus.STOPPED
    line = uow.dossiers.log[-1]
    assert line.action == "stop" and line.data["legal_basis"].startswith("Văn bản đề nghị")
    assert uow.dossiers.handoffs[-1]["to_kind"] == "citizen"


def test_stopping_under_the_law_needs_its_legal_basis(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    with pytest.raises(Invalid) as refused:
        stop(uow, code, ground="by_law", reason="Đối tượng đã chết")
    assert refused.value.code == "legal_basis_required"
    with pytest.raises(Invalid) as refused:
        stop(uow, code, ground="on_a_whim")
    assert refused.value.code == "invalid_ground"
    assert status_of(uow, code) is DossierStatus.RECEIVED


def test_a_dossier_with_a_result_cannot_be_stopped(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    center(uow, code, DossierAction.START_PROCESSING)
    center(uow, code, DossierAction.MARK_READY)
    with pytest.raises(IllegalDossierTransition):
        stop(uow, code)


def test_an_agency_stops_only_what_it_holds(uow: FakeUnitOfWork) -> None:
    code = receive(uow)
    with pytest.raises(Conflict) as refused:
        stop(uow, code, agency_id=AGENCY)
    assert refused.value.code == "dossier_not_at_agency"
    agency_work.forward_dossier(ForwardDossier(code=code, staff_id=CLERK), uow)
    stop(uow, code, agency_id=AGENCY)
    assert uow.dossiers.log[-1].data["unit"] == "Sở Tư pháp"
