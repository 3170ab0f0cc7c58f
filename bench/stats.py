"""Percentiles and the small result records every scenario returns."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass
class Result:
    """One line of the table. `ratio` is against the same-run baseline, where one applies."""

    scenario: str
    backend: str
    workers: int
    load: int  # connections, counters or displays
    count: int = 0
    errors: int = 0
    seconds: float = 0.0
    rate: float = 0.0  # per second: requests, claims
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    baseline_rate: float = math.nan
    baseline_p99_ms: float = math.nan
    rss_mb: float = math.nan
    failures: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        if not self.baseline_rate or math.isnan(self.baseline_rate):
            return math.nan
        return self.rate / self.baseline_rate

    @property
    def ok(self) -> bool:
        return not self.failures and self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = self.ratio
        return out
