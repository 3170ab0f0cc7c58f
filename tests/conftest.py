"""Fixtures shared by every test: databases (SQLite and PostgreSQL, migrated and seeded
once per run, copied per test), the wiring, an API client, a live server process."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import pg_admin_url

os.environ.setdefault("MOTCUA_ENVIRONMENT", "test")
ROOT = Path(__file__).resolve().parents[1]

from queue_server.devtools.template_databases import PostgresCopies  # noqa: E402 - after the environment is set
from queue_server.seed import prepare_demo_database  # noqa: E402


class SqliteTemplates:
    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.db"
        prepare_demo_database(f"sqlite:///{self.template}")
        self.counter = itertools.count()

    def new(self, folder: Path) -> str:
        target = folder / f"motcua-{next(self.counter)}.db"
        shutil.copy(self.template, target)
        return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[PostgresCopies]:
    templates = PostgresCopies(pg_admin_url(), f"motcua_t{os.getpid()}")
    yield templates
    templates.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database with the catalog and the demo province, fresh for each test."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_templates").new(tmp_path)
        return
    templates: PostgresCopies = request.getfixturevalue("pg_templates")
    url = templates.new()
    yield url
    templates.drop(url)


@pytest.fixture
def sqlite_url(sqlite_templates: SqliteTemplates, tmp_path: Path) -> str:
    return sqlite_templates.new(tmp_path)


# ---- wiring, app, client -------------------------------------------------------------------
from support import Api, FakeClock, LiveServer  # noqa: E402


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings_overrides() -> dict:
    """Override in a test module to change queue rules (e.g. the no-show rule)."""
    return {}


@pytest.fixture
def wiring(db_url: str, clock: FakeClock, settings_overrides: dict, tmp_path: Path):
    from queue_server.bootstrap import bootstrap
    from queue_server.settings import Settings

    # Tests issue tickets far faster than a lobby; the throttling tests set their own limits.
    overrides = {"kiosk_ticket_burst": 100_000, "file_storage_dir": tmp_path / "files", **settings_overrides}
    w = bootstrap(Settings(database_url=db_url, environment="test", **overrides), clock=clock)
    yield w
    w.engine.dispose()


@pytest.fixture
def client(wiring):
    from fastapi.testclient import TestClient

    from queue_server.app import create_app

    with TestClient(create_app(wiring)) as c:
        yield c


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def live_server(db_url: str) -> Iterator[LiveServer]:
    server = LiveServer(db_url)
    yield server
    server.stop()
