"""The lobby display for TVs that only have a browser: `/display/{code}?token=<display token>`.

Same layout, words, sizes and font as the Kivy display (shared/lobby_layout.py): who is
called where, the counters named by their services, the recent calls, the waiting and the
wait per service, the site's notice; calls are said aloud by the browser's speech (vi-VN) with
the same words the Kivy display says (numbers read in full, from shared.announcement).
The page follows the site stream `/api/v1/ws/sites/{code}` with the device's own token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from queue_server.api.deps import principal_from_token
from queue_server.bootstrap import Wiring
from queue_server.domain.errors import DomainError
from queue_server.service_layer import views
from queue_server.web.templating import render, secure_headers
from shared import lobby_layout
from shared.announcement import call_phrase
from shared.enums import DeviceKind
from shared.labels import split_label

router = APIRouter()
Token = Annotated[str | None, Query(max_length=200)]


async def _display_site(wiring: Wiring, code: str, token: str | None) -> dict | None:
    """The site if `token` is a display device of this site, else None."""
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

    return await wiring.run(read)


@router.get("/display/{code}")
async def display_page(code: str, request: Request, token: Token = None) -> Response:
    wiring: Wiring = request.app.state.wiring
    site = await _display_site(wiring, code, token)
    if site is None:
        return render(request, "display/refused.html", status=403)
    voice = request.query_params.get("voice", "vi")
    short_names = await wiring.run(lambda: _short_names(wiring, site["id"]))
    return render(request, "display/display.html", site=site, lobby_css=Markup(lobby_layout.css_sizes()),
                  words=lobby_layout.words(),
                  config={"site_code": site["code"], "site_id": site["id"], "token": token,
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


@router.get("/display/{code}/phrase")
async def phrase(code: str, request: Request, label: Annotated[str, Query(max_length=12)],
                 counter: Annotated[int, Query(ge=0, le=9999)], token: Token = None) -> Response:
    """The words to say for a call, in Vietnamese and English (numbers in words)."""
    wiring: Wiring = request.app.state.wiring
    if await _display_site(wiring, code, token) is None:
        return JSONResponse({"code": "forbidden"}, status_code=403)
    try:
        split_label(label)
    except ValueError:
        return JSONResponse({"code": "invalid_label"}, status_code=422)
    body = {"vi": call_phrase(label, counter, "vi"), "en": call_phrase(label, counter, "en")}
    response = JSONResponse(body)
    secure_headers(request, response, private=False)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
