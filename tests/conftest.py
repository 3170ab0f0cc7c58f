"""Fixtures shared by every test: databases (SQLite and PostgreSQL, migrated and seeded
once per run, copied per test), the wiring, an API client, a live server process."""

from __future__ import annotations

import fcntl
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


# ---- running on several workers (pytest-xdist) ------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    _own_share_of_the_test_ports()


def _own_share_of_the_test_ports() -> None:
    """Under xdist every worker picks ports with free_port(); with MOTCUA_TEST_PORTS set,
    two workers walking the same range would offer each other's ports between the check and
    the bind, so each worker keeps a slice of the range of its own."""
    span, worker = os.environ.get("MOTCUA_TEST_PORTS", ""), os.environ.get("PYTEST_XDIST_WORKER", "")
    if not span or not worker:
        return
    low, high = (int(v) for v in span.split("-"))
    workers, index = int(os.environ["PYTEST_XDIST_WORKER_COUNT"]), int(worker.removeprefix("gw"))
    size = (high - low + 1) // workers
    if size < 1:
        raise pytest.UsageError(f"MOTCUA_TEST_PORTS={span} has fewer ports than the {workers} workers")
    start = low + index * size
    os.environ["MOTCUA_TEST_PORTS"] = f"{start}-{start + size - 1}"


@pytest.fixture(autouse=True)
def _one_load_drill_at_a_time(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under pytest-xdist a load drill (marked `load_drill`) waits for any drill running on
    another worker: a drill judges what a server kept up with, and two at once would halve
    each other's machine. Other tests still run beside it, as other work would in CI."""
    if "PYTEST_XDIST_WORKER" not in os.environ or request.node.get_closest_marker("load_drill") is None:
        yield
        return
    run_folder = request.getfixturevalue("tmp_path_factory").getbasetemp().parent  # the workers' common one
    with open(run_folder / "load-drill.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[PostgresCopies]:
    templates = PostgresCopies(pg_admin_url(), f"motcua_t{os.getpid()}", drop_in_background=True)
    yield templates
    templates.close()
    assert not templates.drop_failures, f"test databases left behind: {templates.drop_failures}"


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
