"""Fixtures of the web tests: an in-process client on SQLite, Debian's Chromium driven by
Playwright against real server processes, screenshots under test-artifacts/ui/web/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import Api, FakeClock, LiveServer
from web_helpers import CHROMIUM, CHROMIUM_ARGS, Shots


@pytest.fixture
def web_wiring(sqlite_url: str, clock: FakeClock):
    from queue_server.bootstrap import bootstrap
    from queue_server.settings import Settings

    wiring = bootstrap(Settings(database_url=sqlite_url, environment="test"), clock=clock)
    yield wiring
    wiring.engine.dispose()


@pytest.fixture
def web_client(web_wiring):
    """TestClient on SQLite only: these tests check pages and access rules, not databases."""
    from fastapi.testclient import TestClient

    from queue_server.app import create_app

    with TestClient(create_app(web_wiring), follow_redirects=False) as client:
        yield client


@pytest.fixture
def web_api(web_client) -> Api:
    return Api(web_client)


# ---- the browser ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium per test file. Not per session: while Playwright's sync API is open it
    keeps an asyncio loop running in the main thread, so under pytest-xdist any later file
    on the same worker that calls `asyncio.run` (the e2e bursts, the apps' unit tests)
    would fail with "cannot be called from a running event loop"."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make deps-system` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots() -> Shots:
    return Shots()


@pytest.fixture
def web_server(sqlite_url: str) -> Iterator[LiveServer]:
    """A real `motcua server` process on SQLite, for the browser."""
    server = LiveServer(sqlite_url)
    yield server
    server.stop()


@pytest.fixture
def server_api(web_server: LiveServer) -> Iterator[Api]:
    import httpx

    with httpx.Client(base_url=web_server.url, timeout=10) as http:
        yield Api(http)
