"""Dossier handlers: receive, digitize, move through its life, look up, return; and ratings.

Every handler is `(command, uow)`: the commands are in domain/dossier_commands.py, the
rules come from `uow.policies`, the rows through `uow.dossiers` (no SQL here). One
transaction each, the handler commits, events are recorded with `uow.emit`. A step
returns the dossier's id: its reply is read after the commit (`dossier_views.handle_and_show`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row

from queue_server.adapters.secrets import new_tracking_token
from queue_server.domain.business_day import business_day
from queue_server.domain.calendar import WorkingCalendar
from queue_server.domain.document_access import Reader
from queue_server.domain.dossier import (
    AGENCY_ACTIONS,
    DossierAction,
    DossierStatus,
    InvalidDossierCode,
    check_lookup_pin,
    format_dossier_code,
    is_old_slip_pin,
    lookup_pin_digest,
    new_lookup_pin,
)
from queue_server.domain.dossier_commands import (
    AttachFiles,
    ChangeDossierStatus,
    IssueReturnTicket,
    LookUpDossier,
    NewLookupPin,
    RateTicket,
    ReceiveDossier,
)
from queue_server.domain.dossier_record import Dossier
from queue_server.domain.errors import Conflict, Invalid, NotFound
from queue_server.domain.legal_clock import forward_deadline
from queue_server.service_layer import audit, fees
from queue_server.service_layer import citizen_documents as store
from queue_server.service_layer import dossier_flow as flow
from queue_server.service_layer import dossier_steps as steps
from queue_server.service_layer.agencies import agency_for_procedure
from queue_server.service_layer.attempt_limits import Limit, release, reserve
from queue_server.service_layer.dossier_steps import check_site, emit_dossier, load
from queue_server.service_layer.dossier_views import canonical_code
from queue_server.service_layer.handlers import ticket_brief, ticket_reply
from queue_server.service_layer.rules import working_calendar
from queue_server.service_layer.unit_of_work import PendingEvent, UnitOfWork
from shared.dossier_protocol import RATING_VI, RatingLevel
from shared.enums import EventType, PriorityClass, TicketStatus
from shared.labels import LabelFormat

log = logging.getLogger(__name__)

ACTIVE_TICKET = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.HELD)


# ---- rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierRules:
    """What the dossier handlers need from the settings, taken once."""

    calendar: WorkingCalendar
    tz: ZoneInfo
    rollover: time
    same_day_cutoff: time
    pin_key: bytes
    public_base_url: str
    lookup_max_failures: int = 10
    lookup_window: timedelta = timedelta(minutes=15)
    lookup_failures_per_address: int = 30
    lookup_failures_per_hour: int = 100
    return_requires_ready: bool = True
    governing_body: str = ""
    place_name: str = ""
    payment_account: fees.PaymentAccount = fees.PaymentAccount()
    forward_cutoff: time = time(15, 0)
    forward_on_receipt: bool = False
    supplement_clock: str = "resume"
    result_requires_file: bool = True

    @classmethod
    def from_settings(cls, settings) -> DossierRules:  # noqa: ANN001
        return cls(
            payment_account=fees.PaymentAccount.from_settings(settings),
            calendar=working_calendar(settings),
            tz=settings.tz,
            rollover=settings.business_day_rollover,
            same_day_cutoff=settings.dossier_same_day_cutoff,
            pin_key=settings.secret.encode(),
            public_base_url=settings.public_base_url.rstrip("/"),
            lookup_max_failures=settings.dossier_lookup_max_failures,
            lookup_window=timedelta(minutes=settings.dossier_lookup_window_minutes),
            lookup_failures_per_address=settings.dossier_lookup_failures_per_address,
            lookup_failures_per_hour=settings.dossier_lookup_failures_per_hour,
            return_requires_ready=settings.dossier_return_requires_ready,
            governing_body=settings.documents_governing_body,
            place_name=settings.documents_place_name,
            forward_cutoff=settings.dossier_forward_cutoff,
            forward_on_receipt=settings.dossier_forward_on_receipt,
            supplement_clock=settings.dossier_supplement_clock,
            result_requires_file=settings.dossier_result_requires_file,
        )

    def lookup_url(self, code: str) -> str:
        return f"{self.public_base_url}/d/{code}"


# ---- helpers -----------------------------------------------------------------------------
def due_dates(rules: DossierRules, received_at: datetime, value: float | None,
              unit: str) -> tuple[date | None, datetime | None]:
    try:
        due = rules.calendar.due_date(received_at, value, unit, same_day_cutoff=rules.same_day_cutoff, tz=rules.tz)
    except ValueError as exc:
        # A catalog entry the calendar cannot read: the clerk writes the date by hand
        # rather than the slip printing a wrong one.
        log.warning("no due date computed for unit %r value %r: %s", unit, value, exc)
        return None, None
    if due is None:
        return None, None
    if isinstance(due, datetime):
        return due.astimezone(rules.tz).date(), due
    return due, None


# ---- reception ---------------------------------------------------------------------------
def receive_dossier(c: ReceiveDossier, uow: UnitOfWork) -> dict[str, Any]:
    """Returns the new dossier's id, code and lookup PIN (shown once, never stored)."""
    rules = uow.policies.dossiers
    with uow:
        dossiers = uow.dossiers
        counter = dossiers.counter_for_update(c.counter_id)
        if counter is None:
            raise NotFound(f"Không tìm thấy quầy {c.counter_id}.", f"Counter {c.counter_id} not found.")
        ticket = dossiers.ticket_for_update(counter.current_ticket_id) if counter.current_ticket_id else None
        if ticket is None or TicketStatus(ticket.status) not in (TicketStatus.CALLED, TicketStatus.SERVING):
            raise Conflict(
                f"Quầy {counter.number} chưa phục vụ công dân nào: hãy gọi số trước khi tiếp nhận hồ sơ.",
                f"Counter {counter.number} is not serving anyone: call a ticket before receiving a dossier.",
                code="no_current_ticket",
            )
        if c.ticket_id is not None and c.ticket_id != ticket.id:
            raise Conflict(
                f"Quầy đang phục vụ số {ticket.label}, không phải phiếu số thứ tự của biểu mẫu này. Hãy kiểm tra lại.",
                f"The counter is now serving {ticket.label}, not the ticket this form was for.",
                code="ticket_changed",
            )
        procedure = _procedure_for(uow, c.procedure_code, ticket)
        site = dossiers.site(counter.site_id)
        if not dossiers.offers_procedure(site.id, procedure.field_id):
            raise Conflict(
                f"{site.name_vi} chưa tiếp nhận thủ tục {procedure.code}.",
                f"{site.name_en or site.name_vi} does not receive procedure {procedure.code}.",
                code="procedure_not_offered",
            )
        now = uow.now
        day = business_day(now, rules.tz, rules.rollover)
        try:
            format_dossier_code(site.agency_code, day, 1)
        except InvalidDossierCode:
            raise Conflict(
                f"{site.name_vi} chưa có mã định danh cơ quan hợp lệ ({site.agency_code!r}); quản trị "
                "cần khai báo trước khi tiếp nhận hồ sơ.",
                f"{site.name_en or site.name_vi} has no valid agency code; an administrator must set it.",
                code="agency_code_missing",
            ) from None
        number = dossiers.take_number(site.agency_code, day)
        code = format_dossier_code(site.agency_code, day, number)
        due_date, due_at = due_dates(rules, now, procedure.time_value, procedure.time_unit_vi)
        agency = agency_for_procedure(dossiers.agencies, procedure.id, site.code)
        pin = new_lookup_pin()
        applicant = c.applicant
        documents = [{k: v for k, v in line.items() if v is not None} for line in c.documents]
        birth = applicant.get("birth_date")
        dossier = dossiers.add(dict(
            code=code, site_id=site.id, agency_code=site.agency_code, business_day=day, sequence_number=number,
            procedure_id=procedure.id, legal_time_value=procedure.time_value,
            legal_time_unit_vi=procedure.time_unit_vi, applicant_name=applicant["name"],
            applicant_id_kind=applicant["id_kind"], applicant_id_number=applicant["id_number"],
            applicant_phone=applicant.get("phone", ""), applicant_address=applicant.get("address", ""),
            applicant_email=applicant.get("email", ""), applicant_sex=applicant.get("sex") or "",
            applicant_birth_date=date.fromisoformat(birth) if birth else None, documents=documents, notes=c.notes,
            status=DossierStatus.RECEIVED.value, received_at=now, received_by=c.staff_id, counter_id=counter.id,
            due_date=due_date, due_at=due_at, agency_id=agency.id if agency else None,
            forward_deadline=forward_deadline(rules.calendar, now.astimezone(rules.tz), rules.forward_cutoff),
            lookup_pin_digest=lookup_pin_digest(pin, key=rules.pin_key, dossier_code=code), updated_at=now,
        ))
        reader = c.reader or Reader(c.staff_id, "staff", site.id)
        reused = store.reuse_at_reception(uow, reader, site.id, dossier.id, applicant, documents)
        if reused:
            dossier.documents = documents  # the reused lines now name where they were digitized
            entry = audit.current()
            if entry is not None:
                entry.detail["reused_documents"] = reused
        fee_vnd = fees.record_at_reception(uow, dossier.id, site.id, procedure, c.fee_vnd, c.staff_id)
        dossiers.link_ticket(dossier.id, ticket.id, "intake", now)
        dossier.record_receipt(c.staff_id, counter_id=counter.id,
                               data={"due_date": due_date.isoformat() if due_date else None})
        dossiers.save(dossier, now)
        reused_lines = sum(1 for line in documents if line.get("reused_from"))
        emit_dossier(uow, EventType.DOSSIER_RECEIVED, dossier, c.staff_id,
                     {"procedure_code": procedure.code, "status": DossierStatus.RECEIVED.value,
                      "due_date": due_date.isoformat() if due_date else None,
                      "documents": len(documents), "reused": reused_lines, "fee_vnd": fee_vnd},
                     ticket=ticket_brief(dossiers.ticket_brief(ticket.id)), counter_id=counter.id)
        flow.milestone(uow, dossier, "received")
        if rules.forward_on_receipt and agency is not None:
            steps.forward_now(uow, dossier, agency, c.staff_id)
        uow.commit()
        return {"id": dossier.id, "code": dossier.code, "lookup_pin": pin}


def _procedure_for(uow: UnitOfWork, code: str | None, ticket: Row) -> Row:
    if code:
        procedure = uow.dossiers.procedure_by_code(code)
        if procedure is None:
            raise NotFound(f"Không tìm thấy thủ tục {code}.", f"Procedure {code} not found.")
        return procedure
    if ticket.procedure_id is None:
        raise Invalid("Hãy chọn thủ tục của hồ sơ.", "Choose the dossier's procedure (procedure_code).",
                      code="procedure_required")
    return uow.dossiers.procedure_by_id(ticket.procedure_id)


# ---- digitizing --------------------------------------------------------------------------
def attach_files(c: AttachFiles, uow: UnitOfWork) -> tuple[int, list[int]]:
    """Link stored contents to a dossier. The same bytes twice are kept once on disk and
    linked twice (two pages may legitimately be identical, e.g. a blank back side). Files of
    a checklist line also become (pages of) a document in the applicant's store. Returns
    the dossier's id and the attachments' ids, in the order of the files."""
    with uow:
        dossier = load(uow, c.code)
        if c.document_index is not None and not 0 <= c.document_index < len(dossier.documents):
            raise Invalid(f"Hồ sơ không có thành phần số {c.document_index + 1}.",
                          f"The dossier has no document line {c.document_index}.", code="no_such_document")
        ids = uow.dossiers.link_files(dossier.id, c.files, c.staff_id, uow.now, c.document_index)
        if c.document_index is not None:
            store.keep_digitized_line(uow, dossier, c.document_index, uow.policies.store)
        if dossier.forwarded_at is None:  # scanned before the dossier left the center
            flow.milestone_once(uow, dossier, "digitized")
        dossier.log("digitize", c.staff_id, data={"files": len(ids), "document_index": c.document_index})
        uow.dossiers.save(dossier, uow.now)
        emit_dossier(uow, EventType.DOSSIER_FILES_ATTACHED, dossier, c.staff_id,
                     {"files": len(ids), "document_index": c.document_index})
        uow.commit()
        return dossier.id, ids


# ---- status life -------------------------------------------------------------------------
def change_status(c: ChangeDossierStatus, uow: UnitOfWork) -> int:
    """The center's steps (start, supplement asked and received, refuse, ready, returned)."""
    rules = uow.policies.dossiers
    with uow:
        dossier = load(uow, c.code)
        check_site(dossier, c.allowed_site)  # another site's dossier: 403 whatever the step
        if c.action in AGENCY_ACTIONS or c.action is DossierAction.FORWARD:
            raise Invalid("Bước này do cơ quan giải quyết thực hiện (hoặc chuyển hồ sơ qua chức năng chuyển).",
                          f"{c.action.value} is taken through /dossiers/{{code}}/forward or the agency's "
                          "endpoints (/agency/dossiers/...), not here.", code="agency_step")
        if c.action is DossierAction.STOP:
            raise Invalid("Dừng giải quyết hồ sơ cần lý do và căn cứ pháp lý: dùng chức năng dừng giải quyết.",
                          "Stop a dossier through /dossiers/{code}/stop (with the reason and legal basis).",
                          code="stop_step")
        # Refused here first when the status does not allow it, before any other check.
        steps.check_step(dossier, c.action)
        if c.action in (DossierAction.REFUSE, DossierAction.REQUEST_SUPPLEMENT) and not c.note.strip():
            raise Invalid("Hãy ghi rõ lý do (bắt buộc khi từ chối hoặc yêu cầu bổ sung).",
                          "Give the reason in `note` (required to refuse or request a supplement).",
                          code="reason_required")
        if c.counter_id is not None and uow.dossiers.counter_site(c.counter_id) != dossier.site_id:
            raise NotFound(f"Không tìm thấy quầy {c.counter_id} tại điểm này.",
                           f"Counter {c.counter_id} not found at this site.")
        current = dossier.current
        _CENTER_STEPS[c.action](uow, dossier, c, rules)
        uow.dossiers.save(dossier, uow.now)
        emit_dossier(uow, EventType.DOSSIER_STATUS_CHANGED, dossier, c.staff_id,
                     {"action": c.action.value, "from_status": current.value, "status": dossier.status},
                     counter_id=c.counter_id)
        if (c.action is DossierAction.RECEIVE_SUPPLEMENT and rules.forward_on_receipt
                and dossier.agency_id is not None and dossier.forwarded_at is not None):
            # The completed dossier goes straight back to the agency that asked for it.
            steps.forward_now(uow, dossier, uow.dossiers.agency(dossier.agency_id), c.staff_id)
        uow.commit()
        return dossier.id


def _start(uow: UnitOfWork, dossier: Dossier, c: ChangeDossierStatus, rules: DossierRules) -> None:
    dossier.take(DossierAction.START_PROCESSING, c.staff_id, at=uow.now, note=c.note, counter_id=c.counter_id)


def _ask_supplement(uow: UnitOfWork, dossier: Dossier, c: ChangeDossierStatus, rules: DossierRules) -> None:
    flow.milestone_once(uow, dossier, "supplement")
    flow.record_handoff(uow, dossier, "supplement", from_kind=flow.CENTER, from_name=flow.center_name(uow, dossier),
                        from_staff_id=c.staff_id, to_kind=flow.CITIZEN, to_name=dossier.applicant_name, note=c.note)
    dossier.request_supplement(c.staff_id, at=uow.now, note=c.note, counter_id=c.counter_id,
                               clock_days_left=flow.days_left(dossier, rules, uow.now),
                               data={"items": [dict(item) for item in c.items]})


def _take_supplement(uow: UnitOfWork, dossier: Dossier, c: ChangeDossierStatus, rules: DossierRules) -> None:
    # The complete dossier is received: the clock runs again (see legal_clock).
    fresh = due_dates(rules, uow.now, dossier.legal_time_value, dossier.legal_time_unit_vi)
    due = flow.restart_clock(dossier, rules, uow.now, fresh)
    flow.record_handoff(uow, dossier, "supplement_in", from_kind=flow.CITIZEN, from_name=dossier.applicant_name,
                        to_kind=flow.CENTER, to_name=flow.center_name(uow, dossier), to_staff_id=c.staff_id)
    dossier.receive_supplement(
        c.staff_id, at=uow.now, due=due, note=c.note, counter_id=c.counter_id,
        forward_deadline=forward_deadline(rules.calendar, uow.now.astimezone(rules.tz), rules.forward_cutoff),
        data={"due_date": due[0].isoformat() if due[0] else None})


def _refuse(uow: UnitOfWork, dossier: Dossier, c: ChangeDossierStatus, rules: DossierRules) -> None:
    judged = flow.settle(uow, dossier, rules, "refused")
    flow.record_handoff(uow, dossier, "refuse", from_kind=flow.CENTER, from_name=flow.center_name(uow, dossier),
                        from_staff_id=c.staff_id, to_kind=flow.CITIZEN, to_name=dossier.applicant_name, note=c.note)
    dossier.refuse(c.staff_id, at=uow.now, note=c.note, data=judged, counter_id=c.counter_id)


def _ready(uow: UnitOfWork, dossier: Dossier, c: ChangeDossierStatus, rules: DossierRules) -> None:
    dossier.mark_ready(c.staff_id, at=uow.now, note=c.note, counter_id=c.counter_id,
                       data=flow.settle(uow, dossier, rules, "result"))


def _return(uow: UnitOfWork, dossier: Dossier, c: ChangeDossierStatus, rules: DossierRules) -> None:
    flow.record_handoff(uow, dossier, "return", from_kind=flow.CENTER, from_name=flow.center_name(uow, dossier),
                        from_staff_id=c.staff_id, to_kind=flow.CITIZEN, to_name=dossier.applicant_name)
    dossier.return_result(c.staff_id, at=uow.now, note=c.note, counter_id=c.counter_id)


_CENTER_STEPS = {DossierAction.START_PROCESSING: _start, DossierAction.REQUEST_SUPPLEMENT: _ask_supplement,
                 DossierAction.RECEIVE_SUPPLEMENT: _take_supplement, DossierAction.REFUSE: _refuse,
                 DossierAction.MARK_READY: _ready, DossierAction.RETURN_RESULT: _return}


def new_pin(c: NewLookupPin, uow: UnitOfWork) -> dict[str, str]:
    """A lost or reprinted slip: a fresh PIN replaces the old one (which stops working)."""
    with uow:
        dossier = load(uow, c.code)
        check_site(dossier, c.allowed_site)
        pin = new_lookup_pin()
        dossier.replace_pin(lookup_pin_digest(pin, key=uow.policies.dossiers.pin_key, dossier_code=dossier.code),
                            c.staff_id, at=uow.now)
        uow.dossiers.save(dossier, uow.now)
        uow.commit()
        return {"code": dossier.code, "lookup_pin": pin}


# ---- public lookup -----------------------------------------------------------------------
NOT_FOUND_OR_WRONG_PIN = (
    "Không tìm thấy hồ sơ, hoặc mã PIN không đúng. Hãy kiểm tra mã hồ sơ và mã PIN trên giấy tiếp nhận.",
    "No such dossier, or the PIN is wrong. Check the code and PIN on the receipt slip.",
)


OLD_SLIP_PIN = (
    "Mã PIN 6 số của giấy tiếp nhận cũ không còn dùng để tra cứu. Vui lòng mang giấy tiếp nhận đến bộ phận một cửa "
    "để được in mã PIN mới (12 số).",
    "The 6-digit PIN of an old receipt slip no longer works. Bring the slip to the service center for a new "
    "12-digit PIN.",
)



def public_lookup(c: LookUpDossier, uow: UnitOfWork) -> int:
    """The citizen's view with the slip's PIN: the dossier's id, its page read after. An
    unknown code and a wrong PIN get the very same answer and count the same, so neither
    the reply nor the limit tells an existing dossier from a guess. The attempt is counted
    before the PIN is checked (parallel guesses cannot outrun the limit) and given back
    when the PIN is right."""
    rules = uow.policies.dossiers
    with uow:
        try:
            wanted = canonical_code(c.code)
        except InvalidDossierCode:
            raise NotFound(*NOT_FOUND_OR_WRONG_PIN, code="dossier_not_found") from None
        if is_old_slip_pin(c.pin):  # told from the typed text alone: says nothing about the dossier
            raise NotFound(*OLD_SLIP_PIN, code="old_slip_pin")
        limits = lookup_limits(rules, wanted, c.client)
        reserve(uow.conn, uow.now, limits)
        dossier = uow.dossiers.get(wanted)
        # The same keyed-hash work for a known and an unknown code.
        digest = dossier.lookup_pin_digest if dossier is not None else "0" * 64
        ok = check_lookup_pin(c.pin, digest, key=rules.pin_key, dossier_code=wanted) and dossier is not None
        if not ok:
            uow.commit()  # the attempt stays counted
            raise NotFound(*NOT_FOUND_OR_WRONG_PIN, code="dossier_not_found")
        release(uow.conn, limits)
        uow.commit()
        return dossier.id


def lookup_limits(rules: DossierRules, code: str, client: str) -> list[Limit]:
    """Wrong PINs are limited per guessing client, not per dossier: strangers guessing a
    code do not lock its citizen out. Per code from one address, per address over all codes
    (codes are sequential), and from everyone together per hour, which bounds distributed
    guessing (docs/security.md)."""
    return [
        Limit(f"dossier:{code}@{client}"[:200], rules.lookup_max_failures, rules.lookup_window,
              "Đã nhập sai mã PIN quá nhiều lần cho mã hồ sơ này. Vui lòng thử lại sau {minutes} phút.",
              "Too many wrong PINs for this dossier code. Try again in {minutes} minutes."),
        Limit(f"dossier-from:{client}"[:200], rules.lookup_failures_per_address, rules.lookup_window,
              "Đã nhập sai mã hồ sơ hoặc mã PIN quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
              "Too many wrong dossier codes or PINs. Try again in {minutes} minutes."),
        Limit("dossier-everyone", rules.lookup_failures_per_hour, timedelta(hours=1),
              "Tra cứu trực tuyến đang tạm dừng vì có quá nhiều lượt nhập sai. Vui lòng thử lại sau hoặc hỏi "
              "tại bộ phận một cửa.",
              "Online lookup is paused after too many wrong attempts. Please try later or ask at the service center.",
              code="lookup_paused"),
    ]



# ---- return of results -------------------------------------------------------------------
def issue_return_ticket(c: IssueReturnTicket, uow: UnitOfWork) -> dict[str, Any]:
    """A citizen scans the slip's QR at a kiosk: a ticket for the return-of-results desk,
    linked to the dossier. Scanning again while that ticket is active gives it back
    instead of a second one (double scans are common)."""
    with uow:
        dossiers = uow.dossiers
        dossier = load(uow, c.dossier_code)
        site = dossiers.site(dossier.site_id)
        if dossier.site_id != c.device_site_id:
            raise Conflict(
                f"Kết quả của hồ sơ {dossier.code} được trả tại {site.name_vi} ({site.address}).",
                f"The result of dossier {dossier.code} is returned at {site.name_en or site.name_vi} ({site.address}).",
                code="dossier_other_site",
            )
        _check_returnable(dossier, uow.policies.dossiers)
        active = dossiers.active_return_ticket(dossier.id, tuple(s.value for s in ACTIVE_TICKET))
        if active is not None:
            return {**ticket_reply(uow, active, with_token=True), "dossier_code": dossier.code, "reused": True}
        service = dossiers.return_service(site.id)
        if service is None:
            raise Conflict(f"{site.name_vi} chưa có quầy trả kết quả. Vui lòng hỏi cán bộ hướng dẫn.",
                           "This site has no return-of-results desk. Please ask the help desk.",
                           code="no_return_service")
        now = uow.now
        day = business_day(now, uow.rules.tz, uow.rules.rollover)
        number = dossiers.take_ticket_number(site.id, service.id, day)
        label = LabelFormat(service.prefix, service.digits, service.number_start, service.number_end).label_for(number)
        priority = PriorityClass.NORMAL
        ticket_id = dossiers.add_ticket(
            site_id=site.id, service_id=service.id, procedure_id=dossier.procedure_id, business_day=day,
            numbering_service_id=service.id, sequence_number=number, label=label, priority=priority.value,
            rank=uow.rules.priority_weights[priority], status=TicketStatus.WAITING.value, device_id=c.device_id,
            tracking_token=new_tracking_token(), arrived_at=now, issued_at=now, updated_at=now,
        )
        dossiers.link_ticket(dossier.id, ticket_id, "return", now)
        uow.emit(PendingEvent(type=EventType.TICKET_ISSUED, site_id=site.id,
                              ticket=ticket_brief(dossiers.ticket_brief(ticket_id)), device_id=c.device_id,
                              services=(service.id,), data={"dossier_code": dossier.code, "purpose": "return"}))
        reply = {**ticket_reply(uow, ticket_id, with_token=True), "dossier_code": dossier.code, "reused": False}
        uow.commit()
        return reply


def _check_returnable(dossier: Dossier, rules: DossierRules) -> None:
    status = DossierStatus(dossier.status)
    if status is DossierStatus.RETURNED:
        raise Conflict(f"Hồ sơ {dossier.code} đã được trả kết quả.",
                       f"The result of dossier {dossier.code} has already been returned.", code="dossier_returned")
    if status is DossierStatus.SUPPLEMENT_REQUESTED:
        raise Conflict(
            f"Hồ sơ {dossier.code} đang chờ bổ sung: vui lòng lấy số tại quầy tiếp nhận để nộp giấy tờ bổ sung.",
            f"Dossier {dossier.code} is waiting for missing documents: take an intake ticket to hand them in.",
            code="dossier_awaiting_supplement")
    if rules.return_requires_ready and status not in (DossierStatus.READY, DossierStatus.REFUSED):
        raise Conflict(
            f"Hồ sơ {dossier.code} chưa có kết quả. Vui lòng quay lại theo ngày hẹn trên giấy tiếp nhận.",
            f"The result of dossier {dossier.code} is not ready yet. Please come back on the date on the slip.",
            code="dossier_not_ready")



# ---- satisfaction ------------------------------------------------------------------------
def rate_ticket(c: RateTicket, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        ticket = _ticket_to_rate(uow, c)
        if TicketStatus(ticket.status) is not TicketStatus.DONE:
            raise Conflict("Chỉ đánh giá được sau khi đã được phục vụ xong.",
                           "A service can be rated once it is finished.", code="not_finished")
        if uow.dossiers.is_rated(ticket.id):
            raise _already_rated()
        source = "citizen" if c.tracking_token else "counter"
        # A second submission racing this one loses on the primary key, atomically.
        if not uow.dossiers.add_rating(
                ticket_id=ticket.id, site_id=ticket.site_id, service_id=ticket.service_id,
                counter_id=ticket.counter_id, staff_id=ticket.staff_id, level=c.level, reason=c.reason,
                source=source, rated_at=uow.now):
            raise _already_rated()
        uow.emit(PendingEvent(type=EventType.TICKET_RATED, site_id=ticket.site_id,
                              ticket=ticket_brief(uow.dossiers.ticket_brief(ticket.id)),
                              counter_id=ticket.counter_id, staff_id=ticket.staff_id,
                              data={"level": c.level, "source": source, "has_reason": bool(c.reason)}))
        reply = {"ticket_label": ticket.label, "level": c.level, "level_vi": RATING_VI[RatingLevel(c.level)],
                 "reason": c.reason, "rated_at": uow.now, "source": source}
        uow.commit()
        return reply


def _already_rated() -> Conflict:
    return Conflict("Lượt phục vụ này đã được đánh giá. Cảm ơn ông/bà!", "This visit has already been rated. Thank you!",
                    code="already_rated")



def _ticket_to_rate(uow: UnitOfWork, c: RateTicket) -> Row:
    if c.tracking_token:
        ticket = uow.dossiers.ticket_by_token(c.tracking_token)
        if ticket is None:
            raise NotFound("Không tìm thấy phiếu số thứ tự. Hãy kiểm tra lại mã QR.", "Ticket not found. Check the QR code.")
        return ticket
    day = None if c.ticket_id is not None else business_day(uow.now, uow.rules.tz, uow.rules.rollover)
    ticket = uow.dossiers.finished_ticket(c.counter_id, ticket_id=c.ticket_id, day=day)
    if ticket is None:
        raise Conflict("Quầy chưa phục vụ xong lượt nào để đánh giá.", "This counter has no finished visit to rate.",
                       code="nothing_to_rate")
    return ticket
