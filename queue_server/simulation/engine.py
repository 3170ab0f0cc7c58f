"""The discrete-event simulation of one service day, against the pure domain.

Citizens are drawn first, for the whole day (common random numbers: every policy and
every suggestion setting sees the same people arriving at the same moments with the same
dossiers), then events run in time order from a heap:

- arrival: at the kiosk; the nearby-site suggestion (domain.geo.sooner_elsewhere on the
  same estimates the server shows) may send the citizen elsewhere; otherwise a ticket,
  whose printed estimate is recorded for every estimator in `estimators.ESTIMATORS`;
- a counter becomes free: it calls the next ticket the way the server does, the ordering
  policy's heads of each line it serves (domain.ordering.line_heads, the same candidates
  the database's index probes return) handed to the policy's `choose`;
- a call: the citizen comes (handling time) or not (the counter loses the recall time);
  on finish the service's moving average (domain.estimation.updated_average) learns.

Nothing here reads a clock or a database; a day is a pure function of (scenario, seed,
the averages learnt on earlier days).
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from queue_server.domain.estimation import (
    DEFAULT_HANDLING_SECONDS,
    Desk,
    DeskShare,
    desk_share,
    estimate_wait,
    updated_average,
)
from queue_server.domain.geo import distance_km, sooner_elsewhere, travel_minutes
from queue_server.domain.ordering import (
    DEFAULT_PRIORITY_WEIGHTS,
    Candidate,
    CounterView,
    choose,
    line_heads,
    make_policy,
)
from queue_server.simulation.estimators import ESTIMATORS, RECENT_MINUTES, QueueView, updated_ratio
from queue_server.simulation.model import Scenario, SiteSpec
from shared.enums import PriorityClass

DAY0 = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday; only differences of times matter
ARRIVE, FREE, OPEN = 0, 1, 2


@dataclass(slots=True)
class Citizen:
    index: int
    at: float  # minutes since midnight
    site: int
    service: str
    priority: PriorityClass
    handling: float  # minutes at the counter if they come
    no_show: bool
    accept_u: float  # compared with the share who take a suggestion


@dataclass(slots=True)
class Ticket:
    id: int
    citizen: Citizen
    site: int
    arrived: float
    present_at: float  # when the citizen is in the lobby (later for a remote ticket)
    people_ahead: int
    estimates: dict[str, int | None]
    candidate: Candidate
    redirected: bool = False


@dataclass(slots=True)
class Counter:
    uid: int
    site: int
    number: int
    services: list[str]  # by descending weight
    view: CounterView
    busy: bool = False
    busy_minutes: float = 0.0
    last_free: float = 0.0
    idle_since: float = 0.0
    free_at: float = 0.0
    busy_since: float = 0.0
    current_service: str | None = None


@dataclass
class Call:
    """One ticket called: the record every statistic is computed from."""

    site: int
    service: str
    priority: bool
    arrived: float
    wait: float
    estimates: dict[str, int | None]
    no_show: bool
    redirected: bool


@dataclass
class DayResult:
    calls: list[Call] = field(default_factory=list)
    redirected: int = 0
    counter_busy: dict[tuple[int, int], float] = field(default_factory=dict)
    counter_open: dict[tuple[int, int], float] = field(default_factory=dict)
    overtime_minutes: float = 0.0
    left_waiting: int = 0  # tickets never called (only when counters do not serve until empty)


def _candidate_of(ticket: Ticket) -> Candidate:
    return ticket.candidate


class Learnt:
    """What the server carries from day to day: each (site, service)'s handling average."""

    def __init__(self) -> None:
        self.averages: dict[tuple[int, str], tuple[float | None, int]] = {}
        self.ratios: dict[tuple[int, str], float] = {}

    def get(self, key: tuple[int, str]) -> tuple[float | None, int]:
        return self.averages.get(key, (None, 0))


def draw_citizens(scenario: Scenario, rng: random.Random) -> list[Citizen]:
    """Everyone who comes to any site today, in arrival order."""
    day = scenario.day
    factor = rng.lognormvariate(0.0, scenario.citizens.day_to_day_sigma) if scenario.citizens.day_to_day_sigma else 1.0
    weighted = sum((b - a) * w for a, b, w in day.arrival_weights)
    morning_end = day.issue_until[0]
    morning = sum((min(b, morning_end) - a) * w for a, b, w in day.arrival_weights if a < morning_end)
    shares = scenario.citizens.priority_share
    classes = [PriorityClass.NORMAL, *shares]
    class_weights = [1.0 - sum(shares.values()), *shares.values()]
    out: list[Citizen] = []
    for site_index, site in enumerate(scenario.sites):
        per_day = site.visitors_per_day * factor
        burst = per_day * (morning / weighted) * day.opening_burst
        times: list[float] = []
        slots = [(day.periods[0][0], day.periods[0][0] + day.burst_minutes, burst / day.burst_minutes)] if burst else []
        slots += [(a, b, (per_day - burst) * w / weighted) for a, b, w in day.arrival_weights]
        for a, b, rate in slots:
            if rate <= 0:
                continue
            t = a + rng.expovariate(rate)
            while t < b:
                times.append(t)
                t += rng.expovariate(rate)
        services, weights = list(site.service_mix), list(site.service_mix.values())
        for t in times:
            code = rng.choices(services, weights)[0]
            profile = scenario.services[code]
            if profile.distribution == "exponential":
                handling = rng.expovariate(1.0 / profile.mean_minutes)
            else:
                handling = rng.lognormvariate(math.log(profile.median_minutes), profile.sigma)
            priority = rng.choices(classes, class_weights)[0] if shares else PriorityClass.NORMAL
            out.append(Citizen(0, t, site_index, code, priority, handling,
                               rng.random() < scenario.citizens.no_show, rng.random()))
    out.sort(key=lambda c: (c.at, c.site))
    for i, c in enumerate(out):
        c.index = i
    return out


class Day:
    def __init__(self, scenario: Scenario, learnt: Learnt, *, projection: bool = False, oracle: bool = False) -> None:
        self.sc = scenario
        self.projection = projection or oracle  # ~10x slower: on where estimates are compared
        self.oracle = oracle
        self.learnt = learnt
        self.policy = make_policy(scenario.policy, max_wait=timedelta(minutes=scenario.max_wait_minutes))
        self.service_ids = {code: i + 1 for i, code in enumerate(sorted(scenario.services))}
        self.service_codes = {i: code for code, i in self.service_ids.items()}
        self.sites: list[SiteSpec] = list(scenario.sites)
        self.counters: list[list[Counter]] = []
        uid = 0
        for s, site in enumerate(self.sites):
            row = []
            for spec in site.counters:
                uid += 1
                ordered = sorted(spec.weights, key=lambda code: (-spec.weights[code], code))
                view = CounterView(uid, {self.service_ids[c]: w for c, w in spec.weights.items()})
                row.append(Counter(uid, s, spec.number, ordered, view))
            self.counters.append(row)
        # queues[site][service][rank] -> tickets in arrival order
        self.queues: list[dict[str, dict[int, deque[Ticket]]]] = [
            {code: {} for code in site.services} for site in self.sites]
        self.distances = {(i, j): distance_km(a.latitude, a.longitude, b.latitude, b.longitude)
                          for i, a in enumerate(self.sites) for j, b in enumerate(self.sites) if i != j}
        self.recent_calls: list[dict[str, deque[float]]] = [{} for _ in self.sites]
        self.heap: list[tuple[float, int, int, object]] = []
        self.seq = 0
        self.next_ticket = 0
        self.result = DayResult()

    # ---- time and events -----------------------------------------------------------------
    def push(self, at: float, kind: int, payload: object) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, payload))

    @staticmethod
    def dt(minutes: float) -> datetime:
        return DAY0 + timedelta(minutes=minutes)

    def run(self, citizens: list[Citizen]) -> DayResult:
        for c in citizens:
            self.push(c.at, ARRIVE, c)
        for start, _ in self.sc.day.periods:
            self.push(start, OPEN, None)
        while self.heap:
            now, _, kind, payload = heapq.heappop(self.heap)
            if kind == ARRIVE:
                if isinstance(payload, tuple):  # a citizen arriving from another site's kiosk
                    self.arrive(payload[1], now, redirected=True)
                else:
                    self.arrive(payload, now)  # type: ignore[arg-type]
            elif kind == FREE:
                self.free(payload, now)
            else:
                for row in self.counters:
                    for c in row:
                        if not c.busy:
                            self.try_call(c, now)
        self.close_books()
        return self.result

    # ---- the queue as the server sees it -------------------------------------------------
    def waiting(self, site: int, service: str) -> int:
        return sum(len(q) for q in self.queues[site][service].values())

    def serving_counters(self, site: int, service: str) -> list[Counter]:
        return [c for c in self.counters[site] if service in c.services]

    def average(self, site: int, service: str) -> float | None:
        return self.learnt.get((site, service))[0]

    def site_estimate(self, site: int, service: str) -> int | None:
        """views._estimate: a newcomer behind everyone waiting for the service."""
        if service not in self.queues[site]:
            return None
        counters = len(self.serving_counters(site, service))
        return estimate_wait(self.waiting(site, service), self.average(site, service), counters,
                             self.desk_share(site, service)).minutes

    def desk_share(self, site: int, service: str) -> DeskShare:
        waiting = {self.service_ids[code] for code in self.queues[site] if self.waiting(site, code)}
        return desk_share(self.service_ids[service],
                          (Desk(not c.busy, c.view.service_weights) for c in self.serving_counters(site, service)),
                          waiting)

    def queue_view(self, site: int, service: str, rank: int, now: float) -> QueueView:
        buckets = self.queues[site][service]
        ahead = sum(len(q) for r, q in buckets.items() if r >= rank)
        serving = self.serving_counters(site, service)
        share = self.desk_share(site, service)
        recent = self.recent_calls[site].get(service)
        if recent:
            while recent and recent[0] < now - RECENT_MINUTES:
                recent.popleft()
        return QueueView(ahead, self.average(site, service), len(serving), len(serving), share.idle, share.preferred,
                         len(recent) if recent else 0, self.learnt.ratios.get((site, service), 1.0))

    # ---- arrivals --------------------------------------------------------------------------
    def arrive(self, citizen: Citizen, now: float, *, redirected: bool = False) -> None:
        sug = self.sc.suggestion
        if sug.enabled and not redirected:
            target = self.better_site(citizen, now)
            if target is not None and citizen.accept_u < self.sc.citizens.accept_suggestion:
                there, travel = target
                self.result.redirected += 1
                moved = Citizen(citizen.index, now + travel, there, citizen.service, citizen.priority,
                                citizen.handling, citizen.no_show, citizen.accept_u)
                if sug.ticket == "remote":
                    self.issue(moved, now, present_at=now + travel, redirected=True)
                else:
                    self.push(now + travel, ARRIVE, ("redirected", moved))
                return
        self.issue(citizen, now, present_at=now, redirected=redirected)

    def better_site(self, citizen: Citizen, now: float) -> tuple[int, float] | None:
        here = self.site_estimate(citizen.site, citizen.service)
        best = None
        for other in range(len(self.sites)):
            if other == citizen.site or citizen.service not in self.queues[other]:
                continue
            km = self.distances[(citizen.site, other)]
            if km > self.sc.suggestion.max_km:
                continue
            travel = travel_minutes(km, self.sc.citizens.speed_kmh)
            there = self.site_estimate(other, citizen.service)
            if sooner_elsewhere(here, there, travel, self.sc.suggestion.margin_minutes):
                total = travel + (there or 0)
                if best is None or total < best[0]:
                    best = (total, other, float(travel))
        return (best[1], best[2]) if best else None

    def issue(self, citizen: Citizen, now: float, *, present_at: float, redirected: bool) -> None:
        site, service = citizen.site, citizen.service
        rank = DEFAULT_PRIORITY_WEIGHTS[citizen.priority]
        view = self.queue_view(site, service, rank, now)
        estimates: dict[str, int | None] = {name: fn(view) for name, fn in ESTIMATORS.items()}
        self.next_ticket += 1
        candidate = Candidate(self.next_ticket, self.service_ids[service], citizen.priority, rank, self.dt(now))
        ticket = Ticket(self.next_ticket, citizen, site, now, present_at, view.people_ahead, estimates, candidate,
                        redirected)
        self.queues[site][service].setdefault(rank, deque()).append(ticket)
        if self.projection:
            estimates["projection"] = self.project(ticket, now, mode="server")
        if self.oracle:
            estimates["oracle_present"] = self.project(ticket, now, mode="clairvoyant")
            estimates["oracle_mean"] = self.project(ticket, now, mode="mean")
        idle = [c for c in self.counters[site] if not c.busy and service in c.services]
        if idle:
            self.try_call(min(idle, key=lambda c: (c.idle_since, c.number)), now)

    # ---- counters --------------------------------------------------------------------------
    def candidates(self, counter: Counter, queues: dict[str, dict[int, deque[Ticket]]] | None = None
                   ) -> list[Candidate]:
        """claim_candidates: the policy's heads of each served line (domain.ordering)."""
        lines = queues or self.queues[counter.site]
        out: dict[int, Candidate] = {}
        for code in counter.services:
            for candidate in line_heads(self.policy.heads, lines[code], _candidate_of):
                out[candidate.ticket_id] = candidate
        return list(out.values())

    def in_period(self, now: float) -> bool:
        return any(a <= now < b for a, b in self.sc.day.periods)

    def try_call(self, counter: Counter, now: float) -> None:
        if not self.sc.day.serve_until_empty and not self.in_period(now):
            counter.busy = False
            counter.idle_since = now
            return
        chosen = choose(self.policy, self.candidates(counter), counter.view, self.dt(now))
        if chosen is None:
            counter.busy = False
            counter.idle_since = now
            return
        ticket = self.take(counter.site, chosen)
        citizen = ticket.citizen
        self.recent_calls[counter.site].setdefault(citizen.service, deque()).append(now)
        key = (counter.site, citizen.service)
        self.learnt.ratios[key] = updated_ratio(self.learnt.ratios.get(key, 1.0),
                                                ticket.estimates.get("preferred_desks"), now - ticket.arrived)
        comes = not citizen.no_show and ticket.present_at <= now + self.sc.citizens.recall_minutes
        if comes:
            duration = max(0.0, ticket.present_at - now) + citizen.handling
        else:
            duration = self.sc.citizens.recall_minutes
        self.result.calls.append(Call(ticket.site, citizen.service, citizen.priority is not PriorityClass.NORMAL,
                                      ticket.arrived, now - ticket.arrived, ticket.estimates, not comes,
                                      ticket.redirected))
        counter.busy = True
        counter.free_at = now + duration
        counter.busy_since = now
        counter.current_service = citizen.service if comes else None
        counter.busy_minutes += duration
        self.push(now + duration, FREE, (counter, citizen.service if comes else None, duration))

    def project(self, target: Ticket, now: float, *, mode: str) -> int:
        """The wait if nobody else arrived from now on: the site's calls played forward with
        the ordering policy. mode "server" uses only what the server knows (the moving
        averages, how long each busy counter has been at it): the PROPOSED estimator.
        "mean" (true means, true finishing times of the citizens at the desks) and
        "clairvoyant" (every handling time known) are diagnostics: what is left of their
        error is due to the future (and, for "mean", to chance)."""
        site = target.site
        queues = {code: {r: deque(q) for r, q in buckets.items()} for code, buckets in self.queues[site].items()}
        heap = []
        for c in self.counters[site]:
            free = now
            if c.busy and mode == "server":
                # Expected rest of the current service: the average minus what has passed,
                # at least a fifth of it (long services are long-tailed).
                average = self.average(site, c.current_service) if c.current_service else None
                per = average / 60.0 if average is not None else DEFAULT_HANDLING_SECONDS / 60.0
                free = now + max(per - (now - c.busy_since), 0.2 * per)
            elif c.busy:
                free = c.free_at
            heap.append((free, c.number, c))
        heapq.heapify(heap)
        recall = self.sc.citizens.recall_minutes
        while heap:
            t, _, counter = heapq.heappop(heap)
            chosen = choose(self.policy, self.candidates(counter, queues), counter.view, self.dt(t))
            if chosen is None:
                continue  # nothing for this counter any more (no new arrivals)
            q = queues[self.service_codes[chosen.service_id]][chosen.rank]
            ticket = next(x for x in q if x.id == chosen.ticket_id)
            q.remove(ticket)
            if ticket is target:
                return int(round(t - now))
            citizen = ticket.citizen
            if mode == "server":
                average = self.average(site, citizen.service)
                duration = average / 60.0 if average is not None else DEFAULT_HANDLING_SECONDS / 60.0
            elif mode == "clairvoyant":
                duration = recall if citizen.no_show else citizen.handling
            else:
                mean = self.sc.services[citizen.service].mean_minutes
                duration = (1 - self.sc.citizens.no_show) * mean + self.sc.citizens.no_show * recall
            heapq.heappush(heap, (t + duration, counter.number, counter))
        return int(round(max(0.0, target.arrived - now)))

    def take(self, site: int, chosen: Candidate) -> Ticket:
        q = self.queues[site][self.service_codes[chosen.service_id]][chosen.rank]
        if q[0].id == chosen.ticket_id:
            return q.popleft()
        for ticket in q:
            if ticket.id == chosen.ticket_id:
                q.remove(ticket)
                return ticket
        raise LookupError(chosen.ticket_id)

    def free(self, payload: object, now: float) -> None:
        counter, served, duration = payload  # type: ignore[misc]
        counter.busy = False
        counter.last_free = now
        if served is not None:
            key = (counter.site, served)
            average, samples = self.learnt.get(key)
            self.learnt.averages[key] = (updated_average(average, samples, duration * 60.0), samples + 1)
        self.try_call(counter, now)

    def close_books(self) -> None:
        periods = self.sc.day.periods
        open_minutes = sum(b - a for a, b in periods)
        closing = periods[-1][1]
        for row in self.counters:
            for c in row:
                overtime = max(0.0, c.last_free - closing)
                self.result.overtime_minutes += overtime
                self.result.counter_busy[(c.site, c.number)] = c.busy_minutes
                self.result.counter_open[(c.site, c.number)] = open_minutes + overtime
        self.result.left_waiting = sum(self.waiting(s, code) for s in range(len(self.sites))
                                       for code in self.queues[s])


def simulate_day(scenario: Scenario, seed: int | str, day: int, learnt: Learnt | None = None, *,
                 projection: bool = False, oracle: bool = False) -> DayResult:
    rng = random.Random(f"{seed}/{day}")
    citizens = draw_citizens(scenario, rng)
    return Day(scenario, learnt or Learnt(), projection=projection, oracle=oracle).run(citizens)


def simulate_days(scenario: Scenario, seed: int | str, days: int, *, warmup_days: int = 1,
                  projection: bool = False, oracle: bool = False) -> list[DayResult]:
    """`days` consecutive days after `warmup_days` (uncounted) that teach the averages.
    `projection` adds the projecting estimator, `oracle` the diagnostics (both slower)."""
    learnt = Learnt()
    for d in range(warmup_days):
        simulate_day(scenario, seed, -1 - d, learnt)
    return [simulate_day(scenario, seed, d, learnt, projection=projection, oracle=oracle) for d in range(days)]
