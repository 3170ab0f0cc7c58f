"""Read models of the manager pages: every site at a glance, one site in depth.

A handful of grouped queries whatever the number of sites (not a query per site and
service), in one read transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from queue_server.adapters import tables as t
from queue_server.domain.business_day import business_day, day_bounds_utc
from queue_server.domain.errors import NotFound
from queue_server.domain.estimation import Desk, desk_share, estimate_line
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.service_layer.wait_estimates import wait_figure, wait_out
from queue_server.web.balancing import ServiceLoad, SiteLoad, suggest
from shared.enums import CounterState, TicketStatus


@dataclass(frozen=True)
class Today:
    start: datetime
    end: datetime


def _today(uow: UnitOfWork) -> Today:
    day = business_day(uow.now, uow.rules.tz, uow.rules.rollover)
    start, end = day_bounds_utc(day, uow.rules.tz, uow.rules.rollover)
    return Today(start, end)


def _services(conn) -> dict[int, Any]:  # noqa: ANN001
    return {r.id: r for r in conn.execute(select(t.services).order_by(t.services.c.code)).all()}


def _load_all(uow: UnitOfWork) -> dict[str, Any]:
    conn = uow.conn
    tc, cc = t.tickets.c, t.counters.c
    today = _today(uow)
    sites = conn.execute(select(t.sites).order_by(t.sites.c.id)).all()
    services = _services(conn)
    offered: dict[int, list[int]] = defaultdict(list)
    for site_id, service_id in conn.execute(select(t.site_services.c.site_id, t.site_services.c.service_id)).all():
        offered[site_id].append(service_id)
    waiting = {(r.site_id, r.service_id): r for r in conn.execute(
        select(tc.site_id, tc.service_id, func.count().label("n"), func.min(tc.arrived_at).label("oldest"))
        .where(t.TICKET_IS_WAITING).group_by(tc.site_id, tc.service_id)).all()}
    averages = {(r.site_id, r.service_id): r.avg_handling_seconds for r in conn.execute(select(t.service_stats)).all()}
    counters = conn.execute(select(t.counters.c.id, cc.site_id, cc.number, cc.state, cc.current_ticket_id)
                            .order_by(cc.site_id, cc.number)).all()
    links = conn.execute(select(t.counter_services.c.counter_id, t.counter_services.c.service_id,
                                t.counter_services.c.weight)).all()
    serves: dict[int, dict[int, int]] = defaultdict(dict)  # counter -> service -> weight
    for counter_id, service_id, weight in links:
        serves[counter_id][service_id] = weight
    finished = conn.execute(
        select(tc.site_id, tc.status, func.count())
        .where(tc.finished_at >= today.start, tc.finished_at < today.end,
               tc.status.in_([TicketStatus.DONE.value, TicketStatus.NO_SHOW.value]))
        .group_by(tc.site_id, tc.status)).all()
    waits = conn.execute(
        select(tc.site_id, tc.issued_at, tc.first_called_at)
        .where(tc.first_called_at >= today.start, tc.first_called_at < today.end)).all()
    return {"sites": sites, "services": services, "offered": offered, "waiting": waiting, "averages": averages,
            "counters": counters, "serves": serves, "finished": finished, "waits": waits}


def _site_row(uow: UnitOfWork, site, data: dict[str, Any], target: int) -> dict[str, Any]:  # noqa: ANN001
    now = uow.now
    counters = [c for c in data["counters"] if c.site_id == site.id]
    desks = [Desk(c.current_ticket_id is None, data["serves"][c.id]) for c in counters
             if c.state == CounterState.OPEN.value]
    lines_waiting = {service_id for (site_id, service_id) in data["waiting"] if site_id == site.id}
    queues = []
    for service_id in sorted(data["offered"][site.id], key=lambda s: data["services"][s].code):
        service = data["services"][service_id]
        row = data["waiting"].get((site.id, service_id))
        n = row.n if row else 0
        serving = [c for c in counters if service_id in data["serves"][c.id]]
        open_now = sum(1 for c in serving if c.state == CounterState.OPEN.value)
        average = data["averages"].get((site.id, service_id))
        estimate = estimate_line(n, average, open_now, len(serving), desk_share(service_id, desks, lines_waiting))
        queues.append({
            "service_id": service_id, "service_code": service.code, "service_name_vi": service.name_vi,
            "service_name_en": service.name_en, "waiting": n,
            "longest_wait_seconds": int((now - row.oldest).total_seconds()) if row else 0,
            "estimated_wait_minutes": estimate.minutes, "wait": wait_out(wait_figure(estimate, open_now)),
            "open_counters": open_now, "handling_seconds": average,
            "closed_counters": tuple((c.number, c.id) for c in serving if c.state != CounterState.OPEN.value),
        })
    finished = {status: n for site_id, status, n in data["finished"] if site_id == site.id}
    served, no_show = finished.get(TicketStatus.DONE.value, 0), finished.get(TicketStatus.NO_SHOW.value, 0)
    waits = [(called - issued).total_seconds() for site_id, issued, called in data["waits"] if site_id == site.id]
    over = sum(1 for w in waits if w > target * 60)
    longest = max((q["longest_wait_seconds"] for q in queues), default=0)
    expected = max((q["estimated_wait_minutes"] or 0 for q in queues if q["waiting"]), default=0)
    # The site's expected wait, in the words of its longest line's figure.
    slowest = max((q for q in queues if q["waiting"]), key=lambda q: q["estimated_wait_minutes"] or 0, default=None)
    return {
        "id": site.id, "code": site.code, "name_vi": site.name_vi, "name_en": site.name_en, "kind": site.kind,
        "latitude": site.latitude, "longitude": site.longitude, "notice": site.notice,
        "queues": queues, "waiting": sum(q["waiting"] for q in queues),
        "longest_wait_seconds": longest, "expected_wait_minutes": expected,
        "expected_wait": slowest["wait"] if slowest else None,
        "average_wait_seconds": sum(waits) / len(waits) if waits else None,
        "share_over_target": over / len(waits) if waits else None,
        "counters_open": sum(1 for c in counters if c.state == CounterState.OPEN.value),
        "counters_busy": sum(1 for c in counters if c.current_ticket_id is not None),
        "counters_paused": sum(1 for c in counters if c.state == CounterState.PAUSED.value),
        "counters_total": len(counters),
        "served_today": served, "no_show_today": no_show,
        "no_show_rate": no_show / (served + no_show) if served + no_show else None,
        "over_target": max(expected, longest / 60) > target,
        "load": max(expected, longest / 60),
    }


def _rows_and_suggestions(uow: UnitOfWork, data: dict[str, Any], target: int, max_km: float,
                          margin: int) -> tuple[list[dict[str, Any]], list]:
    rows = [_site_row(uow, site, data, target) for site in data["sites"]]
    rows.sort(key=lambda r: (-r["load"], -r["waiting"], r["code"]))
    loads = [SiteLoad(r["code"], r["name_vi"], r["latitude"], r["longitude"], {
        q["service_id"]: ServiceLoad(q["service_id"], q["service_code"], q["service_name_vi"], q["waiting"],
                                     q["open_counters"], q["closed_counters"], q["handling_seconds"])
        for q in r["queues"]}) for r in rows]
    return rows, suggest(loads, target, max_km=max_km, margin_minutes=margin)


def overview(uow: UnitOfWork, target: int, max_km: float, margin: int) -> dict[str, Any]:
    """Every site, busiest first, and the load-balancing suggestions."""
    with uow:
        rows, suggestions = _rows_and_suggestions(uow, _load_all(uow), target, max_km, margin)
    return {"taken_at": uow.now, "target_minutes": target, "sites": rows,
            "totals": {"waiting": sum(r["waiting"] for r in rows), "served": sum(r["served_today"] for r in rows),
                       "counters_open": sum(r["counters_open"] for r in rows),
                       "over_target": sum(1 for r in rows if r["over_target"])},
            "suggestions": suggestions}


# ---- one site in depth ---------------------------------------------------------------------
def site_detail(uow: UnitOfWork, code: str, target: int, max_km: float, margin: int) -> dict[str, Any]:
    with uow:
        conn = uow.conn
        site = conn.execute(select(t.sites).where(t.sites.c.code == code)).first()
        if site is None:
            raise NotFound(f"Không tìm thấy điểm phục vụ {code}.", f"Site {code} not found.")
        data = _load_all(uow)
        rows, suggestions = _rows_and_suggestions(uow, data, target, max_km, margin)
        summary = next(r for r in rows if r["id"] == site.id)
        services = data["services"]
        cc, tc = t.counters.c, t.tickets.c
        counters = []
        rows = conn.execute(
            select(t.counters, t.staff.c.full_name.label("staff_name"), tc.label.label("ticket_label"),
                   tc.status.label("ticket_status"), tc.called_at.label("ticket_called_at"))
            .outerjoin(t.staff, t.staff.c.id == cc.staff_id)
            .outerjoin(t.tickets, tc.id == cc.current_ticket_id)
            .where(cc.site_id == site.id).order_by(cc.number)).all()
        weights = defaultdict(list)
        for r in conn.execute(select(t.counter_services).join(t.counters, cc.id == t.counter_services.c.counter_id)
                              .where(cc.site_id == site.id)).all():
            weights[r.counter_id].append({"service_id": r.service_id, "service_code": services[r.service_id].code,
                                          "weight": r.weight})
        for r in rows:
            counters.append({
                "id": r.id, "number": r.number, "name": r.name, "state": r.state, "pause_reason": r.pause_reason,
                "staff_name": r.staff_name, "ticket_label": r.ticket_label, "ticket_status": r.ticket_status,
                "ticket_called_at": r.ticket_called_at,
                "services": sorted(weights[r.id], key=lambda w: w["service_code"]),
            })
        waiting = [{
            "id": w.id, "label": w.label, "service_id": w.service_id, "service_code": services[w.service_id].code,
            "priority": w.priority, "arrived_at": w.arrived_at, "transfer_count": w.transfer_count,
            "wait_seconds": int((uow.now - w.arrived_at).total_seconds()),
        } for w in conn.execute(
            select(tc.id, tc.label, tc.service_id, tc.priority, tc.arrived_at, tc.transfer_count)
            .where(tc.site_id == site.id, t.TICKET_IS_WAITING)
            .order_by(tc.service_id, tc.rank.desc(), tc.arrived_at, tc.id).limit(500)).all()]
        others = [{"code": s.code, "name_vi": s.name_vi, "name_en": s.name_en,
                   "services": sorted(services[x].code for x in data["offered"][s.id])}
                  for s in data["sites"] if s.id != site.id]
        events = recent_events(uow, site.id)
    return {"taken_at": uow.now, "target_minutes": target, "site": summary, "counters": counters,
            "waiting": waiting, "other_sites": others, "events": events,
            "suggestions": [x for x in suggestions if x.site_code == code]}


EVENT_NAMES = {
    "TicketIssued": ("Lấy số", "Ticket issued"),
    "TicketCalled": ("Gọi số", "Called"),
    "TicketRecalled": ("Gọi lại", "Recalled"),
    "TicketStarted": ("Bắt đầu phục vụ", "Service started"),
    "TicketServed": ("Hoàn thành", "Served"),
    "TicketNoShow": ("Vắng mặt", "No-show"),
    "TicketRequeued": ("Xếp lại hàng", "Back in line"),
    "TicketTransferred": ("Chuyển", "Transferred"),
    "TicketHeld": ("Tạm giữ", "Held"),
    "TicketResumed": ("Tiếp tục", "Resumed"),
    "TicketCancelled": ("Hủy số", "Cancelled"),
    "TicketPrintFailed": ("In phiếu lỗi", "Print failed"),
    "CounterOpened": ("Mở quầy", "Counter opened"),
    "CounterPaused": ("Tạm dừng quầy", "Counter paused"),
    "CounterClosed": ("Đóng quầy", "Counter closed"),
    "NoticePosted": ("Đăng thông báo", "Notice posted"),
    "CounterServicesChanged": ("Đổi dịch vụ của quầy", "Counter services changed"),
    "TicketRated": ("Đánh giá", "Rated"),
    "DossierReceived": ("Tiếp nhận hồ sơ", "Dossier received"),
    "DossierStatusChanged": ("Hồ sơ đổi trạng thái", "Dossier status changed"),
    "DossierFilesAttached": ("Số hóa hồ sơ", "Dossier digitized"),
    "DossierFeePaid": ("Nộp lệ phí", "Fee paid"),
}


def recent_events(uow: UnitOfWork, site_id: int, limit: int = 40) -> list[dict[str, Any]]:
    e = t.ticket_events.c
    rows = uow.conn.execute(
        select(e.at, e.type, e.data, e.seq, t.counters.c.number.label("counter_number"),
               t.staff.c.full_name.label("staff_name"), t.staff.c.role.label("staff_role"))
        .outerjoin(t.counters, t.counters.c.id == e.counter_id)
        .outerjoin(t.staff, t.staff.c.id == e.staff_id)
        .where(e.site_id == site_id).order_by(e.seq.desc()).limit(limit)).all()
    out = []
    for r in rows:
        vi, en = EVENT_NAMES.get(r.type, (r.type, r.type))
        data = r.data or {}
        detail = ""
        if r.type == "TicketTransferred" and data.get("target") == "site":
            detail = f"{data.get('old_label', '')} → {data.get('to_site_code', '')}"
        elif r.type == "NoticePosted":
            detail = data.get("notice", "")[:80]
        elif r.type == "CounterServicesChanged":
            detail = " ".join(f"{s['service_code']}{s['weight']}" for s in data.get("services", []))
        out.append({"at": r.at, "type": r.type, "name_vi": vi, "name_en": en, "label": data.get("label"),
                    "counter_number": r.counter_number, "staff_name": r.staff_name, "staff_role": r.staff_role,
                    "detail": detail})
    return out
