"""The lobby display for TVs that only have a browser: `/display/{code}`.

Same layout, words, sizes and font as the Kivy display (shared/lobby_layout.py): who is
called where, the counters named by their services, the recent calls, the waiting and the
wait per service, the site's notice; calls are said aloud by the browser's speech (vi-VN) with
the same words the Kivy display says (numbers read in full, from shared.announcement).

The TV is paired once: a manager's one-time link `/display/pair/<code>` (see
service_layer/display_pairing.py) is exchanged for an HttpOnly cookie, then the browser is
sent to the clean `/display/{code}`. The page, its snapshot, its stream
(`/display/{code}/ws`, the public cut of the site stream) and its phrases all authenticate
by that cookie: the script never holds a credential and no URL carries one. An old
bookmark `/display/{code}?token=mcd_…` is exchanged the same way (and redacted in logs).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Query, Request, WebSocket
from fastapi.responses import JSONResponse, RedirectResponse, Response
from markupsafe import Markup

from queue_server.api.deps import Principal, principal_from_token
from queue_server.api.streaming import POLICY_VIOLATION, pump_events
from queue_server.bootstrap import Wiring
from queue_server.domain import account_commands as ac
from queue_server.domain.errors import DomainError
from queue_server.domain.public_view import public_counter
from queue_server.service_layer import display_pairing, views
from queue_server.web.session import set_cookie
from queue_server.web.templating import render, secure_headers
from shared import lobby_layout
from shared.announcement import call_phrase
from shared.enums import DeviceKind
from shared.labels import split_label
from shared.protocol import SiteSnapshot

router = APIRouter()
LegacyToken = Annotated[str | None, Query(max_length=200, deprecated=True)]
DISPLAY_COOKIE = "motcua_display"
COOKIE_DAYS = 400  # the longest a browser keeps a cookie; a TV stays paired until revoked


async def _display(wiring: Wiring, code: str, token: str | None) -> tuple[Principal, dict] | None:
    """The display device and its site if `token` (cookie secret or device token) is a
    display of site `code`, else None."""
    try:
        principal = await principal_from_token(wiring, token)
    except DomainError:
        return None
    device = principal.device
    if device is None or device.kind != DeviceKind.DISPLAY.value:
        return None

    def read() -> dict | None:
        with wiring.reader() as uow:
            try:
                site = views.get_site(uow.conn, code)
            except DomainError:
                return None
            return views.site_out(site) if site.id == device.site_id else None

    site = await wiring.run(read)
    return (principal, site) if site is not None else None


async def _display_site(wiring: Wiring, code: str, token: str | None) -> dict | None:
    found = await _display(wiring, code, token)
    return found[1] if found else None


def _paired(request: Request, wiring: Wiring, secret: str, site_code: str) -> Response:
    """Set the cookie and send the browser to the clean URL (kept: the voice choice)."""
    kept = {k: v for k, v in request.query_params.items() if k == "voice"}
    target = f"/display/{site_code}" + (f"?{urlencode(kept)}" if kept else "")
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, wiring, DISPLAY_COOKIE, secret, COOKIE_DAYS * 86400, path="/display")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/display/pair/{pairing_code}")
async def pair(pairing_code: str, request: Request) -> Response:
    wiring: Wiring = request.app.state.wiring
    found = await wiring.run(display_pairing.redeem, ac.RedeemPairingLink(pairing_code), wiring.uow())
    if found is None:
        return render(request, "display/refused.html", status=403, reason="pairing")
    return _paired(request, wiring, *found)


@router.get("/display/{code}")
async def display_page(code: str, request: Request, token: LegacyToken = None) -> Response:
    wiring: Wiring = request.app.state.wiring
    if token is not None:  # an old bookmark: swap the device token for a cookie, drop it from the URL
        found = await _display(wiring, code, token)
        if found is None:
            return render(request, "display/refused.html", status=403)
        secret = request.cookies.get(DISPLAY_COOKIE)
        if await _display_site(wiring, code, secret) is None:  # a TV booting on its bookmark: pair it once
            secret = await wiring.run(display_pairing.pair_device_token,
                                          ac.PairWithDeviceToken(found[0].device.id), wiring.uow())
        return _paired(request, wiring, secret, found[1]["code"])
    site = await _display_site(wiring, code, request.cookies.get(DISPLAY_COOKIE))
    if site is None:
        return render(request, "display/refused.html", status=403)
    voice = request.query_params.get("voice", "vi")
    short_names = await wiring.run(lambda: _short_names(wiring, site["id"]))
    return render(request, "display/display.html", site=site, lobby_css=Markup(lobby_layout.css_sizes()),
                  words=lobby_layout.words(),
                  config={"site_code": site["code"], "site_id": site["id"],
                          "time_zone": wiring.settings.time_zone,
                          "voice_en": "en" in voice.split(","), "voice": "off" not in voice.split(","),
                          "words": lobby_layout.words(), "short_names": short_names,
                          "recent_slots": lobby_layout.RECENT_SLOTS, "tile_columns": lobby_layout.TILE_COLUMNS,
                          "flash_seconds": lobby_layout.FLASH_SECONDS})


def _short_names(wiring: Wiring, site_id: int) -> dict[str, str]:
    """Service code → the short name counters are named by ("Tư pháp"), as the Kivy display."""
    with wiring.reader() as uow:
        return {s["code"]: lobby_layout.service_short_name(s["name_vi"])
                for s in views.site_services(uow.conn, site_id)}


@router.get("/display/{code}/snapshot")
async def display_snapshot(code: str, request: Request) -> Response:
    """The site snapshot for the paired TV, cut to what a lobby screen shows."""
    wiring: Wiring = request.app.state.wiring
    site = await _display_site(wiring, code, request.cookies.get(DISPLAY_COOKIE))
    if site is None:
        return JSONResponse({"code": "forbidden"}, status_code=403)
    snapshot = await wiring.run(views.site_snapshot, wiring.reader(), site["id"])
    snapshot["counters"] = [public_counter(c) for c in snapshot["counters"]]
    response = JSONResponse(SiteSnapshot.model_validate(snapshot).model_dump(mode="json"))
    secure_headers(request, response)
    return response


@router.websocket("/display/{code}/ws")
async def display_stream(ws: WebSocket, code: str) -> None:
    """The site stream for the paired TV (public cut), by its cookie. Revoking the device
    closes it like the device's own streams."""
    wiring: Wiring = ws.app.state.wiring
    origin = ws.headers.get("origin")
    if origin and urlsplit(origin).netloc != ws.headers.get("host"):
        await ws.close(code=POLICY_VIOLATION, reason="origin")  # another site's page riding the cookie
        return
    found = await _display(wiring, code, ws.cookies.get(DISPLAY_COOKIE))
    if found is None:
        await ws.close(code=POLICY_VIOLATION, reason="not_paired")
        return
    principal, site = found
    await pump_events(ws, wiring, site["id"], principal.device.token_hash, DeviceKind.DISPLAY.value)


@router.get("/display/{code}/phrase")
async def phrase(code: str, request: Request, label: Annotated[str, Query(max_length=12)],
                 counter: Annotated[int, Query(ge=0, le=9999)]) -> Response:
    """The words to say for a call, in Vietnamese and English (numbers in words)."""
    wiring: Wiring = request.app.state.wiring
    if await _display_site(wiring, code, request.cookies.get(DISPLAY_COOKIE)) is None:
        return JSONResponse({"code": "forbidden"}, status_code=403)
    try:
        split_label(label)
    except ValueError:
        return JSONResponse({"code": "invalid_label"}, status_code=422)
    body = {"vi": call_phrase(label, counter, "vi"), "en": call_phrase(label, counter, "en")}
    response = JSONResponse(body)
    secure_headers(request, response)
    response.headers["Cache-Control"] = "private, max-age=86400"  # behind the cookie: no shared cache
    return response
