"""Fees paid in parallel through a real server over HTTP, on both databases (PostgreSQL with
two server processes): two clerks pressing "paid" for the same dossier at once get one
receipt between them, and receipts of many dossiers paid at once never share a number."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from support import API, BIRTH_REGISTRATION, LiveServer, business_day_far_from_now, kiosk_headers

DOSSIERS = 24
CLERKS_PER_DOSSIER = 2


@pytest.mark.slow
def test_parallel_payments_give_one_receipt_per_dossier_and_unique_numbers(db_url: str) -> None:
    workers = 2 if db_url.startswith("postgresql") else 1
    server = LiveServer(db_url, extra_env=business_day_far_from_now(), workers=workers)
    try:
        outcome = asyncio.run(_race(server.url))
    finally:
        server.stop()
    statuses, numbers = outcome
    # Every dossier: exactly one 200 and the others 409, whichever clerk won
    assert all(sorted(s) == [200] + [409] * (CLERKS_PER_DOSSIER - 1) for s in statuses.values()), statuses
    twice = [n for n, k in Counter(numbers).items() if k > 1]
    assert twice == []
    series = {n.split("/")[0] for n in numbers}
    assert len(series) == 1 and series.pop().startswith("BL")
    assert sorted(int(n.split("/")[1]) for n in numbers) == list(range(1, DOSSIERS + 1))


async def _race(url: str) -> tuple[dict[str, list[int]], list[str]]:
    limits = httpx.Limits(max_connections=DOSSIERS * CLERKS_PER_DOSSIER + 4)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
        async def login(user: str) -> dict[str, str]:
            r = await http.post(f"{API}/auth/login", json={"username": user, "password": "motcua-demo"})
            return {"Authorization": f"Bearer {r.json()['token']}"}

        clerk = await login("canbo.tt")
        assert (await http.post(f"{API}/tickets", json={"procedure_code": BIRTH_REGISTRATION},
                                headers=kiosk_headers())).status_code == 201
        for action in ("open", "call-next", "start"):
            r = await http.post(f"{API}/counters/1/{action}", headers=clerk)
            assert r.status_code == 200, r.text
        codes = []
        for i in range(DOSSIERS):
            body = {"applicant": {"name": f"Người nộp {i}", "id_number": f"046186{i:06d}"},
                    "documents": [{"name": "Tờ khai"}], "fee_vnd": 50000}
            r = await http.post(f"{API}/counters/1/dossiers", json=body, headers=clerk)
            assert r.status_code == 201, r.text
            codes.append(r.json()["code"])
        sessions = [await login("canbo.tt") for _ in range(CLERKS_PER_DOSSIER)]  # separate sessions
        start = asyncio.Event()

        async def press_paid(code: str, headers: dict[str, str]) -> tuple[str, int, str | None]:
            await start.wait()
            r = await http.post(f"{API}/dossiers/{code}/fee/payment", json={"method": "cash"}, headers=headers)
            assert r.status_code in (200, 409), r.text
            return code, r.status_code, r.json().get("receipt_number") if r.status_code == 200 else None

        tasks = [asyncio.create_task(press_paid(code, h)) for code in codes for h in sessions]
        await asyncio.sleep(0.2)
        start.set()
        results = await asyncio.gather(*tasks)
    statuses: dict[str, list[int]] = {}
    for code, status, _ in results:
        statuses.setdefault(code, []).append(status)
    return statuses, [number for _, _, number in results if number]
