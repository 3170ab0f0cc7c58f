"""A scripted day at two sites, then the report read in Chromium (and its CSV and XLSX)
against a real server: every figure matches what the script itself says happened."""

from __future__ import annotations

import csv
import io
import math
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from support import SITE_PX, SITE_TT, Api, FakeClock, LiveServer
from web_helpers import DESKTOP, PHONE, Shots, collect_errors, login

from queue_server.adapters import tables as t
from queue_server.service_layer import manager as m

pytestmark = pytest.mark.slow
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 in Huế
DAY = "2026-11-23"
TT_A, TT_B, PX_A, PX_B = 1, 3, 10, 11  # counter ids


@dataclass
class Visit:
    """What the script did to one ticket, in minutes after 09:00: the expected figures are
    computed from these, never from the server's event log."""

    site: str  # where it was issued
    issued: int
    first_call: int | None = None
    first_call_site: str | None = None
    served_site: str | None = None
    served_call: int | None = None  # the call that led to service
    served: int | None = None
    no_show_site: str | None = None
    transfers_from: list[str] = field(default_factory=list)
    rating: str | None = None  # rated where it was served


def _p90(values: list[float]) -> float:
    return sorted(values)[math.ceil(0.9 * len(values)) - 1]


def expected_by_site(visits: list[Visit]) -> dict[str, dict]:
    out = {}
    for site in (SITE_PX, SITE_TT):
        waits = [v.first_call - v.issued for v in visits if v.first_call_site == site]
        services = [v.served - v.served_call for v in visits if v.served_site == site]
        out[site] = {
            "issued": sum(v.site == site for v in visits), "called": len(waits), "served": len(services),
            "no_shows": sum(v.no_show_site == site for v in visits),
            "transfers": sum(v.transfers_from.count(site) for v in visits),
            "wait": (round(statistics.mean(waits), 1), round(statistics.median(waits), 1), _p90(waits)),
            "service": (round(statistics.mean(services), 1), round(statistics.median(services), 1), _p90(services)),
            "ratings": [v.rating for v in visits if v.rating and v.served_site == site],
        }
    return out


def scripted_day(api: Api, clock: FakeClock, wiring) -> list[Visit]:  # noqa: ANN001
    def at(minute: int) -> None:
        clock.now = T0 + timedelta(minutes=minute)

    def px(counter: int, action: str, body: dict | None = None) -> dict:
        return api.ok(counter, action, body, user="canbo.px")

    visits: dict[str, Visit] = {}
    at(0); a1 = api.issue(); visits["a1"] = Visit(SITE_TT, 0)  # noqa: E702
    at(1); a2 = api.issue(); visits["a2"] = Visit(SITE_TT, 1)  # noqa: E702
    at(2); b1 = api.issue(procedure=None, service_id=2); visits["b1"] = Visit(SITE_TT, 2)  # noqa: E702
    at(3); a3 = api.issue(); visits["a3"] = Visit(SITE_TT, 3)  # noqa: E702
    at(4); p1 = api.issue(site=SITE_PX); visits["p1"] = Visit(SITE_PX, 4)  # noqa: E702

    at(5)
    api.ok(TT_A, "open")
    assert api.ok(TT_A, "call-next")["id"] == a1["id"]
    v = visits["a1"]; v.first_call, v.first_call_site = 5, SITE_TT  # noqa: E702
    at(6); api.ok(TT_A, "start")  # noqa: E702
    at(12); api.ok(TT_A, "finish")  # noqa: E702
    v.served, v.served_call, v.served_site = 12, 5, SITE_TT

    assert api.ok(TT_A, "call-next")["id"] == a2["id"]
    v = visits["a2"]; v.first_call, v.first_call_site = 12, SITE_TT  # noqa: E702
    at(13); api.ok(TT_A, "recall")  # noqa: E702
    at(15); api.ok(TT_A, "no-show")  # noqa: E702
    v.no_show_site = SITE_TT

    api.ok(TT_B, "open")
    assert api.ok(TT_B, "call-next")["id"] == b1["id"]
    v = visits["b1"]; v.first_call, v.first_call_site = 15, SITE_TT  # noqa: E702

    at(16)
    api.ok(TT_B, "start")
    assert api.ok(TT_A, "call-next")["id"] == a3["id"]
    visits["a3"].first_call, visits["a3"].first_call_site = 16, SITE_TT
    at(17); api.ok(TT_A, "start")  # noqa: E702
    at(18); a4 = api.issue(); visits["a4"] = Visit(SITE_TT, 18)  # noqa: E702
    at(20)
    api.ok(TT_B, "transfer", {"target": "site", "site_code": SITE_PX})  # the clerk sends b1 to HUE-PX
    visits["b1"].transfers_from.append(SITE_TT)
    at(21)
    with wiring.reader() as uow:
        boss = uow.conn.execute(select(t.staff.c.id).where(t.staff.c.username == "quanly")).scalar_one()
    m.move_tickets(m.MoveTickets(SITE_TT, SITE_PX, boss, ticket_ids=(a4["id"],)), wiring.uow())
    visits["a4"].transfers_from.append(SITE_TT)

    at(22)
    px(PX_A, "open")
    assert px(PX_A, "call-next")["id"] == p1["id"]
    visits["p1"].first_call, visits["p1"].first_call_site = 22, SITE_PX
    at(23); px(PX_A, "start")  # noqa: E702
    at(25); api.ok(TT_A, "finish")  # noqa: E702
    visits["a3"].served, visits["a3"].served_call, visits["a3"].served_site = 25, 16, SITE_TT
    at(30); px(PX_A, "finish")  # noqa: E702
    visits["p1"].served, visits["p1"].served_call, visits["p1"].served_site = 30, 22, SITE_PX
    assert px(PX_A, "call-next")["id"] == a4["id"]
    visits["a4"].first_call, visits["a4"].first_call_site = 30, SITE_PX
    at(31); px(PX_A, "start")  # noqa: E702
    at(32)
    px(PX_B, "open")
    assert px(PX_B, "call-next")["id"] == b1["id"]  # called again, at the new site: the wait is not counted twice
    at(33); px(PX_B, "start")  # noqa: E702
    at(36); px(PX_A, "finish")  # noqa: E702
    visits["a4"].served, visits["a4"].served_call, visits["a4"].served_site = 36, 30, SITE_PX
    at(40); px(PX_B, "finish")  # noqa: E702
    visits["b1"].served, visits["b1"].served_call, visits["b1"].served_site = 40, 32, SITE_PX
    at(45)  # two citizens rate their visit from their phone
    for ticket, level, visit in ((a1, "very_satisfied", "a1"), (p1, "unsatisfied", "p1")):
        reply = api.client.post(f"/api/v1/public/tickets/{ticket['tracking_token']}/rating", json={"level": level})
        assert reply.status_code == 201, reply.text
        visits[visit].rating = level
    return list(visits.values())


def _vn(value: float) -> str:
    """How the page prints a figure (Vietnamese decimal comma)."""
    return f"{value:.1f}".replace(".", ",")


def test_report_figures_match_a_scripted_day(
        browser, web_api: Api, web_wiring, clock: FakeClock, sqlite_url: str, shots: Shots) -> None:  # noqa: ANN001
    visits = scripted_day(web_api, clock, web_wiring)
    expected = expected_by_site(visits)
    # Hand-checked anchors, so the independent computation cannot drift with the code.
    assert expected[SITE_TT]["wait"] == (10.5, 12, 13) and expected[SITE_PX]["wait"] == (15, 15, 18)
    assert expected[SITE_TT]["service"] == (8, 8, 9) and expected[SITE_PX]["service"] == (7.3, 8, 8)
    assert (expected[SITE_TT]["transfers"], expected[SITE_TT]["no_shows"], expected[SITE_PX]["served"]) == (2, 1, 3)

    server = LiveServer(sqlite_url)  # the same database, now behind a real server process
    try:
        page = browser.new_page(viewport=DESKTOP)
        errors = collect_errors(page)
        login(page, server.url)
        query = f"from={DAY}&to={DAY}&by=site"
        page.goto(f"{server.url}/manager/reports?{query}")
        rows = {}
        for tr in page.locator("table.report tbody tr").all():
            cells = [c.inner_text().strip() for c in tr.locator("td").all()]
            rows[cells[0]] = cells
        assert set(rows) == {SITE_PX, SITE_TT, "Tổng · Total"}
        for site, want in expected.items():
            cells = rows[site]
            assert cells[1:6] == [str(want["issued"]), str(want["called"]), str(want["served"]),
                                  cells[4], str(want["transfers"])]
            assert cells[4].split()[0] == str(want["no_shows"])
            assert cells[6:9] == [_vn(x) for x in want["wait"]], site
            assert cells[9:12] == [_vn(x) for x in want["service"]], site
            happy = sum(r != "unsatisfied" for r in want["ratings"]) / len(want["ratings"])
            assert cells[12].split() == [f"{happy:.0%}", f"({len(want['ratings'])})"]
        total = rows["Tổng · Total"]
        assert total[1:4] == ["6", "6", "5"] and total[5] == "2"
        shots(page, "manager-reports", "desktop")

        csv_text = page.request.get(f"{server.url}/manager/reports.csv?{query}").body().decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(csv_text)))
        assert table[0][0] == "Điểm phục vụ / Site"
        by_site = {r[0]: r for r in table[1:]}
        tt = by_site[SITE_TT]
        assert [tt[1], tt[3], tt[4], tt[6]] == ["5", "2", "1", "2"]
        assert [float(x) for x in tt[7:13]] == [*expected[SITE_TT]["wait"], *expected[SITE_TT]["service"]]
        assert tt[13:17] == ["1", "0", "0", "100.0"] and by_site[SITE_PX][13:17] == ["0", "0", "1", "0.0"]

        from openpyxl import load_workbook

        xlsx = page.request.get(f"{server.url}/manager/reports.xlsx?{query}")
        assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(xlsx.body())).active
        sheet_rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
        assert sheet_rows[SITE_PX][1:4] == (1, 2, 3)
        assert list(sheet_rows[SITE_PX][7:13]) == [*expected[SITE_PX]["wait"], *expected[SITE_PX]["service"]]

        page.goto(f"{server.url}/manager/reports?from={DAY}&to={DAY}&by=staff")
        staff_rows = {tr.locator("td").first.inner_text(): tr.locator("td").nth(5).inner_text()
                      for tr in page.locator("table.report tbody tr").all()}
        assert staff_rows["Nguyễn Thị Quản Lý"] == "1"  # the manager's move, on the manager's line
        assert staff_rows["Nguyễn Văn An"] == "1"  # the clerk's transfer

        phone = browser.new_page(viewport=PHONE)
        login(phone, server.url)
        phone.goto(f"{server.url}/manager/reports?from={DAY}&to={DAY}&by=service")
        shots(phone, "manager-reports", "phone")
        assert errors == []
    finally:
        server.stop()
