"""The server keeps catalog rows and resolved tokens in memory; a change made through the
server is seen by the very next request all the same (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select
from support import API, COUNTER_A, Api, kiosk_headers

from queue_server.adapters import tables as t
from queue_server.adapters.secrets import token_digest
from queue_server.domain.account_commands import RevokeDevice
from queue_server.seed import demo_device_token
from queue_server.service_layer import accounts
from queue_server.service_layer import manager as m
from shared.enums import DeviceKind

SERVICE_A, SERVICE_B = 1, 2


def _staff_id(wiring, username: str) -> int:  # noqa: ANN001
    with wiring.reader() as uow:
        return uow.conn.execute(select(t.staff.c.id).where(t.staff.c.username == username)).scalar_one()


def _issue_for(api: Api, service_id: int) -> dict:
    r = api.client.post(f"{API}/tickets", json={"service_id": service_id}, headers=kiosk_headers())
    assert r.status_code == 201, r.text
    return r.json()


def test_counter_given_a_new_service_calls_from_it_at_the_next_press(api: Api, wiring) -> None:  # noqa: ANN001
    api.ok(COUNTER_A, "open")
    waiting_b = _issue_for(api, SERVICE_B)
    # Counter 1 serves only A: nobody for it (and its services are now in the cache).
    refused = api.counter(COUNTER_A, "call-next")
    assert refused.status_code == 409 and refused.json()["code"] == "no_ticket_waiting"

    boss = _staff_id(wiring, "quanly")
    m.set_counter_services(m.SetCounterServices(COUNTER_A, boss, {SERVICE_A: 1, SERVICE_B: 1}), wiring.uow())

    called = api.ok(COUNTER_A, "call-next")
    assert called["id"] == waiting_b["id"] and called["service_code"] == "B"

    api.ok(COUNTER_A, "start")
    api.ok(COUNTER_A, "finish")
    m.set_counter_services(m.SetCounterServices(COUNTER_A, boss, {SERVICE_A: 1}), wiring.uow())
    _issue_for(api, SERVICE_B)
    again = api.counter(COUNTER_A, "call-next")
    assert again.status_code == 409 and again.json()["code"] == "no_ticket_waiting"


def test_revoked_kiosk_cannot_issue_the_next_ticket(api: Api, wiring) -> None:  # noqa: ANN001
    api.issue()  # the kiosk's token is now resolved and cached
    token_hash = token_digest(demo_device_token(DeviceKind.KIOSK, "HUE-TT"))
    with wiring.reader() as uow:
        kiosk_id = uow.conn.execute(select(t.devices.c.id).where(t.devices.c.token_hash == token_hash)).scalar_one()

    accounts.revoke_device(RevokeDevice(kiosk_id), wiring.uow())

    r = api.client.post(f"{API}/tickets", json={"service_id": SERVICE_A}, headers=kiosk_headers())
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    assert r.json()["message"] and r.json()["message_en"]


def test_session_used_a_moment_ago_is_refused_once_it_expires(api: Api, wiring, clock) -> None:  # noqa: ANN001
    headers = api.staff()
    assert api.client.get(f"{API}/auth/me", headers=headers).status_code == 200
    clock.advance(hours=wiring.settings.staff_session_hours, seconds=1)
    r = api.client.get(f"{API}/auth/me", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"


def test_logged_out_token_is_refused_at_once_after_being_cached(api: Api) -> None:
    r = api.client.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"})
    session = {"Authorization": f"Bearer {r.json()['token']}"}
    for _ in range(3):
        assert api.client.get(f"{API}/auth/me", headers=session).status_code == 200
    assert api.client.post(f"{API}/auth/logout", headers=session).status_code == 204
    r = api.client.post(f"{API}/counters/{COUNTER_A}/open", headers=session)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
