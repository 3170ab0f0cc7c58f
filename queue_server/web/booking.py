"""The citizen's booking pages: `/book` (site → procedure → day → slot and details), the
confirmation `/b/{token}` with the code and its QR, and `/book/cancel`.

Plain links and forms, no script beyond the language switch, so a cheap phone on a slow
network can book. Form posts carry a CSRF token: an HMAC of a random cookie (there is no
session for citizens), checked before anything is written.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import qrcode
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M

from queue_server.api.client_address import client_address
from queue_server.bootstrap import Wiring
from queue_server.domain import booking_commands as commands
from queue_server.domain.booking import format_code
from queue_server.domain.errors import DomainError
from queue_server.service_layer import bookings as handlers
from queue_server.service_layer import views
from queue_server.service_layer.menu_scope import site_scope
from queue_server.web import session as s
from queue_server.web.citizen_views import TOKEN_RE
from queue_server.web.templating import render
from shared.glossary import WEEKDAYS_EN, WEEKDAYS_VI  # "Chủ nhật", one spelling everywhere

router = APIRouter()
BOOK_COOKIE = "motcua_book"
SEARCH_EXAMPLES = ("khai sinh", "chứng thực", "cư trú", "đất đai")


def _wiring(request: Request) -> Wiring:
    return request.app.state.wiring


def _csrf(request: Request) -> tuple[str, str]:
    """(cookie value, form token) for this browser; a new cookie if it has none."""
    cookie = request.cookies.get(BOOK_COOKIE) or secrets.token_urlsafe(18)
    return cookie, s.csrf_for_citizen(_wiring(request), cookie)


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    cookie, token = _csrf(request)
    response = render(request, template, status=status, csrf=token, day_vi=_day_vi, day_en=_day_en, **context)
    s.set_cookie(response, _wiring(request), BOOK_COOKIE, cookie, max_age=24 * 3600, path="/book")
    return response


def _csrf_ok(request: Request, form: s.Form) -> bool:
    cookie = request.cookies.get(BOOK_COOKIE)
    given = form.one("csrf")
    return bool(cookie and given) and hmac.compare_digest(given, s.csrf_for_citizen(_wiring(request), cookie))


def _day_vi(d: date | str) -> str:
    d = date.fromisoformat(d) if isinstance(d, str) else d
    return f"{WEEKDAYS_VI[d.weekday()]}, {d:%d/%m/%Y}"


def _day_en(d: date | str) -> str:
    d = date.fromisoformat(d) if isinstance(d, str) else d
    return f"{WEEKDAYS_EN[d.weekday()]} {d:%d/%m/%Y}"


def qr_svg(data: str) -> Markup:
    """The QR code as inline SVG: one path, crisp at any size, no image request."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=1)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="qr" role="img" '
                  f'aria-label="QR" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
                  f'<path d="{path}" fill="#000"/></svg>')


# ---- choosing: site → procedure → day → slot ---------------------------------------------------
def _read(wiring: Wiring, fn, *args):  # noqa: ANN001, ANN202
    with wiring.reader() as uow:
        return fn(uow.conn, *args)


def _read_uow(wiring: Wiring, fn, *args):  # noqa: ANN001, ANN202
    with wiring.reader() as uow:
        return fn(uow, *args)


def _search(uow, site_code: str, q: str) -> dict[str, Any]:  # noqa: ANN001
    site = views.get_site(uow.conn, site_code)
    scope = site_scope(uow, site.id, site.code)
    found = views.search_procedures(uow.conn, query=q or None, field_id=None, scope=scope, limit=20, offset=0) \
        if q.strip() else {"total": 0, "items": []}
    return {"site": views.site_out(site), "results": [p for p in found["items"] if p.get("service_id")],
            "total": found["total"]}


@router.get("/book")
async def book_page(request: Request) -> Response:
    wiring = _wiring(request)
    params = request.query_params
    site, procedure, day_text = params.get("site", "")[:40], params.get("procedure", "")[:40], params.get("day", "")[:10]
    try:
        if not site:
            sites = await wiring.run(_read, wiring, views.list_sites)
            return _page(request, "citizen/book.html", step="site", sites=sites)
        if not procedure:
            q = params.get("q", "")[:100]
            found = await wiring.run(_read_uow, wiring, _search, site, q)
            return _page(request, "citizen/book.html", step="procedure", q=q, examples=SEARCH_EXAMPLES, **found)
        if not day_text:
            offer = await wiring.run(handlers.available_days, commands.ListBookableDays(site, procedure),
                                     wiring.reader())
            return _page(request, "citizen/book.html", step="day", offer=offer)
        return await _slot_page(request, site, procedure, day_text)
    except DomainError as exc:
        return _page(request, "citizen/book.html", status=exc.status, step="error", error=exc)


async def _slot_page(request: Request, site: str, procedure: str, day_text: str, *, status: int = 200,
                     error: DomainError | None = None, form: dict[str, str] | None = None) -> Response:
    wiring = _wiring(request)
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise DomainError("Ngày không hợp lệ.", "The date is not valid.") from None
    offer = await wiring.run(handlers.available_slots, commands.ListSlots(site, procedure, day), wiring.reader())
    return _page(request, "citizen/book.html", status=status, step="slot", offer=offer, error=error,
                 form=form or {}, back=f"/book?{urlencode({'site': site, 'procedure': procedure})}")


@router.post("/book")
@s.web_page
async def book(request: Request) -> Response:
    wiring = _wiring(request)
    form = await s.read_form(request)
    if not _csrf_ok(request, form):
        return _page(request, "citizen/book_refused.html", status=403)
    fields = {k: form.one(k)[:300] for k in ("site", "procedure", "day", "slot", "full_name", "phone", "id_number")}
    try:
        try:
            slot = datetime.fromisoformat(fields["slot"])
        except ValueError:
            raise DomainError("Vui lòng chọn một khung giờ.", "Please choose a time slot.") from None
        command = commands.CreateBooking(site_code=fields["site"], procedure_code=fields["procedure"],
                                         slot_start=slot, full_name=fields["full_name"], phone=fields["phone"],
                                         id_number=fields["id_number"],
                                         client=client_address(request.scope, wiring.settings.proxy_networks))
        booking = await wiring.run(handlers.create_booking, command, wiring.uow())
    except DomainError as exc:
        status = exc.status if exc.status != 400 else 422
        try:
            return await _slot_page(request, fields["site"], fields["procedure"], fields["day"], status=status,
                                    error=exc, form=fields)
        except DomainError as again:
            return _page(request, "citizen/book.html", status=again.status, step="error", error=again)
    return RedirectResponse(f"/b/{booking['token']}", status_code=303)


# ---- the confirmation ---------------------------------------------------------------------------
@router.get("/b/{token}")
async def booking_page(token: str, request: Request) -> Response:
    wiring = _wiring(request)
    if not TOKEN_RE.match(token):
        return render(request, "citizen/booking_not_found.html", status=404)
    try:
        booking = await wiring.run(handlers.booking_by_token, commands.ShowBooking(token), wiring.reader())
    except DomainError:
        return render(request, "citizen/booking_not_found.html", status=404)
    return render(request, "citizen/booking.html", booking=booking, qr=qr_svg(booking["url"]),
                  day_vi=_day_vi, day_en=_day_en, local_day=booking["slot_start"].astimezone(wiring.settings.tz).date())


# ---- cancelling ---------------------------------------------------------------------------------
@router.get("/book/cancel")
async def cancel_page(request: Request) -> Response:
    code = request.query_params.get("code", "")[:20]
    return _page(request, "citizen/book_cancel.html", code=code, phone="", error=None, done=None)


@router.post("/book/cancel")
@s.web_page
async def cancel(request: Request) -> Response:
    wiring = _wiring(request)
    form = await s.read_form(request)
    if not _csrf_ok(request, form):
        return _page(request, "citizen/book_refused.html", status=403)
    code, phone = form.one("code")[:40], form.one("phone")[:30]
    try:
        done = await wiring.run(handlers.cancel, commands.CancelBooking(code, phone), wiring.uow())
    except DomainError as exc:
        return _page(request, "citizen/book_cancel.html", status=exc.status, code=code, phone=phone, error=exc,
                     done=None)
    return _page(request, "citizen/book_cancel.html", code=done["code"], phone="", error=None, done=done,
                 local_day=done["slot_start"].astimezone(wiring.settings.tz).date(), format_code=format_code)
