"""Real server processes: events across processes (PostgreSQL), and a client that resyncs
by itself after the server restarts."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets
from support import API, COUNTER_A, SITE_TT, Api, LiveServer, bearer, kiosk_headers

from queue_server.seed import demo_device_token
from shared.client import LiveSite, MotcuaClient, StreamState, cancel_quietly
from shared.enums import DeviceKind

DISPLAY_TOKEN = demo_device_token(DeviceKind.DISPLAY, SITE_TT)


@pytest.mark.postgres
@pytest.mark.slow
def test_call_made_on_one_server_process_reaches_a_display_on_another(pg_templates) -> None:  # noqa: ANN001
    url = pg_templates.new()
    first, second = LiveServer(url), LiveServer(url)
    try:
        async def scenario() -> dict:
            async with websockets.connect(f"{second.ws_url}{API}/ws/sites/{SITE_TT}",
                                          additional_headers=bearer(DISPLAY_TOKEN)) as ws:
                hello = json.loads(await ws.recv())
                with httpx.Client(base_url=first.url, timeout=30) as http:
                    api = Api(http)
                    api.issue()
                    api.ok(COUNTER_A, "open")
                    called = api.ok(COUNTER_A, "call-next")
                while True:
                    event = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if event.get("type") == "TicketCalled":
                        return {"hello": hello, "event": event, "called": called}

        got = asyncio.run(scenario())
        assert got["event"]["ticket"]["label"] == got["called"]["label"]
        assert got["event"]["seq"] == got["hello"]["seqs"]["1"] + 3
    finally:
        first.stop()
        second.stop()
        pg_templates.drop(url)


@pytest.mark.slow
def test_client_follows_calls_and_resyncs_by_itself_after_a_server_restart(db_url: str) -> None:
    server = LiveServer(db_url)
    port = server.port
    states: list[StreamState] = []
    calls: list[str] = []
    snapshots: list[int] = []

    async def scenario() -> None:
        nonlocal server
        client = MotcuaClient(server.url, DISPLAY_TOKEN)
        live = LiveSite(client, f"/ws/sites/{SITE_TT}", 1, lambda: client.site_snapshot(SITE_TT),
                        lambda s: snapshots.append(s.seq),
                        lambda e: calls.append(e["ticket"]["label"]) if e["type"] == "TicketCalled" else None,
                        states.append, max_backoff=0.5)
        task = asyncio.create_task(live.run())
        await _until(lambda: StreamState.LIVE in states)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            staff = (await http.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"})).json()
            auth = {"Authorization": f"Bearer {staff['token']}"}
            await http.post(f"{API}/tickets", json={"service_id": 1}, headers=kiosk_headers())
            await http.post(f"{API}/counters/{COUNTER_A}/open", headers=auth)
            await http.post(f"{API}/counters/{COUNTER_A}/call-next", headers=auth)
        await _until(lambda: calls == ["A001"])

        server.stop()  # the lobby's server restarts; meanwhile a call happens elsewhere
        await _until(lambda: states[-1] is StreamState.RECONNECTING)
        server = LiveServer(db_url, port=port)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            staff = (await http.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"})).json()
            auth = {"Authorization": f"Bearer {staff['token']}"}
            await http.post(f"{API}/counters/{COUNTER_A}/start", headers=auth)
        resyncs = live.resyncs
        await _until(lambda: states[-1] is StreamState.LIVE and live.resyncs > 1)
        snap = await client.site_snapshot(SITE_TT)
        assert live.last_seq == snap.seq, "the client caught up with what happened while it was away"
        assert resyncs >= 1
        live.stop()
        await cancel_quietly(task)
        await client.aclose()

    try:
        asyncio.run(scenario())
    finally:
        server.stop()
    assert calls == ["A001"]
    assert StreamState.RECONNECTING in states and states[-1] in (StreamState.LIVE, StreamState.RECONNECTING)


async def _until(predicate, timeout: float = 20) -> None:  # noqa: ANN001
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


