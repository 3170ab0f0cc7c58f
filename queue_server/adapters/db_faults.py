"""What kind of database fault an error is, so each gets its own clear reply.

Three faults a request cannot fix but a retry later may: the database is unreachable
(restarting, network), it accepts no writes (read-only: a replica promoted wrongly, an
operator's `default_transaction_read_only`, a read-only file system), or its storage is
full. In all three the transaction was rolled back, so nothing was half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError

T = TypeVar("T")


class DbFault(StrEnum):
    UNAVAILABLE = "database_unavailable"
    READ_ONLY = "database_read_only"
    STORAGE_FULL = "storage_full"


# PostgreSQL SQLSTATEs: 25006 read_only_sql_transaction; 53100 disk_full.
_PG_READ_ONLY, _PG_DISK_FULL = "25006", "53100"
# SQLite messages (sqlite3 has no codes on old Pythons): SQLITE_READONLY, SQLITE_FULL.
_SQLITE_READ_ONLY = ("attempt to write a readonly database", "readonly database")
_SQLITE_FULL = ("database or disk is full",)


def classify(exc: DBAPIError) -> DbFault | None:
    """The fault behind a database error, or None when it is none of these three."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    text = str(orig).lower()
    if sqlstate == _PG_READ_ONLY or any(m in text for m in _SQLITE_READ_ONLY):
        return DbFault.READ_ONLY
    if sqlstate == _PG_DISK_FULL or any(m in text for m in _SQLITE_FULL):
        return DbFault.STORAGE_FULL
    if exc.connection_invalidated or sqlstate is None or sqlstate.startswith(("08", "57")):
        # 08: connection exceptions; 57: operator intervention (admin shutdown, crash).
        return DbFault.UNAVAILABLE
    return None


# ---- one retry on a dropped connection (PostgreSQL) ------------------------------------------
# The pool does not ping a connection before every transaction (a round trip each time):
# a connection the server dropped (PostgreSQL restarted, an idle timeout) shows itself on
# the first statement instead, SQLAlchemy then discards every pooled connection older than
# that moment, and the request's work runs once more on a fresh one. A transaction that
# died before COMMIT was rolled back by the server, so running it again is safe; once a
# COMMIT was sent its fate is unknown, and the error goes to the client (503) instead.
class CommitWatch:
    """Within `with CommitWatch() as watch:`, `watch.sent` tells whether any unit of work
    sent COMMIT (then running the work again could do it twice)."""

    __slots__ = ("sent", "_token")

    def __enter__(self) -> CommitWatch:
        self.sent = False
        self._token = _watch.set(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        _watch.reset(self._token)


_watch: ContextVar[CommitWatch | None] = ContextVar("motcua_commit_watch", default=None)


def note_commit_sent() -> None:
    """The unit of work is about to send COMMIT: from here a retry could do it twice."""
    watch = _watch.get()
    if watch is not None:
        watch.sent = True


def retry_on_disconnect(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, run a second time if a dropped connection failed it before
    any of its transactions sent COMMIT."""
    with CommitWatch() as watch:
        try:
            return fn(*args, **kwargs)
        except DBAPIError as exc:
            if not exc.connection_invalidated or watch.sent:
                raise
        return fn(*args, **kwargs)
