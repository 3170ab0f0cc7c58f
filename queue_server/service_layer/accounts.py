"""Staff accounts, their sessions, and device (kiosk, display) tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
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
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import DeviceKind, Role

# Verified against when the user does not exist, so timing does not reveal valid usernames.
_DUMMY_HASH = hash_password("motcua-no-such-user")


def staff_out(row: Row) -> dict[str, Any]:
    return {"id": row.id, "username": row.username, "full_name": row.full_name, "role": row.role,
            "site_id": row.site_id}


def login(uow: UnitOfWork, username: str, password: str, ttl: timedelta) -> dict[str, Any]:
    with uow:
        row = uow.conn.execute(select(t.staff).where(t.staff.c.username == username)).first()
        ok = verify_password(row.password_hash if row else _DUMMY_HASH, password)
        if row is None or not ok or not row.active:
            raise Unauthorized("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.",
                               code="bad_credentials")
        token = new_token(STAFF_TOKEN_PREFIX)
        expires = uow.now + ttl
        uow.conn.execute(insert(t.staff_sessions).values(
            token_hash=token_digest(token), staff_id=row.id, created_at=uow.now, expires_at=expires))
        uow.commit()
        return {"token": token, "expires_at": expires, "staff": staff_out(row)}


def logout(uow: UnitOfWork, token: str) -> None:
    with uow:
        uow.conn.execute(update(t.staff_sessions).where(t.staff_sessions.c.token_hash == token_digest(token))
                         .values(revoked_at=uow.now))
        uow.commit()


def resolve_staff(conn: Connection, token: str, now) -> Row | None:  # noqa: ANN001
    if not token.startswith(STAFF_TOKEN_PREFIX):
        return None
    s = t.staff_sessions.c
    return conn.execute(
        select(t.staff)
        .join(t.staff_sessions, s.staff_id == t.staff.c.id)
        .where(s.token_hash == token_digest(token), s.revoked_at.is_(None), s.expires_at > now, t.staff.c.active)
    ).first()


def resolve_device(conn: Connection, token: str) -> Row | None:
    if not token.startswith(DEVICE_TOKEN_PREFIX):
        return None
    d = t.devices.c
    return conn.execute(
        select(t.devices, t.sites.c.code.label("site_code"))
        .join(t.sites, t.sites.c.id == d.site_id)
        .where(d.token_hash == token_digest(token), d.revoked_at.is_(None))
    ).first()


def _site_id(conn: Connection, site_code: str | None) -> int | None:
    if not site_code:
        return None
    site = repo.site_by_code(conn, site_code)
    if site is None:
        raise NotFound(f"Không tìm thấy điểm phục vụ {site_code}.", f"Site {site_code} not found.")
    return site.id


def create_staff(uow: UnitOfWork, username: str, full_name: str, password: str, role: Role,
                 site_code: str | None) -> dict[str, Any]:
    if len(password) < 8:
        raise Invalid("Mật khẩu cần ít nhất 8 ký tự.", "The password needs at least 8 characters.")
    if role is Role.STAFF and not site_code:
        raise Invalid("Cán bộ một cửa phải thuộc một điểm phục vụ (--site).", "Staff must belong to a site (--site).")
    with uow:
        site_id = _site_id(uow.conn, site_code)
        try:
            new_id = uow.conn.execute(insert(t.staff).values(
                username=username, full_name=full_name, password_hash=hash_password(password), role=role.value,
                site_id=site_id, active=True, created_at=uow.now).returning(t.staff.c.id)).scalar_one()
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


def revoke_device(uow: UnitOfWork, device_id: int) -> None:
    with uow:
        result = uow.conn.execute(update(t.devices).where(t.devices.c.id == device_id, t.devices.c.revoked_at.is_(None))
                                  .values(revoked_at=uow.now))
        if result.rowcount != 1:
            raise NotFound(f"Không tìm thấy thiết bị {device_id}.", f"Device {device_id} not found.")
        uow.commit()
