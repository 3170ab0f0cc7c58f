"""The province control room: who holds which dossier now, what is due, and each agency's
and site's month, rebuilt from the dossier event log (never from the dossiers' current
state, which forgets).

Definitions of a month M (local days; the page prints them too):
- received: dossiers whose reception ("receive" event) falls in M;
- digitized at reception: of those, the ones with files attached the same day;
- supplement rate: of those, the share asked for a supplement (at any time since);
- results: dossiers whose result reached the place of return in M ("send_back" from an
  agency, or "mark_ready" at the center); on time: results by the due day in force and
  without an apology (form 04), as judged and written on the event when it happened;
  on-time rate = on time / results with a due day;
- processing days: working days with the administration, reception to result, the
  supplement stops left out; against the legal time in working days (same results);
- refusal rate: refusals in M / (results + refusals in M);
- satisfaction: ratings given in M on the visits of the group's dossiers (intake or
  return): very satisfied + satisfied, of the ratings given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from queue_server.adapters import tables as t
from queue_server.domain.dossier import DossierStatus
from queue_server.domain.errors import Invalid
from queue_server.service_layer.agency_views import page_of
from queue_server.service_layer.dossier_flow import RESULT_ACTIONS, local_day
from queue_server.service_layer.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from queue_server.service_layer.dossiers import DossierRules

NO_AGENCY = "Chưa xác định cơ quan"
LIVE_STATUSES = (DossierStatus.RECEIVED, DossierStatus.FORWARDED, DossierStatus.PROCESSING,
                 DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.RESOLVED, DossierStatus.READY)
SATISFIED = ("very_satisfied", "satisfied")


@dataclass
class MonthFigures:
    key: str
    received: int = 0
    digitized: int = 0
    supplemented: int = 0
    results: int = 0
    judged: int = 0
    on_time: int = 0
    refused: int = 0
    working_days: list[int] = field(default_factory=list)
    legal_days: list[int] = field(default_factory=list)
    rated: int = 0
    satisfied: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    def out(self) -> dict[str, Any]:
        avg = (lambda xs: round(sum(xs) / len(xs), 1) if xs else None)  # noqa: E731
        return {
            "key": self.key, "received": self.received, "results": self.results, "on_time": self.on_time,
            "late": self.judged - self.on_time, "refused": self.refused,
            "on_time_rate": self._share(self.on_time, self.judged),
            "avg_working_days": avg(self.working_days), "avg_legal_days": avg(self.legal_days),
            "supplement_rate": self._share(self.supplemented, self.received),
            "refusal_rate": self._share(self.refused, self.results + self.refused),
            "digitization_rate": self._share(self.digitized, self.received),
            "satisfaction_rate": self._share(self.satisfied, self.rated), "rated": self.rated,
        }


def month_bounds(month: date, rules: DossierRules) -> tuple[datetime, datetime]:
    """[first moment, first moment of the next month) of a local calendar month, in UTC."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=rules.tz).astimezone(UTC)
    end = datetime.combine(following, datetime.min.time(), tzinfo=rules.tz).astimezone(UTC)
    return start, end


def parse_month(text: str | None, today: date) -> date:
    if not text:
        return today.replace(day=1)
    try:
        year, month = (int(x) for x in text.strip()[:7].split("-"))
        return date(year, month, 1)
    except ValueError:
        raise Invalid(f"Tháng không hợp lệ: {text!r} (YYYY-MM).", f"Not a month: {text!r} (YYYY-MM).",
                      code="invalid_month") from None


def month_figures(uow: UnitOfWork, rules: DossierRules, month: date) -> dict[str, Any]:
    """Each agency's and each site's month, and the province's, from the event log."""
    conn, e, d = uow.conn, t.dossier_events.c, t.dossiers.c
    start, end = month_bounds(month, rules)
    agency_names = dict(conn.execute(select(t.agencies.c.id, t.agencies.c.name_vi)).all())
    site_names = dict(conn.execute(select(t.sites.c.id, t.sites.c.code)).all())
    by_agency: dict[int | None, MonthFigures] = {}
    by_site: dict[int, MonthFigures] = {}
    total = MonthFigures("Toàn tỉnh")

    def groups(agency_id: int | None, site_id: int) -> tuple[MonthFigures, ...]:
        a = by_agency.setdefault(agency_id, MonthFigures(agency_names.get(agency_id, NO_AGENCY)))
        s = by_site.setdefault(site_id, MonthFigures(site_names[site_id]))
        return a, s, total

    in_month = (e.at >= start, e.at < end)
    received = select(e.dossier_id).where(e.action == "receive", *in_month)
    marks: dict[tuple[int, str], datetime] = {
        (row.dossier_id, row.action): _utc(row.first) for row in conn.execute(
            select(e.dossier_id, e.action, func.min(e.at).label("first"))
            .where(e.dossier_id.in_(received), e.action.in_(["digitize", "request_supplement"]))
            .group_by(e.dossier_id, e.action))}
    for row in conn.execute(select(e.dossier_id, e.at, d.agency_id, d.site_id).join(
            t.dossiers, d.id == e.dossier_id).where(e.action == "receive", *in_month)):
        digitized = marks.get((row.dossier_id, "digitize"))
        for g in groups(row.agency_id, row.site_id):
            g.received += 1
            g.supplemented += (row.dossier_id, "request_supplement") in marks
            g.digitized += digitized is not None and local_day(digitized, rules) == local_day(row.at, rules)

    for row in conn.execute(select(e.action, e.data, d.agency_id, d.site_id).join(
            t.dossiers, d.id == e.dossier_id).where(e.action.in_([*RESULT_ACTIONS, "refuse"]), *in_month)):
        data = row.data or {}
        for g in groups(row.agency_id, row.site_id):
            if row.action == "refuse":
                g.refused += 1
                continue
            g.results += 1
            if data.get("on_time") is not None:
                g.judged += 1
                g.on_time += bool(data["on_time"])
            if data.get("working_days") is not None and data.get("legal_days") is not None:
                g.working_days.append(int(data["working_days"]))
                g.legal_days.append(int(data["legal_days"]))

    r, dt = t.ticket_ratings.c, t.dossier_tickets.c
    rated = (select(r.level, d.agency_id, d.site_id).join(t.dossier_tickets, dt.ticket_id == r.ticket_id)
             .join(t.dossiers, d.id == dt.dossier_id).where(r.rated_at >= start, r.rated_at < end)
             .distinct())  # a ticket counts once even if linked to two dossiers of the same group
    for row in conn.execute(rated):
        for g in groups(row.agency_id, row.site_id):
            g.rated += 1
            g.satisfied += row.level in SATISFIED

    def ordered(groups_: dict) -> list[dict[str, Any]]:
        return sorted((g.out() for g in groups_.values()), key=lambda x: x["key"])

    return {"month": month, "by_agency": ordered(by_agency), "by_site": ordered(by_site), "total": total.out()}


def _utc(moment: Any) -> datetime:  # noqa: ANN401
    """Aggregates bypass the column's type on SQLite (a string, or a naive datetime)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def live_board(uow: UnitOfWork, rules: DossierRules) -> dict[str, Any]:
    """Dossiers by agency and status now, and those waiting for the center to forward them."""
    conn, d = uow.conn, t.dossiers.c
    names = dict(conn.execute(select(t.agencies.c.id, t.agencies.c.name_vi)).all())
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    for agency_id, status, n in conn.execute(
            select(d.agency_id, d.status, func.count()).where(d.status.in_([s.value for s in LIVE_STATUSES]))
            .group_by(d.agency_id, d.status)):
        counts[agency_id][status] = n
    rows = [{"agency_id": a, "agency_name_vi": names.get(a, NO_AGENCY), "counts": c,
             "total": sum(c.values())} for a, c in counts.items()]
    rows.sort(key=lambda x: (-x["total"], x["agency_name_vi"]))
    today = local_day(uow.now, rules)
    waiting = conn.execute(
        select(d.code, d.forward_deadline, d.received_at, t.sites.c.code.label("site_code"),
               t.agencies.c.name_vi.label("agency_name_vi"))
        .join(t.sites, t.sites.c.id == d.site_id).outerjoin(t.agencies, t.agencies.c.id == d.agency_id)
        .where(d.status == DossierStatus.RECEIVED.value).order_by(d.forward_deadline, d.received_at).limit(200)
    ).all()
    to_forward = [{"code": w.code, "site_code": w.site_code, "agency_name_vi": w.agency_name_vi,
                   "received_at": w.received_at, "forward_deadline": w.forward_deadline,
                   "late": w.forward_deadline is not None and w.forward_deadline < today} for w in waiting]
    return {"by_agency": rows, "statuses": [s.value for s in LIVE_STATUSES], "to_forward": to_forward,
            "today": today}


def drill_down(uow: UnitOfWork, rules: DossierRules, *, month: date, agency_id: int | None = None,
               site_id: int | None = None, no_agency: bool = False, limit: int = 200) -> dict[str, Any]:
    """The dossiers behind a line of the month: received in M, or settled in M."""
    e, d = t.dossier_events.c, t.dossiers.c
    start, end = month_bounds(month, rules)
    touched = select(e.dossier_id).where(e.at >= start, e.at < end,
                                         e.action.in_(["receive", *RESULT_ACTIONS, "refuse"]))
    conds = [d.id.in_(touched)]
    if no_agency:
        conds.append(d.agency_id.is_(None))
    elif agency_id is not None:
        conds.append(d.agency_id == agency_id)
    if site_id is not None:
        conds.append(d.site_id == site_id)
    return page_of(uow, rules, conds, [d.received_at.desc(), d.id.desc()], limit, 0, local_day(uow.now, rules))
