"""Read models for screens: snapshots, estimates, nearby sites, catalog search.

They query directly (no domain objects) and run in one read transaction, so a snapshot's
`seq` matches exactly the state it shows.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.catalog_data.names import field_en
from queue_server.domain.business_day import business_day, day_bounds_utc
from queue_server.domain.errors import NotFound
from queue_server.domain.geo import distance_km, sooner_elsewhere, travel_minutes
from queue_server.service_layer.menu_scope import Scope, site_scope
from queue_server.service_layer.ticket_views import ticket_reply
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.service_layer.wait_estimates import LineWaits, SiteDesks, wait_out
from shared.enums import PriorityClass, TicketStatus
from shared.textfold import fold


def site_out(row) -> dict[str, Any]:  # noqa: ANN001
    return {k: getattr(row, k) for k in (
        "id", "code", "name_vi", "name_en", "kind", "address", "latitude", "longitude", "opening_hours", "notice")}


def list_sites(conn: Connection) -> list[dict[str, Any]]:
    return [site_out(r) for r in conn.execute(select(t.sites).order_by(t.sites.c.id)).all()]


def get_site(conn: Connection, code: str):  # noqa: ANN201
    site = repo.site_by_code(conn, code)
    if site is None:
        raise NotFound(f"Không tìm thấy điểm phục vụ {code}.", f"Site {code} not found.")
    return site


def site_services(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.services)
        .join(t.site_services, t.site_services.c.service_id == t.services.c.id)
        .where(t.site_services.c.site_id == site_id)
        .order_by(t.services.c.code)
    ).all()
    return [{k: getattr(r, k) for k in ("id", "code", "name_vi", "name_en", "prefix", "kind")} for r in rows]


def _counters(uow: UnitOfWork, site_id: int, counter_id: int | None = None) -> list[dict[str, Any]]:
    conn = uow.conn
    stmt = (
        select(t.counters, t.staff.c.full_name.label("staff_name"))
        .outerjoin(t.staff, t.staff.c.id == t.counters.c.staff_id)
        .where(t.counters.c.site_id == site_id)
        .order_by(t.counters.c.number)
    )
    if counter_id is not None:
        stmt = stmt.where(t.counters.c.id == counter_id)
    rows = conn.execute(stmt).all()
    links = conn.execute(
        select(t.counter_services.c.counter_id, t.counter_services.c.service_id, t.counter_services.c.weight,
               t.services.c.code)
        .join(t.services, t.services.c.id == t.counter_services.c.service_id)
        .join(t.counters, t.counters.c.id == t.counter_services.c.counter_id)
        .where(t.counters.c.site_id == site_id)
        .order_by(t.services.c.code)
    ).all()
    out = []
    for r in rows:
        out.append({
            "id": r.id, "site_id": r.site_id, "number": r.number, "name": r.name, "state": r.state,
            "pause_reason": r.pause_reason, "staff_id": r.staff_id, "staff_name": r.staff_name,
            "services": [{"service_id": x.service_id, "service_code": x.code, "weight": x.weight}
                         for x in links if x.counter_id == r.id],
            "current_ticket": ticket_reply(uow, r.current_ticket_id) if r.current_ticket_id else None,
        })
    return out


def _queues(uow: UnitOfWork, site_id: int, only: set[int] | None = None) -> list[dict[str, Any]]:
    conn = uow.conn
    c = t.tickets.c
    counts = {
        r.service_id: r
        for r in conn.execute(
            select(
                c.service_id,
                func.count().label("waiting"),
                func.sum(case((c.priority != PriorityClass.NORMAL.value, 1), else_=0)).label("priority_waiting"),
                func.min(c.arrived_at).label("oldest"),
            )
            .where(c.site_id == site_id, t.TICKET_IS_WAITING)
            .group_by(c.service_id)
        ).all()
    }
    out = []
    # The averages, counters and open desks of every line in one statement (not per line).
    lines = LineWaits(conn, site_id)
    for service in site_services(conn, site_id):
        sid = service["id"]
        if only is not None and sid not in only:
            continue
        row = counts.get(sid)
        waiting = row.waiting if row else 0
        oldest = row.oldest if row else None
        estimate, figure = lines.estimate(sid, waiting)
        out.append({
            "service_id": sid, "service_code": service["code"], "service_name_vi": service["name_vi"],
            "service_name_en": service["name_en"], "waiting": waiting,
            "priority_waiting": int(row.priority_waiting or 0) if row else 0,
            "longest_wait_seconds": int((uow.now - oldest).total_seconds()) if oldest else 0,
            "estimated_wait_minutes": estimate.minutes, "wait": wait_out(figure),
        })
    return out


def _recent_calls(conn: Connection, site_id: int, limit: int = 10) -> list[dict[str, Any]]:
    c = t.tickets.c
    rows = conn.execute(
        select(c.id, c.label, c.counter_id, c.service_id, c.called_at, c.recall_count, t.counters.c.number)
        .join(t.counters, t.counters.c.id == c.counter_id)
        .where(c.site_id == site_id, c.called_at.is_not(None),
               c.status.in_([TicketStatus.CALLED.value, TicketStatus.SERVING.value, TicketStatus.DONE.value,
                             TicketStatus.HELD.value]))
        .order_by(c.called_at.desc(), c.id.desc())
        .limit(limit)
    ).all()
    return [{"ticket_id": r.id, "label": r.label, "counter_id": r.counter_id, "counter_number": r.number,
             "service_id": r.service_id, "called_at": r.called_at, "recall_count": r.recall_count} for r in rows]


def _seq(conn: Connection, site_id: int) -> int:
    return conn.execute(select(t.sites.c.event_seq).where(t.sites.c.id == site_id)).scalar_one()


def site_snapshot(uow: UnitOfWork, site_id: int) -> dict[str, Any]:
    with uow:
        site = repo.site_by_id(uow.conn, site_id)
        if site is None:
            raise NotFound(f"Không tìm thấy điểm phục vụ {site_id}.", f"Site {site_id} not found.")
        return {
            "seq": site.event_seq, "taken_at": uow.now, "site": site_out(site),
            "counters": _counters(uow, site_id), "queues": _queues(uow, site_id),
            "recent_calls": _recent_calls(uow.conn, site_id),
        }


def counter_snapshot(uow: UnitOfWork, counter_id: int) -> dict[str, Any]:
    with uow:
        conn = uow.conn
        row = conn.execute(select(t.counters).where(t.counters.c.id == counter_id)).first()
        if row is None:
            raise NotFound(f"Không tìm thấy quầy {counter_id}.", f"Counter {counter_id} not found.")
        counter = _counters(uow, row.site_id, counter_id)[0]
        served = {s["service_id"] for s in counter["services"]}
        c = t.tickets.c
        waiting = conn.execute(
            select(c.id, c.label, c.service_id, c.priority, c.arrived_at, c.target_counter_id)
            .where(c.site_id == row.site_id, t.TICKET_IS_WAITING,
                   or_(c.service_id.in_(served), c.target_counter_id == counter_id))
            .order_by(c.rank.desc(), c.arrived_at, c.id)
            .limit(50)
        ).all()
        start, end = day_bounds_utc(business_day(uow.now, uow.rules.tz, uow.rules.rollover), uow.rules.tz,
                                    uow.rules.rollover)
        today = and_(c.counter_id == counter_id, c.finished_at >= start, c.finished_at < end)
        figures = conn.execute(
            select(
                func.sum(case((c.status == TicketStatus.DONE.value, 1), else_=0)),
                func.sum(case((c.status == TicketStatus.NO_SHOW.value, 1), else_=0)),
            ).where(today)
        ).one()
        done_rows = conn.execute(
            select(c.first_called_at, c.finished_at).where(today, c.status == TicketStatus.DONE.value)
        ).all()
        durations = [(r.finished_at - r.first_called_at).total_seconds() for r in done_rows if r.first_called_at]
        held = conn.execute(
            select(c.id).where(c.counter_id == counter_id, c.status == TicketStatus.HELD.value).order_by(c.id)
        ).scalars().all()
        return {
            "seq": _seq(conn, row.site_id), "taken_at": uow.now, "counter": counter,
            "held_tickets": [ticket_reply(uow, tid) for tid in held],
            "queues": _queues(uow, row.site_id, served),
            "waiting": [{"id": w.id, "label": w.label, "service_id": w.service_id, "priority": w.priority,
                         "arrived_at": w.arrived_at, "wait_seconds": int((uow.now - w.arrived_at).total_seconds()),
                         "target_counter_id": w.target_counter_id} for w in waiting],
            "figures": {"served_today": int(figures[0] or 0), "no_show_today": int(figures[1] or 0),
                        "average_service_seconds": int(sum(durations) / len(durations)) if durations else None},
        }


def public_ticket(uow: UnitOfWork, token: str) -> dict[str, Any]:
    with uow:
        conn = uow.conn
        tid = conn.execute(select(t.tickets.c.id).where(t.tickets.c.tracking_token == token)).scalar()
        if tid is None:
            raise NotFound("Không tìm thấy phiếu số thứ tự. Hãy kiểm tra lại mã QR.", "Ticket not found. Check the QR code.")
        reply = ticket_reply(uow, tid)
        site = repo.site_by_id(conn, reply["site_id"])
        return {
            "label": reply["label"], "status": reply["status"], "site_code": site.code,
            "site_name_vi": site.name_vi, "site_name_en": site.name_en, "site_address": site.address,
            "service_name_vi": reply["service_name_vi"], "service_name_en": reply["service_name_en"],
            "counter_number": reply["counter_number"] if reply["status"] in ("called", "serving", "held") else None,
            "people_ahead": reply.get("people_ahead"), "estimated_wait_minutes": reply.get("estimated_wait_minutes"),
            "wait": reply["wait"],
            "issued_at": reply["issued_at"], "called_at": reply["called_at"],
        }


def _estimate(uow: UnitOfWork, site, service_id: int) -> dict[str, Any]:  # noqa: ANN001
    waiting = repo.waiting_count(uow.conn, site.id, service_id)
    average, _ = repo.handling_average(uow.conn, site.id, service_id)
    open_count, configured = repo.counters_serving(uow.conn, site.id, service_id)
    estimate, figure = SiteDesks(uow.conn, site.id).estimate(service_id, waiting, average, open_count, configured)
    return {"site_code": site.code, "service_id": service_id, "people_waiting": waiting,
            "estimated_wait_minutes": estimate.minutes, "serving_counters": open_count or configured,
            "wait": wait_out(figure)}


def other_site(site, km: float, service_id: int, estimate: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN001
    """The fields of `OtherSiteOut`: another site serving a procedure, how far it is and
    how long its line is (`estimate` from `_estimate`)."""
    return {"site_code": site.code, "site_name_vi": site.name_vi, "site_name_en": site.name_en or site.name_vi,
            "address": site.address, "distance_km": round(km, 1), "travel_minutes": travel_minutes(km),
            "service_id": service_id, "people_waiting": estimate["people_waiting"],
            "estimated_wait_minutes": estimate["estimated_wait_minutes"]}


def nearby(uow: UnitOfWork, site_code: str, procedure_code: str, max_km: float, margin: int) -> dict[str, Any]:
    """Other sites that receive this procedure, nearest first, with their expected wait
    and whether going there is clearly sooner (travel included)."""
    with uow:
        conn = uow.conn
        here = get_site(conn, site_code)
        procedure = repo.procedure_by_code(conn, procedure_code)
        if procedure is None:
            raise NotFound(f"Không tìm thấy thủ tục {procedure_code}.", f"Procedure {procedure_code} not found.")
        here_service = site_scope(uow, here.id, here.code).lines.get(procedure.id)
        here_est = _estimate(uow, here, here_service) if here_service else None
        out = []
        for site in conn.execute(select(t.sites).where(t.sites.c.id != here.id)).all():
            service_id = site_scope(uow, site.id, site.code).lines.get(procedure.id)
            if service_id is None:
                continue
            km = distance_km(here.latitude, here.longitude, site.latitude, site.longitude)
            if km > max_km:
                continue
            est = _estimate(uow, site, service_id)
            travel = travel_minutes(km)
            out.append({
                **other_site(site, km, service_id, est), "wait": est["wait"],
                "sooner": sooner_elsewhere(here_est["estimated_wait_minutes"] if here_est else None,
                                           est["estimated_wait_minutes"], travel, margin),
            })
        out.sort(key=lambda s: s["distance_km"])
        return {"here": here_est, "sites": out}


def estimate_for(uow: UnitOfWork, site_code: str, service_id: int) -> dict[str, Any]:
    with uow:
        site = get_site(uow.conn, site_code)
        if not repo.site_offers(uow.conn, site.id, service_id):
            raise NotFound("Điểm phục vụ này không có dịch vụ đó.", "This site does not offer that service.")
        return _estimate(uow, site, service_id)


# ---- catalog -----------------------------------------------------------------------------
def _procedure_out(r, service_id: int | None = None) -> dict[str, Any]:  # noqa: ANN001
    return {"id": r.id, "code": r.code, "name_vi": r.name_vi, "field_id": r.field_id, "field_vi": r.field_vi,
            "field_en": field_en(r.field_vi),
            "provincial": r.provincial, "commune": r.commune, "time_value": r.time_value,
            "time_unit_vi": r.time_unit_vi, "fee_vi": r.fee_vi, "agency_vi": r.agency_vi,
            "channels_vi": r.channels_vi, "source_url": r.source_url, "service_id": service_id}


def list_fields(conn: Connection, scope: Scope | None) -> list[dict[str, Any]]:
    """Fields with their procedure counts: of the whole catalog, or of what a site receives."""
    p = t.procedures.c
    stmt = (
        select(t.fields.c.id, t.fields.c.name_vi, func.count(p.id).label("n"))
        .join(t.procedures, p.field_id == t.fields.c.id)
        .group_by(t.fields.c.id, t.fields.c.name_vi)
        .order_by(func.count(p.id).desc(), t.fields.c.name_vi)
    )
    if scope is not None:
        stmt = stmt.where(p.id.in_(sorted(scope.lines)))
    return [{"id": r.id, "name_vi": r.name_vi, "name_en": field_en(r.name_vi), "procedure_count": r.n}
            for r in conn.execute(stmt).all()]


def _without_symbols(text: str) -> str:
    """Emoji and other symbols a phone keyboard adds say nothing about the procedure;
    punctuation such as % or _ is kept and searched literally."""
    return "".join(" " if unicodedata.category(ch).startswith("S") else ch for ch in text)


def search_procedures(conn: Connection, *, query: str | None, field_id: int | None, scope: Scope | None,
                      limit: int, offset: int) -> dict[str, Any]:
    """The catalog (staff configuring a menu see all of it), or only what a site receives."""
    p = t.procedures.c
    conds = []
    query = _without_symbols(query) if query else query
    if query:
        for word in fold(query).split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conds.append(or_(p.name_folded.like(f"%{escaped}%", escape="\\"), p.code.like(f"{escaped}%", escape="\\")))
    if field_id is not None:
        conds.append(p.field_id == field_id)
    if scope is not None:
        conds.append(p.id.in_(sorted(scope.lines)))
    base = select(t.procedures, t.fields.c.name_vi.label("field_vi")).join(t.fields, t.fields.c.id == p.field_id)
    total = conn.execute(select(func.count()).select_from(t.procedures).where(*conds)).scalar_one()
    order = [p.name_folded, p.code]
    if query and fold(query):
        # The whole phrase in the name first, then shorter (more specific) names.
        phrase = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        whole = p.name_folded.like(f"%{phrase}%", escape="\\")
        order = [case((whole, 0), else_=1), func.length(p.name_folded), *order]
    rows = conn.execute(base.where(*conds).order_by(*order).limit(limit).offset(offset)).all()
    items = []
    for r in rows:
        items.append(_procedure_out(r, scope.lines.get(r.id) if scope is not None else None))
    return {"total": total, "items": items}


def get_procedure(conn: Connection, code: str, scope: Scope | None) -> dict[str, Any]:
    r = conn.execute(
        select(t.procedures, t.fields.c.name_vi.label("field_vi"))
        .join(t.fields, t.fields.c.id == t.procedures.c.field_id)
        .where(t.procedures.c.code == code)
    ).first()
    if r is None:
        raise NotFound(f"Không tìm thấy thủ tục {code}.", f"Procedure {code} not found.")
    return _procedure_out(r, scope.lines.get(r.id) if scope is not None else None)




def staff_ticket(uow: UnitOfWork, ticket_id: int) -> dict[str, Any]:
    if uow.conn.execute(select(t.tickets.c.id).where(t.tickets.c.id == ticket_id)).first() is None:
        raise NotFound(f"Không tìm thấy phiếu số thứ tự {ticket_id}.", f"Ticket {ticket_id} not found.")
    return ticket_reply(uow, ticket_id)
