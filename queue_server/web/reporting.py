"""Reports rebuilt from the ticket event log (never from the tickets' current state).

Definitions (the report page prints them too):
- issued: TicketIssued events; attributed to the issuing site, the ticket's service, the day.
- wait: from TicketIssued to the ticket's FIRST TicketCalled; attributed to that call (its day,
  site, service, counter and clerk). A ticket moved to another site keeps its issue time.
- service time: from the call that led to service (the last TicketCalled before it) to
  TicketServed; attributed to the TicketServed event.
- no-shows: TicketNoShow events; transfers: TicketTransferred, counted once (on the site the
  ticket left, for a move between sites).
- satisfaction: TicketRated events by level; "satisfied" is very satisfied plus satisfied,
  as a share of the ratings given.
- dossiers: DossierReceived events (site, day, counter and clerk of the reception). A
  received dossier counts as digitized once any file is linked to it (DossierFilesAttached
  at any time, or a document reused from the citizen's store at reception); its checklist
  lines and the lines reused by reference come with the DossierReceived event.
- fees: DossierFeePaid events (amount, cash or transfer), on the day and site they were paid.
- median: the middle value (mean of the two middle ones); p90: nearest rank, the value at
  position ceil(0.9 n) in ascending order.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from queue_server.adapters import tables as t
from queue_server.domain.business_day import day_bounds_utc
from queue_server.service_layer.unit_of_work import UnitOfWork

GROUPINGS = {
    "day": ("Ngày", "Day"),
    "week": ("Tuần", "Week"),
    "month": ("Tháng", "Month"),
    "site": ("Điểm phục vụ", "Site"),
    "service": ("Dịch vụ", "Service"),
    "counter": ("Quầy", "Counter"),
    "staff": ("Cán bộ", "Staff member"),
}
MAX_DAYS = 366
RATING_LEVELS = ("very_satisfied", "satisfied", "unsatisfied")
PAPERWORK = ("dossiers", "digitized", "document_lines", "reused_lines", "fees_paid", "fees_paid_vnd")


@dataclass(frozen=True)
class LoggedEvent:
    type: str
    at: datetime
    site_id: int
    ticket_id: int | None
    counter_id: int | None
    staff_id: int | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Names:
    """Readable names for the group keys."""

    sites: dict[int, str] = field(default_factory=dict)
    services: dict[int, str] = field(default_factory=dict)
    counters: dict[int, str] = field(default_factory=dict)
    staff: dict[int, str] = field(default_factory=dict)


@dataclass
class Figures:
    issued: int = 0
    served: int = 0
    no_shows: int = 0
    transfers: int = 0
    waits: list[float] = field(default_factory=list)  # seconds
    service_times: list[float] = field(default_factory=list)  # seconds
    ratings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATING_LEVELS, 0))
    # The dossier and fee counts, by the names of ReportRow's fields that they become.
    paperwork: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PAPERWORK, 0))

    @property
    def called(self) -> int:
        return len(self.waits)

    @property
    def no_show_rate(self) -> float | None:
        finished = self.served + self.no_shows
        return self.no_shows / finished if finished else None


@dataclass(frozen=True)
class ReportRow:
    key: str
    issued: int | None  # None where it cannot apply (counters and staff do not issue)
    called: int
    served: int
    no_shows: int
    transfers: int
    no_show_rate: float | None
    wait_avg: float | None  # minutes
    wait_median: float | None
    wait_p90: float | None
    service_avg: float | None
    service_median: float | None
    service_p90: float | None
    very_satisfied: int = 0
    satisfied: int = 0
    unsatisfied: int = 0
    dossiers: int = 0
    digitized: int = 0
    document_lines: int = 0
    reused_lines: int = 0
    fees_paid: int = 0
    fees_paid_vnd: int = 0

    @property
    def digitized_share(self) -> float | None:
        return self.digitized / self.dossiers if self.dossiers else None

    @property
    def reused_share(self) -> float | None:
        return self.reused_lines / self.document_lines if self.document_lines else None

    @property
    def rated(self) -> int:
        return self.very_satisfied + self.satisfied + self.unsatisfied

    @property
    def satisfied_share(self) -> float | None:
        return (self.very_satisfied + self.satisfied) / self.rated if self.rated else None


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60.0, 1)


def _stats(values: list[float]) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    return (_minutes(sum(values) / len(values)), _minutes(statistics.median(values)), _minutes(p90(values)))


def _period(at: datetime, tz: ZoneInfo, grouping: str) -> str:
    day = at.astimezone(tz).date()
    if grouping == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if grouping == "month":
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()


def build_report(events: list[LoggedEvent], grouping: str, tz: ZoneInfo, names: Names) -> list[ReportRow]:
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}")

    def key(e: LoggedEvent, service_id: int | None) -> str:
        if grouping in ("day", "week", "month"):
            return _period(e.at, tz, grouping)
        if grouping == "site":
            return names.sites.get(e.site_id, str(e.site_id))
        if grouping == "service":
            return names.services.get(service_id, str(service_id)) if service_id is not None else "–"
        if grouping == "counter":
            return names.counters.get(e.counter_id, str(e.counter_id)) if e.counter_id is not None else "–"
        return names.staff.get(e.staff_id, str(e.staff_id)) if e.staff_id is not None else "–"

    groups: dict[str, Figures] = defaultdict(Figures)
    issued_at: dict[int, datetime] = {}
    last_call: dict[int, datetime] = {}
    called_once: set[int] = set()
    digitized_ids = {e.data.get("dossier_id") for e in events if e.type == "DossierFilesAttached"}
    for e in sorted(events, key=lambda e: (e.at, e.site_id)):
        service_id = e.data.get("service_id")
        if e.type == "TicketIssuedEarlier" and e.ticket_id is not None:
            issued_at.setdefault(e.ticket_id, e.at)  # before the range: its time only, not counted
        elif e.type == "TicketIssued" and e.ticket_id is not None:
            issued_at.setdefault(e.ticket_id, e.at)
            if grouping not in ("counter", "staff"):
                groups[key(e, service_id)].issued += 1
        elif e.type == "TicketCalled" and e.ticket_id is not None:
            last_call[e.ticket_id] = e.at
            if e.ticket_id not in called_once and e.ticket_id in issued_at:
                called_once.add(e.ticket_id)
                groups[key(e, service_id)].waits.append((e.at - issued_at[e.ticket_id]).total_seconds())
        elif e.type == "TicketServed":
            figures = groups[key(e, service_id)]
            figures.served += 1
            if e.ticket_id in last_call:
                figures.service_times.append((e.at - last_call[e.ticket_id]).total_seconds())
        elif e.type == "TicketNoShow":
            groups[key(e, service_id)].no_shows += 1
        elif e.type == "TicketRated" and e.data.get("level") in RATING_LEVELS:
            groups[key(e, service_id)].ratings[e.data["level"]] += 1
        elif e.type == "DossierReceived":
            paper = groups[key(e, service_id)].paperwork
            paper["dossiers"] += 1
            reused = int(e.data.get("reused") or 0)
            paper["document_lines"] += int(e.data.get("documents") or 0)
            paper["reused_lines"] += reused
            if reused or e.data.get("dossier_id") in digitized_ids:
                paper["digitized"] += 1
        elif e.type == "DossierFeePaid":
            paper = groups[key(e, service_id)].paperwork
            paper["fees_paid"] += 1
            paper["fees_paid_vnd"] += int(e.data.get("amount_vnd") or 0)
        elif e.type == "TicketTransferred":
            from_site = e.data.get("from_site_id")
            if e.data.get("target") != "site" or from_site in (None, e.site_id):
                groups[key(e, service_id)].transfers += 1
    rows = [_row(k, f, grouping) for k, f in groups.items()]
    rows.sort(key=lambda r: r.key)
    return rows


def _row(key: str, f: Figures, grouping: str) -> ReportRow:
    wait, service = _stats(f.waits), _stats(f.service_times)
    return ReportRow(key, None if grouping in ("counter", "staff") else f.issued, f.called, f.served, f.no_shows,
                     f.transfers, f.no_show_rate, *wait, *service, f.ratings["very_satisfied"],
                     f.ratings["satisfied"], f.ratings["unsatisfied"], **f.paperwork)


def total_row(events: list[LoggedEvent], tz: ZoneInfo) -> ReportRow:
    rows = build_report(events, "site", tz, Names(sites=dict.fromkeys({e.site_id for e in events}, "all")))
    if not rows:
        return _row("Tổng", Figures(), "site")
    return ReportRow(**{**rows[0].__dict__, "key": "Tổng · Total"})


# ---- loading from the database ----------------------------------------------------------------
@dataclass(frozen=True)
class ReportQuery:
    start: date
    end: date  # inclusive
    grouping: str = "day"
    site_code: str | None = None

    def validate(self) -> None:
        from queue_server.domain.errors import Invalid

        if self.end < self.start:
            raise Invalid("Ngày kết thúc phải sau ngày bắt đầu.", "The end date must not be before the start date.")
        if (self.end - self.start).days >= MAX_DAYS:
            raise Invalid(f"Tối đa {MAX_DAYS} ngày mỗi báo cáo.", f"At most {MAX_DAYS} days per report.")
        if self.grouping not in GROUPINGS:
            raise Invalid("Cách nhóm không hợp lệ.", "Unknown grouping.")


def load_report(uow: UnitOfWork, q: ReportQuery) -> dict[str, Any]:
    q.validate()
    tz, rollover = uow.rules.tz, uow.rules.rollover
    start, _ = day_bounds_utc(q.start, tz, rollover)
    _, end = day_bounds_utc(q.end, tz, rollover)
    with uow:
        conn = uow.conn
        sites = {r.id: r for r in conn.execute(select(t.sites)).all()}
        site_id = None
        if q.site_code:
            site_id = next((s.id for s in sites.values() if s.code == q.site_code), None)
            if site_id is None:
                from queue_server.domain.errors import NotFound

                raise NotFound(f"Không tìm thấy điểm phục vụ {q.site_code}.", f"Site {q.site_code} not found.")
        e = t.ticket_events.c
        stmt = select(t.ticket_events).where(e.at >= start, e.at < end).order_by(e.at, e.id)
        if site_id is not None:
            stmt = stmt.where(e.site_id == site_id)
        events = [LoggedEvent(r.type, r.at, r.site_id, r.ticket_id, r.counter_id, r.staff_id, r.data or {})
                  for r in conn.execute(stmt).all()]
        events += _earlier_issues(conn, events, start)
        events += _later_digitizing(conn, events, end)
        names = Names(
            sites={i: s.code for i, s in sites.items()},
            services={r.id: f"{r.code} · {r.name_vi}" for r in conn.execute(select(t.services)).all()},
            counters={r.id: f"{sites[r.site_id].code} · Quầy {r.number}"
                      for r in conn.execute(select(t.counters)).all()},
            staff={r.id: r.full_name for r in conn.execute(select(t.staff.c.id, t.staff.c.full_name)).all()},
        )
    rows = build_report(events, q.grouping, tz, names)
    return {"query": q, "rows": rows, "total": total_row(events, tz), "events": sum(1 for x in events if start <= x.at < end),
            "site_codes": sorted(s.code for s in sites.values())}


def _earlier_issues(conn, events: list[LoggedEvent], start: datetime) -> list[LoggedEvent]:  # noqa: ANN001
    """Issue events, before the range, of tickets called in it (a wait across the boundary):
    only their time is used, they are not counted as issued in the range."""
    called = {e.ticket_id for e in events if e.type == "TicketCalled"}
    issued = {e.ticket_id for e in events if e.type == "TicketIssued"}
    missing = sorted(called - issued - {None})
    if not missing:
        return []
    e = t.ticket_events.c
    out = []
    for chunk in range(0, len(missing), 500):
        for r in conn.execute(select(t.ticket_events).where(e.type == "TicketIssued", e.at < start,
                                                           e.ticket_id.in_(missing[chunk:chunk + 500]))).all():
            out.append(LoggedEvent("TicketIssuedEarlier", r.at, r.site_id, r.ticket_id, None, None, r.data or {}))
    return out


def _later_digitizing(conn, events: list[LoggedEvent], end: datetime) -> list[LoggedEvent]:  # noqa: ANN001
    """Files attached after the range to dossiers received in it: a dossier digitized the
    next morning still counts as digitized (only the dossier ids are used)."""
    received = {e.data.get("dossier_id") for e in events if e.type == "DossierReceived"}
    seen = {e.data.get("dossier_id") for e in events if e.type == "DossierFilesAttached"}
    wanted = received - seen - {None}
    if not wanted:
        return []
    e = t.ticket_events.c
    out = []
    for r in conn.execute(select(t.ticket_events.c.data).where(e.type == "DossierFilesAttached", e.at >= end)).all():
        dossier_id = (r.data or {}).get("dossier_id")
        if dossier_id in wanted:
            out.append(LoggedEvent("DossierFilesAttached", end, 0, None, None, None, {"dossier_id": dossier_id}))
            wanted.discard(dossier_id)
    return out


def default_range(today: date) -> tuple[date, date]:
    return today - timedelta(days=6), today
