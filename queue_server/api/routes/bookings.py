"""Online booking: free days and slots, book, look up and cancel (public), and the kiosk's
check-in that puts the citizen in the queue as an appointment."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from queue_server.api.client_address import client_address
from queue_server.api.deps import KioskDevice, WiringDep
from queue_server.domain import booking_commands as commands
from queue_server.domain.errors import TooManyRequests
from queue_server.service_layer import bookings as handlers
from shared.booking_protocol import (
    BookingIn,
    BookingOut,
    CheckInIn,
    CheckInOut,
    CodePhoneIn,
    DaysOut,
    SlotsOut,
)

router = APIRouter(tags=["bookings"])
SiteQuery = Annotated[str, Query(min_length=1, max_length=40, description="site code")]
ProcedureQuery = Annotated[str, Query(min_length=1, max_length=40, description="procedure code")]
Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/bookings/days", response_model=DaysOut)
async def bookable_days(site: SiteQuery, procedure: ProcedureQuery, wiring: WiringDep) -> dict:
    """Working days from today to the horizon, with the places still free on each."""
    return await wiring.run(handlers.available_days, commands.ListBookableDays(site, procedure), wiring.reader())


@router.get("/bookings/slots", response_model=SlotsOut)
async def bookable_slots(site: SiteQuery, procedure: ProcedureQuery, day: date, wiring: WiringDep) -> dict:
    """The slots of one day still ahead, each with its capacity and free places."""
    return await wiring.run(handlers.available_slots, commands.ListSlots(site, procedure, day), wiring.reader())


@router.post("/bookings", response_model=BookingOut, status_code=201)
async def create_booking(body: BookingIn, request: Request, wiring: WiringDep) -> dict:
    """Book a slot. The reply's `code` is typed at the kiosk; `url` (with the token) goes
    in the QR code. One active booking per phone number and per ID number; new bookings are
    limited per client address an hour and per phone and ID number a day (429)."""
    command = commands.CreateBooking(site_code=body.site_code, procedure_code=body.procedure_code,
                                     slot_start=body.slot_start, full_name=body.full_name, phone=body.phone,
                                     id_number=body.id_number,
                                     client=client_address(request.scope, wiring.settings.proxy_networks))
    return await wiring.run(handlers.create_booking, command, wiring.uow())


@router.get("/public/bookings/{token}", response_model=BookingOut, tags=["citizen"])
async def booking_by_token(token: Token, wiring: WiringDep) -> dict:
    return await wiring.run(handlers.booking_by_token, commands.ShowBooking(token), wiring.reader())


@router.post("/public/bookings/lookup", response_model=BookingOut, tags=["citizen"])
async def lookup_booking(body: CodePhoneIn, wiring: WiringDep) -> dict:
    """Find a booking by its code and the phone it was made with (wrong tries are limited per code)."""
    return await wiring.run(handlers.lookup, commands.LookUpBooking(body.code, body.phone), wiring.uow())


@router.post("/public/bookings/cancel", response_model=BookingOut, tags=["citizen"])
async def cancel_booking(body: CodePhoneIn, wiring: WiringDep) -> dict:
    """Cancel with the code and the phone; the place goes back to the slot."""
    return await wiring.run(handlers.cancel, commands.CancelBooking(body.code, body.phone), wiring.uow())


@router.post("/bookings/check-in", response_model=CheckInOut, status_code=201)
async def check_in(body: CheckInIn, kiosk: KioskDevice, wiring: WiringDep) -> dict:
    """At the kiosk of the booked site, inside the check-in window: an appointment ticket."""
    wait = wiring.kiosk_rate.try_take(kiosk.device.id)
    if wait:
        raise TooManyRequests("Ki-ốt đang cấp số quá nhanh. Vui lòng chờ giây lát rồi thử lại.",
                              "This kiosk is issuing tickets too fast. Please wait a moment and try again.",
                              retry_after=wait, code="kiosk_rate_limited")
    command = commands.CheckIn(device_site_id=kiosk.device.site_id, device_id=kiosk.device.id, code=body.code)
    return await wiring.run(handlers.check_in, command, wiring.uow())
