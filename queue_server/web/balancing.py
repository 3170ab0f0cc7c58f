"""Load-balancing suggestions: pure rules over the figures of every site (no database).

Two kinds, each with the figures that justify it:
- open a closed counter that is set up for an overloaded service;
- move some waiting tickets of a service to a nearby site that offers it, has counters open
  for it and would still serve them sooner, travel included.

The number to move balances the two lines: after moving k tickets, the wait at the busy
site (w_s - k) * h_s / c_s and the wait at the other (w_t + k) * h_t / c_t + travel should
meet, so k = (W_s - W_t - travel) / (h_s / c_s + h_t / c_t), rounded down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import floor

from queue_server.domain.estimation import DEFAULT_HANDLING_SECONDS
from queue_server.domain.geo import distance_km, travel_minutes


@dataclass(frozen=True)
class ServiceLoad:
    service_id: int
    service_code: str
    service_name_vi: str
    waiting: int
    open_counters: int  # open counters serving it now
    closed_counters: tuple[tuple[int, int], ...]  # (number, id) of closed or paused counters set up for it
    handling_seconds: float | None

    @property
    def per_ticket_minutes(self) -> float:
        return (self.handling_seconds or DEFAULT_HANDLING_SECONDS) / 60.0

    def wait_minutes(self, extra: int = 0, counters: int | None = None) -> float | None:
        serving = self.open_counters if counters is None else counters
        if serving <= 0:
            return None
        return max(0, self.waiting + extra) * self.per_ticket_minutes / serving


@dataclass(frozen=True)
class SiteLoad:
    code: str
    name_vi: str
    latitude: float
    longitude: float
    services: dict[int, ServiceLoad] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "open_counter" | "move"
    site_code: str
    site_name_vi: str
    service_id: int
    service_code: str
    service_name_vi: str
    waiting: int
    wait_now: float | None  # minutes at the busy site now (None: nobody serves it)
    wait_after: float  # minutes at the busy site after the suggestion
    counter_number: int | None = None  # open_counter
    counter_id: int | None = None
    to_site_code: str | None = None  # move
    to_site_name_vi: str | None = None
    distance_km: float | None = None
    travel_minutes: int | None = None
    move_count: int = 0
    to_wait_now: float | None = None
    to_wait_after: float | None = None

    @property
    def minutes_saved(self) -> float:
        return (self.wait_now if self.wait_now is not None else 999.0) - self.wait_after


def suggest(sites: list[SiteLoad], target_minutes: float, *, max_km: float = 30.0,
            margin_minutes: float = 10.0) -> list[Suggestion]:
    out: list[Suggestion] = []
    for site in sites:
        for load in site.services.values():
            wait = load.wait_minutes()
            if load.waiting == 0 or (wait is not None and wait <= target_minutes):
                continue
            if load.closed_counters:
                out.append(_open_counter(site, load, wait))
            move = _best_move(site, load, wait, sites, max_km, margin_minutes)
            if move is not None:
                out.append(move)
    out.sort(key=lambda s: (-s.minutes_saved, s.site_code, s.service_code, s.kind))
    return out


def _open_counter(site: SiteLoad, load: ServiceLoad, wait: float | None) -> Suggestion:
    after = load.wait_minutes(counters=load.open_counters + 1) or 0.0
    return Suggestion("open_counter", site.code, site.name_vi, load.service_id, load.service_code,
                      load.service_name_vi, load.waiting, wait, after, counter_number=load.closed_counters[0][0],
                      counter_id=load.closed_counters[0][1])


def _best_move(site: SiteLoad, load: ServiceLoad, wait: float | None, sites: list[SiteLoad], max_km: float,
               margin: float) -> Suggestion | None:
    best: Suggestion | None = None
    for other in sites:
        there = other.services.get(load.service_id)
        if other.code == site.code or there is None or there.open_counters <= 0:
            continue
        km = distance_km(site.latitude, site.longitude, other.latitude, other.longitude)
        if km > max_km:
            continue
        travel = travel_minutes(km)
        there_wait = there.wait_minutes() or 0.0
        here_wait = wait if wait is not None else float("inf")
        if there_wait + travel + margin > here_wait:
            continue
        k = _balanced_count(load, there, travel)
        if k < 1:
            continue
        after = load.wait_minutes(extra=-k) if load.open_counters else None
        candidate = Suggestion(
            "move", site.code, site.name_vi, load.service_id, load.service_code, load.service_name_vi,
            load.waiting, wait, after if after is not None else 0.0, to_site_code=other.code,
            to_site_name_vi=other.name_vi, distance_km=round(km, 1), travel_minutes=travel, move_count=k,
            to_wait_now=there_wait, to_wait_after=there.wait_minutes(extra=k),
        )
        if best is None or candidate.minutes_saved > best.minutes_saved or (
                candidate.minutes_saved == best.minutes_saved and candidate.move_count > best.move_count):
            best = candidate
    return best


def _balanced_count(here: ServiceLoad, there: ServiceLoad, travel: int) -> int:
    there_rate = there.per_ticket_minutes / there.open_counters
    if here.open_counters <= 0:
        # Nobody serves it here: everyone is better off there, as long as it stays sooner.
        return here.waiting
    here_rate = here.per_ticket_minutes / here.open_counters
    k = (here.waiting * here_rate - there.waiting * there_rate - travel) / (here_rate + there_rate)
    return max(0, min(here.waiting, floor(k)))
