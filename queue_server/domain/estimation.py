"""Estimated wait: how long until a citizen is called, from what the center has seen today.

The average handling time of a service (call to finish) is a moving average of recent
tickets. The wait is the people ahead, plus the citizens being served now, shared among
the desks that will actually call this service; a free desk calls at once.

Measured against real waits by the province-day simulator (docs/simulation.md): counting the
citizens at the desks and the free desks removed most of the old rule's bias (it promised
about 5 minutes too little), and counting only the desks that prefer this service (a
shared desk serves its higher-weight service first) cut the mean error further.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

DEFAULT_HANDLING_SECONDS = 360.0  # 6 minutes: DOMAIN.md says intake takes 5-10 minutes
SMOOTHING = 0.2  # weight of the newest observation in the moving average


def updated_average(previous: float | None, samples: int, observed_seconds: float) -> float:
    """Exponential moving average; the first few samples are averaged plainly so one odd
    early ticket does not dominate the morning."""
    observed = max(0.0, observed_seconds)
    if previous is None or samples <= 0:
        return observed
    alpha = max(SMOOTHING, 1.0 / (samples + 1))
    return previous + alpha * (observed - previous)


@dataclass(frozen=True)
class Desk:
    """An open counter as the estimate sees it: whether someone is at it, and the weight
    it gives each service it serves."""

    idle: bool
    weights: Mapping[int, int]


@dataclass(frozen=True)
class DeskShare:
    """How much of a site's open desks a service gets now."""

    idle: int  # open desks serving it with nobody at them
    preferred: float  # desks whose best-weighted service with someone waiting is this one
    # (a tie with n such services counts 1/n)


def desk_share(service_id: int, desks: Iterable[Desk], waiting_services: Collection[int]) -> DeskShare:
    """A shared desk calls its highest-weight service that has someone waiting (the
    default ordering policy), so it helps this line only when it prefers it."""
    idle, preferred = 0, 0.0
    for desk in desks:
        mine = desk.weights.get(service_id)
        if mine is None:
            continue
        idle += desk.idle
        rivals = [w for s, w in desk.weights.items() if s != service_id and s in waiting_services]
        if all(w <= mine for w in rivals):
            preferred += 1.0 / (1 + sum(1 for w in rivals if w == mine))
    return DeskShare(idle, preferred)


@dataclass(frozen=True)
class WaitEstimate:
    people_ahead: int
    minutes: int | None  # None: no counter serves this service, nobody can say


def estimate_wait(people_ahead: int, handling_seconds: float | None, serving_counters: int,
                  share: DeskShare | None = None) -> WaitEstimate:
    """`serving_counters`: the open desks serving the service (or, when none is open, the
    configured ones). Without `share` every desk counts fully and none is free."""
    if serving_counters <= 0:
        return WaitEstimate(people_ahead, None)
    per_ticket = handling_seconds if handling_seconds is not None else DEFAULT_HANDLING_SECONDS
    idle = share.idle if share else 0
    desks = float(serving_counters)
    if share is not None:
        # A desk that prefers another busy line still calls this one now and then: never
        # count fewer than half the desks.
        desks = min(desks, max(share.preferred, 0.5 * serving_counters, 0.5))
    # The free desks call the first `idle` people at once; everyone else waits for the
    # citizens at the desks (about one handling time shared by the desks) and those ahead.
    turns = people_ahead + 1 - idle if people_ahead >= idle else 0
    return WaitEstimate(people_ahead, int(round(turns * per_ticket / desks / 60.0)))


def estimate_line(people_ahead: int, handling_seconds: float | None, open_counters: int,
                  configured_counters: int, share: DeskShare | None) -> WaitEstimate:
    """The estimate the server prints: the open desks and their share when any desk is
    open; before opening (or with every desk paused), the configured desks as if all were
    open and busy."""
    if open_counters > 0:
        return estimate_wait(people_ahead, handling_seconds, open_counters, share)
    return estimate_wait(people_ahead, handling_seconds, configured_counters)
