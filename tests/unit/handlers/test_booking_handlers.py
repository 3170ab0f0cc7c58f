"""The booking handlers on the fake unit of work: booking and its limits, one active
booking per person, the check-in window, cancelling, and the lookups that must not tell a
guesser anything. No database: the SQL side is covered by tests/integration/bookings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fake_bookings import MONDAY_9, NOT_RECEIVED, PROCEDURE, SITE_TT, FakeUnitOfWork, on_day

from queue_server.domain.booking import BookingStatus, format_code
from queue_server.domain.booking_commands import (
    CancelBooking,
    CheckIn,
    CreateBooking,
    ListBookableDays,
    ListSlots,
    LookUpBooking,
    ShowBooking,
)
from queue_server.domain.errors import Conflict, Invalid, NotFound, TooManyRequests
from queue_server.service_layer import bookings as handlers

WEDNESDAY = date(2026, 11, 25)
SLOT = on_day(WEDNESDAY, 9, 0)


def book(uow: FakeUnitOfWork, phone: str = "0912 345 678", *, at=SLOT, id_number: str = "",  # noqa: ANN001
         client: str = "203.0.113.7", site: str = SITE_TT, procedure: str = PROCEDURE) -> dict:
    return handlers.create_booking(CreateBooking(site_code=site, procedure_code=procedure, slot_start=at,
                                                 full_name="  Nguyễn   Văn An ", phone=phone, id_number=id_number,
                                                 client=client), uow)


def refusal(exc_type: type[Exception], fn, *args, **kwargs) -> str:  # noqa: ANN001, ANN003
    with pytest.raises(exc_type) as caught:
        fn(*args, **kwargs)
    return caught.value.code


# ---- booking ---------------------------------------------------------------------------------
def test_a_booking_takes_a_place_and_reads_back_by_its_token() -> None:
    uow = FakeUnitOfWork()
    made = book(uow)
    assert made["status"] == "booked" and made["full_name"] == "Nguyễn Văn An"
    assert made["phone_masked"] == "0912 *** 678" and made["slot_start"] == SLOT
    assert made["url"].endswith(f"/b/{made['token']}")
    assert handlers.booking_by_token(ShowBooking(made["token"]), uow)["code"] == made["code"]
    slots = handlers.available_slots(ListSlots(SITE_TT, PROCEDURE, WEDNESDAY), uow)["slots"]
    assert next(s["free"] for s in slots if s["start"] == SLOT) == 1  # capacity 2, one taken
    assert uow.commits == 1


def test_days_are_the_working_days_of_the_horizon_with_their_free_places() -> None:
    uow = FakeUnitOfWork()
    days = handlers.available_days(ListBookableDays(SITE_TT, PROCEDURE), uow)["days"]
    weekdays = {d["day"].weekday() for d in days}
    assert 6 not in weekdays and 5 in weekdays  # no Sunday; Saturday mornings are bookable
    assert days[0]["day"] == MONDAY_9.date() and days[0]["slots"] < days[1]["slots"]  # today: past slots left out
    assert max(d["day"] for d in days) <= MONDAY_9.date() + timedelta(days=14)


def test_a_full_slot_refuses_the_next_person_and_counts_nothing_for_them() -> None:
    uow = FakeUnitOfWork()
    book(uow, "0912 000 001")
    book(uow, "0912 000 002")
    assert refusal(Conflict, book, uow, "0912 000 003") == "slot_full"
    assert uow.attempts.attempts("book-phone:+84912000003") == 0  # the refusal rolled its count back
    assert uow.bookings.booked_counts(1, 100, SLOT, SLOT) == {SLOT: 2}


def test_one_active_booking_per_phone_and_per_id_number() -> None:
    uow = FakeUnitOfWork()
    book(uow, "0912 345 678", id_number="079123456789")
    assert refusal(Conflict, book, uow, "+84 912 345 678", at=SLOT + timedelta(minutes=15)) == "already_booked"
    assert refusal(Conflict, book, uow, "0987 654 321", at=SLOT + timedelta(minutes=15),
                   id_number="079 123 456 789") == "already_booked"
    book(uow, "0987 654 321", at=SLOT + timedelta(minutes=15))  # another person: fine


def test_a_booking_past_its_check_in_window_no_longer_blocks_a_new_one() -> None:
    uow = FakeUnitOfWork()
    old = uow.bookings.put(slot_start=MONDAY_9 - timedelta(hours=1))  # 08:00 today, window closed 08:15
    assert book(uow, "0912 345 678")["status"] == "booked"
    assert uow.bookings.by_id(old.id).status is BookingStatus.EXPIRED


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"phone": "12345"}, "invalid_phone"),
    ({"at": SLOT + timedelta(minutes=7)}, "invalid_slot"),
    ({"at": on_day(date(2026, 11, 29), 9)}, "day_not_bookable"),  # a Sunday
    ({"at": on_day(date(2026, 12, 9), 9)}, "day_not_bookable"),  # past the 14-day horizon
    ({"at": SLOT.replace(tzinfo=None)}, "invalid_slot"),
    ({"procedure": NOT_RECEIVED}, "procedure_not_offered"),
])
def test_bad_bookings_are_refused_with_a_reason(kwargs: dict, code: str) -> None:
    uow = FakeUnitOfWork()
    phone = kwargs.pop("phone", "0912 345 678")
    with pytest.raises((Invalid, Conflict)) as caught:
        book(uow, phone, **kwargs)
    assert caught.value.code == code
    assert uow.bookings.rows == {} and uow.attempts.rows == {}


def test_a_slot_earlier_today_has_passed() -> None:
    uow = FakeUnitOfWork()
    assert refusal(Conflict, book, uow, "0912 345 678", at=MONDAY_9 - timedelta(minutes=30)) == "slot_passed"


def test_unknown_site_and_procedure_are_not_found() -> None:
    uow = FakeUnitOfWork()
    assert refusal(NotFound, handlers.available_days, ListBookableDays("NOWHERE", PROCEDURE), uow) == "not_found"
    assert refusal(NotFound, handlers.available_days, ListBookableDays(SITE_TT, "9.999"), uow) == "not_found"


# ---- creation limits -------------------------------------------------------------------------
def test_book_and_cancel_churn_on_one_phone_stops_at_the_daily_limit() -> None:
    uow = FakeUnitOfWork(booking_creations_per_phone_per_day=3)
    for _ in range(3):
        made = book(uow, "0912 345 678")
        handlers.cancel(CancelBooking(made["code"], "0912 345 678"), uow)
    assert refusal(TooManyRequests, book, uow, "0912 345 678") == "booking_rate_limited"
    uow.now += timedelta(days=1, minutes=1)
    assert book(uow, "0912 345 678", at=on_day(WEDNESDAY + timedelta(days=1), 9))["status"] == "booked"


def test_one_id_number_cannot_book_under_many_phones_past_its_limit() -> None:
    uow = FakeUnitOfWork(booking_creations_per_id_per_day=2)
    for i in range(2):
        made = book(uow, f"0912 000 00{i}", id_number="079123456789")
        handlers.cancel(CancelBooking(made["code"], f"0912 000 00{i}"), uow)
    assert refusal(TooManyRequests, book, uow, "0912 000 009", id_number="079123456789") == "booking_rate_limited"


def test_one_client_address_is_limited_per_hour() -> None:
    uow = FakeUnitOfWork(booking_creations_per_hour=2)
    book(uow, "0912 000 001", client="198.51.100.9")
    book(uow, "0912 000 002", client="198.51.100.9")
    refused = refusal(TooManyRequests, book, uow, "0912 000 003", client="198.51.100.9")
    assert refused == "booking_rate_limited"
    later = SLOT + timedelta(minutes=15)
    book(uow, "0912 000 003", at=later, client="198.51.100.10")  # another address is not held back


# ---- lookup and cancel -----------------------------------------------------------------------
def test_a_wrong_phone_and_an_unknown_code_get_the_same_answer() -> None:
    uow = FakeUnitOfWork()
    made = book(uow)
    wrong_phone = refusal(NotFound, handlers.lookup, LookUpBooking(made["code"], "0987 654 321"), uow)
    unknown = refusal(NotFound, handlers.lookup, LookUpBooking("ZZZZ-ZZZZ", "0912 345 678"), uow)
    garbage = refusal(NotFound, handlers.lookup, LookUpBooking("?", "not a phone"), uow)
    assert wrong_phone == unknown == garbage == "booking_not_found"
    found = handlers.lookup(LookUpBooking(made["code"].lower().replace("-", " "), "+84912345678"), uow)
    assert found["token"] == made["token"]


def test_wrong_tries_are_limited_per_code_and_a_right_answer_is_not_counted() -> None:
    uow = FakeUnitOfWork(booking_lookup_max_failures=3)
    made = book(uow)
    key = "booking:" + made["code"].replace("-", "")
    handlers.lookup(LookUpBooking(made["code"], "0912 345 678"), uow)
    assert uow.attempts.attempts(key) == 0
    for _ in range(3):
        refusal(NotFound, handlers.lookup, LookUpBooking(made["code"], "0900 000 000"), uow)
    assert uow.attempts.attempts(key) == 3  # counted although the handler raised: it committed them
    assert refusal(TooManyRequests, handlers.lookup, LookUpBooking(made["code"], "0912 345 678"), uow) \
        == "too_many_attempts"
    uow.now += timedelta(minutes=16)  # the window (15 minutes) passed
    assert handlers.lookup(LookUpBooking(made["code"], "0912 345 678"), uow)["code"] == made["code"]


def test_cancelling_frees_the_place_once() -> None:
    uow = FakeUnitOfWork()
    made = book(uow)
    done = handlers.cancel(CancelBooking(made["code"], "0912 345 678"), uow)
    assert done["status"] == "cancelled" and done["cancelled_at"] == MONDAY_9
    assert uow.bookings.booked_counts(1, 100, SLOT, SLOT) == {SLOT: 0}
    again = refusal(Conflict, handlers.cancel, CancelBooking(made["code"], "0912 345 678"), uow)
    assert again == "booking_cancelled"
    assert uow.bookings.booked_counts(1, 100, SLOT, SLOT) == {SLOT: 0}


def test_a_used_or_passed_booking_cannot_be_cancelled() -> None:
    uow = FakeUnitOfWork()
    used = uow.bookings.put(slot_start=SLOT, status=BookingStatus.CHECKED_IN, ticket_id=5)
    passed = uow.bookings.put(slot_start=MONDAY_9 - timedelta(hours=1), code="PQRS2345", token="p" * 32,
                              phone="+84987654321")
    uow.bookings.tickets[5] = _ticket("A-005")
    assert refusal(Conflict, handlers.cancel, CancelBooking(used.code, "0912 345 678"), uow) == "booking_used"
    assert refusal(Conflict, handlers.cancel, CancelBooking(passed.code, "0987 654 321"), uow) == "booking_expired"
    assert handlers.lookup(LookUpBooking(passed.code, "0987 654 321"), uow)["status"] == "expired"


# ---- check-in window -------------------------------------------------------------------------
def _check_in(uow: FakeUnitOfWork, code: str, site_id: int = 1) -> str:
    return refusal(Conflict, handlers.check_in, CheckIn(device_site_id=site_id, device_id=3, code=code), uow)


def test_check_in_opens_30_minutes_before_the_slot_and_closes_15_after() -> None:
    uow = FakeUnitOfWork(now=SLOT - timedelta(minutes=31))
    booking = uow.bookings.put(slot_start=SLOT)
    assert _check_in(uow, booking.code) == "booking_too_early"
    uow.now = SLOT + timedelta(minutes=16)
    assert _check_in(uow, format_code(booking.code)) == "booking_too_late"


def test_check_in_refuses_the_wrong_site_a_cancelled_and_a_used_booking() -> None:
    uow = FakeUnitOfWork(now=SLOT)
    booking = uow.bookings.put(slot_start=SLOT)
    with pytest.raises(Conflict) as wrong_site:
        handlers.check_in(CheckIn(device_site_id=2, device_id=3, code=booking.code), uow)
    assert wrong_site.value.code == "booking_other_site" and "1 Lê Lợi" in wrong_site.value.message_vi
    cancelled = uow.bookings.put(slot_start=SLOT, code="CDEF2345", token="c" * 32, status=BookingStatus.CANCELLED)
    assert _check_in(uow, cancelled.code) == "booking_cancelled"
    used = uow.bookings.put(slot_start=SLOT, code="EFGH2345", token="e" * 32, status=BookingStatus.CHECKED_IN,
                            ticket_id=9)
    uow.bookings.tickets[9] = _ticket("A-009")
    with pytest.raises(Conflict) as again:
        handlers.check_in(CheckIn(device_site_id=1, device_id=3, code=used.code), uow)
    assert again.value.code == "booking_used" and "A-009" in again.value.message_vi


def test_check_in_reads_a_typed_code_or_a_scanned_page_address_and_refuses_anything_else() -> None:
    uow = FakeUnitOfWork(now=SLOT - timedelta(hours=2))
    booking = uow.bookings.put(slot_start=SLOT, token="Q" * 40)
    assert _check_in(uow, f"https://motcua.example/b/{booking.token}") == "booking_too_early"  # found by token
    not_found = refusal(NotFound, handlers.check_in, CheckIn(1, 3, "https://motcua.example/b/" + "x" * 40), uow)
    assert not_found == "booking_not_found"
    assert refusal(Invalid, handlers.check_in, CheckIn(1, 3, "hello"), uow) == "invalid_booking_code"


def _ticket(label: str):  # noqa: ANN202
    from types import SimpleNamespace

    return SimpleNamespace(label=label, status="waiting", tracking_token="k" * 32)
