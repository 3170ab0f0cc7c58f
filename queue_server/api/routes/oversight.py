"""Oversight for managers and admins: the devices of their sites (and revoking a lost
kiosk's token), and the audit log.

A manager tied to a site (staff.site_id set) sees and acts on that site only; a
province-wide manager (no site) and admins see every site."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from queue_server.api.deps import CurrentManager, Principal, WiringDep
from queue_server.bootstrap import Wiring
from queue_server.domain import account_commands as ac
from queue_server.domain.errors import Forbidden
from queue_server.service_layer import accounts, audit_views, display_pairing
from queue_server.service_layer.views import get_site
from shared.admin_protocol import AuditPage, DeviceOut
from shared.enums import Role

router = APIRouter(tags=["oversight"])
SiteCodeQuery = Annotated[str | None, Query(max_length=40)]


def scope_site(wiring: Wiring, me: Principal, site_code: str | None) -> int | None:
    """The site to look at: the one asked for, if the caller may; else the caller's own
    (None = every site, for admins and province-wide managers)."""
    own = None if me.role is Role.ADMIN else me.staff.site_id
    if not site_code:
        return own
    with wiring.reader() as uow:
        site_id = get_site(uow.conn, site_code).id
    if own is not None and site_id != own:
        raise Forbidden("Thuộc điểm phục vụ khác.", "Belongs to another site.")
    return site_id


@router.get("/devices", response_model=list[DeviceOut])
async def list_devices(me: CurrentManager, wiring: WiringDep, site_code: SiteCodeQuery = None) -> list[dict]:
    def read() -> list[dict]:
        return accounts.list_devices(ac.ListDevices(scope_site(wiring, me, site_code)), wiring.reader())
    return await wiring.run(read)


@router.post("/devices/{device_id}/revoke", response_model=DeviceOut)
async def revoke_device(device_id: Annotated[int, Path(ge=1, le=2**31 - 1)], me: CurrentManager,
                        wiring: WiringDep) -> dict:
    """A lost or stolen kiosk: its token is refused (401) from now on and its open
    streams close with 1008. There is no undo; register the device again for a new token."""
    own = None if me.role is Role.ADMIN else me.staff.site_id
    return await wiring.run(accounts.revoke_device, ac.RevokeDevice(device_id, own), wiring.uow())


@router.post("/devices/{device_id}/display-link", status_code=201)
async def display_link(device_id: Annotated[int, Path(ge=1, le=2**31 - 1)], me: CurrentManager,
                       wiring: WiringDep) -> dict:
    """A one-time link (15 minutes) that pairs a browser TV with this display device: open
    it on the TV; it becomes an HttpOnly cookie and the TV lands on /display/<SITE>."""
    own = None if me.role is Role.ADMIN else me.staff.site_id
    return await wiring.run(display_pairing.create_link, ac.CreatePairingLink(device_id, own, me.staff.id),
                            wiring.uow())


@router.get("/audit", response_model=AuditPage)
async def audit_log(
    me: CurrentManager, wiring: WiringDep, site_code: SiteCodeQuery = None,
    day: Annotated[date | None, Query(description="local calendar day")] = None,
    staff: Annotated[str | None, Query(max_length=64, description="username or staff id")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict:
    """Who did what, when, from where, and how it ended; newest first. Read-only: the log
    has no endpoint that edits or deletes it."""
    def read() -> dict:
        site_id = scope_site(wiring, me, site_code)
        return audit_views.list_entries(wiring.reader(), site_id=site_id, day=day, staff=staff,
                                        limit=limit, offset=offset)
    return await wiring.run(read)
