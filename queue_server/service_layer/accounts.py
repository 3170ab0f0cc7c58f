"""Staff accounts, their sessions, and device (kiosk, display) tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.secrets import (
    DEVICE_TOKEN_PREFIX,
    STAFF_TOKEN_PREFIX,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from queue_server.domain.errors import Conflict, Invalid, NotFound, Unauthorized
from queue_server.service_layer import audit, display_pairing
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import DeviceKind, Role

# Verified against when the user does not exist, so timing does not reveal valid usernames.
_DUMMY_HASH = hash_password("motcua-no-such-user")


def staff_out(row: Row) -> dict[str, Any]:
    return {"id": row.id, "username": row.username, "full_name": row.full_name, "role": row.role,
            "site_id": row.site_id, "agency_id": row.agency_id}


def login(uow: UnitOfWork, username: str, password: str, ttl: timedelta) -> dict[str, Any]:
    """Check and open a session in one go (tools and benchmarks; the server goes through
    api/login_guard.py, which limits attempts and hashes off the event loop)."""
    row = find_account(uow, username)
    return open_session(uow, checked_account(row, password_matches(row, password)), ttl)


def find_account(uow: UnitOfWork, username: str) -> Row | None:
    with uow:
        return uow.conn.execute(select(t.staff).where(t.staff.c.username == username)).first()


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


def open_session(uow: UnitOfWork, row: Row, ttl: timedelta,
                 also: Callable[[Connection], None] | None = None) -> dict[str, Any]:
    """A new session for a checked account; `also` runs in the same transaction."""
    with uow:
        token = new_token(STAFF_TOKEN_PREFIX)
        expires = uow.now + ttl
        uow.conn.execute(insert(t.staff_sessions).values(
            token_hash=token_digest(token), staff_id=row.id, created_at=uow.now, expires_at=expires))
        if also is not None:
            also(uow.conn)
        uow.commit()
        return {"token": token, "expires_at": expires, "staff": staff_out(row)}


def logout(uow: UnitOfWork, token: str) -> None:
    with uow:
        digest = token_digest(token)
        uow.conn.execute(update(t.staff_sessions).where(t.staff_sessions.c.token_hash == digest)
                         .values(revoked_at=uow.now))
        uow.notify_invalidate("auth")  # the other server processes forget it too
        uow.signal({"kind": "revoke", "credential": digest})  # its open streams close too
        uow.commit()
        uow.cache.clear_auth()


def resolve_staff(conn: Connection, token: str, now) -> Row | None:  # noqa: ANN001
    if not token.startswith(STAFF_TOKEN_PREFIX):
        return None
    return conn.execute(_STAFF_BY_SESSION, {"token_hash": token_digest(token), "now": now}).first()


def resolve_device(conn: Connection, token: str) -> Row | None:
    """The device of a device token, or of a paired browser display's cookie secret."""
    if token.startswith(display_pairing.PAIRED_DISPLAY_PREFIX):
        return conn.execute(display_pairing.DEVICE_BY_PAIRED_SECRET, {"token_hash": token_digest(token)}).first()
    if not token.startswith(DEVICE_TOKEN_PREFIX):
        return None
    return conn.execute(_DEVICE_BY_TOKEN, {"token_hash": token_digest(token)}).first()


_STAFF_BY_SESSION = (
    select(t.staff, t.staff_sessions.c.expires_at.label("session_expires_at"))
    .join(t.staff_sessions, t.staff_sessions.c.staff_id == t.staff.c.id)
    .where(t.staff_sessions.c.token_hash == bindparam("token_hash"), t.staff_sessions.c.revoked_at.is_(None),
           t.staff_sessions.c.expires_at > bindparam("now"), t.staff.c.active)
)
_DEVICE_BY_TOKEN = (
    select(t.devices, t.sites.c.code.label("site_code"))
    .join(t.sites, t.sites.c.id == t.devices.c.site_id)
    .where(t.devices.c.token_hash == bindparam("token_hash"), t.devices.c.revoked_at.is_(None))
)


def _site_id(conn: Connection, site_code: str | None) -> int | None:
    if not site_code:
        return None
    site = repo.site_by_code(conn, site_code)
    if site is None:
        raise NotFound(f"Không tìm thấy điểm phục vụ {site_code}.", f"Site {site_code} not found.")
    return site.id


def create_staff(uow: UnitOfWork, username: str, full_name: str, password: str, role: Role,
                 site_code: str | None, agency_code: str | None = None, agency_head: bool = False) -> dict[str, Any]:
    if len(password) < 8:
        raise Invalid("Mật khẩu cần ít nhất 8 ký tự.", "The password needs at least 8 characters.")
    if role is Role.STAFF and not site_code:
        raise Invalid("Cán bộ một cửa phải thuộc một điểm phục vụ (--site).", "Staff must belong to a site (--site).")
    if (role is Role.PROCESSOR) != bool(agency_code) or (role is Role.PROCESSOR and site_code):
        raise Invalid("Cán bộ cơ quan giải quyết thuộc một cơ quan (--agency), không thuộc điểm phục vụ.",
                      "A processor belongs to an agency (--agency), not a site; only processors have an agency.")
    with uow:
        site_id = _site_id(uow.conn, site_code)
        agency_id = None
        if agency_code:
            agency_id = uow.conn.execute(select(t.agencies.c.id).where(t.agencies.c.code == agency_code)).scalar()
            if agency_id is None:
                raise NotFound(f"Không tìm thấy cơ quan {agency_code}.", f"Agency {agency_code} not found.")
        try:
            new_id = uow.conn.execute(insert(t.staff).values(
                username=username, full_name=full_name, password_hash=hash_password(password), role=role.value,
                site_id=site_id, agency_id=agency_id, agency_head=agency_head, active=True,
                created_at=uow.now).returning(t.staff.c.id)).scalar_one()
        except IntegrityError:
            raise Conflict(f"Tên đăng nhập {username} đã tồn tại.", f"Username {username} already exists.",
                           code="username_taken") from None
        row = uow.conn.execute(select(t.staff).where(t.staff.c.id == new_id)).one()
        uow.commit()
        return staff_out(row)


def create_device(uow: UnitOfWork, name: str, kind: DeviceKind, site_code: str, token: str | None = None) -> str:
    """Returns the device's token: shown once, stored only as a hash."""
    token = token or new_token(DEVICE_TOKEN_PREFIX)
    if not token.startswith(DEVICE_TOKEN_PREFIX):
        raise Invalid("Mã thiết bị phải bắt đầu bằng mcd_.", "Device tokens start with mcd_.")
    with uow:
        site_id = _site_id(uow.conn, site_code)
        uow.conn.execute(insert(t.devices).values(name=name, kind=kind.value, site_id=site_id,
                                                  token_hash=token_digest(token), created_at=uow.now))
        uow.commit()
    return token


def device_out(row: Row) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "site_id": row.site_id, "site_code": row.site_code,
            "created_at": row.created_at, "revoked_at": row.revoked_at}


def _devices_query():  # noqa: ANN202
    return select(t.devices, t.sites.c.code.label("site_code")).join(t.sites, t.sites.c.id == t.devices.c.site_id)


def list_devices(uow: UnitOfWork, site_id: int | None) -> list[dict[str, Any]]:
    with uow:
        stmt = _devices_query().order_by(t.devices.c.site_id, t.devices.c.id)
        if site_id is not None:
            stmt = stmt.where(t.devices.c.site_id == site_id)
        return [device_out(r) for r in uow.conn.execute(stmt).all()]


def revoke_device(uow: UnitOfWork, device_id: int, allowed_site: int | None = None) -> dict[str, Any]:
    """Stops the device at once: its token gets 401 from now on, in every server process,
    and its open streams are closed (a lost or stolen kiosk). `allowed_site`: the caller
    may only revoke devices of that site (None: any)."""
    with uow:
        row = uow.conn.execute(_devices_query().where(t.devices.c.id == device_id)).first()
        if row is None or (allowed_site is not None and row.site_id != allowed_site):
            raise NotFound(f"Không tìm thấy thiết bị {device_id}.", f"Device {device_id} not found.")
        if row.revoked_at is not None:
            raise Conflict(f"Thiết bị {row.name} đã bị thu hồi trước đó.", f"Device {row.name} was already revoked.",
                           code="already_revoked")
        uow.conn.execute(update(t.devices).where(t.devices.c.id == device_id).values(revoked_at=uow.now))
        uow.notify_invalidate("auth")  # every server process on PostgreSQL; on SQLite see adapters/cache.py
        uow.signal({"kind": "revoke", "credential": row.token_hash})  # and its open streams close
        row = uow.conn.execute(_devices_query().where(t.devices.c.id == device_id)).one()
        uow.commit()
        uow.cache.clear_auth()
        return device_out(row)
