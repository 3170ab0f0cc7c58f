"""People racing for the last place of a slot through two real server processes over HTTP
(each with its own connection pool, as in a deployment): exactly one wins each slot."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from support import API, SITE_TT, LiveServer, open_for_booking_now

RACERS = 12


@pytest.mark.slow
def test_racers_through_two_server_processes_get_each_last_place_once(db_url: str) -> None:
    env = {**open_for_booking_now(db_url), "MOTCUA_BOOKING_SLOT_CAPACITY": "1",
           "MOTCUA_BOOKING_CREATIONS_PER_HOUR": "100000"}
    servers = [LiveServer(db_url, extra_env=env), LiveServer(db_url, extra_env=env)]

    async def scenario() -> list[list[tuple[int, str]]]:
        clients = [httpx.AsyncClient(base_url=s.url, timeout=30) for s in servers]
        try:
            params = {"site": SITE_TT, "procedure": "1.001193"}
            days = (await clients[0].get(f"{API}/bookings/days", params=params)).json()["days"]
            slots = (await clients[0].get(f"{API}/bookings/slots",
                                          params={**params, "day": days[-1]["day"]})).json()["slots"][:3]
            rounds = []
            for round_, slot in enumerate(slots):
                async def racer(i: int, start: str = slot["start"], r: int = round_) -> tuple[int, str]:
                    resp = await clients[i % 2].post(f"{API}/bookings", json={
                        "site_code": SITE_TT, "procedure_code": "1.001193", "slot_start": start,
                        "full_name": "Người Đua", "phone": f"09{r}{i:07d}"})
                    return resp.status_code, resp.json()["code"]
                rounds.append(await asyncio.gather(*(racer(i) for i in range(RACERS))))
            return rounds
        finally:
            for client in clients:
                await client.aclose()

    try:
        rounds = asyncio.run(scenario())
    finally:
        for server in servers:
            server.stop()
    assert len(rounds) == 3
    for outcomes in rounds:
        assert Counter(status for status, _ in outcomes) == {201: 1, 409: RACERS - 1}, outcomes
        assert {code for status, code in outcomes if status == 409} == {"slot_full"}
