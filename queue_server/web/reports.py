"""Reports page with server-side charts, and its CSV and XLSX exports."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from queue_server.domain.business_day import business_day
from queue_server.domain.errors import DomainError
from queue_server.web import session as s
from queue_server.web.charts import Series, bar_chart
from queue_server.web.export import add_table_downloads, header, table_download, values
from queue_server.web.reporting import GROUPINGS, ReportQuery, default_range, load_report
from queue_server.web.templating import render

router = APIRouter(prefix="/manager")


def _query(request: Request) -> ReportQuery:
    wiring = s.wiring_of(request)
    settings = wiring.settings
    today = business_day(wiring.clock(), settings.tz, settings.business_day_rollover)
    start, end = default_range(today)
    params = request.query_params

    def day(name: str, default: date) -> date:
        try:
            return date.fromisoformat(params.get(name, "")[:10])
        except ValueError:
            return default

    grouping = params.get("by", "day")
    return ReportQuery(day("from", start), day("to", end), grouping if grouping in GROUPINGS else "day",
                       (params.get("site") or None) and params.get("site", "")[:40])


def _charts(report: dict, target: int) -> list:
    rows = report["rows"]
    if not rows:
        return []
    names = [r.key for r in rows]
    counts = [Series("Đã cấp · Issued", "#0b4f8a", [r.issued for r in rows]),
              Series("Đã phục vụ · Served", "#1a9c46", [r.served for r in rows]),
              Series("Vắng mặt · No-shows", "#d9822b", [r.no_shows for r in rows])]
    if all(r.issued is None for r in rows):
        counts = counts[1:]
    waits = [Series("Chờ TB · Avg wait", "#5b8fd0", [r.wait_avg for r in rows]),
             Series("Chờ P90 · P90 wait", "#0b4f8a", [r.wait_p90 for r in rows])]
    services = [Series("Phục vụ TB · Avg service", "#7cc59a", [r.service_avg for r in rows]),
                Series("Phục vụ P90 · P90 service", "#1a7f45", [r.service_p90 for r in rows])]
    charts = [bar_chart("Số lượt · Tickets", names, counts),
            bar_chart("Thời gian chờ (phút) · Wait (min)", names, waits, target=target,
                      target_label=f"Mục tiêu {target} phút · target"),
            bar_chart("Thời gian phục vụ (phút) · Service time (min)", names, services)]
    has_data = [counts, waits, services]
    return [c for c, series in zip(charts, has_data, strict=True)
            if any(v for x in series for v in x.values)]


async def _report(request: Request) -> tuple[ReportQuery, dict | None, DomainError | None]:
    q = _query(request)
    wiring = s.wiring_of(request)
    try:
        return q, await wiring.run(load_report, wiring.reader(), q), None
    except DomainError as exc:
        return q, None, exc


@router.get("/reports")
@s.web_page
async def reports_page(request: Request) -> Response:
    user = await s.require_manager(request)
    q, report, error = await _report(request)
    target = s.wiring_of(request).settings.target_wait_minutes
    export_query = request.url.query
    return render(request, "manager/reports.html", user=user, q=q, report=report, error=error,
                  groupings=GROUPINGS, charts=_charts(report, target) if report else [],
                  export_query=export_query, flash=None)


def _filename(q: ReportQuery, ext: str) -> str:
    site = f"-{q.site_code}" if q.site_code else ""
    return f"motcua-bao-cao-{q.start.isoformat()}-{q.end.isoformat()}{site}-{q.grouping}.{ext}"


async def _export(request: Request, kind: str) -> Response:
    await s.require_manager(request)
    q, report, error = await _report(request)
    if error is not None:
        return Response(f"{error.message_vi}\n{error.message_en}\n", status_code=error.status,
                        media_type="text/plain; charset=utf-8")
    title = f"Báo cáo {q.start.isoformat()} – {q.end.isoformat()} {q.site_code or 'tất cả điểm'}"
    return table_download(request, kind, header(q.grouping), [values(r) for r in [*report["rows"], report["total"]]],
                          title=title, filename=_filename(q, kind))


add_table_downloads(router, "/reports", _export)
