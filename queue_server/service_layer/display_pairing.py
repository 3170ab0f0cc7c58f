"""Pairing a browser TV with a display device, with no device token in any URL.

A manager asks for a pairing link (`/display/pair/<code>`, good once, for PAIRING_MINUTES)
and opens it on the TV. The server swaps it for a new secret that lives only in an
HttpOnly cookie (`mcp_…`, stored as a hash) and redirects to the clean `/display/<SITE>`.
The link is spent on first use, even by two browsers racing for it (one conditional
UPDATE), so a link read later from a log or a screenshot opens nothing. The cookie stands
for the device: revoking the device stops every TV paired with it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from queue_server.adapters import tables as t
from queue_server.adapters.secrets import new_token, token_digest
from queue_server.domain.errors import Invalid, NotFound
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import DeviceKind

PAIRED_DISPLAY_PREFIX = "mcp_"
PAIRING_MINUTES = 15
PAIR_PATH = "/display/pair/"


def create_link(uow: UnitOfWork, device_id: int, allowed_site: int | None = None,
                staff_id: int | None = None) -> dict[str, Any]:
    """A one-time pairing link for a display device (`allowed_site`: the caller's site,
    None for any)."""
    code = new_token("")
    with uow:
        device = uow.conn.execute(select(t.devices, t.sites.c.code.label("site_code"))
                                  .join(t.sites, t.sites.c.id == t.devices.c.site_id)
                                  .where(t.devices.c.id == device_id, t.devices.c.revoked_at.is_(None))).first()
        if device is None or (allowed_site is not None and device.site_id != allowed_site):
            raise NotFound(f"Không tìm thấy thiết bị {device_id}.", f"Device {device_id} not found.")
        if device.kind != DeviceKind.DISPLAY.value:
            raise Invalid("Chỉ màn hình sảnh mới ghép được với trình duyệt.", "Only a display device can be paired "
                          "with a browser.", code="not_a_display")
        expires = uow.now + timedelta(minutes=PAIRING_MINUTES)
        uow.conn.execute(insert(t.display_pairings).values(
            device_id=device_id, code_hash=token_digest(code), code_expires_at=expires, created_at=uow.now,
            created_by=staff_id))
        uow.commit()
    path = PAIR_PATH + code
    return {"path": path, "url": uow.rules.public_base_url + path, "site_code": device.site_code, "expires_at": expires}


def redeem(uow: UnitOfWork, code: str) -> tuple[str, str] | None:
    """(cookie secret, site code) for an unspent, unexpired link; None otherwise."""
    if not 16 <= len(code) <= 64:
        return None
    secret = new_token(PAIRED_DISPLAY_PREFIX)
    p = t.display_pairings.c
    with uow:
        device_id = uow.conn.execute(
            update(t.display_pairings)
            .where(p.code_hash == token_digest(code), p.paired_at.is_(None), p.revoked_at.is_(None),
                   p.code_expires_at > uow.now)
            .values(paired_at=uow.now, session_hash=token_digest(secret))
            .returning(p.device_id)).scalar()
        if device_id is None:
            return None
        site_code = _live_display_site(uow, device_id)
        if site_code is None:
            return None  # revoked between the link and its use: nothing is committed
        uow.commit()
    return secret, site_code


def pair_device_token(uow: UnitOfWork, device_id: int) -> str:
    """A cookie secret for a display that proved itself with its device token (an old
    `?token=` bookmark): the token leaves the address bar at once."""
    secret = new_token(PAIRED_DISPLAY_PREFIX)
    with uow:
        uow.conn.execute(insert(t.display_pairings).values(
            device_id=device_id, code_hash=token_digest(new_token("")), code_expires_at=uow.now,
            created_at=uow.now, paired_at=uow.now, session_hash=token_digest(secret)))
        uow.commit()
    return secret


def _live_display_site(uow: UnitOfWork, device_id: int) -> str | None:
    return uow.conn.execute(select(t.sites.c.code).join(t.devices, t.devices.c.site_id == t.sites.c.id)
                            .where(t.devices.c.id == device_id, t.devices.c.revoked_at.is_(None),
                                   t.devices.c.kind == DeviceKind.DISPLAY.value)).scalar()


# The device behind a paired browser's cookie (accounts.resolve_device uses it).
DEVICE_BY_PAIRED_SECRET = (
    select(t.devices, t.sites.c.code.label("site_code"))
    .join(t.sites, t.sites.c.id == t.devices.c.site_id)
    .join(t.display_pairings, t.display_pairings.c.device_id == t.devices.c.id)
    .where(t.display_pairings.c.session_hash == bindparam("token_hash"), t.display_pairings.c.revoked_at.is_(None),
           t.devices.c.revoked_at.is_(None))
)
