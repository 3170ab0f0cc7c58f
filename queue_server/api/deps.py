"""Dependencies: the wiring, and who is calling (staff session or device token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Row

from queue_server.adapters.secrets import token_digest
from queue_server.bootstrap import Wiring
from queue_server.domain.document_access import Reader
from queue_server.domain.errors import Forbidden, Unauthorized
from queue_server.service_layer import accounts, audit
from shared.enums import DeviceKind, Role

bearer = HTTPBearer(auto_error=False, description="Staff session token (mcs_…) or device token (mcd_…)")


async def get_wiring(request: Request) -> Wiring:
    # async: a plain `def` dependency would be run in the thread pool on every request.
    return request.app.state.wiring


WiringDep = Annotated[Wiring, Depends(get_wiring)]


@dataclass(frozen=True)
class Principal:
    """The caller: a staff member or a device, never both."""

    staff: Row | None = None
    device: Row | None = None

    @property
    def role(self) -> Role | None:
        return Role(self.staff.role) if self.staff is not None else None

    @property
    def site_id(self) -> int | None:
        if self.staff is not None:
            return self.staff.site_id
        return self.device.site_id if self.device is not None else None

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def is_processor(self) -> bool:
        return self.role is Role.PROCESSOR

    @property
    def agency_id(self) -> int | None:
        """A processor's agency (None for everyone else)."""
        return self.staff.agency_id if self.is_processor else None

    def may_act_on_site(self, site_id: int) -> bool:
        return self.is_manager or self.site_id == site_id


def document_reader(me: Principal) -> Reader:
    """A staff caller as the citizen-document access policy sees them (a processor with
    their agency)."""
    staff = me.staff
    return Reader(staff.id, staff.role, staff.site_id, staff.agency_id)


def _resolve(wiring: Wiring, token: str) -> Principal | None:
    with wiring.engine.connect().execution_options(motcua_read_only=True) as conn:
        staff = accounts.resolve_staff(conn, token, wiring.clock())
        if staff is not None:
            return Principal(staff=staff)
        device = accounts.resolve_device(conn, token)
        return Principal(device=device) if device is not None else None


def _cached(wiring: Wiring, key: str) -> Principal | None:
    """A token resolved a moment ago (see adapters/cache.py for what clears it); a staff
    session past its expiry time is not used, even from the cache."""
    principal = wiring.cache.auth.get(key, lambda: None)
    if principal is not None and principal.staff is not None and principal.staff.session_expires_at <= wiring.clock():
        wiring.cache.auth.discard(key)
        return None
    return principal


def resolve_principal(wiring: Wiring, token: str) -> Principal | None:
    """The caller of a token: from the cache, or from the database (then cached)."""
    key = token_digest(token)
    principal = _cached(wiring, key)
    if principal is None:
        principal = wiring.cache.auth.get(key, lambda: _resolve(wiring, token))
    return principal


async def principal_from_token(wiring: Wiring, token: str | None) -> Principal:
    if not token or len(token) > 200:
        raise Unauthorized("Cần đăng nhập hoặc mã thiết bị hợp lệ.", "A valid login or device token is needed.")
    # A cached token is answered here, without a hop to a worker thread (PostgreSQL).
    principal = _cached(wiring, token_digest(token))
    if principal is None:
        principal = await wiring.run(resolve_principal, wiring, token)
    if principal is not None and principal.staff is not None:
        audit.identify(principal.staff)
    if principal is None:
        raise Unauthorized("Phiên đăng nhập hết hạn hoặc mã không hợp lệ. Hãy đăng nhập lại.",
                           "The session expired or the token is not valid. Please log in again.",
                           code="invalid_token")
    return principal


async def current_principal(
    wiring: WiringDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    return await principal_from_token(wiring, credentials.credentials if credentials else None)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


async def any_staff(principal: PrincipalDep) -> Principal:
    """Anyone logged in: one-stop staff, managers, admins, and agency processors."""
    if principal.staff is None:
        raise Forbidden("Thao tác này dành cho cán bộ đã đăng nhập.", "This action is for logged-in staff.")
    return principal


async def current_staff(principal: PrincipalDep) -> Principal:
    """One-stop staff of a site, managers and admins. A processor belongs to no site: the
    site-scoped endpoints are not theirs (they have the agency's own, /agency/...)."""
    principal = await any_staff(principal)
    if principal.is_processor:
        raise Forbidden("Thao tác này dành cho cán bộ Bộ phận Một cửa và quản lý; cán bộ cơ quan giải quyết dùng "
                        "hộp hồ sơ của cơ quan.", "This action is for one-stop staff and managers; processors use "
                        "their agency's inbox (/agency/...).")
    return principal


async def current_processor(principal: PrincipalDep) -> Principal:
    if not principal.is_processor or principal.agency_id is None:
        raise Forbidden("Thao tác này dành cho cán bộ cơ quan giải quyết.", "This action is for agency processors.")
    return principal


async def current_manager(principal: PrincipalDep) -> Principal:
    if not principal.is_manager:
        raise Forbidden("Thao tác này dành cho quản lý.", "This action is for managers.")
    return principal


async def current_kiosk(principal: PrincipalDep) -> Principal:
    if principal.device is None or principal.device.kind != DeviceKind.KIOSK.value:
        raise Forbidden("Chỉ ki-ốt lấy số mới được cấp số thứ tự.", "Only a kiosk device may issue tickets.")
    return principal


AnyStaff = Annotated[Principal, Depends(any_staff)]
CurrentStaff = Annotated[Principal, Depends(current_staff)]
CurrentProcessor = Annotated[Principal, Depends(current_processor)]
CurrentManager = Annotated[Principal, Depends(current_manager)]
KioskDevice = Annotated[Principal, Depends(current_kiosk)]
