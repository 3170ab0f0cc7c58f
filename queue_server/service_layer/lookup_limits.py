"""Wrong attempts at a code a citizen types (dossier code + PIN, booking code + phone),
counted per code in a window whether the code exists or not, so neither the answer nor
the limit tells a real code from a guess. Dossiers and bookings share the table; booking
keys carry a prefix."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.adapters import tables as t
from queue_server.domain.errors import TooManyRequests
from queue_server.service_layer.unit_of_work import UnitOfWork


def refuse_if_too_many(uow: UnitOfWork, key: str, max_failures: int, window: timedelta,
                       message_vi: str, message_en: str) -> None:
    """429 while `key` has had `max_failures` wrong attempts in the current window. The
    messages take `{minutes}`."""
    since = uow.now - window
    f = t.dossier_lookup_failures.c
    current = uow.conn.execute(select(f.failures, f.window_started_at)
                               .where(f.code == key, f.window_started_at > since)).first()
    if current is not None and current.failures >= max_failures:
        minutes = int(window.total_seconds() // 60)
        raise TooManyRequests(message_vi.format(minutes=minutes), message_en.format(minutes=minutes),
                              retry_after=(current.window_started_at - since).total_seconds(),
                              code="too_many_attempts")


def count_failure(uow: UnitOfWork, key: str, window: timedelta) -> None:
    """One more wrong attempt for `key` (a new window if the last one is over)."""
    since = uow.now - window
    f = t.dossier_lookup_failures
    ins = (pg_insert if uow.is_postgres else sqlite_insert)(f).values(code=key, window_started_at=uow.now, failures=1)
    expired = f.c.window_started_at <= since
    uow.conn.execute(ins.on_conflict_do_update(
        index_elements=["code"],
        set_={"failures": case((expired, 1), else_=f.c.failures + 1),
              "window_started_at": case((expired, uow.now), else_=f.c.window_started_at)},
    ))
    # Old windows are forgotten, so guessing many codes does not grow the table for ever.
    uow.conn.execute(delete(f).where(f.c.window_started_at <= since))
