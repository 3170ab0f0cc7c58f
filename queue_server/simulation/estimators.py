"""Wait estimators compared by the simulator, on the same tickets at the same moments.

`current` is exactly what the server prints (domain.estimation.estimate_wait with the
people ahead, the service's moving-average handling time, the open counters serving it and
their share: free desks, desks preferring it); `previous` is the rule it replaced. The
others are PROPOSALS for domain/estimation.py, measured here before anyone changes the real
one; each sees only what the server knows when it issues a ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from queue_server.domain.estimation import DEFAULT_HANDLING_SECONDS, DeskShare, estimate_wait


@dataclass(frozen=True)
class QueueView:
    """What the server can see at the moment it issues a ticket."""

    people_ahead: int  # same site and service, ahead by rank then arrival
    handling_seconds: float | None  # the service's moving average (service_stats)
    open_counters: int  # open counters configured for the service
    configured_counters: int
    idle_counters: int  # of those, the ones with nobody at the desk
    preferred_counters: float  # of those, the ones for which this service is the top-weight
    # service among those with someone waiting (ties shared): where the next call goes
    recent_calls: int = 0  # tickets of this service called in the last RECENT_MINUTES
    # moving average of (real wait + 1) / (preferred_desks estimate + 1), in minutes, over
    # this service's recently called tickets: how far the capacity view has been off today
    wait_ratio: float = 1.0


RECENT_MINUTES = 30.0
Estimator = Callable[[QueueView], int | None]


def _per_ticket(view: QueueView) -> float:
    return view.handling_seconds if view.handling_seconds is not None else DEFAULT_HANDLING_SECONDS


def current(view: QueueView) -> int | None:
    share = DeskShare(view.idle_counters, view.preferred_counters)
    return estimate_wait(view.people_ahead, view.handling_seconds,
                         view.open_counters or view.configured_counters, share).minutes


def previous(view: QueueView) -> int | None:
    """The server's rule until 22 November 2026: the people ahead shared by the desks."""
    counters = view.open_counters or view.configured_counters
    if counters <= 0:
        return None
    return int(round(view.people_ahead * _per_ticket(view) / counters / 60.0))


def next_free_desk(view: QueueView) -> int | None:
    """Nobody waits if a desk is free; otherwise the citizen goes after the people ahead
    AND the tickets being served now (on average half a handling time each):
    (ahead + 1/2 + 1/2) handling times shared by the counters, i.e. (ahead + 1)."""
    counters = view.open_counters or view.configured_counters
    if counters <= 0:
        return None
    if view.people_ahead < view.idle_counters:
        return 0
    return int(round((view.people_ahead + 1) * _per_ticket(view) / counters / 60.0))


def preferred_desks(view: QueueView) -> int | None:
    """Like `next_free_desk`, but a counter shared with a service it prefers (higher
    weight) counts for less: it calls this service only when its own is empty."""
    counters = view.open_counters or view.configured_counters
    if counters <= 0:
        return None
    if view.people_ahead < view.idle_counters:
        return 0
    effective = max(view.preferred_counters, 0.5 * counters, 0.5)
    effective = min(effective, counters)
    return int(round((view.people_ahead + 1) * _per_ticket(view) / effective / 60.0))


def observed_pace(view: QueueView) -> int | None:
    """The pace at which this service's line actually moved lately (calls in the last
    half hour), which already includes counters shared with busier services, priority
    tickets and no-shows. Falls back to `preferred_desks` while the line moved too little
    to tell, and never promises less than `next_free_desk` would."""
    desks = preferred_desks(view)
    if desks is None or desks == 0 or view.recent_calls < 3:
        return desks
    paced = (view.people_ahead + 1) * RECENT_MINUTES / view.recent_calls
    return int(round(max(paced, desks if view.people_ahead < view.recent_calls else 0)))


def blended(view: QueueView) -> int | None:
    """Halfway between the capacity view (`preferred_desks`) and the observed pace."""
    desks = preferred_desks(view)
    pace = observed_pace(view)
    if desks is None or pace is None:
        return desks
    return int(round((desks + pace) / 2))


def self_correcting(view: QueueView) -> int | None:
    """`preferred_desks`, scaled by how far it has been off for this line lately. The
    server knows both numbers when it calls a ticket (the estimate it printed and the
    real wait), so it can learn the ratio as it learns handling times."""
    desks = preferred_desks(view)
    if desks is None:
        return None
    if view.people_ahead < view.idle_counters:
        return 0
    return int(round((desks + 1) * view.wait_ratio - 1)) if desks or view.wait_ratio > 1 else desks


RATIO_SMOOTHING = 0.1
RATIO_BOUNDS = (0.5, 4.0)


def updated_ratio(previous: float, estimated_minutes: int | None, real_minutes: float) -> float:
    if estimated_minutes is None:
        return previous
    observed = (real_minutes + 1.0) / (estimated_minutes + 1.0)
    observed = min(max(observed, RATIO_BOUNDS[0]), RATIO_BOUNDS[1])
    return previous + RATIO_SMOOTHING * (observed - previous)


ESTIMATORS: dict[str, Estimator] = {
    "current": current,
    "previous": previous,
    "next_free_desk": next_free_desk,
    "preferred_desks": preferred_desks,
    "observed_pace": observed_pace,
    "blended": blended,
    "self_correcting": self_correcting,
}
