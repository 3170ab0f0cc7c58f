"""Attempts at a guessable secret (a password, a dossier PIN, a booking's code and phone),
counted in the database so every server process shares one count.

An attempt is *reserved* before the secret is checked: one conditional upsert adds it if
the key is still under its limit, else refuses (429). The row is locked from that upsert
to the commit, so however many requests race, at most `most` of them get to check the
secret in a window. A right answer gives its reservation back (`release`); a wrong one
leaves it counted. Keys that do not exist yet (an unknown dossier code) are counted the
same way, so the limit tells nothing about what exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.adapters import tables as t
from queue_server.domain.errors import TooManyRequests

# Rows older than this are forgotten (every window is shorter), so a guesser trying many
# keys does not grow the table for ever.
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """At most `most` attempts on `key` per `window`; the messages take `{minutes}`."""

    key: str
    most: int
    window: timedelta
    message_vi: str
    message_en: str
    code: str = "too_many_attempts"


def reserve(conn: Connection, now: datetime, limits: Sequence[Limit]) -> None:
    """Count one attempt under every limit, or raise TooManyRequests for the first that is
    full (the caller's transaction then rolls back the ones counted before it). Callers
    pass limits in one fixed order (narrow to wide), so two requests never wait on each
    other's rows crosswise."""
    a = t.attempt_counters
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    _forget_old(conn, now)
    for limit in limits:
        expired = a.c.window_started_at <= now - limit.window
        counted = conn.execute(
            insert(a).values(key=limit.key, window_started_at=now, attempts=1).on_conflict_do_update(
                index_elements=["key"],
                set_={"attempts": case((expired, 1), else_=a.c.attempts + 1),
                      "window_started_at": case((expired, now), else_=a.c.window_started_at)},
                where=or_(expired, a.c.attempts < limit.most),
            ).returning(a.c.attempts)
        ).first()
        if counted is None:
            started = conn.execute(select(a.c.window_started_at).where(a.c.key == limit.key)).scalar_one()
            minutes = int(limit.window.total_seconds() // 60)
            raise TooManyRequests(limit.message_vi.format(minutes=minutes), limit.message_en.format(minutes=minutes),
                                  retry_after=(started + limit.window - now).total_seconds(), code=limit.code)


def _forget_old(conn: Connection, now: datetime) -> None:
    a = t.attempt_counters
    old = select(a.c.key).where(a.c.window_started_at <= now - FORGET_AFTER).limit(200)
    if conn.dialect.name == "postgresql":
        # Rows another request is deleting are skipped, not waited for: two clean-ups
        # never wait on each other (nor deadlock).
        old = old.with_for_update(skip_locked=True)
    conn.execute(delete(a).where(a.c.key.in_(old.scalar_subquery())))


def release(conn: Connection, limits: Sequence[Limit]) -> None:
    """Give back one reserved attempt per limit: it turned out right, so it is no failure."""
    a = t.attempt_counters
    for limit in limits:
        conn.execute(update(a).where(a.c.key == limit.key, a.c.attempts > 0).values(attempts=a.c.attempts - 1))


def forget(conn: Connection, key: str) -> None:
    """Start `key` afresh (an account after a successful login)."""
    conn.execute(delete(t.attempt_counters).where(t.attempt_counters.c.key == key))
