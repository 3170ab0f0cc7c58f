"""The Alembic migrations build exactly the schema `adapters/tables.py` describes, on both
databases: a table or index added to one and forgotten in the other fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from queue_server.adapters.db import make_engine
from queue_server.adapters.tables import metadata

# An expression index (rank DESC) Alembic cannot compare: it always reports it as changed.
UNCOMPARABLE = {"ix_tickets_waiting_rank"}


def _name(diff) -> str | None:  # noqa: ANN001
    item = diff[1] if isinstance(diff, tuple) and len(diff) > 1 else None
    return getattr(item, "name", None)


def test_migrated_schema_matches_the_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    flat = [d for group in diffs for d in (group if isinstance(group, list) else [group])]
    assert [d for d in flat if _name(d) not in UNCOMPARABLE] == []
