"""Manager dashboard: all sites live, one site in depth, and the manager's actions.

Pages are rendered on the server; a small script follows the event stream and reloads the
live part of the page (an HTML fragment) after events, so no figure is computed twice.
Every action is a form post with the session's CSRF token, and becomes an event in the
log with the manager's id (the audit trail).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import Response
from sqlalchemy import select

from queue_server.adapters import tables as t
from queue_server.adapters.secrets import token_digest
from queue_server.api.deps import principal_from_token
from queue_server.api.streaming import POLICY_VIOLATION, pump_events
from queue_server.bootstrap import Wiring
from queue_server.domain import account_commands as ac
from queue_server.domain.errors import DomainError, Invalid, NotFound
from queue_server.service_layer import accounts
from queue_server.service_layer import manager as m
from queue_server.web import overview as ov
from queue_server.web import session as s
from queue_server.web.templating import render
from shared.enums import Role

router = APIRouter(prefix="/manager")


def _figures(wiring: Wiring) -> tuple[int, float, int]:
    settings = wiring.settings
    return settings.target_wait_minutes, settings.nearby_max_km, settings.nearby_margin_minutes


def _page(request: Request, template: str, user: s.WebUser, **context: Any) -> Response:
    flash = s.read_flash(request)
    response = render(request, template, user=user, flash=flash, **context)
    s.clear_flash(request, response)
    return response


# ---- all sites -------------------------------------------------------------------------------
async def _overview(wiring: Wiring) -> dict[str, Any]:
    return await wiring.run(ov.overview, wiring.reader(), *_figures(wiring))


@router.get("")
@s.web_page
async def dashboard(request: Request) -> Response:
    user = await s.require_manager(request)
    return _page(request, "manager/dashboard.html", user, view=await _overview(s.wiring_of(request)))


@router.get("/live")
@s.web_page
async def dashboard_live(request: Request) -> Response:
    user = await s.require_manager(request)
    return render(request, "manager/_overview.html", user=user, view=await _overview(s.wiring_of(request)))


@router.websocket("/ws")
async def manager_stream(ws: WebSocket) -> None:
    """The all-sites event stream (same protocol as /api/v1/ws/all), authenticated by the
    session cookie so the page's script never holds the token."""
    wiring: Wiring = ws.app.state.wiring
    origin = ws.headers.get("origin")
    if origin and urlsplit(origin).netloc != ws.headers.get("host"):
        await ws.close(code=POLICY_VIOLATION, reason="origin")  # another site's page riding the cookie
        return
    try:
        principal = await principal_from_token(wiring, ws.cookies.get(s.SESSION_COOKIE))
    except DomainError:
        await ws.close(code=POLICY_VIOLATION, reason="login")
        return
    if not principal.is_manager:
        await ws.close(code=POLICY_VIOLATION, reason="forbidden")
        return
    await pump_events(ws, wiring, None, token_digest(ws.cookies.get(s.SESSION_COOKIE, "")), "manager",
                      principal.staff.session_expires_at)


# ---- one site ----------------------------------------------------------------------------------
async def _site(wiring: Wiring, code: str) -> dict[str, Any]:
    return await wiring.run(ov.site_detail, wiring.reader(), code, *_figures(wiring))


@router.get("/sites/{code}")
@s.web_page
async def site_page(code: str, request: Request) -> Response:
    user = await s.require_manager(request)
    try:
        view = await _site(s.wiring_of(request), code)
    except NotFound:
        return render(request, "manager/not_found.html", status=404, user=user)
    wiring = s.wiring_of(request)
    may_manage = user.role is Role.ADMIN or user.site_id in (None, view["site"]["id"])
    devices = await wiring.run(accounts.list_devices, ac.ListDevices(view["site"]["id"]), wiring.reader()) if may_manage else []
    return _page(request, "manager/site.html", user, view=view, devices=devices)


@router.get("/sites/{code}/live")
@s.web_page
async def site_live(code: str, request: Request) -> Response:
    user = await s.require_manager(request)
    try:
        view = await _site(s.wiring_of(request), code)
    except NotFound:
        return Response(status_code=404)
    return render(request, "manager/_site_live.html", user=user, view=view)


def _counter_of_site(wiring: Wiring, code: str, counter_id: int) -> dict[str, Any]:
    with wiring.reader() as uow:
        row = uow.conn.execute(
            select(t.counters.c.id, t.counters.c.number, t.counters.c.state, t.sites.c.code, t.sites.c.id.label("sid"))
            .join(t.sites, t.sites.c.id == t.counters.c.site_id).where(t.counters.c.id == counter_id)).first()
    if row is None or row.code != code:
        raise NotFound(f"Không tìm thấy quầy {counter_id} tại {code}.", f"Counter {counter_id} not found at {code}.")
    return {"id": row.id, "number": row.number, "state": row.state, "site_id": row.sid}


@router.get("/sites/{code}/counters/{counter_id}")
@s.web_page
async def counter_page(code: str, counter_id: int, request: Request) -> Response:
    user = await s.require_manager(request)
    wiring = s.wiring_of(request)
    try:
        view = await _site(wiring, code)
        counter = next(c for c in view["counters"] if c["id"] == counter_id)
    except (NotFound, StopIteration):
        return render(request, "manager/not_found.html", status=404, user=user)
    offered = [q for q in view["site"]["queues"]]
    weights = {w["service_id"]: w["weight"] for w in counter["services"]}
    return _page(request, "manager/counter.html", user, view=view, counter=counter, offered=offered,
                 weights=weights, max_weight=m.MAX_WEIGHT)


# ---- actions -----------------------------------------------------------------------------------
async def _act(request: Request, back: str, work: Callable[[Wiring, s.WebUser, s.Form], Any],
               message: Callable[[Any], tuple[str, str]]) -> Response:
    user, form = await s.manager_form(request)
    wiring = s.wiring_of(request)
    try:
        result = await wiring.run(work, wiring, user, form)
    except DomainError as exc:
        return s.after_action(request, back, error=exc)
    return s.after_action(request, back, result=lambda: message(result))


def _int(form: s.Form, name: str, *, required: bool = True) -> int | None:
    raw = form.one(name).strip()
    if not raw and not required:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise Invalid("Dữ liệu gửi lên không hợp lệ.", f"The field {name} is not valid.")
    return int(raw)


@router.post("/sites/{code}/counters/{counter_id}/open")
@s.web_page
async def open_counter(code: str, counter_id: int, request: Request) -> Response:
    def work(wiring: Wiring, user: s.WebUser, form: s.Form) -> int:
        counter = _counter_of_site(wiring, code, counter_id)
        m.set_counter_open(m.SetCounterOpen(counter_id, user.id, True), wiring.uow())
        return counter["number"]
    return await _act(request, f"/manager/sites/{code}", work,
                      lambda n: (f"Đã mở quầy {n}.", f"Counter {n} is open."))


@router.post("/sites/{code}/counters/{counter_id}/close")
@s.web_page
async def close_counter(code: str, counter_id: int, request: Request) -> Response:
    def work(wiring: Wiring, user: s.WebUser, form: s.Form) -> int:
        counter = _counter_of_site(wiring, code, counter_id)
        m.set_counter_open(m.SetCounterOpen(counter_id, user.id, False), wiring.uow())
        return counter["number"]
    return await _act(request, f"/manager/sites/{code}", work,
                      lambda n: (f"Đã đóng quầy {n}.", f"Counter {n} is closed."))


@router.post("/sites/{code}/counters/{counter_id}/services")
@s.web_page
async def counter_services(code: str, counter_id: int, request: Request) -> Response:
    def work(wiring: Wiring, user: s.WebUser, form: s.Form) -> int:
        counter = _counter_of_site(wiring, code, counter_id)
        weights = {}
        for key in form:
            if key.startswith("w_"):
                service_id = _int(s.Form({"x": [key[2:]]}), "x")
                weight = _int(form, key, required=False)
                if weight:
                    weights[service_id] = weight
        m.set_counter_services(m.SetCounterServices(counter_id, user.id, weights), wiring.uow())
        return counter["number"]
    return await _act(request, f"/manager/sites/{code}", work,
                      lambda n: (f"Đã cập nhật dịch vụ của quầy {n}.", f"Counter {n} services updated."))


@router.post("/sites/{code}/move")
@s.web_page
async def move_tickets(code: str, request: Request) -> Response:
    def work(wiring: Wiring, user: s.WebUser, form: s.Form) -> tuple[m.MoveResult, str]:
        ids = tuple(sorted({_int(s.Form({"x": [v]}), "x") for v in form.get("ticket", [])}))
        to_site = form.one("to_site").strip()[:40]
        if not to_site:
            raise Invalid("Hãy chọn điểm phục vụ nhận.", "Choose the site to move the tickets to.")
        command = m.MoveTickets(
            from_site_code=code, to_site_code=to_site, staff_id=user.id,
            service_id=None if ids else _int(form, "service_id", required=False),
            ticket_ids=ids, count=None if ids else _int(form, "count", required=False),
            reason=form.one("reason").strip()[:200])
        return m.move_tickets(command, wiring.uow()), to_site

    def message(outcome: tuple[m.MoveResult, str]) -> tuple[str, str]:
        result, to_site = outcome
        moved = ", ".join(f"{x['old_label']}→{x['label']}" for x in result.moved)
        vi = f"Đã chuyển {len(result.moved)} số sang {to_site}: {moved}."
        en = f"Moved {len(result.moved)} ticket(s) to {to_site}: {moved}."
        if result.skipped:
            vi += f" Không chuyển (đã được gọi hoặc đã chuyển): {', '.join(result.skipped)}."
            en += f" Not moved (called or moved meanwhile): {', '.join(result.skipped)}."
        return vi, en
    return await _act(request, f"/manager/sites/{code}", work, message)


@router.post("/sites/{code}/notice")
@s.web_page
async def post_notice(code: str, request: Request) -> Response:
    def work(wiring: Wiring, user: s.WebUser, form: s.Form) -> str:
        return m.post_notice(m.PostNotice(code, user.id, form.one("notice")), wiring.uow())
    return await _act(request, f"/manager/sites/{code}", work,
                      lambda text: ("Đã đăng thông báo lên màn hình." if text else "Đã gỡ thông báo.",
                                    "The notice is on the displays." if text else "The notice was taken down."))
