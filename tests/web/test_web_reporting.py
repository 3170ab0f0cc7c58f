"""Report figures from the event log, as pure functions: the definitions the page prints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.web.charts import Series, axis, bar_chart
from queue_server.web.reporting import LoggedEvent, Names, build_report, p90, total_row

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Huế
NAMES = Names(sites={1: "HUE-TT", 2: "HUE-PX"}, services={1: "A", 2: "B"}, counters={1: "TT 1", 2: "TT 2"},
              staff={5: "An", 6: "Bình"})


def ev(kind: str, minute: float, ticket: int | None, site: int = 1, service: int = 1, counter: int | None = None,
       staff: int | None = None, **data) -> LoggedEvent:  # noqa: ANN003
    return LoggedEvent(kind, T0 + timedelta(minutes=minute), site, ticket, counter, staff,
                       {"service_id": service, **data})


def test_p90_is_the_nearest_rank() -> None:
    assert p90([]) is None
    assert p90([5.0]) == 5.0
    assert p90(list(range(1, 11))) == 9  # ceil(0.9 * 10) = 9th value
    assert p90(list(range(1, 12))) == 10  # ceil(9.9) = 10th


def test_wait_runs_from_issue_to_the_first_call_and_service_from_the_last_call() -> None:
    events = [
        ev("TicketIssued", 0, 1), ev("TicketIssued", 2, 2),
        ev("TicketCalled", 10, 1, counter=1, staff=5),
        ev("TicketRecalled", 11, 1, counter=1, staff=5),
        ev("TicketServed", 16, 1, counter=1, staff=5),  # 6 min after the call
        ev("TicketCalled", 20, 2, counter=1, staff=5),  # waited 18
        ev("TicketTransferred", 22, 2, counter=1, staff=5, target="counter"),
        ev("TicketCalled", 30, 2, counter=2, staff=6),  # a second call does not restart the wait
        ev("TicketServed", 34, 2, counter=2, staff=6),  # 4 min after the call that led to it
        ev("TicketRated", 40, 1, counter=1, staff=5, level="very_satisfied"),
        ev("TicketRated", 41, 2, counter=2, staff=6, level="unsatisfied"),
    ]
    [row] = build_report(events, "day", TZ, NAMES)
    assert (row.key, row.issued, row.called, row.served, row.transfers) == ("2026-11-23", 2, 2, 2, 1)
    assert (row.wait_avg, row.wait_median, row.wait_p90) == (14.0, 14.0, 18.0)
    assert (row.service_avg, row.service_median, row.service_p90) == (5.0, 5.0, 6.0)
    by_staff = {r.key: r for r in build_report(events, "staff", TZ, NAMES)}
    assert by_staff["An"].issued is None  # clerks do not issue tickets
    assert (by_staff["An"].served, by_staff["Bình"].served) == (1, 1)
    assert by_staff["Bình"].service_avg == 4.0 and by_staff["Bình"].called == 0
    assert (row.very_satisfied, row.satisfied, row.unsatisfied, row.satisfied_share) == (1, 0, 1, 0.5)
    assert by_staff["An"].satisfied_share == 1.0 and by_staff["Bình"].satisfied_share == 0.0


def test_a_move_between_sites_is_one_transfer_and_the_wait_keeps_the_issue_time() -> None:
    move = {"target": "site", "from_site_id": 1, "to_site_id": 2}
    events = [
        ev("TicketIssued", 0, 1, site=1),
        ev("TicketTransferred", 5, 1, site=1, **move), ev("TicketTransferred", 5, 1, site=2, **move),
        ev("TicketCalled", 25, 1, site=2, counter=2),
        ev("TicketNoShow", 27, 1, site=2, counter=2),
    ]
    by_site = {r.key: r for r in build_report(events, "site", TZ, NAMES)}
    assert (by_site["HUE-TT"].issued, by_site["HUE-TT"].transfers) == (1, 1)
    assert (by_site["HUE-PX"].transfers, by_site["HUE-PX"].wait_avg, by_site["HUE-PX"].no_shows) == (0, 25.0, 1)
    assert by_site["HUE-PX"].no_show_rate == 1.0
    total = total_row(events, TZ)
    assert (total.issued, total.transfers, total.called, total.no_shows) == (1, 1, 1, 1)


def test_periods_follow_the_local_calendar() -> None:
    late = LoggedEvent("TicketIssued", datetime(2026, 11, 30, 17, 30, tzinfo=UTC), 1, 1, None, None,
                       {"service_id": 1})  # 00:30 on 1 December in Huế
    assert build_report([late], "day", TZ, NAMES)[0].key == "2026-12-01"
    assert build_report([late], "week", TZ, NAMES)[0].key == "2026-W49"
    assert build_report([late], "month", TZ, NAMES)[0].key == "2026-12"
    with pytest.raises(ValueError):
        build_report([late], "weather", TZ, NAMES)


def test_chart_axis_uses_round_steps_and_names_are_escaped() -> None:
    assert axis(4) == (4, 1) and axis(17) == (20, 5) and axis(30) == (30, 10)
    svg = str(bar_chart("Số lượt", ["<script>x</script>", "B"], [Series("Cấp", "#000", [3, None])]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
