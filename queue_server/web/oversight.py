"""Manager pages for oversight: the audit log, and revoking a site's device (a lost kiosk)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from queue_server.bootstrap import Wiring
from queue_server.domain import account_commands as ac
from queue_server.domain.errors import DomainError
from queue_server.service_layer import accounts, audit_views
from queue_server.web import session as s
from queue_server.web.templating import render
from shared.enums import Role

router = APIRouter(prefix="/manager")
PAGE_SIZE = 200


def own_site(user: s.WebUser) -> int | None:
    """None: every site (admins, province-wide managers)."""
    return None if user.role is Role.ADMIN else user.site_id


@router.get("/audit")
@s.web_page
async def audit_page(request: Request) -> Response:
    user = await s.require_manager(request)
    wiring = s.wiring_of(request)
    raw_day = request.query_params.get("day", "").strip()[:10]
    staff = request.query_params.get("staff", "").strip()[:64]
    error = None
    try:
        day = date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        day, error = None, ("Ngày không hợp lệ (YYYY-MM-DD).", "Not a valid day (YYYY-MM-DD).")
    page = await wiring.run(audit_views.list_entries, wiring.reader(), site_id=own_site(user), day=day,
                            staff=staff or None, limit=PAGE_SIZE)
    for entry in page["items"]:
        entry["local_at"] = entry["at"].astimezone(wiring.settings.tz)
    return render(request, "manager/audit.html", user=user, page=page, day=raw_day, staff=staff, error=error,
                  page_size=PAGE_SIZE)


@router.post("/sites/{code}/devices/{device_id}/revoke")
@s.web_page
async def revoke_device(code: str, device_id: int, request: Request) -> Response:
    user, _ = await s.manager_form(request)
    wiring: Wiring = s.wiring_of(request)
    try:
        device = await wiring.run(accounts.revoke_device, ac.RevokeDevice(device_id, own_site(user)),
                                    wiring.uow())
    except DomainError as exc:
        return s.after_action(request, f"/manager/sites/{code}", error=exc)
    return s.after_action(request, f"/manager/sites/{code}", result=lambda: (
        f"Đã thu hồi mã của thiết bị {device['name']}: thiết bị ngừng hoạt động ngay.",
        f"Device {device['name']} revoked: it stops at once."))
