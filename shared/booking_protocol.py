"""Wire models of online booking: free slots, a booking, and the kiosk's check-in."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, StringConstraints

from .protocol import NO_NUL, Strict, TicketOut

Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30, pattern=NO_NUL)]
BookingCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=NO_NUL)]


class OfferOut(BaseModel):
    site_code: str
    site_name_vi: str
    site_name_en: str
    site_address: str
    procedure_code: str
    procedure_name_vi: str
    service_name_vi: str
    service_name_en: str


class DayOut(BaseModel):
    day: date
    free: int  # places left over the whole day
    slots: int  # slots still ahead that day


class DaysOut(OfferOut):
    days: list[DayOut]


class SlotOut(BaseModel):
    start: datetime
    end: datetime
    time: str  # local HH:MM
    capacity: int
    free: int


class SlotsOut(OfferOut):
    day: date
    slots: list[SlotOut]


class BookingIn(Strict):
    site_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=NO_NUL)]
    procedure_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40,
                                                     pattern=NO_NUL)]
    slot_start: AwareDatetime
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200, pattern=NO_NUL)]
    phone: Phone
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=30, pattern=NO_NUL)] = ""


class CodePhoneIn(Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=NO_NUL)]
    phone: Phone


class BookingTicketOut(BaseModel):
    label: str
    status: str
    tracking_token: str
    tracking_url: str


class BookingOut(BaseModel):
    code: str  # ABCD-2345: typed at the kiosk, read over the phone
    token: str  # in the QR code and the confirmation page's URL
    url: str
    status: str  # booked | checked_in | cancelled | expired
    site_code: str
    site_name_vi: str
    site_name_en: str
    site_address: str
    service_name_vi: str
    service_name_en: str
    procedure_code: str
    procedure_name_vi: str
    slot_start: datetime
    slot_end: datetime
    checkin_opens_at: datetime
    checkin_closes_at: datetime
    full_name: str
    phone_masked: str
    created_at: datetime
    cancelled_at: datetime | None = None
    checked_in_at: datetime | None = None
    ticket: BookingTicketOut | None = None


class CheckInIn(Strict):
    """From a kiosk: the code typed, or what a scanner read from the confirmation QR (its URL)."""

    code: BookingCode


class CheckInOut(TicketOut):
    booking_code: str
    appointment_at: datetime
