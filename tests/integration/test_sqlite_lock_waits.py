"""`LockWaits` on a real SQLite file whose write lock another connection holds: the work
waits with `await` (the loop runs on), runs once the lock is free, gives up with a 503
past its patience, and is never run again once it has committed something."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from queue_server.adapters.db import make_engine
from queue_server.adapters.db_faults import note_commit_sent
from queue_server.adapters.sqlite_lock import SERVER_BUSY_TIMEOUT_MS, DatabaseLocked, LockWaits


@pytest.fixture
def database(tmp_path: Path) -> tuple[Engine, str]:
    path = str(tmp_path / "lock.db")
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=SERVER_BUSY_TIMEOUT_MS)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (text TEXT)")
    yield engine, path
    engine.dispose()


def write(engine: Engine, text: str) -> str:
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO notes VALUES (?)", (text,))
    return text


def notes(path: str) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT text FROM notes ORDER BY rowid")]


def lock(path: str) -> sqlite3.Connection:
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    return locker


async def ticking(ticks: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        ticks.append(loop.time())
        await asyncio.sleep(0.01)


def test_a_write_waits_for_the_lock_without_stopping_the_loop_and_runs_once_it_is_free(database) -> None:  # noqa: ANN001
    engine, path = database
    locker = lock(path)
    ticks: list[float] = []

    async def scenario() -> str:
        ticker = asyncio.create_task(ticking(ticks))
        asyncio.get_running_loop().call_later(0.3, locker.rollback)
        try:
            return await LockWaits(patience=5).run(write, engine, "waited")
        finally:
            ticker.cancel()

    assert asyncio.run(scenario()) == "waited"
    assert notes(path) == ["waited"]
    assert len(ticks) >= 15 and max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 0.1


def test_past_its_patience_a_write_is_answered_503_with_retry_after_and_nothing_is_written(database) -> None:  # noqa: ANN001
    engine, path = database
    locker = lock(path)
    with pytest.raises(DatabaseLocked) as refused:
        asyncio.run(LockWaits(patience=0.2).run(write, engine, "refused"))
    locker.rollback()
    assert refused.value.status == 503 and refused.value.retry_after == 2
    assert "thử lại" in refused.value.message_vi and "retry" in refused.value.message_en
    assert notes(path) == []
    assert asyncio.run(LockWaits(patience=0.2).run(write, engine, "after")) == "after"  # the connection came back


def test_work_that_already_committed_is_not_run_again_when_it_then_meets_the_lock(database) -> None:  # noqa: ANN001
    engine, path = database
    runs: list[int] = []

    def two_transactions() -> None:
        runs.append(1)
        note_commit_sent()
        write(engine, "first")
        locker = lock(path)
        try:
            write(engine, "second")
        finally:
            locker.rollback()

    with pytest.raises(OperationalError):
        asyncio.run(LockWaits(patience=5).run(two_transactions))
    assert runs == [1] and notes(path) == ["first"]
