"""Staff accounts, their sessions, and device (kiosk, display) tokens.

Every handler is `(cmd, uow)` (commands: domain/account_commands.py) and reaches the
tables through `uow.accounts` (adapters/account_repository.py) and the attempt counters
through `uow.attempts`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from queue_server.adapters.account_repository import AccountRepository
from queue_server.adapters.secrets import (
    DEVICE_TOKEN_PREFIX,
    STAFF_TOKEN_PREFIX,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from queue_server.domain.account_commands import (
    CreateDevice,
    CreateStaff,
    FindAccount,
    ListDevices,
    LogIn,
    LogOut,
    OpenSession,
    RevokeDevice,
)
from queue_server.domain.errors import Conflict, Invalid, NotFound, Unauthorized
from queue_server.service_layer import audit
from queue_server.service_layer.attempt_limits import give_back
from queue_server.service_layer.display_pairing import PAIRED_DISPLAY_PREFIX
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import Role

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row

# Verified against when the user does not exist, so timing does not reveal valid usernames.
_DUMMY_HASH = hash_password("motcua-no-such-user")


def staff_out(row: Row) -> dict[str, Any]:
    return {"id": row.id, "username": row.username, "full_name": row.full_name, "role": row.role,
            "site_id": row.site_id, "agency_id": row.agency_id}


def login(c: LogIn, uow: UnitOfWork) -> dict[str, Any]:
    """Check and open a session in one go (tools and benchmarks; the server goes through
    api/login_guard.py, which limits attempts and hashes off the event loop)."""
    row = find_account(FindAccount(c.username), uow)
    return open_session(OpenSession(checked_account(row, password_matches(row, c.password)), c.ttl), uow)


def find_account(q: FindAccount, uow: UnitOfWork) -> Row | None:
    with uow:
        return uow.accounts.staff_by_username(q.username)


def password_matches(row: Row | None, password: str) -> bool:
    """The slow part (argon2): an unknown user costs the same, so timing does not reveal
    valid usernames."""
    return verify_password(row.password_hash if row else _DUMMY_HASH, password)


def checked_account(row: Row | None, ok: bool) -> Row:
    if row is not None:
        audit.identify(row)  # a failed attempt on a real account is logged against it
    if row is None or not ok or not row.active:
        raise Unauthorized("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.", code="bad_credentials")
    return row


def open_session(c: OpenSession, uow: UnitOfWork) -> dict[str, Any]:
    """A new session for a checked account, the login's attempt counts settled with it."""
    with uow:
        token = new_token(STAFF_TOKEN_PREFIX)
        expires = uow.now + c.ttl
        uow.accounts.add_session(token_digest(token), c.account.id, uow.now, expires)
        for key in c.forget:
            uow.attempts.forget(key)
        give_back(uow.attempts, c.give_back)
        uow.commit()
        return {"token": token, "expires_at": expires, "staff": staff_out(c.account)}


def logout(c: LogOut, uow: UnitOfWork) -> None:
    with uow:
        digest = token_digest(c.token)
        uow.accounts.revoke_session(digest, uow.now)
        uow.notify_invalidate("auth")  # the other server processes forget it too
        uow.signal({"kind": "revoke", "credential": digest})  # its open streams close too
        uow.commit()
        uow.cache.clear_auth()


def resolve_staff(conn: Connection, token: str, now: datetime) -> Row | None:
    """The staff row behind a live session token (the request's authentication, cached by
    the caller: a bare connection, no unit of work)."""
    if not token.startswith(STAFF_TOKEN_PREFIX):
        return None
    return AccountRepository(conn).staff_by_session(token_digest(token), now)


def resolve_device(conn: Connection, token: str) -> Row | None:
    """The device of a device token, or of a paired browser display's cookie secret."""
    if token.startswith(PAIRED_DISPLAY_PREFIX):
        return AccountRepository(conn).device_by_paired_secret(token_digest(token))
    if not token.startswith(DEVICE_TOKEN_PREFIX):
        return None
    return AccountRepository(conn).device_by_token(token_digest(token))


def _site_id(uow: UnitOfWork, site_code: str | None) -> int | None:
    if not site_code:
        return None
    site_id = uow.accounts.site_id(site_code)
    if site_id is None:
        raise NotFound(f"Không tìm thấy điểm phục vụ {site_code}.", f"Site {site_code} not found.")
    return site_id


def create_staff(c: CreateStaff, uow: UnitOfWork) -> dict[str, Any]:
    if len(c.password) < 8:
        raise Invalid("Mật khẩu cần ít nhất 8 ký tự.", "The password needs at least 8 characters.")
    if c.role is Role.STAFF and not c.site_code:
        raise Invalid("Cán bộ một cửa phải thuộc một điểm phục vụ (--site).", "Staff must belong to a site (--site).")
    if (c.role is Role.PROCESSOR) != bool(c.agency_code) or (c.role is Role.PROCESSOR and c.site_code):
        raise Invalid("Cán bộ cơ quan giải quyết thuộc một cơ quan (--agency), không thuộc điểm phục vụ.",
                      "A processor belongs to an agency (--agency), not a site; only processors have an agency.")
    with uow:
        site_id = _site_id(uow, c.site_code)
        agency_id = None
        if c.agency_code:
            agency_id = uow.accounts.agency_id(c.agency_code)
            if agency_id is None:
                raise NotFound(f"Không tìm thấy cơ quan {c.agency_code}.", f"Agency {c.agency_code} not found.")
        new_id = uow.accounts.add_staff(
            username=c.username, full_name=c.full_name, password_hash=hash_password(c.password), role=c.role.value,
            site_id=site_id, agency_id=agency_id, agency_head=c.agency_head, active=True, created_at=uow.now)
        if new_id is None:
            raise Conflict(f"Tên đăng nhập {c.username} đã tồn tại.", f"Username {c.username} already exists.",
                           code="username_taken")
        row = uow.accounts.staff_by_id(new_id)
        uow.commit()
        return staff_out(row)


def create_device(c: CreateDevice, uow: UnitOfWork) -> str:
    """Returns the device's token: shown once, stored only as a hash."""
    token = c.token or new_token(DEVICE_TOKEN_PREFIX)
    if not token.startswith(DEVICE_TOKEN_PREFIX):
        raise Invalid("Mã thiết bị phải bắt đầu bằng mcd_.", "Device tokens start with mcd_.")
    with uow:
        uow.accounts.add_device(c.name, c.kind, _site_id(uow, c.site_code), token_digest(token), uow.now)
        uow.commit()
    return token


def device_out(row: Row) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "site_id": row.site_id, "site_code": row.site_code,
            "created_at": row.created_at, "revoked_at": row.revoked_at}


def list_devices(q: ListDevices, uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow:
        return [device_out(r) for r in uow.accounts.devices(q.site_id)]


def revoke_device(c: RevokeDevice, uow: UnitOfWork) -> dict[str, Any]:
    """Stops the device at once: its token gets 401 from now on, in every server process,
    and its open streams are closed (a lost or stolen kiosk)."""
    with uow:
        row = uow.accounts.device(c.device_id)
        if row is None or (c.allowed_site is not None and row.site_id != c.allowed_site):
            raise NotFound(f"Không tìm thấy thiết bị {c.device_id}.", f"Device {c.device_id} not found.")
        if row.revoked_at is not None:
            raise Conflict(f"Thiết bị {row.name} đã bị thu hồi trước đó.", f"Device {row.name} was already revoked.",
                           code="already_revoked")
        uow.accounts.revoke_device(c.device_id, uow.now)
        uow.notify_invalidate("auth")  # every server process on PostgreSQL; on SQLite see adapters/cache.py
        uow.signal({"kind": "revoke", "credential": row.token_hash})  # and its open streams close
        row = uow.accounts.device(c.device_id)
        uow.commit()
        uow.cache.clear_auth()
        return device_out(row)
