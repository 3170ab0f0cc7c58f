"""Reads after the counter: a dossier's legal clock, its hand-offs, and the agency inbox."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, and_, case, func, select
from sqlalchemy.orm import aliased

from queue_server.adapters import tables as t
from queue_server.domain.dossier import CLOCK_RUNNING, DossierStatus
from queue_server.domain.legal_clock import (
    TIMELINESS_EN,
    TIMELINESS_VI,
    Timeliness,
    working_days_left,
)
from queue_server.service_layer.dossier_flow import effective_due, local_day
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.dossier_protocol import STATUS_EN, STATUS_VI
from shared.enums import Role

if TYPE_CHECKING:
    from queue_server.service_layer.dossiers import DossierRules

_S = DossierStatus
OPEN_AT_AGENCY = (_S.FORWARDED, _S.PROCESSING, _S.RESOLVED, _S.SUPPLEMENT_REQUESTED)
SETTLED = (_S.READY, _S.RETURNED, _S.REFUSED, _S.STOPPED)
RUNNING_VALUES = [s.value for s in CLOCK_RUNNING]


def clock(row: Row, rules: DossierRules, today: date) -> dict[str, Any]:
    """The legal clock as the inbox shows it: working days left to the day now expected
    (the apology's date over the slip's), stopped while the citizen completes the dossier,
    late once past the slip's date or once an apology was sent (form 04)."""
    status = DossierStatus(row.status)
    due = effective_due(row)
    running = status in CLOCK_RUNNING
    days_left = working_days_left(rules.calendar, today, due) if running and due is not None else None
    past_slip = running and row.due_date is not None and today > row.due_date
    return {
        "due_date": row.due_date, "new_due_date": row.new_due_date, "effective_due": due,
        "days_left": days_left, "clock_stopped": status is _S.SUPPLEMENT_REQUESTED,
        "stopped_days_left": row.clock_days_left if status is _S.SUPPLEMENT_REQUESTED else None,
        "overdue": days_left is not None and days_left < 0,
        "late": row.apologized_at is not None or past_slip,
        "apologized": row.apologized_at is not None,
    }


def handoffs(conn: Connection, dossier_id: int) -> list[dict[str, Any]]:
    h = t.dossier_handoffs.c
    rows = conn.execute(select(t.dossier_handoffs).where(h.dossier_id == dossier_id).order_by(h.at, h.id)).all()
    return [{"at": r.at, "kind": r.kind, "from_kind": r.from_kind, "from_name": r.from_name,
             "to_kind": r.to_kind, "to_name": r.to_name, "deadline": r.deadline, "timeliness": r.timeliness,
             "timeliness_vi": TIMELINESS_VI[Timeliness(r.timeliness)] if r.timeliness else "",
             "timeliness_en": TIMELINESS_EN[Timeliness(r.timeliness)] if r.timeliness else "",
             "note": r.note} for r in rows]


def after_counter(conn: Connection, row: Row, rules: DossierRules, today: date) -> dict[str, Any]:
    """What a dossier reply adds about its agency, officer, clock and hand-offs."""
    agency = conn.execute(select(t.agencies.c.code, t.agencies.c.name_vi).where(
        t.agencies.c.id == row.agency_id)).first() if row.agency_id else None
    officer = conn.execute(select(t.staff.c.username, t.staff.c.full_name).where(
        t.staff.c.id == row.assigned_staff_id)).first() if row.assigned_staff_id else None
    return {
        "processing_agency_code": agency.code if agency else None,
        "processing_agency_name_vi": agency.name_vi if agency else None,
        "assigned_username": officer.username if officer else None,
        "assigned_name": officer.full_name if officer else None,
        "forward_deadline": row.forward_deadline, "forwarded_at": row.forwarded_at,
        "clock": clock(row, rules, today), "handoffs": handoffs(conn, row.id),
    }


def officers(conn: Connection, agency_id: int) -> list[dict[str, Any]]:
    s = t.staff.c
    rows = conn.execute(select(s.id, s.username, s.full_name, s.agency_head).where(
        s.agency_id == agency_id, s.role == Role.PROCESSOR.value, s.active).order_by(s.full_name)).all()
    return [{"id": r.id, "username": r.username, "full_name": r.full_name, "head": r.agency_head} for r in rows]


# ---- the inbox -----------------------------------------------------------------------------
INBOX_VIEWS = ("open", "mine", "overdue", "due_soon", "supplement", "done")


def _due_expr():  # noqa: ANN202
    d = t.dossiers.c
    return func.coalesce(d.new_due_date, d.due_date)


def inbox(uow: UnitOfWork, rules: DossierRules, *, agency_id: int, staff_id: int, view: str = "open",
          limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """An agency's dossiers, those closest to their due day first (no due day last).
    Views: open (all it still holds), mine (held by the caller), overdue, due_soon (due
    today or tomorrow), supplement (waiting for the citizen), done (settled, newest first)."""
    d = t.dossiers.c
    today = local_day(uow.now, rules)
    due = _due_expr()
    conds = [d.agency_id == agency_id]
    running = d.status.in_(RUNNING_VALUES)
    if view == "done":
        conds.append(d.status.in_([s.value for s in SETTLED]))
    elif view == "supplement":
        conds.append(d.status == _S.SUPPLEMENT_REQUESTED.value)
    else:
        conds.append(d.status.in_([s.value for s in OPEN_AT_AGENCY]))
    if view == "mine":
        conds.append(d.assigned_staff_id == staff_id)
    if view == "overdue":
        conds.append(and_(running, due < today))
    if view == "due_soon":
        conds.append(and_(running, due >= today, due <= rules.calendar.next_working_day(today)))
    order = [d.updated_at.desc(), d.id.desc()] if view == "done" else [due.is_(None), due, d.received_at, d.id]
    return page_of(uow, rules, conds, order, limit, offset, today)


def page_of(uow: UnitOfWork, rules: DossierRules, conds: list, order: list, limit: int, offset: int,
          today: date) -> dict[str, Any]:
    conn, d = uow.conn, t.dossiers.c
    officer = aliased(t.staff)
    total = conn.execute(select(func.count()).select_from(t.dossiers).where(*conds)).scalar_one()
    rows = conn.execute(
        select(t.dossiers, t.procedures.c.code.label("procedure_code"),
               t.procedures.c.name_vi.label("procedure_name_vi"), t.sites.c.code.label("site_code"),
               t.agencies.c.name_vi.label("agency_name_vi"), officer.c.full_name.label("assigned_name"))
        .join(t.procedures, t.procedures.c.id == d.procedure_id)
        .join(t.sites, t.sites.c.id == d.site_id)
        .outerjoin(t.agencies, t.agencies.c.id == d.agency_id)
        .outerjoin(officer, officer.c.id == d.assigned_staff_id)
        .where(*conds).order_by(*order).limit(limit).offset(offset)
    ).all()
    return {"total": total, "items": [summary(r, rules, today) for r in rows]}


def summary(r: Row, rules: DossierRules, today: date) -> dict[str, Any]:
    status = DossierStatus(r.status)
    return {"code": r.code, "status": status.value, "status_vi": STATUS_VI[status], "status_en": STATUS_EN[status],
            "procedure_code": r.procedure_code, "procedure_name_vi": r.procedure_name_vi, "site_code": r.site_code,
            "agency_name_vi": r.agency_name_vi, "applicant_name": r.applicant_name, "received_at": r.received_at,
            "forwarded_at": r.forwarded_at, "assigned_name": r.assigned_name, **clock(r, rules, today)}


def inbox_counts(uow: UnitOfWork, rules: DossierRules, *, agency_id: int, staff_id: int) -> dict[str, int]:
    """The numbers on the inbox's tabs, in one pass over the agency's open dossiers."""
    d = t.dossiers.c
    today = local_day(uow.now, rules)
    tomorrow = rules.calendar.next_working_day(today)
    due = _due_expr()
    running = d.status.in_(RUNNING_VALUES)

    def count(cond) -> Any:  # noqa: ANN001
        return func.sum(case((cond, 1), else_=0))

    row = uow.conn.execute(select(
        func.count(),
        count(d.assigned_staff_id == staff_id),
        count(and_(running, due < today)),
        count(and_(running, due >= today, due <= tomorrow)),
        count(d.status == _S.SUPPLEMENT_REQUESTED.value),
        count(d.status == _S.FORWARDED.value),
        count(d.status == _S.RESOLVED.value),
    ).where(d.agency_id == agency_id, d.status.in_([s.value for s in OPEN_AT_AGENCY]))).one()
    keys = ("open", "mine", "overdue", "due_soon", "supplement", "incoming", "to_send_back")
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


def due_lists(uow: UnitOfWork, rules: DossierRules, *, agency_id: int | None = None,
              limit: int = 200) -> dict[str, Any]:
    """Overdue, due today and due tomorrow (next working day), with the officer holding
    each: the control room's and the notices' lists."""
    d = t.dossiers.c
    today = local_day(uow.now, rules)
    tomorrow = rules.calendar.next_working_day(today)
    due = _due_expr()
    base = [d.status.in_(RUNNING_VALUES), due.is_not(None)]
    if agency_id is not None:
        base.append(d.agency_id == agency_id)
    order = [due, d.received_at, d.id]
    return {
        "today": today, "tomorrow": tomorrow,
        "overdue": page_of(uow, rules, [*base, due < today], order, limit, 0, today),
        "due_today": page_of(uow, rules, [*base, due == today], order, limit, 0, today),
        "due_tomorrow": page_of(uow, rules, [*base, due > today, due <= tomorrow], order, limit, 0, today),
    }
