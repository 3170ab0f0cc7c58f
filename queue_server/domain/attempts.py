"""A limit on attempts at a guessable secret (a password, a dossier PIN, a booking's code
and phone): at most `most` attempts on `key` per `window`. Counted in the database
(adapters/attempt_counters.py, service_layer/attempt_limits.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Limit:
    """At most `most` attempts on `key` per `window`; the messages take `{minutes}`."""

    key: str
    most: int
    window: timedelta
    message_vi: str
    message_en: str
    code: str = "too_many_attempts"
