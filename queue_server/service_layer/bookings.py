"""Online booking (đặt lịch hẹn): free slots, book, look up, cancel, and the kiosk check-in
that turns a booking into an appointment ticket.

Handlers follow the queue's pattern: one unit of work each, the handler commits, the
ticket's events go through `uow.emit`. The rules that need no database live in
`queue_server.domain.booking`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.secrets import new_tracking_token
from queue_server.domain.booking import (
    BookingStatus,
    CheckinTiming,
    SlotRules,
    bookable_days,
    checkin_timing,
    checkin_window,
    format_code,
    mask_phone,
    new_booking_code,
    normalize_id_number,
    normalize_phone,
    parse_code,
    slot_starts,
    token_in,
)
from queue_server.domain.business_day import business_day
from queue_server.domain.calendar import WorkingCalendar
from queue_server.domain.errors import Conflict, Invalid, NotFound
from queue_server.service_layer.handlers import ticket_brief, ticket_reply
from queue_server.service_layer.lookup_limits import count_failure, refuse_if_too_many
from queue_server.service_layer.menu_scope import site_scope
from queue_server.service_layer.rules import working_calendar
from queue_server.service_layer.unit_of_work import PendingEvent, UnitOfWork
from shared.enums import EventType, PriorityClass, TicketStatus
from shared.labels import LabelFormat

# Failed code+phone checks share the dossier lookup's counter table under this prefix.
FAILURE_KEY_PREFIX = "booking:"


@dataclass(frozen=True)
class BookingRules:
    slots: SlotRules
    calendar: WorkingCalendar
    tz: ZoneInfo
    public_base_url: str
    lookup_max_failures: int = 10
    lookup_window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings) -> BookingRules:  # noqa: ANN001
        return cls(
            slots=SlotRules(
                slot=timedelta(minutes=settings.booking_slot_minutes),
                capacity=settings.booking_slot_capacity,
                horizon_days=settings.booking_horizon_days,
                checkin_before=timedelta(minutes=settings.booking_checkin_before_minutes),
                checkin_after=timedelta(minutes=settings.booking_checkin_after_minutes),
            ),
            calendar=working_calendar(settings),
            tz=settings.tz,
            public_base_url=settings.public_base_url.rstrip("/"),
            lookup_max_failures=settings.booking_lookup_max_failures,
            lookup_window=timedelta(minutes=settings.booking_lookup_window_minutes),
        )

    def booking_url(self, token: str) -> str:
        return f"{self.public_base_url}/b/{token}"


@dataclass(frozen=True)
class CreateBooking:
    site_code: str
    procedure_code: str
    slot_start: datetime
    full_name: str
    phone: str
    id_number: str = ""


@dataclass(frozen=True)
class CheckIn:
    device_site_id: int
    device_id: int
    code: str  # as typed, or what a scanner read from the QR (the page's URL)


# ---- where and what --------------------------------------------------------------------------
@dataclass(frozen=True)
class Offer:
    site: Row
    procedure: Row
    service: Row


def _offer(uow: UnitOfWork, site_code: str, procedure_code: str) -> Offer:
    conn = uow.conn
    site = repo.site_by_code(conn, site_code)
    if site is None:
        raise NotFound(f"Không tìm thấy điểm phục vụ {site_code}.", f"Site {site_code} not found.")
    procedure = repo.procedure_by_code(conn, procedure_code)
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục {procedure_code}.", f"Procedure {procedure_code} not found.")
    service_id = site_scope(uow, site.id, site.code).lines.get(procedure.id)
    if service_id is None:
        raise Conflict(f"{site.name_vi} chưa tiếp nhận thủ tục này. Vui lòng chọn điểm phục vụ khác.",
                       f"{site.name_en or site.name_vi} does not receive this procedure. Please choose another site.",
                       code="procedure_not_offered")
    return Offer(site, procedure, repo.service_by_id(conn, service_id))


def _today(uow: UnitOfWork, rules: BookingRules) -> date:
    return uow.now.astimezone(rules.tz).date()


def _booked_counts(uow: UnitOfWork, offer: Offer, starts: list[datetime]) -> dict[datetime, int]:
    if not starts:
        return {}
    s = t.booking_slots.c
    rows = uow.conn.execute(select(s.slot_start, s.booked).where(
        s.site_id == offer.site.id, s.service_id == offer.service.id,
        s.slot_start >= min(starts), s.slot_start <= max(starts))).all()
    return {r.slot_start: r.booked for r in rows}


def _slots_of_day(uow: UnitOfWork, rules: BookingRules, offer: Offer, day: date) -> list[dict[str, Any]]:
    starts = [s.astimezone(ZoneInfo("UTC")) for s in slot_starts(offer.site.opening_hours, day, rules.slots.slot, rules.tz)]
    counts = _booked_counts(uow, offer, starts)
    capacity = rules.slots.capacity
    return [{"start": start, "end": start + rules.slots.slot, "time": start.astimezone(rules.tz).strftime("%H:%M"),
             "capacity": capacity, "free": max(0, capacity - counts.get(start, 0))}
            for start in starts if start > uow.now]


def _offer_out(offer: Offer) -> dict[str, Any]:
    return {"site_code": offer.site.code, "site_name_vi": offer.site.name_vi,
            "site_name_en": offer.site.name_en or offer.site.name_vi, "site_address": offer.site.address,
            "procedure_code": offer.procedure.code, "procedure_name_vi": offer.procedure.name_vi,
            "service_name_vi": offer.service.name_vi, "service_name_en": offer.service.name_en or offer.service.name_vi}


def available_days(uow: UnitOfWork, rules: BookingRules, site_code: str, procedure_code: str) -> dict[str, Any]:
    """Working days within the horizon with how many places are still free."""
    with uow:
        offer = _offer(uow, site_code, procedure_code)
        days = []
        for day in bookable_days(offer.site.opening_hours, _today(uow, rules), rules.slots, rules.calendar):
            slots = _slots_of_day(uow, rules, offer, day)
            if slots:
                days.append({"day": day, "free": sum(s["free"] for s in slots), "slots": len(slots)})
        return {**_offer_out(offer), "days": days}


def available_slots(uow: UnitOfWork, rules: BookingRules, site_code: str, procedure_code: str,
                    day: date) -> dict[str, Any]:
    """The slots of one day (past ones left out), each with its free places."""
    with uow:
        offer = _offer(uow, site_code, procedure_code)
        _require_bookable_day(uow, rules, offer, day)
        return {**_offer_out(offer), "day": day, "slots": _slots_of_day(uow, rules, offer, day)}


def _require_bookable_day(uow: UnitOfWork, rules: BookingRules, offer: Offer, day: date) -> None:
    if day not in bookable_days(offer.site.opening_hours, _today(uow, rules), rules.slots, rules.calendar):
        last = _today(uow, rules) + timedelta(days=rules.slots.horizon_days)
        raise Invalid(
            f"Không đặt được lịch ngày {day:%d/%m/%Y}: chỉ nhận ngày điểm phục vụ mở cửa (trừ ngày lễ) "
            f"từ hôm nay đến {last:%d/%m/%Y}.",
            f"{day:%d/%m/%Y} cannot be booked: only days the site opens (public holidays excepted) "
            f"from today to {last:%d/%m/%Y}.",
            code="day_not_bookable")


# ---- booking ---------------------------------------------------------------------------------
def _insert_for(uow: UnitOfWork):  # noqa: ANN202
    return pg_insert if uow.is_postgres else sqlite_insert


def _take_place(uow: UnitOfWork, offer: Offer, start: datetime, capacity: int) -> None:
    """One more place in the slot, or `slot_full`. The conditional UPDATE holds the slot's
    row lock to commit; a racer waits, then sees the new count (PostgreSQL re-checks the
    WHERE on the committed row; SQLite runs one writer at a time)."""
    s = t.booking_slots
    key = {"site_id": offer.site.id, "service_id": offer.service.id, "slot_start": start}
    uow.conn.execute(_insert_for(uow)(s).values(**key, booked=0).on_conflict_do_nothing())
    taken = uow.conn.execute(
        update(s).where(s.c.site_id == offer.site.id, s.c.service_id == offer.service.id, s.c.slot_start == start,
                        s.c.booked < capacity)
        .values(booked=s.c.booked + 1).returning(s.c.booked)).first()
    if taken is None:
        raise Conflict("Khung giờ này vừa hết chỗ. Vui lòng chọn khung giờ khác.",
                       "This time slot has just been filled. Please choose another one.", code="slot_full")


def _give_place_back(uow: UnitOfWork, booking: Row) -> None:
    s = t.booking_slots
    uow.conn.execute(update(s).where(s.c.site_id == booking.site_id, s.c.service_id == booking.service_id,
                                     s.c.slot_start == booking.slot_start, s.c.booked > 0)
                     .values(booked=s.c.booked - 1))


def _already_booked() -> Conflict:
    return Conflict(
        "Số điện thoại hoặc số giấy tờ này đã có một lịch hẹn chưa sử dụng. Mỗi người chỉ giữ một lịch hẹn: "
        "hãy hủy lịch cũ (cần mã lịch hẹn và số điện thoại) rồi đặt lại.",
        "This phone or ID number already has an unused booking. One booking per person: cancel the old one "
        "(with its code and phone number) and book again.", code="already_booked")


def create_booking(c: CreateBooking, uow: UnitOfWork, rules: BookingRules) -> dict[str, Any]:
    full_name = " ".join((c.full_name or "").split())
    if not 2 <= len(full_name) <= 200:
        raise Invalid("Vui lòng nhập họ và tên.", "Please enter your full name.", code="invalid_name")
    phone = normalize_phone(c.phone)
    id_number = normalize_id_number(c.id_number)
    if c.slot_start.tzinfo is None:
        raise Invalid("Giờ hẹn thiếu múi giờ.", "The slot time needs a time zone.", code="invalid_slot")
    start = c.slot_start.astimezone(ZoneInfo("UTC"))
    with uow:
        conn = uow.conn
        offer = _offer(uow, c.site_code, c.procedure_code)
        day = start.astimezone(rules.tz).date()
        _require_bookable_day(uow, rules, offer, day)
        offered = [s.astimezone(ZoneInfo("UTC")) for s in slot_starts(offer.site.opening_hours, day, rules.slots.slot, rules.tz)]
        if start not in offered:
            raise Invalid("Giờ hẹn không phải một khung giờ của điểm phục vụ này.",
                          "That time is not one of this site's slots.", code="invalid_slot")
        if start <= uow.now:
            raise Conflict("Khung giờ này đã qua. Vui lòng chọn khung giờ khác.",
                           "This time slot has passed. Please choose another one.", code="slot_passed")
        b = t.bookings.c
        same_person = or_(b.phone == phone, and_(b.id_number == id_number, b.id_number != "")) if id_number \
            else b.phone == phone
        # A booking whose check-in window has passed no longer counts as the person's one.
        conn.execute(update(t.bookings).where(
            b.status == BookingStatus.BOOKED.value, same_person,
            b.slot_start < uow.now - rules.slots.checkin_after).values(status=BookingStatus.EXPIRED.value))
        if conn.execute(select(b.id).where(b.status == BookingStatus.BOOKED.value, same_person)).first():
            raise _already_booked()
        _take_place(uow, offer, start, rules.slots.capacity)
        code = _unused_code(uow)
        try:
            booking_id = conn.execute(insert(t.bookings).values(
                code=code, token=new_tracking_token(), site_id=offer.site.id, service_id=offer.service.id,
                procedure_id=offer.procedure.id, slot_start=start, slot_day=day, full_name=full_name, phone=phone,
                id_number=id_number, status=BookingStatus.BOOKED.value, created_at=uow.now,
            ).returning(b.id)).scalar_one()
        except IntegrityError:
            # Another request for the same phone or ID number committed first.
            raise _already_booked() from None
        reply = _booking_out(uow, rules, _load(uow, b.id == booking_id))
        uow.commit()
        return reply


def _unused_code(uow: UnitOfWork) -> str:
    for _ in range(20):
        code = new_booking_code()
        if uow.conn.execute(select(t.bookings.c.id).where(t.bookings.c.code == code)).first() is None:
            return code
    raise RuntimeError("no free booking code after 20 tries")  # 31^8 codes: never in practice


# ---- reading ---------------------------------------------------------------------------------
def _load(uow: UnitOfWork, where, *, for_update: bool = False) -> Row | None:  # noqa: ANN001
    query = select(t.bookings).where(where)
    if for_update and uow.is_postgres:
        query = query.with_for_update()
    return uow.conn.execute(query).first()


def _status(booking: Row, now: datetime, rules: BookingRules) -> str:
    if booking.status == BookingStatus.BOOKED.value and now > checkin_window(booking.slot_start, rules.slots)[1]:
        return BookingStatus.EXPIRED.value
    return booking.status


def _booking_out(uow: UnitOfWork, rules: BookingRules, booking: Row) -> dict[str, Any]:
    conn = uow.conn
    site = repo.site_by_id(conn, booking.site_id)
    service = repo.service_by_id(conn, booking.service_id)
    procedure = conn.execute(select(t.procedures.c.code, t.procedures.c.name_vi)
                             .where(t.procedures.c.id == booking.procedure_id)).first()
    opens, closes = checkin_window(booking.slot_start, rules.slots)
    ticket = None
    if booking.ticket_id is not None:
        row = repo.ticket_brief_row(conn, booking.ticket_id)
        ticket = {"label": row.label, "status": row.status, "tracking_token": row.tracking_token,
                  "tracking_url": uow.rules.tracking_url(row.tracking_token)}
    return {
        "code": format_code(booking.code), "token": booking.token, "url": rules.booking_url(booking.token),
        "status": _status(booking, uow.now, rules), "site_code": site.code, "site_name_vi": site.name_vi,
        "site_name_en": site.name_en or site.name_vi, "site_address": site.address,
        "site_latitude": site.latitude, "site_longitude": site.longitude,
        "service_name_vi": service.name_vi, "service_name_en": service.name_en or service.name_vi,
        "procedure_code": procedure.code, "procedure_name_vi": procedure.name_vi,
        "slot_start": booking.slot_start, "slot_end": booking.slot_start + rules.slots.slot,
        "checkin_opens_at": opens, "checkin_closes_at": closes,
        "full_name": booking.full_name, "phone_masked": mask_phone(booking.phone),
        "created_at": booking.created_at, "cancelled_at": booking.cancelled_at,
        "checked_in_at": booking.checked_in_at, "ticket": ticket,
    }


def booking_by_token(uow: UnitOfWork, rules: BookingRules, token: str) -> dict[str, Any]:
    """The confirmation page's view: the unguessable token is the key."""
    with uow:
        booking = _load(uow, t.bookings.c.token == token)
        if booking is None:
            raise NotFound("Không tìm thấy lịch hẹn.", "Booking not found.", code="booking_not_found")
        return _booking_out(uow, rules, booking)


NOT_FOUND_OR_WRONG_PHONE = (
    "Không tìm thấy lịch hẹn với mã và số điện thoại này. Hãy kiểm tra mã lịch hẹn (8 ký tự, ví dụ ABCD-2345) "
    "và số điện thoại đã dùng khi đặt.",
    "No booking with this code and phone number. Check the booking code (8 characters, e.g. ABCD-2345) and the "
    "phone number you booked with.",
)


def _by_code_and_phone(uow: UnitOfWork, rules: BookingRules, code_text: str, phone_text: str) -> Row:
    """The booking, if code and phone match. Unknown codes and wrong phones get the same
    answer and count towards the same per-code limit, so guessing learns nothing."""
    code = parse_code(code_text)
    try:
        phone = normalize_phone(phone_text)
    except Invalid:
        phone = None
    key = FAILURE_KEY_PREFIX + (code or "?")
    refuse_if_too_many(uow, key, rules.lookup_max_failures, rules.lookup_window,
                       "Đã nhập sai quá nhiều lần cho mã lịch hẹn này. Vui lòng thử lại sau {minutes} phút.",
                       "Too many wrong attempts for this booking code. Try again in {minutes} minutes.")
    booking = _load(uow, t.bookings.c.code == code, for_update=True) if code else None
    if booking is None or phone is None or booking.phone != phone:
        count_failure(uow, key, rules.lookup_window)
        uow.commit()
        raise NotFound(*NOT_FOUND_OR_WRONG_PHONE, code="booking_not_found")
    return booking


def lookup(uow: UnitOfWork, rules: BookingRules, code: str, phone: str) -> dict[str, Any]:
    with uow:
        return _booking_out(uow, rules, _by_code_and_phone(uow, rules, code, phone))


def cancel(uow: UnitOfWork, rules: BookingRules, code: str, phone: str) -> dict[str, Any]:
    """The citizen cancels with the code and the phone number; the place is freed."""
    with uow:
        booking = _by_code_and_phone(uow, rules, code, phone)
        status = _status(booking, uow.now, rules)
        if status == BookingStatus.CANCELLED.value:
            raise Conflict(f"Lịch hẹn {format_code(booking.code)} đã được hủy trước đó.",
                           f"Booking {format_code(booking.code)} was already cancelled.", code="booking_cancelled")
        if status == BookingStatus.CHECKED_IN.value:
            raise Conflict(f"Lịch hẹn {format_code(booking.code)} đã được xác nhận tại ki-ốt, không hủy được nữa.",
                           f"Booking {format_code(booking.code)} was already checked in at the kiosk; it cannot "
                           "be cancelled.", code="booking_used")
        if status == BookingStatus.EXPIRED.value:
            raise Conflict(f"Lịch hẹn {format_code(booking.code)} đã quá giờ, không cần hủy.",
                           f"Booking {format_code(booking.code)} has already passed; nothing to cancel.",
                           code="booking_expired")
        uow.conn.execute(update(t.bookings).where(t.bookings.c.id == booking.id)
                         .values(status=BookingStatus.CANCELLED.value, cancelled_at=uow.now))
        _give_place_back(uow, booking)
        reply = _booking_out(uow, rules, _load(uow, t.bookings.c.id == booking.id))
        uow.commit()
        return reply


# ---- check-in at the kiosk -------------------------------------------------------------------
TAKE_NORMAL_VI = "Bạn vẫn có thể lấy số thứ tự thường tại ki-ốt này."
TAKE_NORMAL_EN = "You can still take a normal ticket at this kiosk."


def _local(moment: datetime, rules: BookingRules) -> str:
    return moment.astimezone(rules.tz).strftime("%H:%M %d/%m/%Y")


def _refuse_checkin(booking: Row, site: Row, now: datetime, rules: BookingRules, uow: UnitOfWork,
                    device_site_id: int) -> None:
    code = format_code(booking.code)
    if booking.status == BookingStatus.CANCELLED.value:
        raise Conflict(f"Lịch hẹn {code} đã bị hủy. {TAKE_NORMAL_VI}",
                       f"Booking {code} was cancelled. {TAKE_NORMAL_EN}", code="booking_cancelled")
    if booking.status == BookingStatus.CHECKED_IN.value:
        label = repo.ticket_brief_row(uow.conn, booking.ticket_id).label if booking.ticket_id else ""
        raise Conflict(f"Lịch hẹn {code} đã được xác nhận (số thứ tự {label}). Vui lòng chờ gọi số {label}.",
                       f"Booking {code} was already checked in (ticket {label}). Please wait for {label} to be called.",
                       code="booking_used")
    if booking.site_id != device_site_id:
        raise Conflict(
            f"Lịch hẹn {code} là tại {site.name_vi} ({site.address}). Vui lòng đến đúng địa điểm, "
            f"hoặc lấy số thường tại đây.",
            f"Booking {code} is at {site.name_en or site.name_vi} ({site.address}). Please go there, or take a "
            "normal ticket here.", code="booking_other_site")
    timing = checkin_timing(booking.slot_start, now, rules.slots)
    opens, closes = checkin_window(booking.slot_start, rules.slots)
    if timing is CheckinTiming.TOO_EARLY:
        raise Conflict(
            f"Lịch hẹn {code} lúc {_local(booking.slot_start, rules)}. Vui lòng xác nhận từ "
            f"{opens.astimezone(rules.tz):%H:%M}, hoặc lấy số thường ngay bây giờ.",
            f"Booking {code} is at {_local(booking.slot_start, rules)}. Please check in from "
            f"{opens.astimezone(rules.tz):%H:%M}, or take a normal ticket now.", code="booking_too_early")
    if timing is CheckinTiming.TOO_LATE or booking.status == BookingStatus.EXPIRED.value:
        raise Conflict(
            f"Lịch hẹn {code} lúc {_local(booking.slot_start, rules)} đã quá giờ xác nhận "
            f"({closes.astimezone(rules.tz):%H:%M}). {TAKE_NORMAL_VI}",
            f"Booking {code} at {_local(booking.slot_start, rules)} is past its check-in time "
            f"({closes.astimezone(rules.tz):%H:%M}). {TAKE_NORMAL_EN}", code="booking_too_late")


def check_in(c: CheckIn, uow: UnitOfWork, rules: BookingRules) -> dict[str, Any]:
    """The citizen's code (typed or scanned) becomes an appointment ticket: priority
    `appointment`, `appointment_at` the slot start, so the ordering policy serves it ahead
    of walk-ins once due."""
    token = token_in(c.code)
    code = None if token else parse_code(c.code)
    if token is None and code is None:
        raise Invalid("Mã lịch hẹn gồm 8 chữ và số (ví dụ ABCD-2345). Vui lòng nhập lại hoặc quét mã QR.",
                      "A booking code has 8 letters and digits (e.g. ABCD-2345). Type it again or scan the QR code.",
                      code="invalid_booking_code")
    with uow:
        conn = uow.conn
        where = t.bookings.c.token == token if token else t.bookings.c.code == code
        booking = _load(uow, where, for_update=True)
        if booking is None:
            raise NotFound(f"Không tìm thấy lịch hẹn với mã này. Hãy kiểm tra lại mã. {TAKE_NORMAL_VI}",
                           f"No booking has this code. Check the code. {TAKE_NORMAL_EN}", code="booking_not_found")
        site = repo.site_by_id(conn, booking.site_id)
        _refuse_checkin(booking, site, uow.now, rules, uow, c.device_site_id)
        if not repo.site_offers(conn, site.id, booking.service_id):
            raise Conflict(f"{site.name_vi} không còn tiếp nhận dịch vụ này. Vui lòng hỏi cán bộ hướng dẫn.",
                           "This site no longer offers this service. Please ask the help desk.",
                           code="service_not_offered")
        now = uow.now
        service = repo.service_by_id(conn, booking.service_id)
        day = business_day(now, uow.rules.tz, uow.rules.rollover)
        number = repo.take_sequence_number(conn, site.id, service.id, day)
        label = LabelFormat(service.prefix, service.digits, service.number_start, service.number_end).label_for(number)
        priority = PriorityClass.APPOINTMENT
        ticket_id = repo.insert_ticket(
            conn, site_id=site.id, service_id=service.id, procedure_id=booking.procedure_id, business_day=day,
            numbering_service_id=service.id, sequence_number=number, label=label, priority=priority.value,
            rank=uow.rules.priority_weights[priority], status=TicketStatus.WAITING.value, device_id=c.device_id,
            tracking_token=new_tracking_token(), arrived_at=now, issued_at=now,
            appointment_at=booking.slot_start, updated_at=now,
        )
        conn.execute(update(t.bookings).where(t.bookings.c.id == booking.id).values(
            status=BookingStatus.CHECKED_IN.value, checked_in_at=now, ticket_id=ticket_id, device_id=c.device_id))
        row = repo.ticket_brief_row(conn, ticket_id)
        uow.emit(PendingEvent(type=EventType.TICKET_ISSUED, site_id=site.id, ticket=ticket_brief(row),
                              device_id=c.device_id, services=(service.id,),
                              data={"source": "booking", "booking_id": booking.id,
                                    "booking_code": format_code(booking.code)}))
        reply = {**ticket_reply(uow, ticket_id, with_token=True, row=row), "booking_code": format_code(booking.code),
                 "appointment_at": booking.slot_start}
        uow.commit()
        return reply
