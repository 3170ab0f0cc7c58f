"""The simulator checked against queueing theory, and the staffing plan checked against
the simulator."""

from __future__ import annotations

from dataclasses import dataclass

from queue_server.simulation.engine import simulate_day
from queue_server.simulation.metrics import WaitStats
from queue_server.simulation.scenarios import single_queue
from queue_server.simulation.staffing import figures

WARMUP_HOURS = 2.0


@dataclass(frozen=True)
class ErlangCheck:
    arrivals_per_hour: float
    handling_minutes: float
    counters: int
    distribution: str
    predicted_mean_wait: float
    simulated_mean_wait: float
    predicted_within_target: float
    simulated_within_target: float
    tickets: int


def erlang_check(arrivals_per_hour: float, handling_minutes: float, counters: int, target_minutes: float, *,
                 hours: float = 24.0, days: int = 20, seed: int = 1, distribution: str = "exponential") -> ErlangCheck:
    """Steady state: long days of constant arrivals; tickets of the first hours (an empty
    lobby at opening) are left out."""
    scenario = single_queue(arrivals_per_hour, handling_minutes, counters, hours=hours, distribution=distribution)
    start = scenario.day.periods[0][0] + WARMUP_HOURS * 60
    waits: list[float] = []
    for d in range(days):
        waits.extend(c.wait for c in simulate_day(scenario, seed, d).calls if c.arrived >= start)
    stats = WaitStats.of(waits, target_minutes)
    theory = figures(counters, arrivals_per_hour, handling_minutes, target_minutes)
    return ErlangCheck(arrivals_per_hour, handling_minutes, counters, distribution, theory.mean_wait_minutes,
                       stats.mean, theory.within_target, 1.0 - stats.over_target, stats.count)
