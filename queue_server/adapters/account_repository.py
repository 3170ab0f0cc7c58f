"""Staff accounts, their sessions, devices and browser-display pairings, loaded and saved
for the account handlers (service_layer/accounts.py, display_pairing.py). Secrets are
stored only as digests: the callers pass `token_digest(...)`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Row, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from shared.enums import DeviceKind

_STAFF_BY_SESSION = (
    select(t.staff, t.staff_sessions.c.expires_at.label("session_expires_at"))
    .join(t.staff_sessions, t.staff_sessions.c.staff_id == t.staff.c.id)
    .where(t.staff_sessions.c.token_hash == bindparam("token_hash"), t.staff_sessions.c.revoked_at.is_(None),
           t.staff_sessions.c.expires_at > bindparam("now"), t.staff.c.active)
)
_DEVICES = select(t.devices, t.sites.c.code.label("site_code")).join(t.sites, t.sites.c.id == t.devices.c.site_id)
_DEVICE_BY_TOKEN = _DEVICES.where(t.devices.c.token_hash == bindparam("token_hash"), t.devices.c.revoked_at.is_(None))
# The device behind a paired browser's cookie.
_DEVICE_BY_PAIRED_SECRET = (
    _DEVICES.join(t.display_pairings, t.display_pairings.c.device_id == t.devices.c.id)
    .where(t.display_pairings.c.session_hash == bindparam("token_hash"), t.display_pairings.c.revoked_at.is_(None),
           t.devices.c.revoked_at.is_(None))
)


class AccountRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # ---- staff and sessions --------------------------------------------------------------------
    def staff_by_username(self, username: str) -> Row | None:
        return self.conn.execute(select(t.staff).where(t.staff.c.username == username)).first()

    def staff_by_id(self, staff_id: int) -> Row | None:
        return self.conn.execute(select(t.staff).where(t.staff.c.id == staff_id)).first()

    def add_staff(self, **values: object) -> int | None:
        """The new account's id; None when the username is taken."""
        try:
            return self.conn.execute(insert(t.staff).values(**values).returning(t.staff.c.id)).scalar_one()
        except IntegrityError:
            return None

    def add_session(self, token_hash: str, staff_id: int, created_at: datetime, expires_at: datetime) -> None:
        self.conn.execute(insert(t.staff_sessions).values(token_hash=token_hash, staff_id=staff_id,
                                                          created_at=created_at, expires_at=expires_at))

    def revoke_session(self, token_hash: str, now: datetime) -> None:
        self.conn.execute(update(t.staff_sessions).where(t.staff_sessions.c.token_hash == token_hash)
                          .values(revoked_at=now))

    def staff_by_session(self, token_hash: str, now: datetime) -> Row | None:
        return self.conn.execute(_STAFF_BY_SESSION, {"token_hash": token_hash, "now": now}).first()

    # ---- where: sites and agencies -------------------------------------------------------------
    def site_id(self, site_code: str) -> int | None:
        site = repo.site_by_code(self.conn, site_code)
        return site.id if site is not None else None

    def agency_id(self, agency_code: str) -> int | None:
        return self.conn.execute(select(t.agencies.c.id).where(t.agencies.c.code == agency_code)).scalar()

    # ---- devices -------------------------------------------------------------------------------
    def add_device(self, name: str, kind: DeviceKind, site_id: int, token_hash: str, now: datetime) -> None:
        self.conn.execute(insert(t.devices).values(name=name, kind=kind.value, site_id=site_id,
                                                   token_hash=token_hash, created_at=now))

    def devices(self, site_id: int | None) -> list[Row]:
        stmt = _DEVICES.order_by(t.devices.c.site_id, t.devices.c.id)
        if site_id is not None:
            stmt = stmt.where(t.devices.c.site_id == site_id)
        return list(self.conn.execute(stmt).all())

    def device(self, device_id: int) -> Row | None:
        """The device with its site's code, revoked or not."""
        return self.conn.execute(_DEVICES.where(t.devices.c.id == device_id)).first()

    def revoke_device(self, device_id: int, now: datetime) -> None:
        self.conn.execute(update(t.devices).where(t.devices.c.id == device_id).values(revoked_at=now))

    def device_by_token(self, token_hash: str) -> Row | None:
        return self.conn.execute(_DEVICE_BY_TOKEN, {"token_hash": token_hash}).first()

    def device_by_paired_secret(self, token_hash: str) -> Row | None:
        return self.conn.execute(_DEVICE_BY_PAIRED_SECRET, {"token_hash": token_hash}).first()

    # ---- browser displays paired with a display device -----------------------------------------
    def add_pairing(self, device_id: int, code_hash: str, code_expires_at: datetime, now: datetime, *,
                    created_by: int | None = None, session_hash: str | None = None) -> None:
        """A pairing link; with `session_hash`, one already paired (its code spent at once)."""
        self.conn.execute(insert(t.display_pairings).values(
            device_id=device_id, code_hash=code_hash, code_expires_at=code_expires_at, created_at=now,
            created_by=created_by, paired_at=now if session_hash else None, session_hash=session_hash))

    def spend_pairing(self, code_hash: str, now: datetime, session_hash: str) -> int | None:
        """Spend an unspent, unexpired link (one conditional UPDATE: of two browsers racing for
        it, one wins); the device id, or None."""
        p = t.display_pairings.c
        return self.conn.execute(
            update(t.display_pairings)
            .where(p.code_hash == code_hash, p.paired_at.is_(None), p.revoked_at.is_(None), p.code_expires_at > now)
            .values(paired_at=now, session_hash=session_hash)
            .returning(p.device_id)).scalar()

    def live_display_site(self, device_id: int) -> str | None:
        """The site code of a display device that is not revoked."""
        return self.conn.execute(select(t.sites.c.code).join(t.devices, t.devices.c.site_id == t.sites.c.id)
                                 .where(t.devices.c.id == device_id, t.devices.c.revoked_at.is_(None),
                                        t.devices.c.kind == DeviceKind.DISPLAY.value)).scalar()
