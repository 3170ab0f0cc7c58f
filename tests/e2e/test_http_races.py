"""The same races through a real server process over HTTP: 20 kiosks, then 20 counters."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import insert
from support import API, LiveServer, business_day_far_from_now, kiosk_headers

from queue_server.adapters import tables as t
from queue_server.adapters.db import make_engine
from shared.enums import CounterState

RACERS = 20


def _add_open_counters(db_url: str, n: int) -> list[int]:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        ids = []
        for i in range(n):
            cid = conn.execute(insert(t.counters).values(site_id=1, number=200 + i, name=f"HTTP {i}",
                                                         state=CounterState.OPEN.value).returning(t.counters.c.id)).scalar_one()
            conn.execute(insert(t.counter_services).values(counter_id=cid, service_id=1, weight=1))
            ids.append(cid)
    engine.dispose()
    return ids


@pytest.mark.slow
def test_racing_kiosks_and_counters_over_http(db_url: str) -> None:
    counters = _add_open_counters(db_url, RACERS)
    server = LiveServer(db_url, extra_env=business_day_far_from_now())

    async def scenario() -> tuple[list[str], list[int], list[int]]:
        limits = httpx.Limits(max_connections=RACERS * 2)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30) as http:
            login = await http.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"})
            staff = {"Authorization": f"Bearer {login.json()['token']}"}

            async def kiosk() -> list[dict]:
                out = []
                for _ in range(15):
                    r = await http.post(f"{API}/tickets", json={"service_id": 1}, headers=kiosk_headers())
                    assert r.status_code == 201, r.text
                    out.append(r.json())
                return out

            issued = [tk for batch in await asyncio.gather(*(kiosk() for _ in range(RACERS))) for tk in batch]

            async def counter(cid: int) -> list[int]:
                got = []
                while True:
                    r = await http.post(f"{API}/counters/{cid}/call-next", headers=staff)
                    if r.status_code == 409 and r.json()["code"] == "no_ticket_waiting":
                        return got
                    assert r.status_code == 200, r.text
                    got.append(r.json()["id"])
                    for step in ("start", "finish"):
                        assert (await http.post(f"{API}/counters/{cid}/{step}", headers=staff)).status_code == 200

            served = await asyncio.gather(*(counter(c) for c in counters))
            return [tk["label"] for tk in issued], [tk["id"] for tk in issued], [i for s in served for i in s]

    try:
        labels, issued_ids, called_ids = asyncio.run(scenario())
    finally:
        server.stop()
    assert len(labels) == len(set(labels)) == RACERS * 15, "two kiosks printed the same number"
    assert sorted(int(label[1:]) for label in labels) == list(range(1, RACERS * 15 + 1))
    doubles = [i for i, n in Counter(called_ids).items() if n > 1]
    assert doubles == [], f"called by two counters: {doubles}"
    assert sorted(called_ids) == sorted(issued_ids), "a ticket was lost"
