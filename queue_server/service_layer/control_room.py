"""The province control room: who holds which dossier now, what is due, and each agency's
and site's month, added up from the dossiers' ledger (dossier_milestones: a typed,
append-only row per counted step, written with the step and its event), never from the
dossiers' current state, which forgets.

Definitions of a month M (local days; the page prints them too):
- received: dossiers whose reception ("receive" event) falls in M;
- digitized at reception: of those, the ones scanned before they left the center (before
  their first forwarding to the agency, or at all while still at the center);
- supplement rate: of those, the share asked for a supplement (at any time since);
- results: dossiers whose result reached the place of return in M ("send_back" from an
  agency, or "mark_ready" at the center); on time: results by the due day in force and
  without an apology (form 04), as judged when it happened (also written on the event);
  on-time rate = on time / results with a due day;
- processing days: working days with the administration, reception to result, the
  supplement stops left out; against the legal time in working days (same results);
- refusal rate: refusals in M / (results + refusals in M);
- stopped: dossiers whose processing stopped in M before a result (form 05: withdrawn
  by the citizen, or stopped under the law); not in the rates above;
- satisfaction: ratings given in M on the visits of the group's dossiers (intake or
  return), each visit once: very satisfied + satisfied, of the ratings given;
- reuse rate: of the checklist lines of the dossiers received in M, those attached by
  reference from the citizen's document store instead of scanned again;
- fees collected: fees marked paid in M (cash or transfer), their count and amount.
These last two group by the dossier's current agency (the store and the fee belong to the
dossier, not to a hand-off).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, select

from queue_server.adapters import tables as t
from queue_server.domain.dossier import DossierStatus
from queue_server.domain.errors import Invalid
from queue_server.service_layer.agency_views import page_of
from queue_server.service_layer.dossier_flow import RECEPTION_KINDS, RESULT_ACTIONS, local_day
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
    stopped: int = 0
    timed: int = 0  # results with working days and a legal time in working days
    working_days: int = 0  # summed over `timed`
    legal_days: int = 0
    rated: int = 0
    satisfied: int = 0
    document_lines: int = 0
    reused_lines: int = 0
    fees_paid: int = 0
    fees_paid_vnd: int = 0

    def add(self, other: dict[str, int]) -> None:
        for name, value in other.items():
            setattr(self, name, getattr(self, name) + int(value or 0))

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    def out(self) -> dict[str, Any]:
        def avg(total: int) -> float | None:
            return round(total / self.timed, 1) if self.timed else None
        return {
            "key": self.key, "received": self.received, "results": self.results, "on_time": self.on_time,
            "late": self.judged - self.on_time, "refused": self.refused, "stopped": self.stopped,
            "on_time_rate": self._share(self.on_time, self.judged),
            "avg_working_days": avg(self.working_days), "avg_legal_days": avg(self.legal_days),
            "supplement_rate": self._share(self.supplemented, self.received),
            "refusal_rate": self._share(self.refused, self.results + self.refused),
            "digitization_rate": self._share(self.digitized, self.received),
            "satisfaction_rate": self._share(self.satisfied, self.rated), "rated": self.rated,
            "reuse_rate": self._share(self.reused_lines, self.document_lines),
            "fees_paid": self.fees_paid, "fees_paid_vnd": self.fees_paid_vnd,
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


def _flag(condition) -> Any:  # noqa: ANN001, ANN401
    return func.sum(case((condition, 1), else_=0))


def _receptions(month: date):  # noqa: ANN202
    """Per (agency, site): dossiers received in the month, those scanned before they left
    the center, those asked for a supplement (at any time since)."""
    m = t.dossier_milestones.c
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)

    def weight(kind: str) -> Any:  # noqa: ANN401
        return func.coalesce(func.sum(case((m.kind == kind, m.weight), else_=0)), 0)
    return (select(m.agency_id, m.site_id, weight("received").label("received"),
                   weight("digitized").label("digitized"), weight("supplement").label("supplemented"))
            .where(m.kind.in_(RECEPTION_KINDS), m.received_on >= first, m.received_on <= last)
            .group_by(m.agency_id, m.site_id))


def _settlements(start: datetime, end: datetime):  # noqa: ANN202
    """Per (agency, site): results, refusals and stops of the month, with the judgement
    made when each result happened (on time, working days used, legal days)."""
    m = t.dossier_milestones.c
    result = m.kind == "result"
    timed = and_(result, m.working_days.is_not(None), m.legal_days.is_not(None))
    return (select(m.agency_id, m.site_id, _flag(result).label("results"),
                   _flag(and_(result, m.on_time.is_not(None))).label("judged"),
                   _flag(and_(result, m.on_time.is_(True))).label("on_time"),
                   _flag(m.kind == "refused").label("refused"), _flag(m.kind == "stopped").label("stopped"),
                   _flag(timed).label("timed"),
                   func.coalesce(func.sum(case((timed, m.working_days), else_=0)), 0).label("working_days"),
                   func.coalesce(func.sum(case((timed, m.legal_days), else_=0)), 0).label("legal_days"))
            .where(m.kind.in_(["result", "refused", "stopped"]), m.at >= start, m.at < end)
            .group_by(m.agency_id, m.site_id))


def _ratings(start: datetime, end: datetime):  # noqa: ANN202
    """Per (agency, site): ratings of the month on the visits of its dossiers."""
    r, dt, d = t.ticket_ratings.c, t.dossier_tickets.c, t.dossiers.c
    visits = (select(r.ticket_id, r.level, d.agency_id, d.site_id).distinct()
              .join(t.dossier_tickets, dt.ticket_id == r.ticket_id).join(t.dossiers, d.id == dt.dossier_id)
              .where(r.rated_at >= start, r.rated_at < end)).subquery()
    return (select(visits.c.agency_id, visits.c.site_id, func.count().label("rated"),
                   _flag(visits.c.level.in_(SATISFIED)).label("satisfied"))
            .group_by(visits.c.agency_id, visits.c.site_id))


def _reuse(start: datetime, end: datetime):  # noqa: ANN202
    """Per (agency, site): checklist lines of the dossiers received in the month, and those
    reused from the citizen's store (a line counts once however many pages it has)."""
    d, a = t.dossiers.c, t.dossier_attachments.c
    reused = (select(a.dossier_id, func.count(func.distinct(a.document_index)).label("n"))
              .where(a.reused_from_dossier_id.is_not(None)).group_by(a.dossier_id).subquery())
    return (select(d.agency_id, d.site_id,
                   func.coalesce(func.sum(func.json_array_length(d.documents)), 0).label("document_lines"),
                   func.coalesce(func.sum(reused.c.n), 0).label("reused_lines"))
            .select_from(t.dossiers.outerjoin(reused, reused.c.dossier_id == d.id))
            .where(d.received_at >= start, d.received_at < end)
            .group_by(d.agency_id, d.site_id))


def _fees(start: datetime, end: datetime):  # noqa: ANN202
    """Per (agency, site): fees marked paid in the month."""
    f, d = t.dossier_fees.c, t.dossiers.c
    return (select(d.agency_id, f.site_id, func.count().label("fees_paid"),
                   func.coalesce(func.sum(f.amount_vnd), 0).label("fees_paid_vnd"))
            .select_from(t.dossier_fees.join(t.dossiers, d.id == f.dossier_id))
            .where(f.paid_at >= start, f.paid_at < end)
            .group_by(d.agency_id, f.site_id))


def month_figures(uow: UnitOfWork, rules: DossierRules, month: date) -> dict[str, Any]:
    """Each agency's and each site's month, and the province's, from the event log: the
    database adds up per (agency, site) pair; the pairs are summed here."""
    conn = uow.conn
    start, end = month_bounds(month, rules)
    agency_names = dict(conn.execute(select(t.agencies.c.id, t.agencies.c.name_vi)).all())
    site_names = dict(conn.execute(select(t.sites.c.id, t.sites.c.code)).all())
    by_agency: dict[int | None, MonthFigures] = {}
    by_site: dict[int, MonthFigures] = {}
    total = MonthFigures("Toàn tỉnh")
    for query in (_receptions(month), _settlements(start, end), _ratings(start, end), _reuse(start, end),
                  _fees(start, end)):
        for row in conn.execute(query).mappings():
            figures = {k: v for k, v in row.items() if k not in ("agency_id", "site_id")}
            by_agency.setdefault(row["agency_id"], MonthFigures(agency_names.get(row["agency_id"], NO_AGENCY))) \
                .add(figures)
            by_site.setdefault(row["site_id"], MonthFigures(site_names[row["site_id"]])).add(figures)
            total.add(figures)

    def ordered(groups: dict) -> list[dict[str, Any]]:
        return sorted((g.out() for g in groups.values()), key=lambda x: x["key"])

    return {"month": month, "by_agency": ordered(by_agency), "by_site": ordered(by_site), "total": total.out()}


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
                                         e.action.in_(["receive", *RESULT_ACTIONS, "refuse", "stop"]))
    conds = [d.id.in_(touched)]
    if no_agency:
        conds.append(d.agency_id.is_(None))
    elif agency_id is not None:
        conds.append(d.agency_id == agency_id)
    if site_id is not None:
        conds.append(d.site_id == site_id)
    return page_of(uow, rules, conds, [d.received_at.desc(), d.id.desc()], limit, 0, local_day(uow.now, rules))


def read_board(reader: UnitOfWork, month_text: str | None) -> dict[str, Any]:
    """The whole board (the API's JSON and the manager's page): now, the month, what is due."""
    from queue_server.service_layer import (
        agency_views,  # agency_views' own imports reach this module
    )

    rules = reader.policies.dossiers
    with reader as uow:
        month = parse_month(month_text, local_day(uow.now, rules))
        return {"live": live_board(uow, rules), "month": month_figures(uow, rules, month),
                # The first ten of each list; /control-room/due gives them whole.
                "due": agency_views.due_lists(uow, rules, limit=10)}
