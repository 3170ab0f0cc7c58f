"""After the counter: the center forwards a dossier to its processing agency, and the
agency's officers take their steps (accept, assign, ask for a supplement, refuse, have the
result, apologise for lateness with a new date, send the result back to the center).

Every step is one transaction, logged in dossier_events; every hand-off between parties
is also one dossier_handoffs row (from, to, when, on time or late). A processor acts only
on the dossiers of their own agency.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from queue_server.domain.dossier import DossierStatus
from queue_server.domain.dossier_commands import AgencyStep, ForwardDossier, ForwardDueDossiers
from queue_server.domain.dossier_record import Dossier
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.service_layer import dossier_flow as flow
from queue_server.service_layer import dossier_steps as steps
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer.agencies import agency_named
from queue_server.service_layer.dossiers import DossierRules
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import EventType

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


# ---- the center forwards --------------------------------------------------------------------
def forward_dossier(c: ForwardDossier, uow: UnitOfWork) -> int:
    """Returns the dossier's id (its reply is read after the commit)."""
    with uow:
        dossier = steps.load(uow, c.code)
        steps.check_site(dossier, c.allowed_site)
        if c.agency_code:
            agency = agency_named(uow.dossiers.agencies, c.agency_code)
            if not agency.active:
                raise Conflict(f"{agency.name_vi} không còn tiếp nhận hồ sơ.", f"{agency.code} is not active.",
                               code="agency_inactive")
        elif dossier.agency_id is not None:
            agency = uow.dossiers.agency(dossier.agency_id)
        else:
            raise Conflict("Chưa xác định được cơ quan giải quyết của hồ sơ này: hãy chọn cơ quan.",
                           "No processing agency is mapped for this dossier's procedure: choose one "
                           "(agency_code).", code="agency_required")
        steps.forward_now(uow, dossier, agency, c.staff_id, note=c.note)
        uow.commit()
        return dossier.id


def forward_due(c: ForwardDueDossiers, uow: UnitOfWork) -> dict[str, Any]:
    """The courier run: forward every received dossier whose agency is known, each in its
    own transaction. Returns the codes."""
    with uow:
        agency_id = agency_named(uow.dossiers.agencies, c.agency_code).id if c.agency_code else None
        codes = uow.dossiers.codes_to_forward(c.site_id, agency_id)
    done, skipped = [], []
    for code in codes:
        try:
            forward_dossier(ForwardDossier(code, c.staff_id, allowed_site=c.site_id), uow)
            done.append(code)
        except Conflict:  # taken meanwhile (another clerk's run): nothing lost
            skipped.append(code)
    return {"forwarded": done, "skipped": skipped}


# ---- the agency's steps ---------------------------------------------------------------------
def take_step(c: AgencyStep, uow: UnitOfWork) -> int:
    """Returns the dossier's id (its reply is read after the commit)."""
    if c.step not in AGENCY_STEPS:
        raise Invalid(f"Bước không hợp lệ: {c.step}.", f"Unknown step {c.step!r}; one of {', '.join(AGENCY_STEPS)}.")
    with uow:
        dossier = steps.load(uow, c.code)
        if dossier.agency_id != c.agency_id:
            raise Forbidden("Hồ sơ này thuộc cơ quan giải quyết khác.", "This dossier belongs to another agency.")
        status = dossier.current
        if status not in AGENCY_STEPS[c.step]:
            raise StepNotAllowed(c.step, status, dossier.code)
        _STEPS[c.step](uow, dossier, c, uow.policies.dossiers)
        uow.dossiers.save(dossier, uow.now)
        action = c.step
        if action != "assign":  # the site's stream hears of every step but an assignment
            steps.emit_dossier(uow, EventType.DOSSIER_STATUS_CHANGED, dossier, c.staff_id,
                              {"action": action, "from_status": status.value, "status": dossier.status})
        uow.commit()
        return dossier.id


def _agency(uow: UnitOfWork, dossier: Dossier) -> Row:
    return uow.dossiers.agency(dossier.agency_id)


def _need_note(c: AgencyStep, why_vi: str, why_en: str) -> None:
    if not c.note.strip():
        raise Invalid(f"Hãy ghi rõ {why_vi}.", f"Give {why_en} in `note`.", code="reason_required")


def _handoff_to_officer(uow: UnitOfWork, dossier: Dossier, officer: Row, c: AgencyStep, rules: DossierRules) -> None:
    agency = _agency(uow, dossier)
    flow.record_handoff(uow, dossier, "assign", from_kind=flow.AGENCY, from_name=agency.name_vi,
                        from_staff_id=c.staff_id, to_kind=flow.OFFICER, to_name=officer.full_name,
                        to_staff_id=officer.id, deadline=flow.effective_due(dossier),
                        done_day=flow.local_day(uow.now, rules), note=c.note)
    dossier.assign(officer.id)


def _officer(uow: UnitOfWork, agency_id: int, *, username: str | None = None, staff_id: int | None = None) -> Row:
    row = uow.dossiers.officer(agency_id, username=username, staff_id=staff_id)
    if row is None:
        raise NotFound(f"Cơ quan không có cán bộ {username or staff_id}.",
                       f"No active officer {username or staff_id} in this agency.", code="officer_not_found")
    return row


def _accept(uow: UnitOfWork, dossier: Dossier, c: AgencyStep, rules: DossierRules) -> None:
    dossier.accept(c.staff_id, at=uow.now, note=c.note)
    if dossier.assigned_staff_id is None:  # whoever accepts holds it until it is assigned
        _handoff_to_officer(uow, dossier, _officer(uow, c.agency_id, staff_id=c.staff_id), c, rules)


def _assign(uow: UnitOfWork, dossier: Dossier, c: AgencyStep, rules: DossierRules) -> None:
    if not c.assignee:
        raise Invalid("Hãy chọn cán bộ được phân công.", "Name the officer (`assignee`, a username).",
                      code="assignee_required")
    officer = _officer(uow, c.agency_id, username=c.assignee)
    _handoff_to_officer(uow, dossier, officer, c, rules)
    dossier.log("assign", c.staff_id, note=c.note, data={"officer": officer.full_name, "officer_id": officer.id})


def _request_supplement(uow: UnitOfWork, dossier: Dossier, c: AgencyStep, rules: DossierRules) -> None:
    _need_note(c, "lý do yêu cầu bổ sung", "the reason")
    if not c.items:
        raise Invalid("Hãy liệt kê đầy đủ các nội dung cần bổ sung (hướng dẫn một lần).",
                      "List every missing item (`items`): the citizen is guided once.", code="items_required")
    flow.record_handoff(uow, dossier, "supplement", from_kind=flow.AGENCY, from_name=_agency(uow, dossier).name_vi,
                        from_staff_id=c.staff_id, to_kind=flow.CENTER,
                        to_name=flow.center_name(uow, dossier), deadline=flow.effective_due(dossier),
                        done_day=flow.local_day(uow.now, rules), note=c.note)
    flow.milestone_once(uow, dossier, "supplement")
    dossier.request_supplement(c.staff_id, at=uow.now, note=c.note,
                               clock_days_left=flow.days_left(dossier, rules, uow.now),
                               data={"items": [dict(i) for i in c.items], "by_agency": True})


def _refuse(uow: UnitOfWork, dossier: Dossier, c: AgencyStep, rules: DossierRules) -> None:
    reasons = [" ".join(r.split()) for r in c.reasons if r.strip()]
    if not reasons:
        raise Invalid("Hãy ghi rõ lý do từ chối.", "Give the reasons for refusing (`reasons`).",
                      code="reason_required")
    flow.record_handoff(uow, dossier, "refuse", from_kind=flow.AGENCY, from_name=_agency(uow, dossier).name_vi,
                        from_staff_id=c.staff_id, to_kind=flow.CENTER,
                        to_name=flow.center_name(uow, dossier), deadline=flow.effective_due(dossier),
                        done_day=flow.local_day(uow.now, rules), note="; ".join(reasons))
    dossier.refuse(c.staff_id, at=uow.now, note=c.note,
                   data={"reasons": reasons, "by_agency": True, **flow.settle(uow, dossier, rules, "refused")})


def _require_apology_if_late(uow: UnitOfWork, dossier: Dossier, rules: DossierRules) -> None:
    """Form 04 is required when the agency misses the due date: no late result without it."""
    due = dossier.due_date
    if due is not None and flow.local_day(uow.now, rules) > due and dossier.apologized_at is None:
        raise Conflict(
            f"Hồ sơ {dossier.code} đã quá hạn trả kết quả ({due:%d/%m/%Y}): cơ quan phải gửi văn bản xin lỗi "
            "và hẹn lại ngày trả (mẫu 04) trước.",
            f"Dossier {dossier.code} is past its due date ({due.isoformat()}): send the apology with a new "
            "date (form 04, step `apologize`) first.", code="apology_required")


def _resolve(uow: UnitOfWork, dossier: Dossier, c: AgencyStep, rules: DossierRules) -> None:
    if rules.result_requires_file and not c.files:
        raise Invalid("Hãy đính kèm bản số hóa của kết quả giải quyết.",
                      "Attach the digitized result (one file or more).", code="result_file_required")
    _require_apology_if_late(uow, dossier, rules)
    ids = uow.dossiers.link_files(dossier.id, c.files, c.staff_id, uow.now)
    dossier.resolve(c.staff_id, at=uow.now, result_files=ids, note=c.note)


def _send_back(uow: UnitOfWork, dossier: Dossier, c: AgencyStep, rules: DossierRules) -> None:
    _require_apology_if_late(uow, dossier, rules)
    flow.record_handoff(uow, dossier, "send_back", from_kind=flow.AGENCY, from_name=_agency(uow, dossier).name_vi,
                        from_staff_id=c.staff_id, to_kind=flow.CENTER,
                        to_name=flow.center_name(uow, dossier), deadline=dossier.due_date,
                        done_day=flow.local_day(uow.now, rules), note=c.note)
    dossier.send_back(c.staff_id, at=uow.now, note=c.note, data=flow.settle(uow, dossier, rules, "result"))


def _apologize(uow: UnitOfWork, dossier: Dossier, c: AgencyStep, rules: DossierRules) -> None:
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
    dossier.apologize(c.staff_id, at=uow.now, new_due_date=new, note=c.note)


_STEPS = {"accept": _accept, "assign": _assign, "request_supplement": _request_supplement, "refuse": _refuse,
          "resolve": _resolve, "apologize": _apologize, "send_back": _send_back}
