"""How many counters an hour needs: Erlang C (the M/M/c queue), for a service's arrival
forecast and a target wait.

Erlang C assumes Poisson arrivals, exponential handling times and a queue in steady
state. Real handling times vary less than exponential ones (the simulator's lognormal
has a coefficient of variation near 0.6, not 1), so Erlang C errs on the safe side; a
morning rush is no steady state, which is why the plan is checked against the simulator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def erlang_c(counters: int, offered_load: float) -> float:
    """Probability that an arriving citizen has to wait (all counters busy).

    offered_load = arrival rate x mean handling time (in Erlangs). 1.0 when the load is
    at or above the number of counters: the line grows without end.
    """
    if counters <= 0:
        return 1.0
    if offered_load <= 0:
        return 0.0
    if offered_load >= counters:
        return 1.0
    # Erlang B by its stable recursion, then C from B.
    b = 1.0
    for k in range(1, counters + 1):
        b = offered_load * b / (k + offered_load * b)
    rho = offered_load / counters
    return b / (1 - rho + rho * b)


@dataclass(frozen=True)
class QueueFigures:
    counters: int
    utilization: float
    p_wait: float
    mean_wait_minutes: float
    within_target: float  # share waiting at most the target


def figures(counters: int, arrivals_per_hour: float, mean_handling_minutes: float,
            target_wait_minutes: float) -> QueueFigures:
    lam = arrivals_per_hour / 60.0
    mu = 1.0 / mean_handling_minutes
    load = lam / mu
    if counters <= load:
        return QueueFigures(counters, 1.0, 1.0, math.inf, 0.0)
    pw = erlang_c(counters, load)
    drain = counters * mu - lam
    return QueueFigures(counters, load / counters, pw, pw / drain,
                        1.0 - pw * math.exp(-drain * target_wait_minutes))


def counters_needed(arrivals_per_hour: float, mean_handling_minutes: float, target_wait_minutes: float,
                    service_level: float = 0.8, *, max_counters: int = 500) -> int:
    """The fewest counters with at least `service_level` of citizens called within the target."""
    if arrivals_per_hour <= 0:
        return 0
    for c in range(1, max_counters + 1):
        if figures(c, arrivals_per_hour, mean_handling_minutes, target_wait_minutes).within_target >= service_level:
            return c
    raise ValueError("more than max_counters needed: check the forecast's units (arrivals per hour)")


def staffing_plan(forecast: Sequence[tuple[int, float]], mean_handling_minutes: float,
                  target_wait_minutes: float, service_level: float = 0.8) -> list[tuple[int, float, int]]:
    """[(hour, arrivals that hour, counters needed)] for an hourly forecast."""
    return [(hour, arrivals, counters_needed(arrivals, mean_handling_minutes, target_wait_minutes, service_level))
            for hour, arrivals in forecast]
