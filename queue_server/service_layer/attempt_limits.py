"""Attempts at a guessable secret (a password, a dossier PIN, a booking's code and phone),
counted in the database so every server process shares one count.

An attempt is *reserved* before the secret is checked: one conditional upsert adds it if
the key is still under its limit, else refuses (429). The row is locked from that upsert
to the commit, so however many requests race, at most `most` of them get to check the
secret in a window. A right answer gives its reservation back (`release`); a wrong one
leaves it counted. Keys that do not exist yet (an unknown dossier code) are counted the
same way, so the limit tells nothing about what exists.

Handlers count through their unit of work's `uow.attempts` (`count_attempts`,
`give_back`); the (conn, …) forms serve callers that hold a bare connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection

from queue_server.adapters.attempt_counters import AttemptCounters
from queue_server.domain.attempts import Limit
from queue_server.domain.errors import TooManyRequests

__all__ = ["FORGET_AFTER", "Limit", "count_attempts", "forget", "give_back", "release", "reserve"]

# Rows older than this are forgotten (every window is shorter), so a guesser trying many
# keys does not grow the table for ever.
FORGET_AFTER = timedelta(days=1)


def count_attempts(attempts: AttemptCounters, now: datetime, limits: Sequence[Limit]) -> None:
    """Count one attempt under every limit, or raise TooManyRequests for the first that is
    full (the caller's transaction then rolls back the ones counted before it). Callers
    pass limits in one fixed order (narrow to wide), so two requests never wait on each
    other's rows crosswise."""
    attempts.forget_older_than(now - FORGET_AFTER)
    for limit in limits:
        started = attempts.try_count(limit.key, limit.most, limit.window, now)
        if started is not None:
            minutes = int(limit.window.total_seconds() // 60)
            raise TooManyRequests(limit.message_vi.format(minutes=minutes), limit.message_en.format(minutes=minutes),
                                  retry_after=(started + limit.window - now).total_seconds(), code=limit.code)


def give_back(attempts: AttemptCounters, limits: Sequence[Limit]) -> None:
    """Give back one reserved attempt per limit: it turned out right, so it is no failure."""
    for limit in limits:
        attempts.give_back(limit.key)


def reserve(conn: Connection, now: datetime, limits: Sequence[Limit]) -> None:
    count_attempts(AttemptCounters(conn), now, limits)


def release(conn: Connection, limits: Sequence[Limit]) -> None:
    give_back(AttemptCounters(conn), limits)


def forget(conn: Connection, key: str) -> None:
    """Start `key` afresh (an account after a successful login)."""
    AttemptCounters(conn).forget(key)
