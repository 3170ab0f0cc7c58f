"""Manager sessions in the browser: a staff session token in an HttpOnly, SameSite cookie,
and a CSRF token on every form post.

The session is the same `staff_sessions` row the API uses (revocable, expiring); the
browser never sees it from JavaScript. The CSRF token is an HMAC of the session under the
server secret, so nothing extra is stored and it dies with the session. Before login a
random cookie plays the session's part (login CSRF).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from queue_server.bootstrap import Wiring
from queue_server.domain.errors import DomainError
from queue_server.service_layer import accounts, audit
from shared.enums import Role

SESSION_COOKIE = "motcua_web"
PRELOGIN_COOKIE = "motcua_prelogin"
FLASH_COOKIE = "motcua_flash"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 1000


@dataclass(frozen=True)
class WebUser:
    id: int
    username: str
    full_name: str
    role: Role
    site_id: int | None  # a manager tied to one site; None: every site
    token: str  # the session token (server side only)
    csrf: str
    agency_id: int | None = None  # a processor's agency
    agency_head: bool = False


class Refusal(Exception):
    """Stop handling a page and answer with this response (login redirect, 403 page)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def wiring_of(request: Request) -> Wiring:
    return request.app.state.wiring


def _mac(wiring: Wiring, purpose: str, value: str) -> str:
    key = wiring.settings.secret.encode("utf-8")
    return hmac.new(key, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()[:40]


def csrf_for_session(wiring: Wiring, session_token: str) -> str:
    return _mac(wiring, "csrf", session_token)


def csrf_for_login(wiring: Wiring, prelogin: str) -> str:
    return _mac(wiring, "login", prelogin)


def csrf_for_citizen(wiring: Wiring, cookie: str) -> str:
    """Citizens' forms (booking) have no session: a random cookie plays its part."""
    return _mac(wiring, "citizen", cookie)


def new_prelogin() -> str:
    return secrets.token_urlsafe(18)


def secure_cookies(wiring: Wiring) -> bool:
    return wiring.settings.public_base_url.startswith("https://")


def set_cookie(response: Response, wiring: Wiring, name: str, value: str, max_age: int | None,
               path: str = "/") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="lax",
                        secure=secure_cookies(wiring))


# ---- who is there ----------------------------------------------------------------------------
def _resolve(wiring: Wiring, token: str):  # noqa: ANN202
    with wiring.engine.connect().execution_options(motcua_read_only=True) as conn:
        return accounts.resolve_staff(conn, token, wiring.clock())


async def current_user(request: Request) -> WebUser | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    wiring = wiring_of(request)
    row = await wiring.run(_resolve, wiring, token)
    if row is None:
        return None
    audit.identify(row)
    return WebUser(row.id, row.username, row.full_name, Role(row.role), row.site_id, token,
                   csrf_for_session(wiring, token), row.agency_id, bool(row.agency_head))


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/manager/login?next={quote(target, safe='')}", status_code=303)


async def require_manager(request: Request) -> WebUser:
    from queue_server.web.templating import render

    user = await current_user(request)
    if user is None:
        raise Refusal(login_redirect(request))
    if user.role not in (Role.MANAGER, Role.ADMIN):
        raise Refusal(render(request, "manager/refused.html", status=403, user=user))
    return user


async def require_processor(request: Request) -> WebUser:
    """An officer of a processing agency (the agency inbox); anyone else is refused."""
    from queue_server.web.templating import render

    user = await current_user(request)
    if user is None:
        raise Refusal(login_redirect(request))
    if user.role is not Role.PROCESSOR or user.agency_id is None:
        raise Refusal(render(request, "manager/refused.html", status=403, user=user))
    return user


async def processor_form(request: Request) -> tuple[WebUser, Form]:
    user = await require_processor(request)
    form = await read_form(request)
    check_csrf(request, user.csrf, form)
    return user, form


def home_of(role: Role | str) -> str:
    """Where a person lands after login: processors in their agency's inbox."""
    return "/agency" if Role(role) is Role.PROCESSOR else "/manager"


def safe_next(target: str | None) -> str:
    """Only a path on this server (no //other.host open redirect)."""
    if not target:
        return "/manager"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/manager"
    return target


# ---- forms -----------------------------------------------------------------------------------
class Form(dict[str, list[str]]):
    def one(self, name: str, default: str = "") -> str:
        values = self.get(name)
        return values[0] if values else default


async def read_form(request: Request) -> Form:
    """URL-encoded forms only (the pages post nothing else)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM_TYPE:
        raise Refusal(Response("Unsupported form encoding\n", status_code=415, media_type="text/plain"))
    body = (await request.body()).decode("utf-8", errors="replace")
    form = Form()
    try:
        pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise Refusal(Response("Too many fields\n", status_code=413, media_type="text/plain")) from None
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return form


def check_csrf(request: Request, expected: str, form: Form) -> None:
    from queue_server.web.templating import render

    given = form.one("csrf")
    if not given or not hmac.compare_digest(given, expected):
        raise Refusal(render(request, "manager/csrf.html", status=403))


async def manager_form(request: Request) -> tuple[WebUser, Form]:
    """A form post by a manager with a valid CSRF token, or a refusal."""
    user = await require_manager(request)
    form = await read_form(request)
    check_csrf(request, user.csrf, form)
    return user, form


# ---- flash messages (one line after a redirect) ----------------------------------------------
def flash(response: Response, wiring: Wiring, kind: str, vi: str, en: str) -> None:
    value = quote(f"{kind}\x1f{vi}\x1f{en}", safe="")
    set_cookie(response, wiring, FLASH_COOKIE, value, max_age=60, path="/manager")


def read_flash(request: Request) -> dict[str, str] | None:
    from urllib.parse import unquote

    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    parts = unquote(raw).split("\x1f")
    if len(parts) != 3 or parts[0] not in ("ok", "error"):
        return None
    return {"kind": parts[0], "vi": parts[1][:600], "en": parts[2][:600]}


def clear_flash(request: Request, response: Response) -> None:
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/manager")


def after_action(request: Request, back: str, result: Callable[[], tuple[str, str]] | None = None,
                 error: DomainError | None = None) -> RedirectResponse:
    response = RedirectResponse(safe_next(back), status_code=303)
    wiring = wiring_of(request)
    if error is not None:
        audit.note_refusal(error.code)
        flash(response, wiring, "error", error.message_vi, error.message_en)
    elif result is not None:
        vi, en = result()
        flash(response, wiring, "ok", vi, en)
    return response


# ---- page wrapper ----------------------------------------------------------------------------
def web_page(fn: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    """Turns a `Refusal` raised anywhere in a page handler into its response."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return await fn(*args, **kwargs)
        except Refusal as refusal:
            return refusal.response

    wrapper.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
    return wrapper
