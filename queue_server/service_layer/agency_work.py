"""After the counter: the center forwards a dossier to its processing agency, and the
agency's officers take their steps (accept, assign, ask for a supplement, refuse, have the
result, apologise for lateness with a new date, send the result back to the center).

Every step is one transaction, logged in dossier_events; every hand-off between parties
is also one dossier_handoffs row (from, to, when, on time or late). A processor acts only
on the dossiers of their own agency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row, select, update

from queue_server.adapters import tables as t
from queue_server.adapters.file_store import StoredFile
from queue_server.domain.dossier import DossierAction, DossierStatus, next_dossier_status
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.service_layer import dossier_flow as flow
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer.agencies import agency_by_code, agency_row
from queue_server.service_layer.dossier_views import load_dossier
from queue_server.service_layer.dossiers import (
    DossierRules,
    _emit_dossier,
    _history,
    forward_now,
    link_files,
)
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import EventType, Role

_S = DossierStatus
# The agency's steps and the statuses each may be taken from (assign and apologize leave
# the status as it is; the others follow the domain's transition table).
AGENCY_STEPS: dict[str, frozenset[DossierStatus]] = {
    "accept": frozenset({_S.FORWARDED}),
    "assign": frozenset({_S.FORWARDED, _S.PROCESSING}),
    "request_supplement": frozenset({_S.FORWARDED, _S.PROCESSING}),
    "refuse": frozenset({_S.FORWARDED, _S.PROCESSING}),
    "resolve": frozenset({_S.PROCESSING}),
    "apologize": frozenset({_S.FORWARDED, _S.PROCESSING, _S.RESOLVED}),
    "send_back": frozenset({_S.RESOLVED}),
}
STEP_VI = {
    "accept": "nhận giải quyết", "assign": "phân công", "request_supplement": "yêu cầu bổ sung",
    "refuse": "từ chối", "resolve": "ghi nhận có kết quả", "apologize": "xin lỗi và hẹn lại",
    "send_back": "chuyển kết quả về Bộ phận Một cửa",
}


def steps_allowed(status: DossierStatus) -> list[str]:
    return [step for step, statuses in AGENCY_STEPS.items() if status in statuses]


class StepNotAllowed(Conflict):
    """409 naming the steps the dossier's status allows now."""

    def __init__(self, step: str, status: DossierStatus, code: str) -> None:
        self.allowed = steps_allowed(status)
        now_vi = ", ".join(STEP_VI[s] for s in self.allowed) or "không còn bước nào"
        super().__init__(
            f"Không thể {STEP_VI[step]} hồ sơ {code} vì hồ sơ {views.STATUS_VI[status].lower()}. Có thể: {now_vi}.",
            f"Cannot {step.replace('_', ' ')} dossier {code} while it is {status.value.replace('_', ' ')}. "
            f"Allowed now: {', '.join(self.allowed) or 'nothing'}.",
            code=f"dossier_cannot_{step}_{status.value}")


@dataclass(frozen=True)
class ForwardDossier:
    code: str
    staff_id: int
    agency_code: str | None = None  # None: the agency mapped at reception
    note: str = ""


@dataclass(frozen=True)
class AgencyStep:
    code: str
    staff_id: int
    agency_id: int  # the caller's agency
    step: str
    note: str = ""
    items: list[dict[str, str]] = field(default_factory=list)  # request_supplement: what, reason
    reasons: list[str] = field(default_factory=list)  # refuse
    assignee: str | None = None  # assign: the officer's username
    new_due_date: date | None = None  # apologize
    files: list[tuple[StoredFile, str]] = field(default_factory=list)  # resolve: the digitized result


# ---- the center forwards --------------------------------------------------------------------
def forward_dossier(c: ForwardDossier, uow: UnitOfWork, rules: DossierRules, *, allowed_site: int | None) -> dict:
    with uow:
        dossier = load_dossier(uow, c.code, for_update=True)
        if allowed_site is not None and dossier.site_id != allowed_site:
            raise Forbidden("Hồ sơ này thuộc điểm phục vụ khác.", "This dossier belongs to another site.")
        if c.agency_code:
            agency = agency_by_code(uow.conn, c.agency_code)
            if not agency.active:
                raise Conflict(f"{agency.name_vi} không còn tiếp nhận hồ sơ.", f"{agency.code} is not active.",
                               code="agency_inactive")
        elif dossier.agency_id is not None:
            agency = agency_row(uow.conn, dossier.agency_id)
        else:
            raise Conflict("Chưa xác định được cơ quan giải quyết của hồ sơ này: hãy chọn cơ quan.",
                           "No processing agency is mapped for this dossier's procedure: choose one "
                           "(agency_code).", code="agency_required")
        forward_now(uow, dossier, agency, c.staff_id, rules, note=c.note)
        reply = views.dossier_reply(uow, dossier.id, rules)
        uow.commit()
        return reply


def forward_due(uow: UnitOfWork, rules: DossierRules, staff_id: int, *, site_id: int | None,
                agency_code: str | None = None) -> dict[str, Any]:
    """The courier run: forward every received dossier whose agency is known (of one site,
    or all sites; of one agency, or all), each in its own transaction. Returns the codes."""
    d = t.dossiers.c
    with uow:
        stmt = select(d.code).where(d.status == _S.RECEIVED.value, d.agency_id.is_not(None))
        if site_id is not None:
            stmt = stmt.where(d.site_id == site_id)
        if agency_code:
            stmt = stmt.where(d.agency_id == agency_by_code(uow.conn, agency_code).id)
        codes = list(uow.conn.execute(stmt.order_by(d.received_at, d.id)).scalars())
    done, skipped = [], []
    for code in codes:
        try:
            forward_dossier(ForwardDossier(code, staff_id), uow, rules, allowed_site=site_id)
            done.append(code)
        except Conflict:  # taken meanwhile (another clerk's run): nothing lost
            skipped.append(code)
    return {"forwarded": done, "skipped": skipped}


# ---- the agency's steps ---------------------------------------------------------------------
def take_step(c: AgencyStep, uow: UnitOfWork, rules: DossierRules) -> dict[str, Any]:
    if c.step not in AGENCY_STEPS:
        raise Invalid(f"Bước không hợp lệ: {c.step}.", f"Unknown step {c.step!r}; one of {', '.join(AGENCY_STEPS)}.")
    with uow:
        dossier = load_dossier(uow, c.code, for_update=True)
        if dossier.agency_id != c.agency_id:
            raise Forbidden("Hồ sơ này thuộc cơ quan giải quyết khác.", "This dossier belongs to another agency.")
        status = DossierStatus(dossier.status)
        if status not in AGENCY_STEPS[c.step]:
            raise StepNotAllowed(c.step, status, dossier.code)
        _STEPS[c.step](uow, dossier, c, rules)
        reply = views.dossier_reply(uow, dossier.id, rules)
        uow.commit()
        return reply


def _move(uow: UnitOfWork, dossier: Row, action: DossierAction, c: AgencyStep, *,
          values: dict[str, Any] | None = None, data: dict[str, Any] | None = None) -> DossierStatus:
    current = DossierStatus(dossier.status)
    new = next_dossier_status(action, current, dossier.code)
    uow.conn.execute(update(t.dossiers).where(t.dossiers.c.id == dossier.id)
                     .values(status=new.value, updated_at=uow.now, **(values or {})))
    _history(uow, dossier.id, action.value, current.value, new.value, c.staff_id, note=c.note, data=data)
    _emit_dossier(uow, EventType.DOSSIER_STATUS_CHANGED, dossier, c.staff_id,
                  {"action": action.value, "from_status": current.value, "status": new.value})
    return new


def _agency(uow: UnitOfWork, dossier: Row) -> Row:
    return agency_row(uow.conn, dossier.agency_id)


def _need_note(c: AgencyStep, why_vi: str, why_en: str) -> None:
    if not c.note.strip():
        raise Invalid(f"Hãy ghi rõ {why_vi}.", f"Give {why_en} in `note`.", code="reason_required")


def _handoff_to_officer(uow: UnitOfWork, dossier: Row, officer: Row, c: AgencyStep, rules: DossierRules) -> None:
    agency = _agency(uow, dossier)
    flow.record_handoff(uow, dossier, "assign", from_kind=flow.AGENCY, from_name=agency.name_vi,
                        from_staff_id=c.staff_id, to_kind=flow.OFFICER, to_name=officer.full_name,
                        to_staff_id=officer.id, deadline=flow.effective_due(dossier),
                        done_day=flow.local_day(uow.now, rules), note=c.note)
    uow.conn.execute(update(t.dossiers).where(t.dossiers.c.id == dossier.id).values(assigned_staff_id=officer.id))


def _officer(uow: UnitOfWork, agency_id: int, *, username: str | None = None, staff_id: int | None = None) -> Row:
    s = t.staff.c
    stmt = select(t.staff).where(s.agency_id == agency_id, s.role == Role.PROCESSOR.value, s.active)
    row = uow.conn.execute(stmt.where(s.username == username) if username else stmt.where(s.id == staff_id)).first()
    if row is None:
        raise NotFound(f"Cơ quan không có cán bộ {username or staff_id}.",
                       f"No active officer {username or staff_id} in this agency.", code="officer_not_found")
    return row


def _accept(uow: UnitOfWork, dossier: Row, c: AgencyStep, rules: DossierRules) -> None:
    _move(uow, dossier, DossierAction.ACCEPT, c)
    if dossier.assigned_staff_id is None:  # whoever accepts holds it until it is assigned
        _handoff_to_officer(uow, dossier, _officer(uow, c.agency_id, staff_id=c.staff_id), c, rules)


def _assign(uow: UnitOfWork, dossier: Row, c: AgencyStep, rules: DossierRules) -> None:
    if not c.assignee:
        raise Invalid("Hãy chọn cán bộ được phân công.", "Name the officer (`assignee`, a username).",
                      code="assignee_required")
    officer = _officer(uow, c.agency_id, username=c.assignee)
    _handoff_to_officer(uow, dossier, officer, c, rules)
    _history(uow, dossier.id, "assign", dossier.status, dossier.status, c.staff_id, note=c.note,
             data={"officer": officer.full_name, "officer_id": officer.id})


def _request_supplement(uow: UnitOfWork, dossier: Row, c: AgencyStep, rules: DossierRules) -> None:
    _need_note(c, "lý do yêu cầu bổ sung", "the reason")
    if not c.items:
        raise Invalid("Hãy liệt kê đầy đủ các nội dung cần bổ sung (hướng dẫn một lần).",
                      "List every missing item (`items`): the citizen is guided once.", code="items_required")
    flow.record_handoff(uow, dossier, "supplement", from_kind=flow.AGENCY, from_name=_agency(uow, dossier).name_vi,
                        from_staff_id=c.staff_id, to_kind=flow.CENTER,
                        to_name=flow.center_name(uow.conn, dossier.site_id), deadline=flow.effective_due(dossier),
                        done_day=flow.local_day(uow.now, rules), note=c.note)
    flow.milestone_once(uow, dossier, "supplement")
    _move(uow, dossier, DossierAction.REQUEST_SUPPLEMENT, c, values=flow.stop_clock(dossier, rules, uow.now),
          data={"items": [dict(i) for i in c.items], "by_agency": True})


def _refuse(uow: UnitOfWork, dossier: Row, c: AgencyStep, rules: DossierRules) -> None:
    reasons = [" ".join(r.split()) for r in c.reasons if r.strip()]
    if not reasons:
        raise Invalid("Hãy ghi rõ lý do từ chối.", "Give the reasons for refusing (`reasons`).",
                      code="reason_required")
    flow.record_handoff(uow, dossier, "refuse", from_kind=flow.AGENCY, from_name=_agency(uow, dossier).name_vi,
                        from_staff_id=c.staff_id, to_kind=flow.CENTER,
                        to_name=flow.center_name(uow.conn, dossier.site_id), deadline=flow.effective_due(dossier),
                        done_day=flow.local_day(uow.now, rules), note="; ".join(reasons))
    _move(uow, dossier, DossierAction.REFUSE, c,
          data={"reasons": reasons, "by_agency": True, **flow.settle(uow, dossier, rules, "refused")})


def _require_apology_if_late(uow: UnitOfWork, dossier: Row, rules: DossierRules) -> None:
    """Form 04 is required when the agency misses the due date: no late result without it."""
    due = dossier.due_date
    if due is not None and flow.local_day(uow.now, rules) > due and dossier.apologized_at is None:
        raise Conflict(
            f"Hồ sơ {dossier.code} đã quá hạn trả kết quả ({due:%d/%m/%Y}): cơ quan phải gửi văn bản xin lỗi "
            "và hẹn lại ngày trả (mẫu 04) trước.",
            f"Dossier {dossier.code} is past its due date ({due.isoformat()}): send the apology with a new "
            "date (form 04, step `apologize`) first.", code="apology_required")


def _resolve(uow: UnitOfWork, dossier: Row, c: AgencyStep, rules: DossierRules) -> None:
    if rules.result_requires_file and not c.files:
        raise Invalid("Hãy đính kèm bản số hóa của kết quả giải quyết.",
                      "Attach the digitized result (one file or more).", code="result_file_required")
    _require_apology_if_late(uow, dossier, rules)
    ids = link_files(uow, dossier.id, c.files, c.staff_id)
    _move(uow, dossier, DossierAction.RESOLVE, c, data={"result_files": ids})


def _send_back(uow: UnitOfWork, dossier: Row, c: AgencyStep, rules: DossierRules) -> None:
    _require_apology_if_late(uow, dossier, rules)
    flow.record_handoff(uow, dossier, "send_back", from_kind=flow.AGENCY, from_name=_agency(uow, dossier).name_vi,
                        from_staff_id=c.staff_id, to_kind=flow.CENTER,
                        to_name=flow.center_name(uow.conn, dossier.site_id), deadline=dossier.due_date,
                        done_day=flow.local_day(uow.now, rules), note=c.note)
    _move(uow, dossier, DossierAction.SEND_BACK, c, data=flow.settle(uow, dossier, rules, "result"))


def _apologize(uow: UnitOfWork, dossier: Row, c: AgencyStep, rules: DossierRules) -> None:
    _need_note(c, "lý do chậm trả kết quả", "the reason for the delay")
    new = c.new_due_date
    today = flow.local_day(uow.now, rules)
    received = flow.local_day(dossier.received_at, rules)
    if new is None:
        raise Invalid("Hãy hẹn lại ngày trả kết quả.", "Give the new date (`new_due_date`).",
                      code="new_due_date_required")
    current = flow.effective_due(dossier)
    if new < received or new < today or (current is not None and new <= current):
        raise Invalid(
            f"Ngày hẹn lại phải sau ngày hẹn hiện tại{f' ({current:%d/%m/%Y})' if current else ''}, "
            "không trước hôm nay và không trước ngày tiếp nhận.",
            f"The new date must come after the current due date{f' ({current.isoformat()})' if current else ''}, "
            "not before today and never before the dossier was received.", code="invalid_new_due_date")
    if not rules.calendar.is_working_day(new):
        raise Invalid(f"Ngày {new:%d/%m/%Y} là ngày nghỉ: hãy hẹn vào một ngày làm việc.",
                      f"{new.isoformat()} is a day off: choose a working day.", code="invalid_new_due_date")
    uow.conn.execute(update(t.dossiers).where(t.dossiers.c.id == dossier.id).values(
        new_due_date=new, apologized_at=dossier.apologized_at or uow.now, updated_at=uow.now))
    _history(uow, dossier.id, "apologize", dossier.status, dossier.status, c.staff_id, note=c.note,
             data={"new_due_date": new.isoformat(), "previous_due": current.isoformat() if current else None})
    _emit_dossier(uow, EventType.DOSSIER_STATUS_CHANGED, dossier, c.staff_id,
                  {"action": "apologize", "from_status": dossier.status, "status": dossier.status})


_STEPS = {"accept": _accept, "assign": _assign, "request_supplement": _request_supplement, "refuse": _refuse,
          "resolve": _resolve, "apologize": _apologize, "send_back": _send_back}
