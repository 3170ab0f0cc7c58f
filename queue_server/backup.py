"""Backups that can be taken while the server runs, and restored into an empty database.

SQLite: the online backup API copies a consistent snapshot page by page while writers
continue. PostgreSQL: `pg_dump --format=custom` (a consistent snapshot too) and
`pg_restore` into the target database.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from queue_server.adapters.db import analyze, is_sqlite_url, make_engine


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page through SQLite's backup API: consistent even
    while the server writes to the source, unlike a file copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dest = sqlite3.connect(target)
    try:
        with dest:
            src.backup(dest)
    finally:
        dest.close()
        src.close()


def backup(url: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if is_sqlite_url(url):
        _sqlite_copy(_sqlite_path(url), target)
        return target
    result = subprocess.run([_need("pg_dump"), "--format=custom", "--no-owner", "--file", str(target),
                             "--dbname", _libpq_url(url)], capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target


def is_empty(url: str) -> bool:
    engine = make_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(url: str, source: Path, *, force: bool = False) -> None:
    """Restore into `url`. Refuses a database that already has tables unless `force`, so a
    slip of the finger does not overwrite a live lobby's data."""
    if not source.exists():
        raise BackupError(f"no backup file at {source}")
    if not force and not is_empty(url):
        raise BackupError("the target database is not empty; restore into a new database or pass --force")
    if is_sqlite_url(url):
        _sqlite_copy(source, _sqlite_path(url))
        return
    args = [_need("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", _libpq_url(url)]
    if force:
        args += ["--clean", "--if-exists"]
    result = subprocess.run([*args, str(source)], capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    engine = make_engine(url)  # a restored database has no planner statistics yet
    try:
        analyze(engine)
    finally:
        engine.dispose()
