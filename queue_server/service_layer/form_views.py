"""The data of the forms after the counter, read from a dossier's log: refusal (03),
apology (04), stop notice (05), control slip (06) and tracking book (07)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.orm import aliased

from queue_server.adapters import tables as t
from queue_server.documents import (
    ApologyData,
    BookLine,
    ControlSlipData,
    HandoffLine,
    RefusalData,
    StopNoticeData,
    TrackingBookData,
)
from queue_server.domain.business_day import day_bounds_utc
from queue_server.domain.dossier import DossierStatus
from queue_server.domain.errors import Conflict, Invalid
from queue_server.domain.legal_clock import TIMELINESS_VI, Timeliness
from queue_server.service_layer.dossier_stop import GROUND_VI, WITHDRAWAL_BASIS
from queue_server.service_layer.dossier_views import _dossier_row, load_dossier
from queue_server.service_layer.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from queue_server.service_layer.dossiers import DossierRules

BOOK_MAX_DAYS = 366


def _last_event(conn: Connection, dossier_id: int, action: str) -> Row | None:
    e = t.dossier_events.c
    return conn.execute(
        select(t.dossier_events, t.staff.c.full_name.label("staff_name"))
        .outerjoin(t.staff, t.staff.c.id == e.staff_id)
        .where(e.dossier_id == dossier_id, e.action == action).order_by(e.at.desc(), e.id.desc())
    ).first()


def _agency(conn: Connection, agency_id: int | None) -> Row | None:
    if agency_id is None:
        return None
    return conn.execute(select(t.agencies).where(t.agencies.c.id == agency_id)).one()


def _closing(uow: UnitOfWork, code: str, action: str, status: DossierStatus, why_vi: str, why_en: str,
             error_code: str) -> tuple[Row, Row]:
    """A dossier closed by `action` (refused, stopped) and that step's log row, or 409."""
    dossier = load_dossier(uow, code)
    event = _last_event(uow.conn, dossier.id, action)
    if DossierStatus(dossier.status) is not status or event is None:
        raise Conflict(f"Hồ sơ {dossier.code} {why_vi}.", f"Dossier {dossier.code} {why_en}.", code=error_code)
    return dossier, event


def _notice_fields(uow: UnitOfWork, dossier: Row, event: Row, rules: DossierRules) -> dict[str, Any]:
    """What a notice to the citizen takes from the dossier and the step: who issues it (the
    agency when it took the step, else the center), the applicant, the officer, the moments."""
    r = _dossier_row(uow.conn, dossier.id)
    by_agency = bool((event.data or {}).get("by_agency"))
    agency = _agency(uow.conn, dossier.agency_id) if by_agency else None
    return dict(
        unit_name=agency.name_vi if agency else r.site_name_vi,
        governing_body=(agency.governing_body if agency else "") or rules.governing_body,
        place_name=rules.place_name, dossier_code=r.code, applicant_name=r.applicant_name,
        address=r.applicant_address, phone=r.applicant_phone, email=r.applicant_email,
        procedure_name=r.procedure_name_vi, officer_name=event.staff_name or "", received_at=r.received_at,
        issued_at=event.at, signer_title="NGƯỜI XỬ LÝ HỒ SƠ" if by_agency else "NGƯỜI TIẾP NHẬN HỒ SƠ",
        tz=str(rules.tz))


def refusal_data(uow: UnitOfWork, code: str, rules: DossierRules) -> RefusalData:
    dossier, event = _closing(uow, code, "refuse", DossierStatus.REFUSED, "không bị từ chối: không có phiếu từ chối",
                              "was not refused: there is no refusal form", "not_refused")
    return RefusalData(**_notice_fields(uow, dossier, event, rules),
                       reasons=list(event.data.get("reasons") or [event.note]))


def stop_notice_data(uow: UnitOfWork, code: str, rules: DossierRules) -> StopNoticeData:
    dossier, event = _closing(uow, code, "stop", DossierStatus.STOPPED,
                              "không bị dừng giải quyết: không có thông báo dừng",
                              "was not stopped: there is no stop notice", "not_stopped")
    data = event.data or {}
    fields = _notice_fields(uow, dossier, event, rules)
    return StopNoticeData(**{**fields, "unit_name": data.get("unit") or fields["unit_name"]},
                          receiving_unit=_dossier_row(uow.conn, dossier.id).site_name_vi,
                          ground=GROUND_VI.get(data.get("ground", ""), ""), reason=data.get("reason") or event.note,
                          legal_basis=data.get("legal_basis") or WITHDRAWAL_BASIS)


def apology_data(uow: UnitOfWork, code: str, rules: DossierRules) -> ApologyData:
    dossier = load_dossier(uow, code)
    event = _last_event(uow.conn, dossier.id, "apologize")
    if event is None:
        raise Conflict(f"Hồ sơ {dossier.code} chưa có văn bản xin lỗi.",
                       f"No apology was issued for dossier {dossier.code}.", code="no_apology")
    r = _dossier_row(uow.conn, dossier.id)
    agency = _agency(uow.conn, dossier.agency_id)
    head = uow.conn.execute(select(t.staff.c.full_name).where(
        t.staff.c.agency_id == dossier.agency_id, t.staff.c.agency_head, t.staff.c.active)
        .order_by(t.staff.c.id)).scalar() if agency else None
    previous = event.data.get("previous_due")
    return ApologyData(
        agency_name=agency.name_vi if agency else r.site_name_vi, receiving_unit=r.site_name_vi,
        governing_body=(agency.governing_body if agency else "") or rules.governing_body,
        place_name=rules.place_name, dossier_code=r.code, applicant_name=r.applicant_name,
        address=r.applicant_address, procedure_name=r.procedure_name_vi, received_at=r.received_at,
        due=date.fromisoformat(previous) if previous else r.due_date,
        new_due=date.fromisoformat(event.data["new_due_date"]), reason=event.note, issued_at=event.at,
        head_name=head or "", lookup_url=rules.lookup_url(r.code), tz=str(rules.tz))


def control_slip_data(uow: UnitOfWork, code: str, rules: DossierRules) -> ControlSlipData:
    dossier = load_dossier(uow, code)
    r = _dossier_row(uow.conn, dossier.id)
    h = t.dossier_handoffs.c
    giver, taker = aliased(t.staff), aliased(t.staff)
    rows = uow.conn.execute(
        select(t.dossier_handoffs, giver.c.full_name.label("giver"), taker.c.full_name.label("taker"))
        .outerjoin(giver, giver.c.id == h.from_staff_id).outerjoin(taker, taker.c.id == h.to_staff_id)
        .where(h.dossier_id == dossier.id).order_by(h.at, h.id)).all()
    def who(name: str, person: str | None) -> str:
        return f"{name} ({person})" if person and person != name else name

    lines = [HandoffLine(who(x.from_name, x.giver), who(x.to_name, x.taker), x.at,
                         TIMELINESS_VI[Timeliness(x.timeliness)] if x.timeliness else "", x.note) for x in rows]
    agency = _agency(uow.conn, dossier.agency_id)
    return ControlSlipData(
        unit_name=r.site_name_vi, governing_body=rules.governing_body, place_name=rules.place_name,
        dossier_code=r.code, applicant_name=r.applicant_name, procedure_name=r.procedure_name_vi,
        agency_name=agency.name_vi if agency else "", received_at=r.received_at, due=r.due_date,
        new_due=r.new_due_date, handoffs=lines, lookup_url=rules.lookup_url(r.code), issued_at=uow.now,
        tz=str(rules.tz))


def tracking_book_data(uow: UnitOfWork, rules: DossierRules, *, start: date, end: date, site_id: int | None,
                       agency_id: int | None) -> TrackingBookData:
    """One line per dossier received in [start, end] at the site, or settled by the agency."""
    if end < start or (end - start).days >= BOOK_MAX_DAYS:
        raise Invalid(f"Khoảng thời gian phải từ 1 đến {BOOK_MAX_DAYS} ngày, ngày đầu trước ngày cuối.",
                      f"The period must run forwards, {BOOK_MAX_DAYS} days at most.", code="invalid_period")
    if (site_id is None) == (agency_id is None):
        raise Invalid("Hãy chọn một điểm phục vụ hoặc một cơ quan giải quyết.", "Give a site or an agency.",
                      code="book_owner_required")
    conn, d, e = uow.conn, t.dossiers.c, t.dossier_events.c
    owner = d.site_id == site_id if site_id is not None else d.agency_id == agency_id
    lo, _ = day_bounds_utc(start, rules.tz, rules.rollover)
    _, hi = day_bounds_utc(end, rules.tz, rules.rollover)

    def first(action: str):  # noqa: ANN202
        return (select(func.min(e.at)).where(e.dossier_id == d.id, e.action.in_(action.split("|")))
                .correlate(t.dossiers).scalar_subquery())

    rows = conn.execute(
        select(t.dossiers, t.procedures.c.name_vi.label("procedure_name_vi"),
               t.agencies.c.name_vi.label("agency_name_vi"),
               first("forward").label("forwarded"), first("send_back|mark_ready").label("result_back"),
               first("return_result").label("returned"), first("apologize").label("apologized"))
        .join(t.procedures, t.procedures.c.id == d.procedure_id)
        .outerjoin(t.agencies, t.agencies.c.id == d.agency_id)
        .where(owner, d.received_at >= lo, d.received_at < hi).order_by(d.received_at, d.id)
    ).all()

    def local(moment) -> date | None:  # noqa: ANN001
        return moment.astimezone(rules.tz).date() if moment else None

    lines = [BookLine(
        dossier_code=r.code, procedure_name=r.procedure_name_vi, sets=1, applicant_name=r.applicant_name,
        address_phone=" · ".join(x for x in (r.applicant_address, r.applicant_phone) if x),
        agency_name=r.agency_name_vi or "", received=local(r.received_at), due=r.new_due_date or r.due_date,
        forwarded=local(_aware(r.forwarded)), result_back=local(_aware(r.result_back)),
        returned=local(_aware(r.returned)), note=_book_note(r)) for r in rows]
    owner_name = (conn.execute(select(t.sites.c.name_vi).where(t.sites.c.id == site_id)).scalar_one()
                  if site_id is not None else
                  conn.execute(select(t.agencies.c.name_vi).where(t.agencies.c.id == agency_id)).scalar_one())
    return TrackingBookData(unit_name=owner_name, governing_body=rules.governing_body, place_name=rules.place_name,
                            start=start, end=end, lines=lines, issued_at=uow.now, tz=str(rules.tz))


def _aware(moment: Any):  # noqa: ANN202, ANN401
    """Aggregates come back without the column type's conversion on SQLite: make them aware UTC."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _book_note(r: Row) -> str:
    notes = []
    if r.status == DossierStatus.REFUSED.value:
        notes.append("Từ chối giải quyết")
    if r.status == DossierStatus.STOPPED.value:
        notes.append("Dừng giải quyết")
    if r.apologized:
        notes.append(f"Quá hạn, đã xin lỗi, hẹn lại {r.new_due_date:%d/%m/%Y}" if r.new_due_date else "Đã xin lỗi")
    if r.status == DossierStatus.SUPPLEMENT_REQUESTED.value:
        notes.append("Chờ bổ sung")
    return "; ".join(notes)
