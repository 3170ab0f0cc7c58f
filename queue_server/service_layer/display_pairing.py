"""Pairing a browser TV with a display device, with no device token in any URL.

A manager asks for a pairing link (`/display/pair/<code>`, good once, for PAIRING_MINUTES)
and opens it on the TV. The server swaps it for a new secret that lives only in an
HttpOnly cookie (`mcp_…`, stored as a hash) and redirects to the clean `/display/<SITE>`.
The link is spent on first use, even by two browsers racing for it (one conditional
UPDATE), so a link read later from a log or a screenshot opens nothing. The cookie stands
for the device: revoking the device stops every TV paired with it.

Handlers are `(cmd, uow)` (domain/account_commands.py) over `uow.accounts`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from queue_server.adapters.secrets import new_token, token_digest
from queue_server.domain.account_commands import (
    CreatePairingLink,
    PairWithDeviceToken,
    RedeemPairingLink,
)
from queue_server.domain.errors import Invalid, NotFound
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import DeviceKind

PAIRED_DISPLAY_PREFIX = "mcp_"
PAIRING_MINUTES = 15
PAIR_PATH = "/display/pair/"


def create_link(c: CreatePairingLink, uow: UnitOfWork) -> dict[str, Any]:
    """A one-time pairing link for a display device (`allowed_site`: the caller's site,
    None for any)."""
    code = new_token("")
    with uow:
        device = uow.accounts.device(c.device_id)
        if device is None or device.revoked_at is not None or (
                c.allowed_site is not None and device.site_id != c.allowed_site):
            raise NotFound(f"Không tìm thấy thiết bị {c.device_id}.", f"Device {c.device_id} not found.")
        if device.kind != DeviceKind.DISPLAY.value:
            raise Invalid("Chỉ màn hình sảnh mới ghép được với trình duyệt.", "Only a display device can be paired "
                          "with a browser.", code="not_a_display")
        expires = uow.now + timedelta(minutes=PAIRING_MINUTES)
        uow.accounts.add_pairing(c.device_id, token_digest(code), expires, uow.now, created_by=c.staff_id)
        uow.commit()
    path = PAIR_PATH + code
    return {"path": path, "url": uow.rules.public_base_url + path, "site_code": device.site_code,
            "expires_at": expires}


def redeem(c: RedeemPairingLink, uow: UnitOfWork) -> tuple[str, str] | None:
    """(cookie secret, site code) for an unspent, unexpired link; None otherwise."""
    if not 16 <= len(c.code) <= 64:
        return None
    secret = new_token(PAIRED_DISPLAY_PREFIX)
    with uow:
        device_id = uow.accounts.spend_pairing(token_digest(c.code), uow.now, token_digest(secret))
        if device_id is None:
            return None
        site_code = uow.accounts.live_display_site(device_id)
        if site_code is None:
            return None  # revoked between the link and its use: nothing is committed
        uow.commit()
    return secret, site_code


def pair_device_token(c: PairWithDeviceToken, uow: UnitOfWork) -> str:
    """A cookie secret for a display that proved itself with its device token (an old
    `?token=` bookmark): the token leaves the address bar at once."""
    secret = new_token(PAIRED_DISPLAY_PREFIX)
    with uow:
        uow.accounts.add_pairing(c.device_id, token_digest(new_token("")), uow.now, uow.now,
                                 session_hash=token_digest(secret))
        uow.commit()
    return secret
