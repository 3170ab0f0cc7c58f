"""Online booking through the HTTP API on SQLite and PostgreSQL, with a controlled clock
(Monday 23/11/2026, 09:00 in Huế): free slots, booking, one booking per person, capacity,
cancellation, and the kiosk check-in that puts the citizen in the queue as an appointment."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from support import API, COUNTER_A, SITE_PX, SITE_TT, Api, FakeClock, kiosk_headers

from queue_server.adapters import tables as t

BIRTH = "1.001193"  # Thủ tục đăng ký khai sinh (service A)
MONDAY = date(2026, 11, 23)


def local(hour: int, minute: int = 0, day: int = 23) -> datetime:
    """A wall-clock time in Huế (UTC+7) on a November 2026 day, as UTC."""
    return datetime(2026, 11, day, hour - 7, minute, tzinfo=UTC)


def book(api: Api, start: datetime, phone: str = "0912 345 678", id_number: str = "", site: str = SITE_TT,
         name: str = "Nguyễn Thị Hoa"):  # noqa: ANN201
    return api.client.post(f"{API}/bookings", json={
        "site_code": site, "procedure_code": BIRTH, "slot_start": start.isoformat(), "full_name": name,
        "phone": phone, "id_number": id_number})


def booked(api: Api, start: datetime, **kw) -> dict:  # noqa: ANN003
    r = book(api, start, **kw)
    assert r.status_code == 201, r.text
    return r.json()


def check_in(api: Api, code: str, site: str = SITE_TT):  # noqa: ANN201
    return api.client.post(f"{API}/bookings/check-in", json={"code": code}, headers=kiosk_headers(site))


def test_days_are_working_days_and_slots_come_from_opening_hours(api: Api) -> None:
    r = api.client.get(f"{API}/bookings/days", params={"site": SITE_TT, "procedure": BIRTH})
    assert r.status_code == 200, r.text
    days = [d["day"] for d in r.json()["days"]]
    # Tuesday 24/11 is Vietnam Culture Day, a public holiday; the site opens on Saturday
    # morning (bookable), not on Sunday.
    assert days[:6] == ["2026-11-23", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-30"]
    assert r.json()["service_name_vi"].startswith("Tư pháp")

    slots = api.client.get(f"{API}/bookings/slots", params={"site": SITE_TT, "procedure": BIRTH,
                                                             "day": "2026-11-25"}).json()["slots"]
    times = [s["time"] for s in slots]
    # 07:00-11:30 and 13:30-17:00, 15-minute slots, none starting after the kiosk stops issuing
    assert times[0] == "07:00" and "11:00" in times and "11:15" not in times
    assert times[times.index("11:00") + 1] == "13:30" and times[-1] == "16:15"
    assert all(s["free"] == 2 and s["capacity"] == 2 for s in slots)

    today = api.client.get(f"{API}/bookings/slots", params={"site": SITE_TT, "procedure": BIRTH,
                                                             "day": "2026-11-23"}).json()["slots"]
    assert today[0]["time"] == "09:15"  # 09:00 has started: it is past

    sunday = api.client.get(f"{API}/bookings/slots", params={"site": SITE_TT, "procedure": BIRTH,
                                                              "day": "2026-11-29"})
    assert sunday.status_code == 422 and sunday.json()["code"] == "day_not_bookable"
    assert "mở cửa" in sunday.json()["message"]
    saturday = api.client.get(f"{API}/bookings/slots", params={"site": SITE_TT, "procedure": BIRTH,
                                                                "day": "2026-11-28"}).json()["slots"]
    assert saturday[0]["time"] == "07:30" and saturday[-1]["time"] == "11:00"  # the morning only


def test_booking_checks_in_as_an_appointment_served_ahead_of_walk_ins_once_due(api: Api, clock: FakeClock,
                                                                                wiring) -> None:  # noqa: ANN001
    mine = booked(api, local(10, 0), phone="0912 345 678", id_number="079 123 456 789")
    assert len(mine["code"]) == 9 and mine["code"][4] == "-"
    assert mine["status"] == "booked" and mine["phone_masked"] == "0912 *** 678"
    assert mine["url"].endswith(f"/b/{mine['token']}")
    assert datetime.fromisoformat(mine["checkin_opens_at"]) == local(9, 30)
    left = api.client.get(f"{API}/bookings/slots", params={"site": SITE_TT, "procedure": BIRTH, "day": "2026-11-23"})
    assert next(s for s in left.json()["slots"] if s["time"] == "10:00")["free"] == 1

    early = check_in(api, mine["code"])
    assert early.status_code == 409 and early.json()["code"] == "booking_too_early"
    assert "09:30" in early.json()["message"] and "lấy số thường" in early.json()["message"]
    assert "take a normal ticket" in early.json()["message_en"]

    clock.now = local(9, 35)
    walk_in_1 = api.issue()
    clock.now = local(9, 40)
    ticket = check_in(api, mine["code"].lower().replace("-", " "))  # typed loosely
    assert ticket.status_code == 201, ticket.text
    appointment = ticket.json()
    assert appointment["priority"] == "appointment" and appointment["status"] == "waiting"
    assert appointment["booking_code"] == mine["code"]
    assert datetime.fromisoformat(appointment["appointment_at"]) == local(10, 0)
    walk_in_2 = api.issue()

    again = check_in(api, mine["code"])
    assert again.status_code == 409 and again.json()["code"] == "booking_used"
    assert appointment["label"] in again.json()["message"]

    api.ok(COUNTER_A, "open")
    clock.now = local(9, 50)  # not due yet: it waits like a walk-in, behind the one who came first
    assert api.ok(COUNTER_A, "call-next")["label"] == walk_in_1["label"]
    api.ok(COUNTER_A, "start")
    api.ok(COUNTER_A, "finish")
    clock.now = local(10, 0)  # due: ahead of the walk-in who has waited since 09:40
    called = api.ok(COUNTER_A, "call-next")
    assert called["label"] == appointment["label"] and called["id"] != walk_in_2["id"]

    public = api.client.get(f"{API}/public/bookings/{mine['token']}").json()
    assert public["status"] == "checked_in" and public["ticket"]["label"] == appointment["label"]
    with wiring.engine.connect() as conn:
        e = t.ticket_events.c
        data = conn.execute(select(e.data).where(e.ticket_id == appointment["id"], e.type == "TicketIssued")).scalar_one()
        row = conn.execute(select(t.tickets.c.appointment_at).where(t.tickets.c.id == appointment["id"])).scalar_one()
    assert data["source"] == "booking" and data["booking_code"] == mine["code"] and data["booking_id"] >= 1
    assert row == local(10, 0)


def test_capacity_per_slot_and_one_active_booking_per_phone_or_id(api: Api, clock: FakeClock) -> None:
    first = booked(api, local(10, 30), phone="0912345678", id_number="079123456789")
    same_phone = book(api, local(14, 0), phone="+84 912 345 678")
    assert same_phone.status_code == 409 and same_phone.json()["code"] == "already_booked"
    assert "hủy lịch cũ" in same_phone.json()["message"]
    same_id = book(api, local(14, 0), phone="0988 000 111", id_number="079 123 456 789")
    assert same_id.status_code == 409 and same_id.json()["code"] == "already_booked"

    booked(api, local(10, 30), phone="0988 000 111")
    full = book(api, local(10, 30), phone="0977 222 333")
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    assert "chọn khung giờ khác" in full.json()["message"]

    cancelled = api.client.post(f"{API}/public/bookings/cancel", json={"code": first["code"], "phone": "+84912345678"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    booked(api, local(10, 30), phone="0977 222 333")  # the freed place
    booked(api, local(14, 0), phone="0912 345 678")  # and the person may book again

    clock.now = local(14, 16)  # the 14:00 booking's check-in window has closed: it no longer blocks
    booked(api, local(15, 0), phone="0912.345.678")


def test_cancellation_needs_code_and_phone_and_says_what_happened(api: Api) -> None:
    mine = booked(api, local(11, 0))
    wrong = api.client.post(f"{API}/public/bookings/cancel", json={"code": mine["code"], "phone": "0999 999 999"})
    assert wrong.status_code == 404 and wrong.json()["code"] == "booking_not_found"
    ok = api.client.post(f"{API}/public/bookings/cancel", json={"code": mine["code"], "phone": "0912 345 678"})
    assert ok.status_code == 200 and ok.json()["status"] == "cancelled"
    twice = api.client.post(f"{API}/public/bookings/cancel", json={"code": mine["code"], "phone": "0912 345 678"})
    assert twice.status_code == 409 and twice.json()["code"] == "booking_cancelled"
    refused = check_in(api, mine["code"])
    assert refused.status_code == 409 and refused.json()["code"] == "booking_cancelled"
    assert "lấy số thứ tự thường" in refused.json()["message"]


def test_check_in_refuses_the_wrong_site_and_late_arrivals_and_accepts_the_scanned_qr(api: Api,
                                                                                      clock: FakeClock) -> None:
    mine = booked(api, local(9, 45))
    other = check_in(api, mine["code"], site=SITE_PX)
    assert other.status_code == 409 and other.json()["code"] == "booking_other_site"
    assert "Lê Lai" in other.json()["message"]  # where to go instead

    late = booked(api, local(9, 15), phone="0988 000 111")
    clock.now = local(9, 31)  # 09:15 + 15 minutes has passed
    too_late = check_in(api, late["code"])
    assert too_late.status_code == 409 and too_late.json()["code"] == "booking_too_late"
    assert "lấy số thứ tự thường" in too_late.json()["message"]

    scanned = check_in(api, mine["url"])  # a USB scanner types the QR's URL
    assert scanned.status_code == 201 and scanned.json()["priority"] == "appointment"


def test_bad_booking_input_gets_clear_4xx(api: Api) -> None:
    bad_phone = book(api, local(10, 0), phone="12345")
    assert bad_phone.status_code == 422 and bad_phone.json()["code"] == "invalid_phone"
    assert "0912 345 678" in bad_phone.json()["message"]
    off_grid = book(api, local(10, 7))
    assert off_grid.status_code == 422 and off_grid.json()["code"] == "invalid_slot"
    past = book(api, local(8, 0))
    assert past.status_code == 409 and past.json()["code"] == "slot_passed"
    naive = api.client.post(f"{API}/bookings", json={"site_code": SITE_TT, "procedure_code": BIRTH,
                                                     "slot_start": "2026-11-24T03:00:00", "full_name": "An",
                                                     "phone": "0912345678"})
    assert naive.status_code == 422
    unknown_site = book(api, local(10, 0), site="NOWHERE")
    assert unknown_site.status_code == 404
    garbled = check_in(api, "!!")
    assert garbled.status_code == 422 and garbled.json()["code"] == "invalid_booking_code"
    unknown = check_in(api, "ABCD-2345")
    assert unknown.status_code == 404 and unknown.json()["code"] == "booking_not_found"
    staff = api.client.post(f"{API}/bookings/check-in", json={"code": "ABCD-2345"}, headers=api.staff())
    assert staff.status_code == 403
    assert api.client.get(f"{API}/public/bookings/{'x' * 24}").status_code == 404


def test_wrong_code_and_phone_pairs_are_limited_per_code(api: Api) -> None:
    mine = booked(api, local(11, 0))
    for _ in range(10):
        r = api.client.post(f"{API}/public/bookings/lookup", json={"code": mine["code"], "phone": "0999 999 999"})
        assert r.status_code == 404
    blocked = api.client.post(f"{API}/public/bookings/lookup", json={"code": mine["code"], "phone": "0912 345 678"})
    assert blocked.status_code == 429 and blocked.json()["code"] == "too_many_attempts"
    assert int(blocked.headers["Retry-After"]) > 0
