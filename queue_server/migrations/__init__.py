"""Alembic migrations, driven from code so `motcua db upgrade` needs no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from queue_server.adapters.db import ensure_sqlite_folder, normalize_url

HERE = Path(__file__).resolve().parent


class NotMigrated(RuntimeError):
    pass


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    return ScriptDirectory(str(HERE)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_migrated(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise NotMigrated(
            f"The database is at migration {current or 'none'} but this motcua needs {head}. "
            "Run `motcua db upgrade` (with the same MOTCUA_DATABASE_URL) and start again."
        )
