"""Password guessing in parallel against a live server: the attempt is counted in the
database before the password is checked, so a burst gets at most the limit of checks
(on PostgreSQL through two server processes sharing the count); and the hashing runs off
the event loop, a few at a time, so /health stays fast while people log in."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
import pytest
from support import API, LiveServer

from queue_server.seed import DEMO_PASSWORD

PER_ACCOUNT = 5  # the default login_failures_per_account
BURST = 80


@pytest.mark.slow
@pytest.mark.load_drill
def test_80_parallel_logins_for_one_clerk_check_at_most_the_limit_and_get_no_token(db_url: str) -> None:
    # Every request waits its turn to hash (a queue large enough for the whole burst), so
    # what stops them is the count in the database, not the queue.
    workers = 2 if db_url.startswith("postgresql") else 1
    server = LiveServer(db_url, workers=workers, extra_env={"MOTCUA_PASSWORD_CHECK_QUEUE": str(BURST)})

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60,
                                     limits=httpx.Limits(max_connections=BURST)) as http:
            async def attempt(i: int) -> httpx.Response:
                if i == BURST - 1:
                    await asyncio.sleep(0.3)  # the right password comes last, while the burst is on
                password = DEMO_PASSWORD if i == BURST - 1 else f"doan-mo-{i}"
                return await http.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": password})
            return await asyncio.gather(*(attempt(i) for i in range(BURST)))

    try:
        replies = asyncio.run(burst())
        afterwards = httpx.post(f"{server.url}{API}/auth/login", json={"username": "canbo.tt", "password": DEMO_PASSWORD})
    finally:
        server.stop()
    statuses = Counter(r.status_code for r in replies)
    checked = statuses[401] + statuses[200]  # a 401 or 200 only comes after the password was checked
    print(f"\n{BURST} parallel logins ({db_url.split(':')[0]}, {workers} worker(s)): {dict(statuses)}; "
          f"{checked} passwords checked, {statuses[200]} token(s)")
    assert statuses[200] == 0, "a parallel burst got past the limit and logged in"
    assert checked <= PER_ACCOUNT, f"{checked} passwords checked against a limit of {PER_ACCOUNT}"
    refused = [r for r in replies if r.status_code == 429]
    assert len(refused) == BURST - checked
    assert all(r.json()["code"] == "login_throttled" and int(r.headers["Retry-After"]) > 0 for r in refused)
    assert afterwards.status_code == 429, "the account stays locked for the window, right password or not"


@pytest.mark.load_drill
def test_health_stays_fast_while_many_log_in_and_the_excess_is_told_to_retry_at_once(sqlite_url: str) -> None:
    # SQLite runs handlers on the event loop: a hash there would stop every other request
    # for its whole length. Timings are compared with one lone login measured in the same
    # run (the machine may be busy).
    logins = 14  # 2 hash at once, 8 wait their turn, the rest are turned away at once
    server = LiveServer(sqlite_url)

    async def scenario() -> tuple[list[float], list[float], float, list[tuple[httpx.Response, float]]]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            idle = [await _timed_health(http) for _ in range(20)]

            async def login(i: int) -> tuple[httpx.Response, float]:
                started = time.perf_counter()
                r = await http.post(f"{API}/auth/login", json={"username": f"khach.{i}", "password": "sai-roi"})
                return r, time.perf_counter() - started

            lone = min([(await login(100 + i))[1] for i in range(2)])
            running = asyncio.gather(*(login(i) for i in range(logins)))
            await asyncio.sleep(0.05)
            busy = []
            while not running.done():
                busy.append(await _timed_health(http))
                await asyncio.sleep(0.02)
            return idle, busy, lone, await running

    try:
        idle, busy, lone, replies = asyncio.run(scenario())
    finally:
        server.stop()
    p99 = sorted(busy)[max(0, int(len(busy) * 0.99) - 1)]
    print(f"\n/health while {logins} log in at once (one login alone: {lone * 1000:.0f} ms): p99 {p99 * 1000:.0f} ms, "
          f"max {max(busy) * 1000:.0f} ms over {len(busy)} probes (idle p50 {sorted(idle)[10] * 1000:.0f} ms); "
          f"{Counter(r.status_code for r, _ in replies)}")
    assert len(busy) >= 5, "the logins finished before /health was probed"
    assert p99 < 0.5 * lone, f"/health p99 {p99:.2f} s while passwords were checked ({lone:.2f} s each)"
    turned_away = [took for r, took in replies if r.status_code == 503]
    checked = [took for r, took in replies if r.status_code == 401]
    assert len(turned_away) >= logins - 10 and len(checked) == logins - len(turned_away)
    for r, _ in replies:
        if r.status_code == 503:
            assert r.json()["code"] == "logins_busy" and r.headers["Retry-After"] == "1"
            assert "thử lại" in r.json()["message"] and "try again" in r.json()["message_en"]
    assert max(turned_away) < min(checked), "an excess login was held instead of answered at once"


async def _timed_health(http: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    r = await http.get(f"{API}/health")
    assert r.status_code == 200
    return time.perf_counter() - started
