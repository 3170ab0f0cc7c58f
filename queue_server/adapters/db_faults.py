"""What kind of database fault an error is, so each gets its own clear reply.

Three faults a request cannot fix but a retry later may: the database is unreachable
(restarting, network), it accepts no writes (read-only: a replica promoted wrongly, an
operator's `default_transaction_read_only`, a read-only file system), or its storage is
full. In all three the transaction was rolled back, so nothing was half-written.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.exc import DBAPIError


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
