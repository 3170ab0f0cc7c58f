"""Manager login and logout in the browser."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from queue_server.api import login_guard
from queue_server.domain import account_commands as ac
from queue_server.domain.errors import DomainError
from queue_server.service_layer import accounts, audit
from queue_server.web import session as s
from queue_server.web.templating import render
from shared.enums import Role

router = APIRouter(prefix="/manager")


def _login_page(request: Request, status: int = 200, error: DomainError | None = None,
                username: str = "") -> Response:
    wiring = s.wiring_of(request)
    prelogin = request.cookies.get(s.PRELOGIN_COOKIE) or s.new_prelogin()
    response = render(request, "manager/login.html", status=status, csrf=s.csrf_for_login(wiring, prelogin),
                      next=s.safe_next(request.query_params.get("next")), error=error, username=username)
    s.set_cookie(response, wiring, s.PRELOGIN_COOKIE, prelogin, max_age=3600, path="/manager")
    return response


@router.get("/login")
@s.web_page
async def login_form(request: Request) -> Response:
    user = await s.current_user(request)
    if user is not None and user.role in (Role.MANAGER, Role.ADMIN):
        return RedirectResponse(s.safe_next(request.query_params.get("next")), status_code=303)
    if user is not None and user.role is Role.PROCESSOR:
        return RedirectResponse(s.home_of(user.role), status_code=303)
    return _login_page(request)


@router.post("/login")
@s.web_page
async def login(request: Request) -> Response:
    wiring = s.wiring_of(request)
    form = await s.read_form(request)
    prelogin = request.cookies.get(s.PRELOGIN_COOKIE, "")
    s.check_csrf(request, s.csrf_for_login(wiring, prelogin) if prelogin else "", form)
    username, password = form.one("username").strip()[:64], form.one("password")[:200]
    try:
        out = await login_guard.login(wiring, request.scope, username, password)
    except DomainError as exc:  # wrong password (401), or too many failures (429)
        audit.note_refusal(exc.code)
        return _login_page(request, exc.status, exc, username)
    web_roles = (Role.MANAGER.value, Role.ADMIN.value, Role.PROCESSOR.value)
    if out["staff"]["role"] not in web_roles:
        # A clerk's password is right but this is not their page: end the new session at once.
        await wiring.run(accounts.logout, ac.LogOut(out["token"]), wiring.uow())
        refusal = DomainError("Trang quản lý chỉ dành cho quản lý, quản trị viên và cán bộ cơ quan giải quyết.",
                              "The manager pages are for managers, administrators and agency processors only.")
        return _login_page(request, 403, refusal, username)
    target = s.safe_next(form.one("next"))
    if out["staff"]["role"] == Role.PROCESSOR.value and not target.startswith("/agency"):
        target = s.home_of(Role.PROCESSOR)  # the manager pages are not theirs
    response = RedirectResponse(target, status_code=303)
    s.set_cookie(response, wiring, s.SESSION_COOKIE, out["token"],
                 max_age=wiring.settings.staff_session_hours * 3600)
    response.delete_cookie(s.PRELOGIN_COOKIE, path="/manager")
    return response


@router.post("/logout")
@s.web_page
async def logout(request: Request) -> Response:
    user = await s.current_user(request)  # managers and processors alike
    if user is None:
        return RedirectResponse("/manager/login", status_code=303)
    s.check_csrf(request, user.csrf, await s.read_form(request))
    wiring = s.wiring_of(request)
    await wiring.run(accounts.logout, ac.LogOut(user.token), wiring.uow())
    response = RedirectResponse("/manager/login", status_code=303)
    response.delete_cookie(s.SESSION_COOKIE, path="/")
    return response
