"""Online booking (đặt lịch hẹn): free slots, book, look up, cancel, and the kiosk check-in
that turns a booking into an appointment ticket.

Every handler is `(cmd, uow)` (commands: domain/booking_commands.py); the rules come from
`uow.policies.bookings`. Handlers follow the queue's pattern: one unit of work each, the
handler commits, the ticket's events go through `uow.emit`. Bookings are loaded and saved
through `uow.bookings` (adapters/booking_repository.py); their states are the `Booking`'s
(domain/booking_state.py); the rules that need no database live in domain/booking.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from queue_server.adapters import repository as repo
from queue_server.adapters.secrets import new_tracking_token
from queue_server.domain.attempts import Limit
from queue_server.domain.booking import (
    SlotRules,
    bookable_days,
    checkin_window,
    mask_phone,
    new_booking_code,
    normalize_id_number,
    normalize_phone,
    parse_code,
    slot_starts,
    token_in,
)
from queue_server.domain.booking_commands import (
    CancelBooking,
    CheckIn,
    CreateBooking,
    ListBookableDays,
    ListSlots,
    LookUpBooking,
    ShowBooking,
)
from queue_server.domain.booking_state import TAKE_NORMAL_EN, TAKE_NORMAL_VI, Booking
from queue_server.domain.business_day import business_day
from queue_server.domain.calendar import WorkingCalendar
from queue_server.domain.errors import Conflict, Invalid, NotFound
from queue_server.service_layer.attempt_limits import count_attempts, give_back
from queue_server.service_layer.handlers import ticket_brief, ticket_reply
from queue_server.service_layer.rules import working_calendar
from queue_server.service_layer.unit_of_work import PendingEvent, UnitOfWork
from shared.enums import EventType, PriorityClass, TicketStatus
from shared.labels import LabelFormat

if TYPE_CHECKING:
    from sqlalchemy import Row

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
    creations_per_address_hour: int = 30
    creations_per_phone_day: int = 4
    creations_per_id_day: int = 4

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
            creations_per_address_hour=settings.booking_creations_per_hour,
            creations_per_phone_day=settings.booking_creations_per_phone_per_day,
            creations_per_id_day=settings.booking_creations_per_id_per_day,
        )

    def booking_url(self, token: str) -> str:
        return f"{self.public_base_url}/b/{token}"



# ---- where and what --------------------------------------------------------------------------
@dataclass(frozen=True)
class Offer:
    site: Row
    procedure: Row
    service: Row


def _rules(uow: UnitOfWork) -> BookingRules:
    return uow.policies.bookings


def _offer(uow: UnitOfWork, site_code: str, procedure_code: str) -> Offer:
    places = uow.bookings
    site = places.site_by_code(site_code)
    if site is None:
        raise NotFound(f"Không tìm thấy điểm phục vụ {site_code}.", f"Site {site_code} not found.")
    procedure = places.procedure_by_code(procedure_code)
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục {procedure_code}.", f"Procedure {procedure_code} not found.")
    service_id = places.line_for(site, procedure.id)
    if service_id is None:
        raise Conflict(f"{site.name_vi} chưa tiếp nhận thủ tục này. Vui lòng chọn điểm phục vụ khác.",
                       f"{site.name_en or site.name_vi} does not receive this procedure. Please choose another site.",
                       code="procedure_not_offered")
    return Offer(site, procedure, places.service_by_id(service_id))


def _today(uow: UnitOfWork) -> date:
    return uow.now.astimezone(_rules(uow).tz).date()


def _slot_starts_utc(offer: Offer, day: date, rules: BookingRules) -> list[datetime]:
    return [s.astimezone(ZoneInfo("UTC")) for s in slot_starts(offer.site.opening_hours, day, rules.slots.slot, rules.tz)]


def _slots_of_day(uow: UnitOfWork, offer: Offer, day: date) -> list[dict[str, Any]]:
    rules = _rules(uow)
    starts = _slot_starts_utc(offer, day, rules)
    counts = uow.bookings.booked_counts(offer.site.id, offer.service.id, min(starts), max(starts)) if starts else {}
    capacity = rules.slots.capacity
    return [{"start": start, "end": start + rules.slots.slot, "time": start.astimezone(rules.tz).strftime("%H:%M"),
             "capacity": capacity, "free": max(0, capacity - counts.get(start, 0))}
            for start in starts if start > uow.now]


def _offer_out(offer: Offer) -> dict[str, Any]:
    return {"site_code": offer.site.code, "site_name_vi": offer.site.name_vi,
            "site_name_en": offer.site.name_en or offer.site.name_vi, "site_address": offer.site.address,
            "procedure_code": offer.procedure.code, "procedure_name_vi": offer.procedure.name_vi,
            "service_name_vi": offer.service.name_vi, "service_name_en": offer.service.name_en or offer.service.name_vi}


def available_days(q: ListBookableDays, uow: UnitOfWork) -> dict[str, Any]:
    """Working days within the horizon with how many places are still free."""
    with uow:
        rules = _rules(uow)
        offer = _offer(uow, q.site_code, q.procedure_code)
        days = []
        for day in bookable_days(offer.site.opening_hours, _today(uow), rules.slots, rules.calendar):
            slots = _slots_of_day(uow, offer, day)
            if slots:
                days.append({"day": day, "free": sum(s["free"] for s in slots), "slots": len(slots)})
        return {**_offer_out(offer), "days": days}


def available_slots(q: ListSlots, uow: UnitOfWork) -> dict[str, Any]:
    """The slots of one day (past ones left out), each with its free places."""
    with uow:
        offer = _offer(uow, q.site_code, q.procedure_code)
        _require_bookable_day(uow, offer, q.day)
        return {**_offer_out(offer), "day": q.day, "slots": _slots_of_day(uow, offer, q.day)}


def _require_bookable_day(uow: UnitOfWork, offer: Offer, day: date) -> None:
    rules = _rules(uow)
    if day not in bookable_days(offer.site.opening_hours, _today(uow), rules.slots, rules.calendar):
        last = _today(uow) + timedelta(days=rules.slots.horizon_days)
        raise Invalid(
            f"Không đặt được lịch ngày {day:%d/%m/%Y}: chỉ nhận ngày điểm phục vụ mở cửa (trừ ngày lễ) "
            f"từ hôm nay đến {last:%d/%m/%Y}.",
            f"{day:%d/%m/%Y} cannot be booked: only days the site opens (public holidays excepted) "
            f"from today to {last:%d/%m/%Y}.",
            code="day_not_bookable")


# ---- booking ---------------------------------------------------------------------------------
def _already_booked() -> Conflict:
    return Conflict(
        "Số điện thoại hoặc số giấy tờ này đã có một lịch hẹn chưa sử dụng. Mỗi người chỉ giữ một lịch hẹn: "
        "hãy hủy lịch cũ (cần mã lịch hẹn và số điện thoại) rồi đặt lại.",
        "This phone or ID number already has an unused booking. One booking per person: cancel the old one "
        "(with its code and phone number) and book again.", code="already_booked")


def creation_limits(rules: BookingRules, client: str, phone: str, id_number: str) -> list[Limit]:
    """New bookings per client address an hour, and per phone and per ID number a day: one
    person cannot fill a day's places with made-up numbers, nor churn one number through
    book-cancel-book. Shared by every server process (attempt_limits.py)."""
    try_later = ("Bạn đã đặt quá nhiều lịch hẹn trong thời gian ngắn. Vui lòng thử lại sau.",
                 "Too many bookings in a short time. Please try again later.")
    limits = [Limit(f"book-from:{client}"[:200], rules.creations_per_address_hour, timedelta(hours=1), *try_later,
                    code="booking_rate_limited"),
              Limit(f"book-phone:{phone}", rules.creations_per_phone_day, timedelta(days=1), *try_later,
                    code="booking_rate_limited")]
    if id_number:
        limits.append(Limit(f"book-id:{id_number}"[:200], rules.creations_per_id_day, timedelta(days=1), *try_later,
                            code="booking_rate_limited"))
    return limits


def create_booking(c: CreateBooking, uow: UnitOfWork) -> dict[str, Any]:
    full_name = " ".join((c.full_name or "").split())
    if not 2 <= len(full_name) <= 200:
        raise Invalid("Vui lòng nhập họ và tên.", "Please enter your full name.", code="invalid_name")
    phone = normalize_phone(c.phone)
    id_number = normalize_id_number(c.id_number)
    if c.slot_start.tzinfo is None:
        raise Invalid("Giờ hẹn thiếu múi giờ.", "The slot time needs a time zone.", code="invalid_slot")
    start = c.slot_start.astimezone(ZoneInfo("UTC"))
    with uow:
        rules = _rules(uow)
        # Counted in this transaction: a booking refused for any reason below is not counted.
        count_attempts(uow.attempts, uow.now, creation_limits(rules, c.client, phone, id_number))
        offer = _offer(uow, c.site_code, c.procedure_code)
        day = start.astimezone(rules.tz).date()
        _require_bookable_day(uow, offer, day)
        if start not in _slot_starts_utc(offer, day, rules):
            raise Invalid("Giờ hẹn không phải một khung giờ của điểm phục vụ này.",
                          "That time is not one of this site's slots.", code="invalid_slot")
        if start <= uow.now:
            raise Conflict("Khung giờ này đã qua. Vui lòng chọn khung giờ khác.",
                           "This time slot has passed. Please choose another one.", code="slot_passed")
        # A booking whose check-in window has passed no longer counts as the person's one.
        uow.bookings.expire_unused(phone, id_number, slot_before=uow.now - rules.slots.checkin_after)
        if uow.bookings.has_active(phone, id_number):
            raise _already_booked()
        if not uow.bookings.take_place(offer.site.id, offer.service.id, start, rules.slots.capacity):
            raise Conflict("Khung giờ này vừa hết chỗ. Vui lòng chọn khung giờ khác.",
                           "This time slot has just been filled. Please choose another one.", code="slot_full")
        booking = Booking(code=_unused_code(uow), token=new_tracking_token(), site_id=offer.site.id,
                          service_id=offer.service.id, procedure_id=offer.procedure.id, slot_start=start,
                          slot_day=day, full_name=full_name, phone=phone, id_number=id_number, created_at=uow.now)
        if not uow.bookings.add(booking):
            raise _already_booked()  # another request for the same phone or ID number committed first
        reply = _booking_out(uow, booking)
        uow.commit()
        return reply


def _unused_code(uow: UnitOfWork) -> str:
    for _ in range(20):
        code = new_booking_code()
        if not uow.bookings.code_taken(code):
            return code
    raise RuntimeError("no free booking code after 20 tries")  # 31^8 codes: never in practice


# ---- reading ---------------------------------------------------------------------------------
def _booking_out(uow: UnitOfWork, booking: Booking) -> dict[str, Any]:
    rules = _rules(uow)
    places = uow.bookings
    site = places.site_by_id(booking.site_id)
    service = places.service_by_id(booking.service_id)
    procedure = places.procedure_by_id(booking.procedure_id)
    opens, closes = checkin_window(booking.slot_start, rules.slots)
    ticket = None
    if booking.ticket_id is not None:
        row = places.ticket_brief(booking.ticket_id)
        ticket = {"label": row.label, "status": row.status, "tracking_token": row.tracking_token,
                  "tracking_url": uow.rules.tracking_url(row.tracking_token)}
    return {
        "code": booking.shown_code, "token": booking.token, "url": rules.booking_url(booking.token),
        "status": booking.status_at(uow.now, rules.slots).value, "site_code": site.code, "site_name_vi": site.name_vi,
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


def booking_by_token(q: ShowBooking, uow: UnitOfWork) -> dict[str, Any]:
    """The confirmation page's view: the unguessable token is the key."""
    with uow:
        booking = uow.bookings.by_token(q.token)
        if booking is None:
            raise NotFound("Không tìm thấy lịch hẹn.", "Booking not found.", code="booking_not_found")
        return _booking_out(uow, booking)


NOT_FOUND_OR_WRONG_PHONE = (
    "Không tìm thấy lịch hẹn với mã và số điện thoại này. Hãy kiểm tra mã lịch hẹn (8 ký tự, ví dụ ABCD-2345) "
    "và số điện thoại đã dùng khi đặt.",
    "No booking with this code and phone number. Check the booking code (8 characters, e.g. ABCD-2345) and the "
    "phone number you booked with.",
)


def _by_code_and_phone(uow: UnitOfWork, code_text: str, phone_text: str) -> Booking:
    """The booking, if code and phone match. Unknown codes and wrong phones get the same
    answer and count towards the same per-code limit, so guessing learns nothing."""
    rules = _rules(uow)
    code = parse_code(code_text)
    try:
        phone = normalize_phone(phone_text)
    except Invalid:
        phone = None
    limit = [Limit(FAILURE_KEY_PREFIX + (code or "?"), rules.lookup_max_failures, rules.lookup_window,
                   "Đã nhập sai quá nhiều lần cho mã lịch hẹn này. Vui lòng thử lại sau {minutes} phút.",
                   "Too many wrong attempts for this booking code. Try again in {minutes} minutes.")]
    count_attempts(uow.attempts, uow.now, limit)  # counted before the phone is compared (attempt_limits.py)
    booking = uow.bookings.by_code(code, for_update=True) if code else None
    if booking is None or phone is None or booking.phone != phone:
        uow.commit()  # the attempt stays counted
        raise NotFound(*NOT_FOUND_OR_WRONG_PHONE, code="booking_not_found")
    give_back(uow.attempts, limit)
    return booking


def lookup(q: LookUpBooking, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        return _booking_out(uow, _by_code_and_phone(uow, q.code, q.phone))


def cancel(c: CancelBooking, uow: UnitOfWork) -> dict[str, Any]:
    """The citizen cancels with the code and the phone number; the place is freed."""
    with uow:
        booking = _by_code_and_phone(uow, c.code, c.phone)
        booking.cancel(uow.now, _rules(uow).slots)
        uow.bookings.save(booking)
        uow.bookings.give_place_back(booking)
        reply = _booking_out(uow, booking)
        uow.commit()
        return reply


# ---- check-in at the kiosk -------------------------------------------------------------------
def check_in(c: CheckIn, uow: UnitOfWork) -> dict[str, Any]:
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
        rules = _rules(uow)
        places = uow.bookings
        booking = places.by_token(token, for_update=True) if token else places.by_code(code, for_update=True)
        if booking is None:
            raise NotFound(f"Không tìm thấy lịch hẹn với mã này. Hãy kiểm tra lại mã. {TAKE_NORMAL_VI}",
                           f"No booking has this code. Check the code. {TAKE_NORMAL_EN}", code="booking_not_found")
        site = places.site_by_id(booking.site_id)
        used_as = places.ticket_brief(booking.ticket_id).label if booking.ticket_id else ""
        booking.refuse_check_in(now=uow.now, rules=rules.slots, tz=rules.tz, kiosk_site_id=c.device_site_id,
                                booked_site=site, ticket_label=used_as)
        if not places.site_offers(site.id, booking.service_id):
            raise Conflict(f"{site.name_vi} không còn tiếp nhận dịch vụ này. Vui lòng hỏi cán bộ hướng dẫn.",
                           "This site no longer offers this service. Please ask the help desk.",
                           code="service_not_offered")
        ticket_id, row = _appointment_ticket(uow, booking, site, c.device_id)
        booking.check_in(uow.now, ticket_id, c.device_id)
        places.save(booking)
        uow.emit(PendingEvent(type=EventType.TICKET_ISSUED, site_id=site.id, ticket=ticket_brief(row),
                              device_id=c.device_id, services=(booking.service_id,),
                              data={"source": "booking", "booking_id": booking.id,
                                    "booking_code": booking.shown_code}))
        reply = {**ticket_reply(uow, ticket_id, with_token=True, row=row), "booking_code": booking.shown_code,
                 "appointment_at": booking.slot_start}
        uow.commit()
        return reply


def _appointment_ticket(uow: UnitOfWork, booking: Booking, site: Row, device_id: int) -> tuple[int, Row]:
    """The ticket of a checked-in booking: the queue's numbering and ticket rows (the
    ticket handlers' repository functions), at appointment priority."""
    conn, now, queue = uow.conn, uow.now, uow.rules
    service = repo.service_by_id(conn, booking.service_id)
    day = business_day(now, queue.tz, queue.rollover)
    number = repo.take_sequence_number(conn, site.id, service.id, day)
    label = LabelFormat(service.prefix, service.digits, service.number_start, service.number_end).label_for(number)
    priority = PriorityClass.APPOINTMENT
    ticket_id = repo.insert_ticket(
        conn, site_id=site.id, service_id=service.id, procedure_id=booking.procedure_id, business_day=day,
        numbering_service_id=service.id, sequence_number=number, label=label, priority=priority.value,
        rank=queue.priority_weights[priority], status=TicketStatus.WAITING.value, device_id=device_id,
        tracking_token=new_tracking_token(), arrived_at=now, issued_at=now,
        appointment_at=booking.slot_start, updated_at=now,
    )
    return ticket_id, repo.ticket_brief_row(conn, ticket_id)
