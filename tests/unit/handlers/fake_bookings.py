"""In-memory stand-ins for the booking and account repositories, the attempt counters and
the unit of work, so the booking and account handlers run without a database (the
cosmicpython way). They keep the same promises as the real ones (adapters/…): a place is
taken only under capacity, one active booking per phone and per ID number, an attempt is
counted only under its limit, and nothing a handler did survives unless it committed."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from fake_uow import FakeClock
from fake_uow import FakeUnitOfWork as SharedFakeUnitOfWork

from queue_server.adapters.secrets import hash_password
from queue_server.domain.booking import BookingStatus
from queue_server.domain.booking_state import Booking
from queue_server.service_layer.rules import Policies
from queue_server.settings import Settings
from shared.enums import DeviceKind, Role

HOURS = {"mon-fri": ["07:00-11:30", "13:30-17:00"], "sat": ["07:30-11:30"], "issue_until": ["11:15", "16:30"]}
SITE_TT, SITE_PX = "HUE-TT", "HUE-PX"
PROCEDURE = "1.001193"
NOT_RECEIVED = "2.000001"  # in the catalog, but no line of HUE-TT takes it
PASSWORD = "motcua-demo"
# Monday 23 November 2026, 09:00 in Huế.
MONDAY_9 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

_POLICIES: dict[tuple[tuple[str, Any], ...], Policies] = {}


def policies(**settings: Any) -> Policies:  # noqa: ANN401
    """The rule sets from Settings (built once per distinct set: the calendar is slow)."""
    key = tuple(sorted(settings.items()))
    if key not in _POLICIES:
        _POLICIES[key] = Policies.from_settings(Settings(environment="test", **settings))
    return _POLICIES[key]


class FakeBookingRepository:
    def __init__(self) -> None:
        self.sites = {
            1: SimpleNamespace(id=1, code=SITE_TT, name_vi="Trung tâm Phục vụ hành chính công thành phố Huế",
                               name_en="Hue City Public Administration Service Center", address="1 Lê Lợi, Huế",
                               latitude=16.46, longitude=107.59, opening_hours=HOURS),
            2: SimpleNamespace(id=2, code=SITE_PX, name_vi="Bộ phận một cửa phường Phú Xuân", name_en="",
                               address="2 Đinh Tiên Hoàng, Huế", latitude=16.47, longitude=107.58,
                               opening_hours=HOURS),
        }
        self.procedures = {
            10: SimpleNamespace(id=10, code=PROCEDURE, name_vi="Đăng ký khai sinh"),
            11: SimpleNamespace(id=11, code=NOT_RECEIVED, name_vi="Thủ tục hải quan"),
        }
        self.services = {100: SimpleNamespace(id=100, name_vi="Hộ tịch", name_en="Civil status")}
        self.lines = {(1, 10): 100, (2, 10): 100}  # (site, procedure) → service
        self.tickets: dict[int, SimpleNamespace] = {}
        self.booked: dict[tuple[int, int, datetime], int] = {}
        self.rows: dict[int, Booking] = {}

    # where and what
    def site_by_code(self, code: str) -> Any:  # noqa: ANN401
        return next((s for s in self.sites.values() if s.code == code), None)

    def site_by_id(self, site_id: int) -> Any:  # noqa: ANN401
        return self.sites.get(site_id)

    def procedure_by_code(self, code: str) -> Any:  # noqa: ANN401
        return next((p for p in self.procedures.values() if p.code == code), None)

    def procedure_by_id(self, procedure_id: int) -> Any:  # noqa: ANN401
        return self.procedures.get(procedure_id)

    def service_by_id(self, service_id: int) -> Any:  # noqa: ANN401
        return self.services.get(service_id)

    def line_for(self, site: Any, procedure_id: int) -> int | None:  # noqa: ANN401
        return self.lines.get((site.id, procedure_id))

    def site_offers(self, site_id: int, service_id: int) -> bool:
        return (site_id, service_id) in {(s, svc) for (s, _), svc in self.lines.items()}

    def ticket_brief(self, ticket_id: int) -> Any:  # noqa: ANN401
        return self.tickets[ticket_id]

    # places
    def booked_counts(self, site_id: int, service_id: int, first: datetime, last: datetime) -> dict[datetime, int]:
        return {start: n for (site, svc, start), n in self.booked.items()
                if site == site_id and svc == service_id and first <= start <= last}

    def take_place(self, site_id: int, service_id: int, start: datetime, capacity: int) -> bool:
        key = (site_id, service_id, start)
        if self.booked.get(key, 0) >= capacity:
            return False
        self.booked[key] = self.booked.get(key, 0) + 1
        return True

    def give_place_back(self, booking: Booking) -> None:
        key = (booking.site_id, booking.service_id, booking.slot_start)
        if self.booked.get(key, 0) > 0:
            self.booked[key] -= 1

    # bookings
    def by_id(self, booking_id: int) -> Booking | None:
        return copy.copy(self.rows.get(booking_id))

    def by_token(self, token: str, *, for_update: bool = False) -> Booking | None:
        return copy.copy(next((b for b in self.rows.values() if b.token == token), None))

    def by_code(self, code: str, *, for_update: bool = False) -> Booking | None:
        return copy.copy(next((b for b in self.rows.values() if b.code == code), None))

    def code_taken(self, code: str) -> bool:
        return any(b.code == code for b in self.rows.values())

    def _same_person(self, b: Booking, phone: str, id_number: str) -> bool:
        return b.phone == phone or bool(id_number and b.id_number == id_number)

    def expire_unused(self, phone: str, id_number: str, slot_before: datetime) -> None:
        for b in self.rows.values():
            if b.status is BookingStatus.BOOKED and self._same_person(b, phone, id_number) \
                    and b.slot_start < slot_before:
                b.status = BookingStatus.EXPIRED

    def has_active(self, phone: str, id_number: str) -> bool:
        return any(b.status is BookingStatus.BOOKED and self._same_person(b, phone, id_number)
                   for b in self.rows.values())

    def add(self, booking: Booking) -> bool:
        if self.has_active(booking.phone, booking.id_number):
            return False  # the database's partial unique indexes
        booking.id = len(self.rows) + 1
        self.rows[booking.id] = copy.copy(booking)
        return True

    def save(self, booking: Booking) -> None:
        self.rows[booking.id] = copy.copy(booking)

    # set-up helpers for tests
    def put(self, **fields: Any) -> Booking:  # noqa: ANN401
        """A stored booking (defaults: booked at HUE-TT for the procedure)."""
        start = fields.pop("slot_start")
        booking = Booking(code=fields.pop("code", "ABCD2345"), token=fields.pop("token", "t" * 32), site_id=1,
                          service_id=100, procedure_id=10, slot_start=start, slot_day=start.date(),
                          full_name="Nguyễn Văn An", phone=fields.pop("phone", "+84912345678"), id_number="",
                          created_at=MONDAY_9 - timedelta(days=1))
        booking = replace(booking, **fields)
        booking.id = len(self.rows) + 1
        self.rows[booking.id] = booking
        return copy.copy(booking)


class FakeAttemptCounters:
    """The attempt_counters table: key → [window start, attempts]."""

    def __init__(self) -> None:
        self.rows: dict[str, list] = {}

    def try_count(self, key: str, most: int, window: timedelta, now: datetime) -> datetime | None:
        row = self.rows.get(key)
        if row is None or row[0] <= now - window:
            self.rows[key] = [now, 1]
            return None
        if row[1] < most:
            row[1] += 1
            return None
        return row[0]

    def forget_older_than(self, moment: datetime) -> None:
        for key in [k for k, (started, _) in self.rows.items() if started <= moment]:
            del self.rows[key]

    def give_back(self, key: str) -> None:
        if key in self.rows and self.rows[key][1] > 0:
            self.rows[key][1] -= 1

    def forget(self, key: str) -> None:
        self.rows.pop(key, None)

    def attempts(self, key: str) -> int:
        return self.rows.get(key, [None, 0])[1]


class FakeAccountRepository:
    def __init__(self) -> None:
        self.site_ids = {SITE_TT: 1, SITE_PX: 2}
        self.agency_ids = {"000.00.01.H57": 7}
        self.staff: dict[int, SimpleNamespace] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.device_rows: dict[int, SimpleNamespace] = {}
        self.pairings: list[dict[str, Any]] = []

    def staff_by_username(self, username: str) -> Any:  # noqa: ANN401
        return next((s for s in self.staff.values() if s.username == username), None)

    def staff_by_id(self, staff_id: int) -> Any:  # noqa: ANN401
        return self.staff.get(staff_id)

    def add_staff(self, **values: Any) -> int | None:  # noqa: ANN401
        if self.staff_by_username(values["username"]) is not None:
            return None
        new_id = len(self.staff) + 1
        self.staff[new_id] = SimpleNamespace(id=new_id, **values)
        return new_id

    def add_session(self, token_hash: str, staff_id: int, created_at: datetime, expires_at: datetime) -> None:
        self.sessions[token_hash] = {"staff_id": staff_id, "expires_at": expires_at, "revoked_at": None}

    def revoke_session(self, token_hash: str, now: datetime) -> None:
        if token_hash in self.sessions:
            self.sessions[token_hash]["revoked_at"] = now

    def site_id(self, site_code: str) -> int | None:
        return self.site_ids.get(site_code)

    def agency_id(self, agency_code: str) -> int | None:
        return self.agency_ids.get(agency_code)

    def add_device(self, name: str, kind: DeviceKind, site_id: int, token_hash: str, now: datetime) -> None:
        new_id = len(self.device_rows) + 1
        code = next(c for c, i in self.site_ids.items() if i == site_id)
        self.device_rows[new_id] = SimpleNamespace(id=new_id, name=name, kind=kind.value, site_id=site_id,
                                                   site_code=code, token_hash=token_hash, created_at=now,
                                                   revoked_at=None)

    def devices(self, site_id: int | None) -> list[Any]:
        return [copy.copy(d) for d in self.device_rows.values() if site_id is None or d.site_id == site_id]

    def device(self, device_id: int) -> Any:  # noqa: ANN401
        return copy.copy(self.device_rows.get(device_id))

    def revoke_device(self, device_id: int, now: datetime) -> None:
        self.device_rows[device_id].revoked_at = now

    def add_pairing(self, device_id: int, code_hash: str, code_expires_at: datetime, now: datetime, *,
                    created_by: int | None = None, session_hash: str | None = None) -> None:
        self.pairings.append({"device_id": device_id, "code_hash": code_hash, "code_expires_at": code_expires_at,
                              "paired_at": now if session_hash else None, "session_hash": session_hash})

    def spend_pairing(self, code_hash: str, now: datetime, session_hash: str) -> int | None:
        for p in self.pairings:
            if p["code_hash"] == code_hash and p["paired_at"] is None and p["code_expires_at"] > now:
                p.update(paired_at=now, session_hash=session_hash)
                return p["device_id"]
        return None

    def live_display_site(self, device_id: int) -> str | None:
        d = self.device_rows.get(device_id)
        live = d is not None and d.revoked_at is None and d.kind == DeviceKind.DISPLAY.value
        return d.site_code if live else None

    # set-up helpers for tests
    def put_staff(self, username: str, role: Role = Role.STAFF, *, active: bool = True) -> Any:  # noqa: ANN401
        new_id = self.add_staff(username=username, full_name=username, password_hash=_PASSWORD_HASH, role=role.value,
                                site_id=1, agency_id=None, agency_head=False, active=active, created_at=MONDAY_9)
        return self.staff[new_id]


_PASSWORD_HASH = hash_password(PASSWORD)


class FakeUnitOfWork(SharedFakeUnitOfWork):
    """The shared fake unit of work with the booking, account and attempt-counter fakes
    attached. Leaving it without a commit puts each back as it was (a rollback)."""

    def __init__(self, now: datetime = MONDAY_9, **settings: Any) -> None:  # noqa: ANN401
        super().__init__(clock=FakeClock(now), policies=policies(**settings))
        self.bookings = self.attach("bookings", FakeBookingRepository())
        self.accounts = self.attach("accounts", FakeAccountRepository())
        self.attempts = self.attach("attempts", FakeAttemptCounters())
        self.invalidated: list[str] = []
        self.cache = SimpleNamespace(clear_auth=lambda: None)

    def emit(self, event: object) -> None:
        raise AssertionError("no booking or account handler tested here emits events")

    def notify_invalidate(self, what: str) -> None:
        self.invalidated.append(what)


def on_day(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time in Huế on `day`, as UTC."""
    return datetime(day.year, day.month, day.day, hour - 7, minute, tzinfo=UTC)
