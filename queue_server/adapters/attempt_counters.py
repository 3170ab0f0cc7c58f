"""The attempt counters table: one row per key, counted in a fixed window (see
service_layer/attempt_limits.py for the rules)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.adapters import tables as t

_A = t.attempt_counters


class AttemptCounters:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def try_count(self, key: str, most: int, window: timedelta, now: datetime) -> datetime | None:
        """Count one attempt if `key` is under `most` in its window (one conditional upsert:
        the row stays locked to the commit). None when counted; else when the full window
        started."""
        insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        expired = _A.c.window_started_at <= now - window
        counted = self.conn.execute(
            insert(_A).values(key=key, window_started_at=now, attempts=1).on_conflict_do_update(
                index_elements=["key"],
                set_={"attempts": case((expired, 1), else_=_A.c.attempts + 1),
                      "window_started_at": case((expired, now), else_=_A.c.window_started_at)},
                where=or_(expired, _A.c.attempts < most),
            ).returning(_A.c.attempts)
        ).first()
        if counted is not None:
            return None
        return self.conn.execute(select(_A.c.window_started_at).where(_A.c.key == key)).scalar_one()

    def forget_older_than(self, moment: datetime) -> None:
        old = select(_A.c.key).where(_A.c.window_started_at <= moment).limit(200)
        if self.conn.dialect.name == "postgresql":
            # Rows another request is deleting are skipped, not waited for: two clean-ups
            # never wait on each other (nor deadlock).
            old = old.with_for_update(skip_locked=True)
        self.conn.execute(delete(_A).where(_A.c.key.in_(old.scalar_subquery())))

    def give_back(self, key: str) -> None:
        self.conn.execute(update(_A).where(_A.c.key == key, _A.c.attempts > 0).values(attempts=_A.c.attempts - 1))

    def forget(self, key: str) -> None:
        self.conn.execute(delete(_A).where(_A.c.key == key))
