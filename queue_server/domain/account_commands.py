"""What staff, managers, the CLI and browser displays ask of the accounts: the commands the
account handlers take (service_layer/accounts.py, display_pairing.py), each `(cmd, uow)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from queue_server.domain.attempts import Limit
from shared.enums import DeviceKind, Role


@dataclass(frozen=True)
class FindAccount:
    username: str


@dataclass(frozen=True)
class OpenSession:
    """A session for an account whose password was checked. The login's attempt counts are
    settled in the same transaction: `forget` keys start afresh, `give_back` limits get
    their reserved attempt back."""

    account: Any  # the staff row the password was checked against
    ttl: timedelta
    forget: tuple[str, ...] = ()
    give_back: tuple[Limit, ...] = ()


@dataclass(frozen=True)
class LogIn:
    """Check and open a session in one go (tools and benchmarks)."""

    username: str
    password: str
    ttl: timedelta


@dataclass(frozen=True)
class LogOut:
    token: str


@dataclass(frozen=True)
class CreateStaff:
    username: str
    full_name: str
    password: str
    role: Role
    site_code: str | None
    agency_code: str | None = None
    agency_head: bool = False


@dataclass(frozen=True)
class CreateDevice:
    name: str
    kind: DeviceKind
    site_code: str
    token: str | None = None  # a chosen token (demo devices); None: a new one


@dataclass(frozen=True)
class ListDevices:
    site_id: int | None  # None: every site


@dataclass(frozen=True)
class RevokeDevice:
    device_id: int
    allowed_site: int | None = None  # the caller may only revoke devices of this site (None: any)


@dataclass(frozen=True)
class CreatePairingLink:
    device_id: int
    allowed_site: int | None = None
    staff_id: int | None = None


@dataclass(frozen=True)
class RedeemPairingLink:
    code: str


@dataclass(frozen=True)
class PairWithDeviceToken:
    device_id: int
