"""Statistics of simulated days: waits, share over target, utilization, fairness, and the
wait estimators' error. Pooled over all tickets of all days (percentiles of the pooled
waits, not averages of daily percentiles)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from queue_server.simulation.engine import Call, DayResult


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks; NaN for no values. The bench ranks its
    latencies with this one too."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


@dataclass(frozen=True)
class WaitStats:
    count: int
    mean: float
    median: float
    p90: float
    max: float
    over_target: float  # share of waits longer than the target

    @classmethod
    def of(cls, waits: Sequence[float], target: float) -> WaitStats:
        return cls(len(waits), _mean(waits), percentile(waits, 50), percentile(waits, 90),
                   max(waits) if waits else math.nan,
                   sum(1 for w in waits if w > target) / len(waits) if waits else math.nan)


@dataclass(frozen=True)
class EstimatorError:
    mae: float  # mean absolute error, minutes
    bias: float  # mean of (estimate - real): negative means the ticket promised too little
    relative: float  # mae / mean real wait
    within_5: float  # share of estimates within 5 minutes of the real wait


@dataclass
class Summary:
    label: str
    days: int
    waits: WaitStats
    priority: WaitStats
    normal: WaitStats
    utilization: float
    overtime_minutes_per_day: float
    redirected_per_day: float
    no_show_share: float
    estimators: dict[str, EstimatorError]
    per_site: dict[str, WaitStats] = field(default_factory=dict)
    by_half_hour: dict[float, WaitStats] = field(default_factory=dict)

    @property
    def fairness(self) -> float:
        """Mean wait of normal tickets over that of priority tickets (> 1: priority helps)."""
        return self.normal.mean / self.priority.mean if self.priority.mean else math.inf


def estimator_errors(calls: Iterable[Call]) -> dict[str, EstimatorError]:
    errors: dict[str, list[float]] = defaultdict(list)
    real: dict[str, list[float]] = defaultdict(list)
    for call in calls:
        for name, estimate in call.estimates.items():
            if estimate is not None:
                errors[name].append(estimate - call.wait)
                real[name].append(call.wait)
    out = {}
    for name, errs in errors.items():
        mae = _mean([abs(e) for e in errs])
        mean_wait = _mean(real[name])
        out[name] = EstimatorError(mae, _mean(errs), mae / mean_wait if mean_wait else math.nan,
                                   sum(1 for e in errs if abs(e) <= 5) / len(errs))
    return out


def summarize(label: str, days: list[DayResult], target: float, site_codes: Sequence[str]) -> Summary:
    calls = [c for d in days for c in d.calls]
    waits = [c.wait for c in calls]
    busy = sum(sum(d.counter_busy.values()) for d in days)
    opened = sum(sum(d.counter_open.values()) for d in days)
    per_site = {code: WaitStats.of([c.wait for c in calls if c.site == i], target)
                for i, code in enumerate(site_codes)}
    halves: dict[float, list[float]] = defaultdict(list)
    for c in calls:
        halves[math.floor(c.arrived / 30) * 30 / 60].append(c.wait)
    n = max(1, len(days))
    return Summary(
        label=label, days=len(days), waits=WaitStats.of(waits, target),
        priority=WaitStats.of([c.wait for c in calls if c.priority], target),
        normal=WaitStats.of([c.wait for c in calls if not c.priority], target),
        utilization=busy / opened if opened else math.nan,
        overtime_minutes_per_day=sum(d.overtime_minutes for d in days) / n,
        redirected_per_day=sum(d.redirected for d in days) / n,
        no_show_share=sum(1 for c in calls if c.no_show) / len(calls) if calls else math.nan,
        estimators=estimator_errors(calls), per_site=per_site,
        by_half_hour={h: WaitStats.of(w, target) for h, w in sorted(halves.items())},
    )
