"""Bookings and the places taken in each slot, loaded and saved for the booking handlers
(service_layer/bookings.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import Connection, Row, and_, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.domain.booking import BookingStatus
from queue_server.domain.booking_state import Booking

_B = t.bookings.c
_S = t.booking_slots


class BookingRepository:
    def __init__(self, conn: Connection, is_postgres: bool, lines_of: Callable[[Row], Mapping[int, int]]) -> None:
        self.conn = conn
        self.is_postgres = is_postgres
        # The line (service id) each procedure the site receives joins: the site's menu
        # scope, cached per process (service_layer/menu_scope.py).
        self._lines_of = lines_of

    # ---- where and what: sites, procedures, lines ----------------------------------------------
    def site_by_code(self, code: str) -> Row | None:
        return repo.site_by_code(self.conn, code)

    def site_by_id(self, site_id: int) -> Row | None:
        return repo.site_by_id(self.conn, site_id)

    def procedure_by_code(self, code: str) -> Row | None:
        return repo.procedure_by_code(self.conn, code)

    def procedure_by_id(self, procedure_id: int) -> Row | None:
        return repo.procedure_by_id(self.conn, procedure_id)

    def service_by_id(self, service_id: int) -> Row | None:
        return repo.service_by_id(self.conn, service_id)

    def line_for(self, site: Row, procedure_id: int) -> int | None:
        """The service a booking for this procedure takes at the site; None if not received."""
        return self._lines_of(site).get(procedure_id)

    def site_offers(self, site_id: int, service_id: int) -> bool:
        return repo.site_offers(self.conn, site_id, service_id)

    def ticket_brief(self, ticket_id: int) -> Row:
        return repo.ticket_brief_row(self.conn, ticket_id)

    # ---- places in the slots -------------------------------------------------------------------
    def booked_counts(self, site_id: int, service_id: int, first: datetime, last: datetime) -> dict[datetime, int]:
        rows = self.conn.execute(select(_S.c.slot_start, _S.c.booked).where(
            _S.c.site_id == site_id, _S.c.service_id == service_id,
            _S.c.slot_start >= first, _S.c.slot_start <= last)).all()
        return {r.slot_start: r.booked for r in rows}

    def take_place(self, site_id: int, service_id: int, start: datetime, capacity: int) -> bool:
        """One more place in the slot, False when it is full. The conditional UPDATE holds
        the slot's row lock to commit; a racer waits, then sees the new count (PostgreSQL
        re-checks the WHERE on the committed row; SQLite runs one writer at a time)."""
        key = {"site_id": site_id, "service_id": service_id, "slot_start": start}
        insert_ = pg_insert if self.is_postgres else sqlite_insert
        self.conn.execute(insert_(_S).values(**key, booked=0).on_conflict_do_nothing())
        taken = self.conn.execute(
            update(_S).where(_S.c.site_id == site_id, _S.c.service_id == service_id, _S.c.slot_start == start,
                             _S.c.booked < capacity)
            .values(booked=_S.c.booked + 1).returning(_S.c.booked)).first()
        return taken is not None

    def give_place_back(self, booking: Booking) -> None:
        self.conn.execute(update(_S).where(_S.c.site_id == booking.site_id, _S.c.service_id == booking.service_id,
                                           _S.c.slot_start == booking.slot_start, _S.c.booked > 0)
                          .values(booked=_S.c.booked - 1))

    # ---- bookings ------------------------------------------------------------------------------
    def by_id(self, booking_id: int) -> Booking | None:
        return self._one(_B.id == booking_id)

    def by_token(self, token: str, *, for_update: bool = False) -> Booking | None:
        return self._one(_B.token == token, for_update=for_update)

    def by_code(self, code: str, *, for_update: bool = False) -> Booking | None:
        return self._one(_B.code == code, for_update=for_update)

    def code_taken(self, code: str) -> bool:
        return self.conn.execute(select(_B.id).where(_B.code == code)).first() is not None

    def expire_unused(self, phone: str, id_number: str, slot_before: datetime) -> None:
        """The person's bookings still marked booked whose slot started before `slot_before`
        become expired: they no longer count as the person's one."""
        self.conn.execute(update(t.bookings).where(
            _B.status == BookingStatus.BOOKED.value, _same_person(phone, id_number),
            _B.slot_start < slot_before).values(status=BookingStatus.EXPIRED.value))

    def has_active(self, phone: str, id_number: str) -> bool:
        return self.conn.execute(select(_B.id).where(
            _B.status == BookingStatus.BOOKED.value, _same_person(phone, id_number))).first() is not None

    def add(self, booking: Booking) -> bool:
        """Insert and set `booking.id`; False when another booking of the same phone or ID
        number committed first (the database's partial unique indexes)."""
        try:
            booking.id = self.conn.execute(insert(t.bookings).values(
                code=booking.code, token=booking.token, site_id=booking.site_id, service_id=booking.service_id,
                procedure_id=booking.procedure_id, slot_start=booking.slot_start, slot_day=booking.slot_day,
                full_name=booking.full_name, phone=booking.phone, id_number=booking.id_number,
                status=booking.status.value, created_at=booking.created_at,
            ).returning(_B.id)).scalar_one()
        except IntegrityError:
            return False
        return True

    def save(self, booking: Booking) -> None:
        """Write the state a domain method changed."""
        self.conn.execute(update(t.bookings).where(_B.id == booking.id).values(
            status=booking.status.value, cancelled_at=booking.cancelled_at, checked_in_at=booking.checked_in_at,
            ticket_id=booking.ticket_id, device_id=booking.device_id))

    def _one(self, where, *, for_update: bool = False) -> Booking | None:  # noqa: ANN001
        query = select(t.bookings).where(where)
        if for_update and self.is_postgres:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return Booking.from_row(row) if row is not None else None


def _same_person(phone: str, id_number: str):  # noqa: ANN202
    if id_number:
        return or_(_B.phone == phone, and_(_B.id_number == id_number, _B.id_number != ""))
    return _B.phone == phone
