"""What a simulated province is made of: sites with coordinates and counters, services
with their handling-time distributions, a day's arrival profile, and the citizens' habits
(priority, no-shows, taking a suggestion to go elsewhere). Plain data, no behaviour."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

from shared.enums import PriorityClass

Minutes = float  # simulation time: minutes since local midnight


@dataclass(frozen=True)
class ServiceProfile:
    """Handling time at the counter (call to finish, walking up included), lognormal by
    default: most dossiers take a few minutes, a few take very long."""

    code: str
    median_minutes: float
    sigma: float = 0.55  # lognormal shape; 0.55 gives a coefficient of variation near 0.6
    distribution: Literal["lognormal", "exponential"] = "lognormal"

    @property
    def mean_minutes(self) -> float:
        if self.distribution == "exponential":
            return self.median_minutes / math.log(2)
        return self.median_minutes * math.exp(self.sigma**2 / 2)


@dataclass(frozen=True)
class CounterSpec:
    number: int
    weights: dict[str, int]  # service code -> weight (higher: this counter prefers it)


@dataclass(frozen=True)
class SiteSpec:
    code: str
    latitude: float
    longitude: float
    counters: tuple[CounterSpec, ...]
    visitors_per_day: float
    service_mix: dict[str, float]  # service code -> share of this site's visitors

    @property
    def services(self) -> set[str]:
        return {code for c in self.counters for code in c.weights}


@dataclass(frozen=True)
class DayShape:
    """Opening periods, when the kiosks stop issuing, and how arrivals spread over the day.

    `arrival_weights` are relative rates per (start minute, end minute) slot; `opening_burst`
    is the share of the morning's citizens already at the door at opening (they all take a
    ticket in the first few minutes: the 07:00 rush).
    """

    periods: tuple[tuple[Minutes, Minutes], ...] = ((7 * 60, 11 * 60 + 30), (13 * 60 + 30, 17 * 60))
    issue_until: tuple[Minutes, ...] = (11 * 60 + 15, 16 * 60 + 30)
    arrival_weights: tuple[tuple[Minutes, Minutes, float], ...] = (
        (7 * 60, 8 * 60, 1.3), (8 * 60, 9 * 60, 1.6), (9 * 60, 10 * 60, 1.4), (10 * 60, 11 * 60, 1.0),
        (11 * 60, 11 * 60 + 15, 0.5), (13 * 60 + 30, 14 * 60, 0.9), (14 * 60, 15 * 60, 1.1),
        (15 * 60, 16 * 60, 0.9), (16 * 60, 16 * 60 + 30, 0.5),
    )
    opening_burst: float = 0.06
    burst_minutes: float = 5.0
    serve_until_empty: bool = True  # counters finish everyone who took a ticket


@dataclass(frozen=True)
class Citizens:
    priority_share: dict[PriorityClass, float] = field(default_factory=lambda: {
        PriorityClass.ELDERLY: 0.05, PriorityClass.DISABILITY: 0.01, PriorityClass.PREGNANCY: 0.01,
        PriorityClass.CHILD: 0.01, PriorityClass.MERIT: 0.005,
    })
    no_show: float = 0.05  # called, never comes (left, or went elsewhere without saying)
    recall_minutes: float = 1.5  # a counter's time lost on a no-show: call, recall, mark
    accept_suggestion: float = 0.5  # share who go when a kiosk shows a clearly shorter line
    speed_kmh: float = 25.0
    day_to_day_sigma: float = 0.10  # demand varies from day to day


@dataclass(frozen=True)
class Suggestion:
    """The kiosk's "a nearby site would serve you sooner" (views.nearby + domain.geo)."""

    enabled: bool = False
    max_km: float = 30.0
    margin_minutes: int = 10
    # "remote": the kiosk issues the ticket for the other site at once (it waits there
    # while the citizen travels; called before arriving means a no-show). "on_arrival":
    # the citizen takes a new ticket there.
    ticket: Literal["remote", "on_arrival"] = "on_arrival"


@dataclass(frozen=True)
class Scenario:
    name: str
    sites: tuple[SiteSpec, ...]
    services: dict[str, ServiceProfile]
    day: DayShape = DayShape()
    citizens: Citizens = Citizens()
    suggestion: Suggestion = Suggestion()
    policy: str = "default"
    max_wait_minutes: int = 60
    target_wait_minutes: float = 30.0

    def with_(self, **changes: object) -> Scenario:
        return replace(self, **changes)  # type: ignore[arg-type]

    def site(self, code: str) -> SiteSpec:
        for s in self.sites:
            if s.code == code:
                return s
        raise KeyError(code)
