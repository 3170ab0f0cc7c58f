"""Estimated wait: how long until a citizen is called, from what the center has seen today.

The average handling time of a service (call to finish) is a moving average of recent
tickets; the wait is the people ahead shared among the counters serving that service.
"""

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
class WaitEstimate:
    people_ahead: int
    minutes: int | None  # None: no counter serves this service, nobody can say


def estimate_wait(people_ahead: int, handling_seconds: float | None, serving_counters: int) -> WaitEstimate:
    if serving_counters <= 0:
        return WaitEstimate(people_ahead, None)
    per_ticket = handling_seconds if handling_seconds is not None else DEFAULT_HANDLING_SECONDS
    seconds = people_ahead * per_ticket / serving_counters
    return WaitEstimate(people_ahead, int(round(seconds / 60.0)))
