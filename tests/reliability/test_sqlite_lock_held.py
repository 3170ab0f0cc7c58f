"""Another process holds SQLite's write lock (the command-line tool, a backup, a script with
BEGIN IMMEDIATE) while a real server runs: the server's event loop keeps going (/health and
an open display stream answer at once), a write made meanwhile is carried out as soon as the
lock is free, or, past the server's patience, answered 503 with Retry-After (never a 500),
and its retry with the same request key gets one ticket: nothing accepted is lost."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest
import websockets
from sqlalchemy.engine import make_url
from support import API, BIRTH_REGISTRATION, SITE_TT, LiveServer, bearer, kiosk_headers

from queue_server.seed import demo_device_token
from shared.enums import DeviceKind

PATIENCE = 2.0  # the server's MOTCUA_SQLITE_LOCK_WAIT_SECONDS
HEARTBEAT = 0.2  # the display stream sends a heartbeat after this much silence
PROMPT = 0.5  # what "answers at once" allows on a busy 2-core machine


class Watch:
    """/health timed every 50 ms, and the gaps between the display stream's frames."""

    def __init__(self, http: httpx.AsyncClient, ws: websockets.ClientConnection) -> None:
        self.http, self.ws = http, ws
        self.health: list[float] = []
        self.gaps: list[float] = []
        self.frames: list[dict] = []

    async def poll_health(self) -> None:
        while True:
            started = time.perf_counter()
            r = await self.http.get(f"{API}/health")
            assert r.status_code == 200, r.text
            self.health.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)

    async def read_stream(self) -> None:
        last = time.perf_counter()
        while True:
            self.frames.append(json.loads(await self.ws.recv()))
            now = time.perf_counter()
            self.gaps.append(now - last)
            last = now

    async def during(self, work: Callable[[], Awaitable[None]]) -> None:
        self.health, self.gaps = [], []
        watchers = [asyncio.create_task(self.poll_health()), asyncio.create_task(self.read_stream())]
        try:
            await work()
        finally:
            for task in watchers:
                task.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)


def hold_write_lock(path: str) -> sqlite3.Connection:
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    return locker


async def issue(http: httpx.AsyncClient, request_id: str) -> httpx.Response:
    return await http.post(f"{API}/tickets", json={"procedure_code": BIRTH_REGISTRATION, "request_id": request_id},
                           headers=kiosk_headers(), timeout=30)


@pytest.mark.slow
def test_a_held_write_lock_neither_stalls_the_loop_nor_loses_a_ticket(sqlite_url: str) -> None:
    path = make_url(sqlite_url).database
    server = LiveServer(sqlite_url, extra_env={"MOTCUA_SQLITE_LOCK_WAIT_SECONDS": str(PATIENCE),
                                               "MOTCUA_WS_HEARTBEAT_SECONDS": str(HEARTBEAT)})

    async def scenario() -> dict:
        got: dict = {}
        display = bearer(demo_device_token(DeviceKind.DISPLAY, SITE_TT))
        async with (httpx.AsyncClient(base_url=server.url) as http,
                    websockets.connect(f"{server.ws_url}{API}/ws/sites/{SITE_TT}", additional_headers=display) as ws):
            assert json.loads(await ws.recv())["kind"] == "hello"
            watch = Watch(http, ws)

            async def short_hold() -> None:  # released within the server's patience
                locker = hold_write_lock(path)
                pending = asyncio.create_task(issue(http, "held-short"))
                await asyncio.sleep(PATIENCE / 2)
                assert not pending.done(), "the write waited for the lock"
                locker.rollback()
                got["short"] = await pending
                await asyncio.sleep(HEARTBEAT * 2)  # its event reaches the display

            async def long_hold() -> None:  # held past the server's patience
                locker = hold_write_lock(path)
                started = time.perf_counter()
                got["long"] = await issue(http, "held-long")
                got["long_after"] = time.perf_counter() - started
                await asyncio.sleep(0.5)
                locker.rollback()

            await watch.during(short_hold)
            got["short_watch"] = (max(watch.health), max(watch.gaps), len(watch.health))
            await watch.during(long_hold)
            got["long_watch"] = (max(watch.health), max(watch.gaps), len(watch.health))
            got["issued_events"] = [f["ticket"]["label"] for f in watch.frames
                                    if f.get("kind") == "event" and f.get("type") == "TicketIssued"]
            got["retry"] = [await issue(http, "held-long"), await issue(http, "held-long")]
        return got

    try:
        got = asyncio.run(scenario())
    finally:
        server.stop()

    for phase in ("short_watch", "long_watch"):
        slowest_health, longest_silence, polls = got[phase]
        print(f"{phase}: slowest /health {slowest_health * 1000:.0f} ms over {polls} polls, "
              f"longest stream silence {longest_silence * 1000:.0f} ms")
        assert slowest_health < PROMPT, f"/health stalled {slowest_health:.2f} s while the lock was held"
        assert longest_silence < HEARTBEAT + PROMPT, f"the display stream went silent {longest_silence:.2f} s"
        assert polls >= 10

    short = got["short"]
    assert short.status_code == 201, short.text
    assert got["issued_events"] == [short.json()["label"]]

    long = got["long"]
    assert long.status_code == 503, long.text
    assert long.json()["code"] == "database_locked" and long.headers["Retry-After"] == "2"
    assert "thử lại" in long.json()["message"] and "retry" in long.json()["message_en"]
    assert PATIENCE * 0.9 < got["long_after"] < PATIENCE + PROMPT

    first, again = got["retry"]
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["id"] == again.json()["id"]
    with sqlite3.connect(path) as db:
        kept = dict(db.execute("SELECT request_key, count(*) FROM tickets GROUP BY request_key").fetchall())
    assert kept == {"held-short": 1, "held-long": 1}
