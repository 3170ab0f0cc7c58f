"""The manager pages' read models on SQLite and PostgreSQL: the all-sites overview, one
site in depth and a report, after a few minutes of a morning."""

from __future__ import annotations

from datetime import date

from support import COUNTER_A, SITE_PX, SITE_TT, Api

from queue_server.web import overview as ov
from queue_server.web.reporting import ReportQuery, load_report


def _morning(api: Api, clock) -> None:  # noqa: ANN001
    for _ in range(6):
        api.issue()
        clock.advance(minutes=1)
    api.issue(site=SITE_PX)
    api.ok(COUNTER_A, "open")
    clock.advance(minutes=4)  # the first ticket has waited 10 minutes
    api.ok(COUNTER_A, "call-next")
    api.ok(COUNTER_A, "start")
    clock.advance(minutes=5)
    api.ok(COUNTER_A, "finish")
    api.ok(COUNTER_A, "call-next")
    api.ok(COUNTER_A, "recall")
    api.ok(COUNTER_A, "no-show")


def test_overview_ranks_sites_by_load_with_todays_figures(api: Api, wiring, clock) -> None:  # noqa: ANN001
    _morning(api, clock)
    view = ov.overview(wiring.reader(), 10, 30.0, 10)
    sites = {s["code"]: s for s in view["sites"]}
    assert view["sites"][0]["code"] == SITE_TT
    tt = sites[SITE_TT]
    assert (tt["waiting"], tt["served_today"], tt["no_show_today"], tt["no_show_rate"]) == (4, 1, 1, 0.5)
    assert (tt["counters_open"], tt["counters_busy"], tt["counters_total"]) == (1, 0, 9)
    assert tt["average_wait_seconds"] == (10 * 60 + 14 * 60) / 2  # A001 waited 10 min, A002 14
    assert tt["share_over_target"] == 0.5  # 14 min is over the 10 minute target; exactly 10 is not
    assert tt["longest_wait_seconds"] == 13 * 60  # A003, issued at 09:02, now 09:15
    assert tt["over_target"] is True
    assert view["totals"] == {"waiting": 5, "served": 1, "counters_open": 1, "over_target": 1}
    # HUE-TT's line for A is long with one counter open: open another one set up for it.
    kinds = {(s.kind, s.site_code) for s in view["suggestions"]}
    assert ("open_counter", SITE_TT) in kinds


def test_site_detail_lists_counters_waiting_tickets_and_the_audit_trail(api: Api, wiring, clock) -> None:  # noqa: ANN001
    _morning(api, clock)
    view = ov.site_detail(wiring.reader(), SITE_TT, 30, 30.0, 10)
    first = view["counters"][0]
    assert (first["number"], first["state"], first["staff_name"]) == (1, "open", "Nguyễn Văn An")
    assert [w["label"] for w in view["waiting"]] == ["A003", "A004", "A005", "A006"]
    assert [e["type"] for e in view["events"][:3]] == ["TicketNoShow", "TicketRecalled", "TicketCalled"]
    assert view["events"][0]["staff_name"] == "Nguyễn Văn An"
    assert SITE_PX in {s["code"] for s in view["other_sites"]}


def test_report_of_the_morning(api: Api, wiring, clock) -> None:  # noqa: ANN001
    _morning(api, clock)
    day = date(2026, 11, 23)
    report = load_report(wiring.reader(), ReportQuery(day, day, "site"))
    rows = {r.key: r for r in report["rows"]}
    tt = rows[SITE_TT]
    assert (tt.issued, tt.called, tt.served, tt.no_shows) == (6, 2, 1, 1)
    assert (tt.wait_avg, tt.wait_median, tt.wait_p90) == (12.0, 12.0, 14.0)
    assert tt.service_avg == 5.0
    assert rows[SITE_PX].issued == 1
    assert report["total"].issued == 7
    assert load_report(wiring.reader(), ReportQuery(day, day, "site", SITE_PX))["total"].issued == 1
