"""PostgreSQL with two server processes: each keeps resolved tokens in memory, and a
logout handled by one process is refused by the other at the next request (the
invalidation travels with the commit, through LISTEN/NOTIFY)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support import API, LiveServer

from queue_server.seed import DEMO_PASSWORD


@pytest.fixture
def pg_url(pg_templates) -> Iterator[str]:  # noqa: ANN001
    url = pg_templates.new()
    yield url
    pg_templates.drop(url)


@pytest.mark.postgres
def test_logout_on_one_worker_is_refused_by_every_worker(pg_url: str) -> None:
    server = LiveServer(pg_url, workers=2)
    # A new connection per request, so the requests are spread over both processes.
    fresh = httpx.Limits(max_keepalive_connections=0)
    try:
        with httpx.Client(base_url=server.url, limits=fresh, timeout=10) as http:
            login = http.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": DEMO_PASSWORD})
            session = {"Authorization": f"Bearer {login.json()['token']}"}
            assert all(http.get(f"{API}/auth/me", headers=session).status_code == 200 for _ in range(30))
            assert http.post(f"{API}/auth/logout", headers=session).status_code == 204
            after = [http.get(f"{API}/auth/me", headers=session) for _ in range(30)]
    finally:
        server.stop()
    assert [r.status_code for r in after] == [401] * 30
    assert after[0].json()["code"] == "invalid_token"
