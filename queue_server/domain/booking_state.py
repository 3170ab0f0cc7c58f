"""A booking and its states: booked, then checked in at the kiosk, cancelled by the
citizen, or expired when its check-in window passed unused.

    booked ──check_in──▶ checked_in
       │ ──cancel─────▶ cancelled
       └ ──(window passes)▶ expired

The methods refuse a move the current state does not allow (Conflict, with the words
the citizen reads) and otherwise change the object; the repository saves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain.booking import (
    BookingStatus,
    CheckinTiming,
    SlotRules,
    checkin_timing,
    checkin_window,
    format_code,
)
from queue_server.domain.errors import Conflict

TAKE_NORMAL_VI = "Bạn vẫn có thể lấy số thứ tự thường tại ki-ốt này."
TAKE_NORMAL_EN = "You can still take a normal ticket at this kiosk."


@dataclass
class Booking:
    code: str
    token: str
    site_id: int
    service_id: int
    procedure_id: int
    slot_start: datetime
    slot_day: date
    full_name: str
    phone: str
    id_number: str
    created_at: datetime
    status: BookingStatus = BookingStatus.BOOKED
    id: int | None = None
    cancelled_at: datetime | None = None
    checked_in_at: datetime | None = None
    ticket_id: int | None = None
    device_id: int | None = None

    @classmethod
    def from_row(cls, row: Any) -> Booking:  # noqa: ANN401 - a bookings row
        return cls(id=row.id, code=row.code, token=row.token, site_id=row.site_id, service_id=row.service_id,
                   procedure_id=row.procedure_id, slot_start=row.slot_start, slot_day=row.slot_day,
                   full_name=row.full_name, phone=row.phone, id_number=row.id_number,
                   status=BookingStatus(row.status), created_at=row.created_at, cancelled_at=row.cancelled_at,
                   checked_in_at=row.checked_in_at, ticket_id=row.ticket_id, device_id=row.device_id)

    @property
    def shown_code(self) -> str:
        return format_code(self.code)

    def status_at(self, now: datetime, rules: SlotRules) -> BookingStatus:
        """The status a citizen sees: a booking whose check-in window closed is expired,
        whether or not a later booking already marked it so."""
        if self.status is BookingStatus.BOOKED and now > checkin_window(self.slot_start, rules)[1]:
            return BookingStatus.EXPIRED
        return self.status

    def cancel(self, now: datetime, rules: SlotRules) -> None:
        code = self.shown_code
        status = self.status_at(now, rules)
        if status is BookingStatus.CANCELLED:
            raise Conflict(f"Lịch hẹn {code} đã được hủy trước đó.", f"Booking {code} was already cancelled.",
                           code="booking_cancelled")
        if status is BookingStatus.CHECKED_IN:
            raise Conflict(f"Lịch hẹn {code} đã được xác nhận tại ki-ốt, không hủy được nữa.",
                           f"Booking {code} was already checked in at the kiosk; it cannot be cancelled.",
                           code="booking_used")
        if status is BookingStatus.EXPIRED:
            raise Conflict(f"Lịch hẹn {code} đã quá giờ, không cần hủy.",
                           f"Booking {code} has already passed; nothing to cancel.", code="booking_expired")
        self.status = BookingStatus.CANCELLED
        self.cancelled_at = now

    def refuse_check_in(self, *, now: datetime, rules: SlotRules, tz: ZoneInfo, kiosk_site_id: int,
                        booked_site: Any, ticket_label: str = "") -> None:  # noqa: ANN401 - a sites row
        """Conflict unless this kiosk may check the booking in now. `booked_site` words the
        wrong-site answer; `ticket_label` the already-used one."""
        code = self.shown_code
        if self.status is BookingStatus.CANCELLED:
            raise Conflict(f"Lịch hẹn {code} đã bị hủy. {TAKE_NORMAL_VI}",
                           f"Booking {code} was cancelled. {TAKE_NORMAL_EN}", code="booking_cancelled")
        if self.status is BookingStatus.CHECKED_IN:
            raise Conflict(f"Lịch hẹn {code} đã được xác nhận (số thứ tự {ticket_label}). "
                           f"Vui lòng chờ gọi số {ticket_label}.",
                           f"Booking {code} was already checked in (ticket {ticket_label}). "
                           f"Please wait for {ticket_label} to be called.", code="booking_used")
        if self.site_id != kiosk_site_id:
            site = booked_site
            raise Conflict(
                f"Lịch hẹn {code} là tại {site.name_vi} ({site.address}). Vui lòng đến đúng địa điểm, "
                f"hoặc lấy số thường tại đây.",
                f"Booking {code} is at {site.name_en or site.name_vi} ({site.address}). Please go there, or take a "
                "normal ticket here.", code="booking_other_site")
        timing = checkin_timing(self.slot_start, now, rules)
        opens, closes = checkin_window(self.slot_start, rules)
        at = self.slot_start.astimezone(tz).strftime("%H:%M %d/%m/%Y")
        if timing is CheckinTiming.TOO_EARLY:
            raise Conflict(
                f"Lịch hẹn {code} lúc {at}. Vui lòng xác nhận từ {opens.astimezone(tz):%H:%M}, "
                "hoặc lấy số thường ngay bây giờ.",
                f"Booking {code} is at {at}. Please check in from {opens.astimezone(tz):%H:%M}, "
                "or take a normal ticket now.", code="booking_too_early")
        if timing is CheckinTiming.TOO_LATE or self.status is BookingStatus.EXPIRED:
            raise Conflict(
                f"Lịch hẹn {code} lúc {at} đã quá giờ xác nhận ({closes.astimezone(tz):%H:%M}). {TAKE_NORMAL_VI}",
                f"Booking {code} at {at} is past its check-in time ({closes.astimezone(tz):%H:%M}). "
                f"{TAKE_NORMAL_EN}", code="booking_too_late")

    def check_in(self, now: datetime, ticket_id: int, device_id: int) -> None:
        """Checked in as `ticket_id` (after `refuse_check_in` let it through)."""
        self.status = BookingStatus.CHECKED_IN
        self.checked_in_at = now
        self.ticket_id = ticket_id
        self.device_id = device_id
