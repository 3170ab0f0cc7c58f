"""A whole working session against a real server, with its access log on, leaves no
credential in the server's log: staff and manager logins and their streams, a kiosk
issuing, a clerk calling, a browser TV paired by its one-time link (and an old TV still on
its `?token=` bookmark), an old stream client still sending `?token=`, and a citizen's
ticket page. The log is read afterwards and must show the requests, never a token."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
import websockets
from support import API, COUNTER_A, SITE_TT, Api, LiveServer, bearer

from queue_server.seed import demo_device_token
from shared.enums import DeviceKind

pytestmark = pytest.mark.slow
DISPLAY = demo_device_token(DeviceKind.DISPLAY, SITE_TT)
KIOSK = demo_device_token(DeviceKind.KIOSK, SITE_TT)


async def _hello(url: str, **kwargs) -> dict:  # noqa: ANN003
    async with websockets.connect(url, **kwargs) as ws:
        return json.loads(await ws.recv())


async def _first_frame_auth(url: str, token: str) -> dict:
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"kind": "auth", "token": token}))
        return json.loads(await ws.recv())


def test_a_full_session_leaves_no_token_in_the_server_log(sqlite_url: str) -> None:
    server = LiveServer(sqlite_url, log_level="info")
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            api = Api(http)
            clerk, boss = api.token("canbo.tt"), api.token("quanly")
            ticket = api.issue()
            api.ok(COUNTER_A, "open")
            api.ok(COUNTER_A, "call-next")
            pairing = api.display_pairing_path()
            paired = http.get(pairing)
            assert paired.status_code == 303
            cookie = http.cookies["motcua_display"]
            assert http.get(paired.headers["location"]).status_code == 200
            assert http.get(f"/display/{SITE_TT}/snapshot").status_code == 200
            old_tv = httpx.get(f"{server.url}/display/{SITE_TT}?token={DISPLAY}", timeout=10)
            assert old_tv.status_code == 303 and old_tv.headers["location"] == f"/display/{SITE_TT}"
            assert http.get(f"/t/{ticket['tracking_token']}").status_code == 200
            ws = server.ws_url

            async def streams() -> list[dict]:
                return [
                    await _hello(f"{ws}{API}/ws/counters/{COUNTER_A}", additional_headers=bearer(clerk)),
                    await _hello(f"{ws}{API}/ws/all", additional_headers=bearer(boss)),
                    await _hello(f"{ws}{API}/ws/sites/{SITE_TT}", additional_headers=bearer(KIOSK)),
                    await _first_frame_auth(f"{ws}{API}/ws/sites/{SITE_TT}", DISPLAY),
                    await _hello(f"{ws}{API}/ws/sites/{SITE_TT}?token={DISPLAY}"),  # a client older than this
                    await _hello(f"{ws}/display/{SITE_TT}/ws",
                                 additional_headers={"Cookie": f"motcua_display={cookie}", "Origin": server.url}),
                    await _hello(f"{ws}/t/{ticket['tracking_token']}/ws"),
                ]

            greetings = asyncio.run(streams())
            assert [g["kind"] for g in greetings] == ["hello"] * 6 + ["ticket"]
            http.post(f"{API}/auth/logout", headers=bearer(clerk)).raise_for_status()
    finally:
        server.stop()
    log = server.log_text()
    # The session is in the log: the access lines are there, so silence proves nothing wrong.
    for seen in (f"GET /display/{SITE_TT}", "/display/pair/", f"WebSocket /api/v1/ws/sites/{SITE_TT}",
                 "POST /api/v1/auth/login", "/t/"):
        assert seen in log, f"the access log should show {seen!r}"
    secrets = {"clerk's session": clerk, "manager's session": boss, "display token": DISPLAY, "kiosk token": KIOSK,
               "pairing code": pairing.rsplit("/", 1)[1], "TV cookie": cookie,
               "ticket link key": ticket["tracking_token"]}
    for name, secret in secrets.items():
        assert secret not in log, f"the {name} is in the server log"
    assert not re.search(r"token=(?!…)[^&\s\"']", log), "a token= value is in the server log"
