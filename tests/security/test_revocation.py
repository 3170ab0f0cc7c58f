"""Tokens end when they should: a lost kiosk's token revoked by a manager is refused at
once and its open stream closes (on every server process), a staff session expires after
MOTCUA_STAFF_SESSION_HOURS, and logging out closes the clerk's stream too."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets
from starlette.websockets import WebSocketDisconnect
from support import (
    API,
    COUNTER_A,
    SITE_PX,
    SITE_TT,
    Api,
    FakeClock,
    LiveServer,
    bearer,
    kiosk_headers,
)

from queue_server.seed import DEMO_PASSWORD, demo_device_token
from shared.enums import DeviceKind, Role

KIOSK_TT = demo_device_token(DeviceKind.KIOSK, SITE_TT)


@pytest.fixture
def settings_overrides() -> dict:
    return {"ws_heartbeat_seconds": 0.2}  # streams look at the session's end at least this often


def _device_id(api: Api, site: str, kind: str = "kiosk") -> int:
    r = api.client.get(f"{API}/devices", params={"site_code": site}, headers=api.staff("quanly"))
    assert r.status_code == 200, r.text
    return next(d["id"] for d in r.json() if d["kind"] == kind and d["site_code"] == site)


def test_a_revoked_kiosk_is_refused_at_once_and_only_managers_may_revoke(api: Api, wiring) -> None:  # noqa: ANN001
    from queue_server.domain.account_commands import CreateStaff
    from queue_server.service_layer import accounts

    kiosk = _device_id(api, SITE_TT)
    assert api.client.post(f"{API}/devices/{kiosk}/revoke", headers=api.staff("canbo.tt")).status_code == 403
    assert api.client.post(f"{API}/devices/{kiosk}/revoke", headers=kiosk_headers()).status_code == 403
    accounts.create_staff(CreateStaff("quanly.px", "Quản lý Phú Xuân", DEMO_PASSWORD, Role.MANAGER, SITE_PX),
                          wiring.uow())
    other_site = api.client.post(f"{API}/devices/{kiosk}/revoke", headers=api.staff("quanly.px"))
    assert other_site.status_code == 404  # a site's manager does not even see other sites' devices
    api.issue()  # still working

    r = api.client.post(f"{API}/devices/{kiosk}/revoke", headers=api.staff("quanly"))
    assert r.status_code == 200 and r.json()["revoked_at"] is not None

    refused = api.client.post(f"{API}/tickets", json={"service_id": 1}, headers=kiosk_headers())
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"
    assert "không hợp lệ" in refused.json()["message"]
    again = api.client.post(f"{API}/devices/{kiosk}/revoke", headers=api.staff("quanly"))
    assert again.status_code == 409 and again.json()["code"] == "already_revoked"
    assert api.issue(site=SITE_PX)["label"]  # other kiosks carry on
    revoke_entries = [e for e in api.client.get(f"{API}/audit", headers=api.staff("admin")).json()["items"]
                      if e["action"] == "POST /api/v1/devices/{device_id}/revoke"]
    assert [(e["username"], e["outcome"]) for e in revoke_entries] == [
        ("quanly", "refused"), ("quanly", "ok"), ("quanly.px", "refused"), ("canbo.tt", "refused")]


def test_a_staff_session_expires_after_the_configured_hours(api: Api, clock: FakeClock, wiring) -> None:  # noqa: ANN001
    hours = wiring.settings.staff_session_hours
    login = api.client.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": DEMO_PASSWORD}).json()
    headers = {"Authorization": f"Bearer {login['token']}"}
    assert login["expires_at"].startswith(str(clock.now.replace(hour=clock.now.hour + hours).date()))
    clock.advance(hours=hours, seconds=-1)
    assert api.client.get(f"{API}/auth/me", headers=headers).status_code == 200
    clock.advance(seconds=2)
    r = api.client.get(f"{API}/auth/me", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    assert api.client.post(f"{API}/counters/{COUNTER_A}/open", headers=headers).status_code == 401


def test_a_stream_opened_with_a_session_closes_when_the_session_expires(api: Api, clock: FakeClock,
                                                                        wiring) -> None:  # noqa: ANN001
    token = api.token("canbo.tt")
    with api.client.websocket_connect(f"{API}/ws/counters/{COUNTER_A}", headers=bearer(token)) as ws:
        assert ws.receive_json()["kind"] == "hello"
        assert ws.receive_json()["kind"] == "heartbeat"  # still open while the session lasts
        clock.advance(hours=wiring.settings.staff_session_hours, seconds=1)
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(50):
                ws.receive_json()
    assert (closed.value.code, closed.value.reason) == (1008, "expired")


def test_logout_revokes_the_session_token(api: Api) -> None:
    token = api.token("canbo.tt")
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.post(f"{API}/auth/logout", headers=headers).status_code == 204
    assert api.client.get(f"{API}/auth/me", headers=headers).status_code == 401


async def _closed_after(ws, action) -> tuple[int, str, float]:  # noqa: ANN001
    """Runs `action` (blocking HTTP) and waits for the server to close `ws`."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, action)
    started = loop.time()
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    return closed.value.rcvd.code, closed.value.rcvd.reason, loop.time() - started


@pytest.mark.slow
def test_revoking_a_kiosk_closes_its_open_stream_on_every_server_process(db_url: str) -> None:
    # PostgreSQL: two server processes; the revoke goes to one, the kiosk listens on the other.
    first = LiveServer(db_url)
    second = LiveServer(db_url) if db_url.startswith("postgresql") else first
    try:
        with httpx.Client(base_url=first.url, timeout=30) as http:
            api = Api(http)
            kiosk = _device_id(api, SITE_TT)

            async def scenario() -> tuple[int, str, float]:
                url = f"{second.ws_url}{API}/ws/sites/{SITE_TT}"
                async with websockets.connect(url, additional_headers=bearer(KIOSK_TT)) as ws, websockets.connect(
                        f"{second.ws_url}{API}/ws/sites/{SITE_PX}",
                        additional_headers=bearer(demo_device_token(DeviceKind.KIOSK, SITE_PX))) as other:
                    assert json.loads(await ws.recv())["kind"] == "hello"
                    assert json.loads(await other.recv())["kind"] == "hello"
                    result = await _closed_after(ws, lambda: api.client.post(
                        f"{API}/devices/{kiosk}/revoke", headers=api.staff("quanly")).raise_for_status())
                    await other.ping()  # the other site's kiosk stays connected
                    return result

            code, reason, seconds = asyncio.run(scenario())
            assert (code, reason) == (1008, "revoked")
            assert seconds < 2
            # and it cannot come back: the handshake itself is refused
            async def reconnect() -> int:
                with pytest.raises(websockets.InvalidStatus) as refused:
                    async with websockets.connect(f"{second.ws_url}{API}/ws/sites/{SITE_TT}",
                                                  additional_headers=bearer(KIOSK_TT)):
                        pass
                return refused.value.response.status_code
            assert asyncio.run(reconnect()) == 403
    finally:
        first.stop()
        if second is not first:
            second.stop()


@pytest.mark.slow
def test_logging_out_closes_the_clerks_counter_stream(db_url: str) -> None:
    server = LiveServer(db_url)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            api = Api(http)
            token = api.token("canbo.tt")

            async def scenario() -> tuple[int, str, float]:
                async with websockets.connect(f"{server.ws_url}{API}/ws/counters/{COUNTER_A}",
                                              additional_headers=bearer(token)) as ws:
                    assert json.loads(await ws.recv())["kind"] == "hello"
                    return await _closed_after(ws, lambda: http.post(
                        f"{API}/auth/logout", headers={"Authorization": f"Bearer {token}"}).raise_for_status())

            code, reason, seconds = asyncio.run(scenario())
            assert (code, reason) == (1008, "revoked") and seconds < 2
    finally:
        server.stop()
