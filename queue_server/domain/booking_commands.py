"""What a citizen (on the web) or a kiosk asks of the online booking: the commands and
queries the booking handlers take (service_layer/bookings.py), each `(cmd, uow)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ListBookableDays:
    site_code: str
    procedure_code: str


@dataclass(frozen=True)
class ListSlots:
    site_code: str
    procedure_code: str
    day: date


@dataclass(frozen=True)
class CreateBooking:
    site_code: str
    procedure_code: str
    slot_start: datetime
    full_name: str
    phone: str
    id_number: str = ""
    client: str = ""  # the client address (api/client_address.py), for the creation limit


@dataclass(frozen=True)
class ShowBooking:
    token: str  # the confirmation page's unguessable key


@dataclass(frozen=True)
class LookUpBooking:
    code: str  # as typed
    phone: str


@dataclass(frozen=True)
class CancelBooking:
    code: str
    phone: str


@dataclass(frozen=True)
class CheckIn:
    device_site_id: int
    device_id: int
    code: str  # as typed, or what a scanner read from the QR (the page's URL)
