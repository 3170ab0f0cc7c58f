"""Dossier commands: receive, digitize, move through its life, look up, return; and ratings.

Handlers follow the queue's pattern: `(command, uow, rules)`, one transaction each, the
handler commits, events are recorded with `uow.emit`. Reads live in `dossier_views`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.file_store import StoredFile
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
    lookup_pin_digest,
    new_lookup_pin,
    next_dossier_status,
)
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.domain.legal_clock import forward_deadline
from queue_server.service_layer import audit, fees
from queue_server.service_layer import citizen_documents as store
from queue_server.service_layer import dossier_flow as flow
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer.agencies import agency_for_procedure
from queue_server.service_layer.dossier_views import canonical_code, load_dossier
from queue_server.service_layer.handlers import ticket_brief, ticket_reply
from queue_server.service_layer.lookup_limits import count_failure, refuse_if_too_many
from queue_server.service_layer.rules import working_calendar
from queue_server.service_layer.unit_of_work import PendingEvent, UnitOfWork
from shared.dossier_protocol import RATING_VI, RatingLevel
from shared.enums import EventType, PriorityClass, TicketStatus
from shared.labels import LabelFormat

log = logging.getLogger(__name__)

ACTIVE_TICKET = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.HELD)


# ---- rules and commands ------------------------------------------------------------------


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


@dataclass(frozen=True)
class ReceiveDossier:
    counter_id: int
    staff_id: int
    applicant: dict[str, Any]  # name, id_kind, id_number, phone, address, email, birth_date, sex
    documents: list[dict[str, Any]] = field(default_factory=list)  # name, copies, form (+ reuse, dates)
    notes: str = ""
    procedure_code: str | None = None
    ticket_id: int | None = None  # the ticket the clerk's form was opened for
    fee_vnd: int | None = None  # confirmed by the clerk; None: the procedure's structured fee
    reader: Reader | None = None  # who receives, for the document store's access policy


@dataclass(frozen=True)
class AttachFiles:
    code: str
    staff_id: int
    files: list[tuple[StoredFile, str]]  # stored content, name to show
    document_index: int | None = None


@dataclass(frozen=True)
class ChangeDossierStatus:
    code: str
    staff_id: int
    action: DossierAction
    note: str = ""
    items: list[dict[str, str]] = field(default_factory=list)  # what, reason
    counter_id: int | None = None


@dataclass(frozen=True)
class IssueReturnTicket:
    device_site_id: int
    device_id: int
    dossier_code: str  # as typed or scanned: a code or the lookup URL


@dataclass(frozen=True)
class RateTicket:
    level: str
    reason: str = ""
    tracking_token: str | None = None  # from the citizen's phone page
    counter_id: int | None = None  # from the counter's citizen-facing screen
    ticket_id: int | None = None  # with counter_id: which finished ticket


# ---- helpers -----------------------------------------------------------------------------
def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def take_dossier_number(conn: Connection, agency_code: str, day: date) -> int:
    """Next number of (agency, day), in one upsert as ticket numbering does. The row stays
    locked until commit, so two counters never print the same code, on either database."""
    seq = t.dossier_sequence.c
    ins = (pg_insert if _is_pg(conn) else sqlite_insert)(t.dossier_sequence).values(
        agency_code=agency_code, business_day=day, last_number=1)
    return conn.execute(
        ins.on_conflict_do_update(
            index_elements=[seq.agency_code, seq.business_day], set_={"last_number": seq.last_number + 1},
        ).returning(seq.last_number)
    ).scalar_one()


def _due(rules: DossierRules, received_at: datetime, value: float | None, unit: str) -> tuple[date | None, datetime | None]:
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


def _history(uow: UnitOfWork, dossier_id: int, action: str, from_status: str | None, to_status: str,
             staff_id: int | None, *, counter_id: int | None = None, note: str = "",
             data: dict[str, Any] | None = None) -> None:
    uow.conn.execute(insert(t.dossier_events).values(
        dossier_id=dossier_id, at=uow.now, action=action, from_status=from_status, to_status=to_status,
        staff_id=staff_id, counter_id=counter_id, note=note, data=data or {},
    ))


def _emit_dossier(uow: UnitOfWork, type_: EventType, dossier: Row, staff_id: int | None,
                  data: dict[str, Any], *, ticket: dict[str, Any] | None = None,
                  counter_id: int | None = None) -> None:
    # Events reach the site's stream (lobby displays too): codes and statuses only, never
    # the applicant's personal data.
    uow.emit(PendingEvent(type=type_, site_id=dossier.site_id, ticket=ticket, counter_id=counter_id,
                          staff_id=staff_id, data={"dossier_id": dossier.id, "dossier_code": dossier.code, **data}))


# ---- reception ---------------------------------------------------------------------------
def receive_dossier(c: ReceiveDossier, uow: UnitOfWork, rules: DossierRules) -> dict[str, Any]:
    with uow:
        conn = uow.conn
        counter = repo.counter_for_update(conn, c.counter_id)
        if counter is None:
            raise NotFound(f"Không tìm thấy quầy {c.counter_id}.", f"Counter {c.counter_id} not found.")
        ticket = repo.ticket_for_update(conn, counter.current_ticket_id) if counter.current_ticket_id else None
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
        procedure = _procedure_for(conn, c.procedure_code, ticket)
        site = repo.site_by_id(conn, counter.site_id)
        if repo.service_for_procedure(conn, site.id, procedure.field_id) is None:
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
        number = take_dossier_number(conn, site.agency_code, day)
        code = format_dossier_code(site.agency_code, day, number)
        due_date, due_at = _due(rules, now, procedure.time_value, procedure.time_unit_vi)
        agency = agency_for_procedure(conn, procedure.id, site.code)
        pin = new_lookup_pin()
        applicant = c.applicant
        documents = [{k: v for k, v in line.items() if v is not None} for line in c.documents]
        birth = applicant.get("birth_date")
        dossier_id = conn.execute(insert(t.dossiers).values(
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
        ).returning(t.dossiers.c.id)).scalar_one()
        reader = c.reader or Reader(c.staff_id, "staff", site.id)
        reused = store.reuse_at_reception(uow, reader, site.id, dossier_id, applicant, documents)
        if reused:
            conn.execute(update(t.dossiers).where(t.dossiers.c.id == dossier_id).values(documents=documents))
            entry = audit.current()
            if entry is not None:
                entry.detail["reused_documents"] = reused
        fee_vnd = fees.record_at_reception(uow, dossier_id, site.id, procedure, c.fee_vnd, c.staff_id)
        conn.execute(insert(t.dossier_tickets).values(dossier_id=dossier_id, ticket_id=ticket.id, purpose="intake",
                                                      created_at=now))
        _history(uow, dossier_id, "receive", None, DossierStatus.RECEIVED.value, c.staff_id, counter_id=counter.id,
                 data={"due_date": due_date.isoformat() if due_date else None})
        dossier = conn.execute(select(t.dossiers).where(t.dossiers.c.id == dossier_id)).one()
        reused_lines = sum(1 for line in documents if line.get("reused_from"))
        _emit_dossier(uow, EventType.DOSSIER_RECEIVED, dossier, c.staff_id,
                      {"procedure_code": procedure.code, "status": DossierStatus.RECEIVED.value,
                       "due_date": due_date.isoformat() if due_date else None,
                       "documents": len(documents), "reused": reused_lines, "fee_vnd": fee_vnd},
                      ticket=ticket_brief(repo.ticket_brief_row(conn, ticket.id)), counter_id=counter.id)
        flow.milestone(uow, dossier, "received")
        if rules.forward_on_receipt and agency is not None:
            forward_now(uow, dossier, agency, c.staff_id, rules)
        reply = views.dossier_reply(uow, dossier_id, rules)
        reply["lookup_pin"] = pin
        uow.commit()
        return reply


def _procedure_for(conn: Connection, code: str | None, ticket: Row) -> Row:
    if code:
        procedure = repo.procedure_by_code(conn, code)
        if procedure is None:
            raise NotFound(f"Không tìm thấy thủ tục {code}.", f"Procedure {code} not found.")
        return procedure
    if ticket.procedure_id is None:
        raise Invalid("Hãy chọn thủ tục của hồ sơ.", "Choose the dossier's procedure (procedure_code).",
                      code="procedure_required")
    return conn.execute(select(t.procedures).where(t.procedures.c.id == ticket.procedure_id)).one()


# ---- digitizing --------------------------------------------------------------------------
def attach_files(c: AttachFiles, uow: UnitOfWork, keep: store.StoreRules | None = None) -> list[dict[str, Any]]:
    """Link stored contents to a dossier. The same bytes twice are kept once on disk and
    linked twice (two pages may legitimately be identical, e.g. a blank back side). Files of
    a checklist line also become (pages of) a document in the applicant's store."""
    with uow:
        conn = uow.conn
        dossier = load_dossier(uow, c.code, for_update=True)
        if c.document_index is not None and not 0 <= c.document_index < len(dossier.documents):
            raise Invalid(f"Hồ sơ không có thành phần số {c.document_index + 1}.",
                          f"The dossier has no document line {c.document_index}.", code="no_such_document")
        ids = link_files(uow, dossier.id, c.files, c.staff_id, c.document_index)
        if c.document_index is not None and keep is not None:
            store.keep_digitized_line(uow, dossier, c.document_index, keep)
        if dossier.forwarded_at is None:  # scanned before the dossier left the center
            flow.milestone_once(uow, dossier, "digitized")
        _history(uow, dossier.id, "digitize", dossier.status, dossier.status, c.staff_id,
                 data={"files": len(ids), "document_index": c.document_index})
        _emit_dossier(uow, EventType.DOSSIER_FILES_ATTACHED, dossier, c.staff_id,
                      {"files": len(ids), "document_index": c.document_index})
        by_id = {a["id"]: a for a in views.attachments(conn, dossier.code, dossier.id)}
        reply = [{**by_id[i], "already_stored": stored.already_stored} for i, (stored, _) in zip(ids, c.files, strict=True)]
        uow.commit()
        return reply


def link_files(uow: UnitOfWork, dossier_id: int, files: list[tuple[StoredFile, str]], staff_id: int,
               document_index: int | None = None) -> list[int]:
    """Attachment ids of stored contents linked to the dossier (contents kept once)."""
    ids = []
    for stored, name in files:
        ins = (pg_insert if uow.is_postgres else sqlite_insert)(t.stored_files).values(
            sha256=stored.sha256, size=stored.size, media_type=stored.media_type, stored_at=uow.now)
        uow.conn.execute(ins.on_conflict_do_nothing())
        ids.append(uow.conn.execute(insert(t.dossier_attachments).values(
            dossier_id=dossier_id, sha256=stored.sha256, file_name=name, document_index=document_index,
            uploaded_at=uow.now, uploaded_by=staff_id,
        ).returning(t.dossier_attachments.c.id)).scalar_one())
    return ids


# ---- forwarding (the 15:00 rule) -----------------------------------------------------------
def forward_now(uow: UnitOfWork, dossier: Row, agency: Row, staff_id: int, rules: DossierRules,
                note: str = "") -> None:
    """Hand a received dossier to its processing agency: status, the hand-off row judged
    against the 15:00 rule's day, the log, the site's stream."""
    current = DossierStatus(dossier.status)
    new = next_dossier_status(DossierAction.FORWARD, current, dossier.code)
    deadline = dossier.forward_deadline
    if deadline is None:  # received before agencies existed: the rule applied to its receipt
        deadline = forward_deadline(rules.calendar, dossier.received_at.astimezone(rules.tz), rules.forward_cutoff)
    if dossier.agency_id != agency.id:
        flow.move_reception(uow, dossier, agency.id)
    uow.conn.execute(update(t.dossiers).where(t.dossiers.c.id == dossier.id).values(
        status=new.value, agency_id=agency.id, forwarded_at=uow.now, forward_deadline=deadline, updated_at=uow.now))
    judged = flow.record_handoff(
        uow, dossier, "forward", from_kind=flow.CENTER, from_name=flow.center_name(uow.conn, dossier.site_id),
        from_staff_id=staff_id, to_kind=flow.AGENCY, to_name=agency.name_vi, deadline=deadline,
        done_day=flow.local_day(uow.now, rules), note=note, agency_id=agency.id)
    _history(uow, dossier.id, DossierAction.FORWARD.value, current.value, new.value, staff_id, note=note,
             data={"agency_code": agency.code, "agency_name": agency.name_vi, "deadline": deadline.isoformat(),
                   "timeliness": judged.value if judged else None})
    _emit_dossier(uow, EventType.DOSSIER_STATUS_CHANGED, dossier, staff_id,
                  {"action": DossierAction.FORWARD.value, "from_status": current.value, "status": new.value})


# ---- status life -------------------------------------------------------------------------
def change_status(c: ChangeDossierStatus, uow: UnitOfWork, rules: DossierRules, *,
                  allowed_site: int | None) -> dict[str, Any]:
    with uow:
        conn = uow.conn
        dossier = load_dossier(uow, c.code, for_update=True)
        _check_site(dossier, allowed_site)
        current = DossierStatus(dossier.status)
        if c.action in AGENCY_ACTIONS or c.action is DossierAction.FORWARD:
            raise Invalid("Bước này do cơ quan giải quyết thực hiện (hoặc chuyển hồ sơ qua chức năng chuyển).",
                          f"{c.action.value} is taken through /dossiers/{{code}}/forward or the agency's "
                          "endpoints (/agency/dossiers/...), not here.", code="agency_step")
        new = next_dossier_status(c.action, current, dossier.code)
        if c.action in (DossierAction.REFUSE, DossierAction.REQUEST_SUPPLEMENT) and not c.note.strip():
            raise Invalid("Hãy ghi rõ lý do (bắt buộc khi từ chối hoặc yêu cầu bổ sung).",
                          "Give the reason in `note` (required to refuse or request a supplement).",
                          code="reason_required")
        if c.counter_id is not None:
            counter_site = conn.execute(select(t.counters.c.site_id).where(t.counters.c.id == c.counter_id)).scalar()
            if counter_site != dossier.site_id:
                raise NotFound(f"Không tìm thấy quầy {c.counter_id} tại điểm này.",
                               f"Counter {c.counter_id} not found at this site.")
        values: dict[str, Any] = {"status": new.value, "updated_at": uow.now}
        data: dict[str, Any] = {}
        center = flow.center_name(conn, dossier.site_id)
        if c.action is DossierAction.REQUEST_SUPPLEMENT:
            data["items"] = [dict(item) for item in c.items]
            values.update(flow.stop_clock(dossier, rules, uow.now))
            flow.milestone_once(uow, dossier, "supplement")
            flow.record_handoff(uow, dossier, "supplement", from_kind=flow.CENTER, from_name=center,
                                from_staff_id=c.staff_id, to_kind=flow.CITIZEN, to_name=dossier.applicant_name,
                                note=c.note)
        if c.action is DossierAction.RECEIVE_SUPPLEMENT:
            # The complete dossier is received: the clock runs again (see legal_clock).
            fresh = _due(rules, uow.now, dossier.legal_time_value, dossier.legal_time_unit_vi)
            due_date, due_at = flow.restart_clock(dossier, rules, uow.now, fresh)
            values.update(due_date=due_date, due_at=due_at, clock_days_left=None,
                          forward_deadline=forward_deadline(rules.calendar, uow.now.astimezone(rules.tz),
                                                            rules.forward_cutoff))
            data["due_date"] = due_date.isoformat() if due_date else None
            flow.record_handoff(uow, dossier, "supplement_in", from_kind=flow.CITIZEN, from_name=dossier.applicant_name,
                                to_kind=flow.CENTER, to_name=center, to_staff_id=c.staff_id)
        if c.action in (DossierAction.MARK_READY, DossierAction.REFUSE):
            data.update(flow.settle(uow, dossier, rules, "result" if c.action is DossierAction.MARK_READY
                                    else "refused"))
        if c.action is DossierAction.REFUSE:
            flow.record_handoff(uow, dossier, "refuse", from_kind=flow.CENTER, from_name=center,
                                from_staff_id=c.staff_id, to_kind=flow.CITIZEN, to_name=dossier.applicant_name,
                                note=c.note)
        if c.action is DossierAction.RETURN_RESULT:
            flow.record_handoff(uow, dossier, "return", from_kind=flow.CENTER, from_name=center,
                                from_staff_id=c.staff_id, to_kind=flow.CITIZEN, to_name=dossier.applicant_name)
        conn.execute(update(t.dossiers).where(t.dossiers.c.id == dossier.id).values(**values))
        _history(uow, dossier.id, c.action.value, current.value, new.value, c.staff_id, counter_id=c.counter_id,
                 note=c.note, data=data)
        _emit_dossier(uow, EventType.DOSSIER_STATUS_CHANGED, dossier, c.staff_id,
                      {"action": c.action.value, "from_status": current.value, "status": new.value},
                      counter_id=c.counter_id)
        if (c.action is DossierAction.RECEIVE_SUPPLEMENT and rules.forward_on_receipt
                and dossier.agency_id is not None and dossier.forwarded_at is not None):
            # The completed dossier goes straight back to the agency that asked for it.
            again = conn.execute(select(t.dossiers).where(t.dossiers.c.id == dossier.id)).one()
            forward_now(uow, again, conn.execute(select(t.agencies).where(
                t.agencies.c.id == dossier.agency_id)).one(), c.staff_id, rules)
        reply = views.dossier_reply(uow, dossier.id, rules)
        uow.commit()
        return reply


def new_pin(code: str, staff_id: int, uow: UnitOfWork, rules: DossierRules, *, allowed_site: int | None) -> dict[str, str]:
    """A lost or reprinted slip: a fresh PIN replaces the old one (which stops working)."""
    with uow:
        dossier = load_dossier(uow, code, for_update=True)
        _check_site(dossier, allowed_site)
        pin = new_lookup_pin()
        uow.conn.execute(update(t.dossiers).where(t.dossiers.c.id == dossier.id).values(
            lookup_pin_digest=lookup_pin_digest(pin, key=rules.pin_key, dossier_code=dossier.code),
            updated_at=uow.now))
        _history(uow, dossier.id, "new_pin", dossier.status, dossier.status, staff_id)
        uow.commit()
        return {"code": dossier.code, "lookup_pin": pin}


def _check_site(dossier: Row, allowed_site: int | None) -> None:
    if allowed_site is not None and dossier.site_id != allowed_site:
        raise Forbidden("Hồ sơ này thuộc điểm phục vụ khác.", "This dossier belongs to another site.")


# ---- public lookup -----------------------------------------------------------------------
NOT_FOUND_OR_WRONG_PIN = (
    "Không tìm thấy hồ sơ, hoặc mã PIN không đúng. Hãy kiểm tra mã hồ sơ và mã PIN trên giấy tiếp nhận.",
    "No such dossier, or the PIN is wrong. Check the code and PIN on the receipt slip.",
)


def public_lookup(code: str, pin: str, uow: UnitOfWork, rules: DossierRules) -> dict[str, Any]:
    """The citizen's view with the slip's PIN. An unknown code and a wrong PIN get the very
    same answer, and failures are counted per code whether it exists or not, so neither
    the reply nor the limit tells an existing dossier from a guess."""
    with uow:
        conn = uow.conn
        try:
            wanted = canonical_code(code)
        except InvalidDossierCode:
            raise NotFound(*NOT_FOUND_OR_WRONG_PIN, code="dossier_not_found") from None
        refuse_if_too_many(uow, wanted, rules.lookup_max_failures, rules.lookup_window,
                           "Đã nhập sai mã PIN quá nhiều lần cho mã hồ sơ này. Vui lòng thử lại sau {minutes} phút.",
                           "Too many wrong PINs for this dossier code. Try again in {minutes} minutes.")
        dossier = conn.execute(select(t.dossiers).where(t.dossiers.c.code == wanted)).first()
        # The same keyed-hash work for a known and an unknown code.
        digest = dossier.lookup_pin_digest if dossier is not None else "0" * 64
        ok = check_lookup_pin(pin, digest, key=rules.pin_key, dossier_code=wanted) and dossier is not None
        if not ok:
            count_failure(uow, wanted, rules.lookup_window)
            uow.commit()
            raise NotFound(*NOT_FOUND_OR_WRONG_PIN, code="dossier_not_found")
        return views.public_dossier(uow, dossier.id, rules)


# ---- return of results -------------------------------------------------------------------
def issue_return_ticket(c: IssueReturnTicket, uow: UnitOfWork, rules: DossierRules) -> dict[str, Any]:
    """A citizen scans the slip's QR at a kiosk: a ticket for the return-of-results desk,
    linked to the dossier. Scanning again while that ticket is active gives it back
    instead of a second one (double scans are common)."""
    with uow:
        conn = uow.conn
        dossier = load_dossier(uow, c.dossier_code, for_update=True)
        site = repo.site_by_id(conn, dossier.site_id)
        if dossier.site_id != c.device_site_id:
            raise Conflict(
                f"Kết quả của hồ sơ {dossier.code} được trả tại {site.name_vi} ({site.address}).",
                f"The result of dossier {dossier.code} is returned at {site.name_en or site.name_vi} ({site.address}).",
                code="dossier_other_site",
            )
        _check_returnable(dossier, rules)
        active = conn.execute(
            select(t.tickets.c.id)
            .join(t.dossier_tickets, t.dossier_tickets.c.ticket_id == t.tickets.c.id)
            .where(t.dossier_tickets.c.dossier_id == dossier.id, t.dossier_tickets.c.purpose == "return",
                   t.tickets.c.status.in_([s.value for s in ACTIVE_TICKET]))
            .order_by(t.tickets.c.id.desc())
        ).scalar()
        if active is not None:
            return {**ticket_reply(uow, active, with_token=True), "dossier_code": dossier.code, "reused": True}
        service = conn.execute(
            select(t.services)
            .join(t.site_services, t.site_services.c.service_id == t.services.c.id)
            .where(t.site_services.c.site_id == site.id, t.services.c.kind == "return")
            .order_by(t.services.c.id)
        ).first()
        if service is None:
            raise Conflict(f"{site.name_vi} chưa có quầy trả kết quả. Vui lòng hỏi cán bộ hướng dẫn.",
                           "This site has no return-of-results desk. Please ask the help desk.",
                           code="no_return_service")
        now = uow.now
        day = business_day(now, uow.rules.tz, uow.rules.rollover)
        number = repo.take_sequence_number(conn, site.id, service.id, day)
        label = LabelFormat(service.prefix, service.digits, service.number_start, service.number_end).label_for(number)
        priority = PriorityClass.NORMAL
        ticket_id = repo.insert_ticket(
            conn, site_id=site.id, service_id=service.id, procedure_id=dossier.procedure_id, business_day=day,
            numbering_service_id=service.id, sequence_number=number, label=label, priority=priority.value, rank=uow.rules.priority_weights[priority],
            status=TicketStatus.WAITING.value, device_id=c.device_id, tracking_token=new_tracking_token(),
            arrived_at=now, issued_at=now, updated_at=now,
        )
        conn.execute(insert(t.dossier_tickets).values(dossier_id=dossier.id, ticket_id=ticket_id, purpose="return",
                                                      created_at=now))
        row = repo.ticket_brief_row(conn, ticket_id)
        uow.emit(PendingEvent(type=EventType.TICKET_ISSUED, site_id=site.id, ticket=ticket_brief(row),
                              device_id=c.device_id, services=(service.id,),
                              data={"dossier_code": dossier.code, "purpose": "return"}))
        reply = {**ticket_reply(uow, ticket_id, with_token=True), "dossier_code": dossier.code, "reused": False}
        uow.commit()
        return reply


def _check_returnable(dossier: Row, rules: DossierRules) -> None:
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
        conn = uow.conn
        ticket = _ticket_to_rate(uow, c)
        if TicketStatus(ticket.status) is not TicketStatus.DONE:
            raise Conflict("Chỉ đánh giá được sau khi đã được phục vụ xong.",
                           "A service can be rated once it is finished.", code="not_finished")
        already = conn.execute(select(t.ticket_ratings.c.ticket_id).where(t.ticket_ratings.c.ticket_id == ticket.id))
        if already.first() is not None:
            raise _already_rated()
        source = "citizen" if c.tracking_token else "counter"
        values = {"ticket_id": ticket.id, "site_id": ticket.site_id, "service_id": ticket.service_id,
                  "counter_id": ticket.counter_id, "staff_id": ticket.staff_id, "level": c.level,
                  "reason": c.reason, "source": source, "rated_at": uow.now}
        # A second submission racing this one loses on the primary key, atomically.
        ins = (pg_insert if uow.is_postgres else sqlite_insert)(t.ticket_ratings).values(**values)
        inserted = conn.execute(ins.on_conflict_do_nothing().returning(t.ticket_ratings.c.ticket_id)).first()
        if inserted is None:
            raise _already_rated()
        row = repo.ticket_brief_row(conn, ticket.id)
        uow.emit(PendingEvent(type=EventType.TICKET_RATED, site_id=ticket.site_id, ticket=ticket_brief(row),
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
    conn, tk = uow.conn, t.tickets.c
    if c.tracking_token:
        ticket = conn.execute(select(t.tickets).where(tk.tracking_token == c.tracking_token)).first()
        if ticket is None:
            raise NotFound("Không tìm thấy phiếu số thứ tự. Hãy kiểm tra lại mã QR.", "Ticket not found. Check the QR code.")
        return ticket
    stmt = select(t.tickets).where(tk.counter_id == c.counter_id, tk.status == TicketStatus.DONE.value)
    if c.ticket_id is not None:
        ticket = conn.execute(stmt.where(tk.id == c.ticket_id)).first()
    else:
        day = business_day(uow.now, uow.rules.tz, uow.rules.rollover)
        ticket = conn.execute(stmt.where(tk.business_day == day).order_by(tk.finished_at.desc(), tk.id.desc())).first()
    if ticket is None:
        raise Conflict("Quầy chưa phục vụ xong lượt nào để đánh giá.", "This counter has no finished visit to rate.",
                       code="nothing_to_rate")
    return ticket
