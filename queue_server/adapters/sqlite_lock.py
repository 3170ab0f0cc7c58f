"""Waiting for SQLite's write lock without stopping the event loop.

On SQLite a handler runs straight on the event loop (see bootstrap). While another process
holds the write lock (the command-line tool, a backup, a script with BEGIN IMMEDIATE), a
connection that waited inside SQLite (its busy timeout) would stop the whole loop: every
WebSocket stream, /health, every read. So the server's connection does not wait inside
SQLite at all (busy timeout 0) and `LockWaits.run` waits between attempts with `await`:
the loop keeps serving everything else, and the work runs as soon as the lock is free.
Past the patience the request is answered 503 "retry" (`DatabaseLocked`), never a 500.

Reads never wait (WAL: readers do not block on the writer), so the hot paths stay one
plain call; only a write that found the lock taken enters the waiting room, where the
writers wait their turn one by one (one of them asks SQLite at a time, in arrival order).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError

from queue_server.adapters.db_faults import CommitWatch
from queue_server.domain.errors import Busy

T = TypeVar("T")

# The server's own connection: fail at once on a taken lock (the loop must not sleep).
SERVER_BUSY_TIMEOUT_MS = 0
FIRST_PAUSE, LONGEST_PAUSE = 0.001, 0.05  # seconds between attempts, doubling
RETRY_AFTER_SECONDS = 2


class DatabaseLocked(Busy):
    code = "database_locked"


def database_locked() -> DatabaseLocked:
    return DatabaseLocked(
        "Dữ liệu đang được một công việc khác (sao lưu, công cụ quản trị) giữ, yêu cầu chưa được thực hiện. "
        "Vui lòng thử lại sau ít giây.",
        "The database is held by other work (a backup, an admin tool); the request was not carried out. "
        "Please retry in a few seconds.",
        retry_after=RETRY_AFTER_SECONDS)


def is_lock_taken(exc: OperationalError) -> bool:
    """SQLITE_BUSY (and its extended codes): another connection holds the lock."""
    orig = exc.orig
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY
    return "database is locked" in str(orig)


_LOCK_TAKEN: Any = object()


class LockWaits:
    """Runs handlers on the loop; a handler that met a taken write lock before it committed
    anything is run again once the lock is free, for at most `patience` seconds in all."""

    def __init__(self, patience: float) -> None:
        self.patience = patience
        self._turn = asyncio.Lock()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        result = _attempt(fn, args, kwargs)
        if result is not _LOCK_TAKEN:
            return result
        try:
            async with asyncio.timeout(self.patience) as waiting:
                async with self._turn:
                    return await _until_free(fn, args, kwargs)
        except TimeoutError:
            if not waiting.expired():
                raise
            raise database_locked() from None


async def _until_free(fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
    pause = FIRST_PAUSE
    while True:
        await asyncio.sleep(pause)
        result = _attempt(fn, args, kwargs)
        if result is not _LOCK_TAKEN:
            return result
        pause = min(pause * 2, LONGEST_PAUSE)


def _attempt(fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
    """`fn`'s result, or _LOCK_TAKEN when the lock was taken before `fn` sent any COMMIT
    (so running it again does nothing twice)."""
    with CommitWatch() as watch:
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if watch.sent or not is_lock_taken(exc):
                raise
            return _LOCK_TAKEN
