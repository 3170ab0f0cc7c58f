"""Guessing dossier PINs in parallel against a live server, from addresses a trusted proxy
names: the guessing client is throttled (per code, over all codes), everyone together is
capped, and the citizen with the right PIN is never locked out by a stranger."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from integration.dossiers.dossier_helpers import receive, serve_one
from support import API, Api, LiveServer, business_day_far_from_now

PROXIED = {"MOTCUA_TRUSTED_PROXIES": '["127.0.0.1"]'}


def _dossiers(server: LiveServer, n: int) -> list[tuple[str, str]]:
    """`n` dossiers received at a counter: (code, PIN) as on the slip."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        api = Api(http)
        out = []
        for _ in range(n):
            serve_one(api)
            dossier = receive(api)
            out.append((dossier["code"], dossier["lookup_pin"]))
        return out


def _wrong(pin: str) -> str:
    return "0" * len(pin) if pin != "0" * len(pin) else "1" * len(pin)


async def _lookups(server: LiveServer, tries: list[tuple[str, str, str]]) -> list[httpx.Response]:
    """(code, PIN, client address) all at once."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60,
                                 limits=httpx.Limits(max_connections=len(tries))) as http:
        return await asyncio.gather(*(
            http.get(f"{API}/public/dossiers/{code}", headers={"X-Lookup-Pin": pin, "X-Forwarded-For": client})
            for code, pin, client in tries))


def _lookup(server: LiveServer, code: str, pin: str, client: str) -> httpx.Response:
    return httpx.get(f"{server.url}{API}/public/dossiers/{code}",
                     headers={"X-Lookup-Pin": pin, "X-Forwarded-For": client}, timeout=30)


@pytest.mark.slow
def test_200_parallel_wrong_pins_on_one_code_check_at_most_the_limit_and_the_citizen_still_gets_in(db_url: str) -> None:
    workers = 2 if db_url.startswith("postgresql") else 1
    server = LiveServer(db_url, workers=workers, extra_env={**PROXIED, **business_day_far_from_now()})
    try:
        (code, pin), = _dossiers(server, 1)
        replies = asyncio.run(_lookups(server, [(code, _wrong(pin), "198.51.100.7")] * 200))
        citizen = _lookup(server, code, pin, "203.0.113.20")
        stranger_with_the_pin = _lookup(server, code, pin, "198.51.100.7")
    finally:
        server.stop()
    statuses = Counter(r.status_code for r in replies)
    print(f"\n200 parallel wrong PINs ({db_url.split(':')[0]}, {workers} worker(s)): {dict(statuses)}; "
          f"{statuses[404]} checked")
    assert statuses[404] <= 10, f"{statuses[404]} PINs checked against a limit of 10"
    assert statuses[429] == 200 - statuses[404]
    assert citizen.status_code == 200, "strangers' guesses locked the citizen out"
    assert stranger_with_the_pin.status_code == 429, "the guessing client is the one throttled"


def test_sequential_codes_from_one_client_and_guesses_from_everyone_are_capped_too(sqlite_url: str) -> None:
    env = {**PROXIED, **business_day_far_from_now(),
           "MOTCUA_DOSSIER_LOOKUP_FAILURES_PER_ADDRESS": "12", "MOTCUA_DOSSIER_LOOKUP_FAILURES_PER_HOUR": "30"}
    server = LiveServer(sqlite_url, extra_env=env)
    try:
        dossiers = _dossiers(server, 4)
        # One client walks the sequential codes: 40 wrong PINs over 4 codes at once.
        walk = asyncio.run(_lookups(server, [(code, _wrong(pin), "198.51.100.7") for code, pin in dossiers] * 10))
        citizen = _lookup(server, *dossiers[0], "203.0.113.20")
        # A crowd: 40 addresses, one guess each.
        crowd = asyncio.run(_lookups(server, [(dossiers[i % 4][0], _wrong(dossiers[i % 4][1]), f"192.0.2.{i + 1}")
                                              for i in range(40)]))
        after_the_crowd = _lookup(server, *dossiers[1], "203.0.113.21")
    finally:
        server.stop()
    walked = Counter(r.status_code for r in walk)
    crowded = Counter(r.status_code for r in crowd)
    print(f"\n40 wrong PINs over 4 sequential codes from one client: {dict(walked)}; "
          f"40 from 40 clients after that: {dict(crowded)}")
    assert walked[404] == 12 and walked[429] == 28, walked
    assert citizen.status_code == 200
    assert crowded[404] == 30 - 12 and crowded[429] == 40 - 18, crowded
    paused = next(r for r in crowd if r.status_code == 429)
    assert paused.json()["code"] == "lookup_paused" and "một cửa" in paused.json()["message"]
    # The price of the cap on everyone (docs/security.md): while it holds, lookups pause.
    assert after_the_crowd.status_code == 429
