"""Every database connection busy: the kiosk is told to retry (503), not "internal error",
and its retry with the same request key gets one ticket."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout
from support import API, BIRTH_REGISTRATION, Api, kiosk_headers

from queue_server.bootstrap import Wiring


@pytest.fixture
def settings_overrides() -> dict:
    return {"db_pool_timeout_seconds": 0.2}


def test_a_request_that_finds_no_free_connection_gets_503_and_its_retry_one_ticket(api: Api, wiring: Wiring) -> None:
    api.issue()  # the kiosk's token is resolved and cached, as in a running lobby
    body = {"procedure_code": BIRTH_REGISTRATION, "request_id": "pool-busy-1"}
    with contextlib.ExitStack() as held:
        while True:  # take every connection the pool will give (SQLite 1, PostgreSQL 20)
            try:
                held.enter_context(wiring.engine.connect())
            except PoolTimeout:
                break
        r = api.client.post(f"{API}/tickets", json=body, headers=kiosk_headers())
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "server_busy" and r.headers["Retry-After"] == "2"
    assert "quá tải" in r.json()["message"] and "busy" in r.json()["message_en"]
    first = api.client.post(f"{API}/tickets", json=body, headers=kiosk_headers())
    again = api.client.post(f"{API}/tickets", json=body, headers=kiosk_headers())
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["label"] == "A002"
