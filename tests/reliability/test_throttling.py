"""A kiosk cannot issue hundreds of tickets a minute; passwords cannot be guessed fast."""

import pytest
from support import API, Api, FakeClock, kiosk_headers


@pytest.fixture
def settings_overrides() -> dict:
    return {"kiosk_tickets_per_minute": 6, "kiosk_ticket_burst": 3, "login_failures_per_account": 3}


def test_a_kiosk_past_its_rate_gets_429_with_retry_advice_and_nothing_is_written(api: Api, clock: FakeClock) -> None:
    for _ in range(3):
        api.issue()
    before = api.snapshot()["seq"]
    r = api.client.post(f"{API}/tickets", json={"service_id": 1}, headers=kiosk_headers())
    assert r.status_code == 429 and r.json()["code"] == "kiosk_rate_limited"
    assert int(r.headers["Retry-After"]) == 10  # 6 a minute: one every 10 s
    assert "quá nhanh" in r.json()["message"]
    assert api.snapshot()["seq"] == before
    # another kiosk is not affected
    assert api.client.post(f"{API}/tickets", json={"service_id": 1}, headers=kiosk_headers("HUE-PX")).status_code == 201
    clock.advance(seconds=10)
    assert api.issue()["label"] == "A004"


def test_failed_logins_lock_the_account_for_a_while_even_with_the_right_password(api: Api, clock: FakeClock) -> None:
    for _ in range(3):
        r = api.client.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "wrong-guess"})
        assert r.status_code == 401
    r = api.client.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"})
    assert r.status_code == 429 and r.json()["code"] == "login_throttled"
    assert int(r.headers["Retry-After"]) > 0
    ok = api.client.post(f"{API}/auth/login", json={"username": "canbo.px", "password": "motcua-demo"})
    assert ok.status_code == 200  # other accounts keep working
    clock.advance(minutes=16)
    assert api.client.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"}).status_code == 200
