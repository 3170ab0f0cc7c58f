"""Distances between sites, for "a nearby site would serve you sooner"."""

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); road distance is longer, this is for ranking."""
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    h = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(min(1.0, h)))


def travel_minutes(km: float, speed_kmh: float = 25.0) -> int:
    """Town traffic by motorbike; a rough figure for comparing with a queue's wait."""
    return int(round(km / speed_kmh * 60))


def sooner_elsewhere(here_wait: int | None, there_wait: int | None, travel: int, margin: int = 10) -> bool:
    """Worth suggesting only if going there (travel + wait) beats staying by `margin` min."""
    if there_wait is None:
        return False
    if here_wait is None:
        return True
    return travel + there_wait + margin <= here_wait
