"""The province-day simulator: deterministic under a seed, true to the demo province,
true to queueing theory, and fair in the ways the ordering policy promises."""

from __future__ import annotations

import math
from dataclasses import asdict

import pytest

from queue_server.domain.estimation import DeskShare, estimate_line
from queue_server.simulation import estimators
from queue_server.simulation.checks import erlang_check
from queue_server.simulation.cli import hourly_forecast, simulate_command
from queue_server.simulation.engine import simulate_day, simulate_days
from queue_server.simulation.metrics import summarize
from queue_server.simulation.model import Suggestion
from queue_server.simulation.scenarios import HUE_SITES, hue_province
from queue_server.simulation.staffing import counters_needed, erlang_c, figures


def _small_day():  # noqa: ANN202
    scenario = hue_province()
    return scenario.with_(sites=tuple(s.__class__(**{**s.__dict__, "visitors_per_day": s.visitors_per_day / 4})
                                      for s in scenario.sites))


def test_same_seed_gives_the_same_day_and_another_seed_a_different_one() -> None:
    scenario = _small_day()
    first = [asdict(c) for c in simulate_day(scenario, 42, 0).calls]
    again = [asdict(c) for c in simulate_day(scenario, 42, 0).calls]
    other = [asdict(c) for c in simulate_day(scenario, 43, 0).calls]
    assert first and first == again
    assert first != other


def test_every_citizen_who_took_a_ticket_is_called_once_by_the_end_of_the_day() -> None:
    days = simulate_days(_small_day(), 7, 3)
    for day in days:
        assert day.left_waiting == 0
        assert all(call.wait >= 0 for call in day.calls)


def test_the_simulated_province_has_the_seeded_sites_counters_and_weights() -> None:
    from queue_server.seed import SITES

    for (code, *_, lat, lon, offered, counters), site in zip(SITES, HUE_SITES, strict=True):
        assert site.code == code and (site.latitude, site.longitude) == (lat, lon)
        assert site.services == set(offered)
        seeded = {number: {item[0]: int(item[1:]) for item in spec.split()} for number, spec in counters}
        assert {c.number: c.weights for c in site.counters} == seeded


def test_priority_citizens_wait_less_under_the_default_policy_than_under_fifo() -> None:
    scenario = _small_day().with_(sites=hue_province().sites)
    codes = [s.code for s in scenario.sites]
    default = summarize("default", simulate_days(scenario, 3, 4), 30, codes)
    fifo = summarize("fifo", simulate_days(scenario.with_(policy="fifo"), 3, 4), 30, codes)
    assert default.priority.mean < fifo.priority.mean
    assert default.fairness > 1.5 > fifo.fairness


def test_the_nearby_site_suggestion_sends_some_citizens_elsewhere_and_cuts_the_worst_waits() -> None:
    scenario = hue_province()
    codes = [s.code for s in scenario.sites]
    off = summarize("off", simulate_days(scenario, 5, 4), 30, codes)
    on = summarize("on", simulate_days(scenario.with_(suggestion=Suggestion(enabled=True)), 5, 4), 30, codes)
    assert on.redirected_per_day > 0 and off.redirected_per_day == 0
    assert on.waits.p90 < off.waits.p90


def test_the_current_estimator_is_exactly_the_servers() -> None:
    view = estimators.QueueView(people_ahead=7, handling_seconds=420.0, open_counters=3, configured_counters=4,
                                idle_counters=0, preferred_counters=2.0)
    # 2 of the 3 open desks prefer this line: 8 turns of 7 minutes shared by 2 desks.
    assert estimators.current(view) == estimate_line(7, 420.0, 3, 4, DeskShare(0, 2.0)).minutes == 28
    assert estimators.previous(view) == round(7 * 7 / 3)
    assert estimators.next_free_desk(view) == round(8 * 420 / 3 / 60)
    free_desk = estimators.QueueView(0, 420.0, 3, 3, idle_counters=1, preferred_counters=3.0)
    assert estimators.next_free_desk(free_desk) == 0 and estimators.preferred_desks(free_desk) == 0


def test_erlang_c_matches_the_textbook_and_counts_counters() -> None:
    # 2 Erlangs on 3 servers: P(wait) = 4/9 (textbook value).
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    assert erlang_c(2, 2.0) == 1.0  # at capacity the line grows without end
    f = figures(5, 40, 6, 10)
    assert f.utilization == pytest.approx(0.8) and 0 < f.mean_wait_minutes < 10
    assert counters_needed(40, 6, 10, 0.8) == 5
    assert counters_needed(80, 6, 10, 0.8) > counters_needed(40, 6, 10, 0.8)
    assert counters_needed(0, 6, 10) == 0


def test_simulated_steady_queue_agrees_with_erlang_c() -> None:
    check = erlang_check(40, 6, 5, 10, hours=24, days=4, seed=2)
    assert check.tickets > 2000
    assert check.simulated_mean_wait == pytest.approx(check.predicted_mean_wait, rel=0.3)
    assert check.simulated_within_target == pytest.approx(check.predicted_within_target, abs=0.05)


def test_hourly_forecast_adds_up_to_the_services_daily_visitors() -> None:
    scenario = hue_province()
    site = scenario.site("HUE-TT")
    total = sum(n for _, n in hourly_forecast(scenario, "HUE-TT", "A"))
    assert total == pytest.approx(site.visitors_per_day * site.service_mix["A"], rel=1e-6)
    assert math.isclose(sum(site.service_mix.values()), 1.0)


def test_simulate_command_writes_the_summary_and_plots(tmp_path) -> None:  # noqa: ANN001
    assert simulate_command(["--days", "2", "--policies", "default", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "simulation.md").read_text(encoding="utf-8")
    assert "| default |" in text and "`current`" in text and "Erlang C" in text
    pytest.importorskip("matplotlib")  # plots are optional for the command, checked when possible
    for name in ("waits-over-day", "waits-per-site", "estimator", "staffing"):
        png = tmp_path / "img" / f"sim-{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_servers_estimate_beats_the_rule_it_replaced_and_projection_beats_both() -> None:
    from queue_server.simulation.metrics import estimator_errors

    days = simulate_days(hue_province(), 11, 2, projection=True)
    errors = estimator_errors(c for d in days for c in d.calls)
    assert errors["projection"].mae < errors["current"].mae < errors["previous"].mae
    assert abs(errors["current"].bias) < abs(errors["previous"].bias) / 2


def test_the_oracle_that_knows_every_handling_time_is_the_most_accurate() -> None:
    from queue_server.simulation.metrics import estimator_errors

    scenario = _small_day()
    errors = estimator_errors(c for c in simulate_day(scenario, 5, 0, oracle=True).calls)
    assert errors["oracle_present"].mae <= min(e.mae for e in errors.values()) + 1e-9
