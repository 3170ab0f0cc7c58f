"""A backup taken while the server runs restores into a fresh database with every ticket."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from support import Api

from queue_server.adapters import tables as t
from queue_server.adapters.db import make_engine
from queue_server.backup import BackupError, backup, restore

COMPARED = (t.sites, t.services, t.counters, t.tickets, t.ticket_events, t.ticket_sequence, t.procedures, t.staff)


def fingerprint(url: str) -> dict[str, str]:
    engine = make_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in COMPARED:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    engine.dispose()
    return out


@pytest.fixture
def empty_target(db_url: str, tmp_path, request):  # noqa: ANN001, ANN201
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    templates = request.getfixturevalue("pg_templates")
    name = f"{templates.prefix}_restore"
    templates.execute(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    url = templates.url(name)
    yield url
    templates.drop(url)


def test_backup_restores_every_ticket_and_event(api: Api, db_url: str, empty_target: str, tmp_path) -> None:  # noqa: ANN001
    for _ in range(5):
        api.issue()
    api.ok(1, "open")
    api.ok(1, "call-next")
    file = backup(db_url, tmp_path / "motcua.backup")
    api.issue()  # written after the backup: must not appear in it
    restore(empty_target, file)
    restored = fingerprint(empty_target)
    assert restored["tickets"] != fingerprint(db_url)["tickets"]
    engine = make_engine(empty_target)
    with engine.connect() as conn:
        labels = conn.execute(select(t.tickets.c.label).order_by(t.tickets.c.id)).scalars().all()
        called = conn.execute(select(t.tickets.c.status).where(t.tickets.c.label == "A001")).scalar_one()
        if conn.dialect.name == "postgresql":
            # The planner has statistics at once (reltuples is -1 until a table is analyzed).
            counted = conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE relname = 'tickets'").scalar_one()
            assert counted == 5
    engine.dispose()
    assert labels == ["A001", "A002", "A003", "A004", "A005"]
    assert called == "called"


def test_a_backup_restored_twice_is_identical_to_the_source(db_url: str, empty_target: str, tmp_path) -> None:  # noqa: ANN001
    file = backup(db_url, tmp_path / "again.backup")
    restore(empty_target, file)
    assert fingerprint(empty_target) == fingerprint(db_url)


def test_restore_refuses_a_database_with_data(db_url: str, tmp_path) -> None:  # noqa: ANN001
    file = backup(db_url, tmp_path / "x.backup")
    with pytest.raises(BackupError, match="not empty"):
        restore(db_url, file)
