"""The small result records every scenario returns (percentiles come from the simulation's
`queue_server.simulation.metrics.percentile`, so the bench and the simulator rank alike)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


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
