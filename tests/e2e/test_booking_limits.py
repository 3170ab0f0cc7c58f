"""Booking creation limits against live servers behind a trusted proxy: counted per real
client address (not the proxy's), per phone and per ID number, in the database, so a
parallel burst through two server processes makes at most the limit."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from support import API, SITE_TT, LiveServer, open_for_booking_now

PER_ADDRESS, PER_PHONE, PER_ID = 5, 2, 2


def _slot(url: str) -> str:
    params = {"site": SITE_TT, "procedure": "1.001193"}
    days = httpx.get(f"{url}{API}/bookings/days", params=params).json()["days"]
    return httpx.get(f"{url}{API}/bookings/slots", params={**params, "day": days[-1]["day"]}).json()["slots"][0]["start"]


def _body(slot: str, phone: str, id_number: str = "") -> dict:
    return {"site_code": SITE_TT, "procedure_code": "1.001193", "slot_start": slot, "full_name": "Trần Văn Đặt",
            "phone": phone, "id_number": id_number}


@pytest.mark.slow
def test_bookings_are_limited_per_real_client_phone_and_id_number(db_url: str) -> None:
    env = {**open_for_booking_now(db_url), "MOTCUA_TRUSTED_PROXIES": '["127.0.0.1"]',
           "MOTCUA_BOOKING_SLOT_CAPACITY": "500", "MOTCUA_BOOKING_CREATIONS_PER_HOUR": str(PER_ADDRESS),
           "MOTCUA_BOOKING_CREATIONS_PER_PHONE_PER_DAY": str(PER_PHONE),
           "MOTCUA_BOOKING_CREATIONS_PER_ID_PER_DAY": str(PER_ID)}
    servers = [LiveServer(db_url, extra_env=env), LiveServer(db_url, extra_env=env)]  # two processes, one count
    try:
        slot = _slot(servers[0].url)

        async def burst() -> list[httpx.Response]:
            clients = [httpx.AsyncClient(base_url=s.url, timeout=60) for s in servers]
            try:
                return await asyncio.gather(*(
                    clients[i % 2].post(f"{API}/bookings", json=_body(slot, f"0905{i:06d}"),
                                        headers={"X-Forwarded-For": "198.51.100.7"}) for i in range(30)))
            finally:
                for c in clients:
                    await c.aclose()

        burst_replies = asyncio.run(burst())
        neighbour = httpx.post(f"{servers[1].url}{API}/bookings", json=_body(slot, "0912000001"),
                               headers={"X-Forwarded-For": "203.0.113.9"})

        def book_and_cancel(n: int, phone: str, id_number: str, first_host: int) -> list[int]:
            statuses = []
            for i in range(n):
                r = httpx.post(f"{servers[i % 2].url}{API}/bookings", json=_body(slot, phone.format(i), id_number),
                               headers={"X-Forwarded-For": f"192.0.2.{first_host + i}"})  # under its own limit
                statuses.append(r.status_code)
                if r.status_code == 201:
                    cancel = httpx.post(f"{servers[0].url}{API}/public/bookings/cancel",
                                        json={"code": r.json()["code"], "phone": phone.format(i)})
                    assert cancel.status_code == 200, cancel.text
            return statuses

        one_phone = book_and_cancel(PER_PHONE + 1, "0913000002", "", first_host=10)
        one_id = book_and_cancel(PER_ID + 1, "09140000{:02d}", "046186099999", first_host=20)
    finally:
        for server in servers:
            server.stop()
    statuses = Counter(r.status_code for r in burst_replies)
    print(f"\n30 parallel bookings from one client through 2 processes: {dict(statuses)}")
    assert statuses == {201: PER_ADDRESS, 429: 30 - PER_ADDRESS}, statuses
    refused = next(r for r in burst_replies if r.status_code == 429)
    assert refused.json()["code"] == "booking_rate_limited" and int(refused.headers["Retry-After"]) > 0
    assert neighbour.status_code == 201, "another citizen behind the same proxy was refused"
    assert one_phone == [201] * PER_PHONE + [429], "book-cancel-book with one phone is limited per day"
    assert one_id == [201] * PER_ID + [429], "book-cancel-book with one ID number is limited per day"
