"""The citizen's ticket page `/t/{token}` (the URL in the ticket's QR code) and its live stream.

No login: the unguessable token is the key, and the page shows only what the printed ticket
already shows. The stream `/t/{token}/ws` never forwards the site's events: the site's
watcher (ticket_pages.py) follows them on the server and sends the citizen's own ticket view
when it changes (people ahead, called to a counter, moved to another site), so nobody
learns anything about other citizens, and no open page costs a database read per event.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, Response

from queue_server.api.client_address import client_address
from queue_server.bootstrap import Wiring
from queue_server.web.citizen_views import TicketKeys, citizen_ticket
from queue_server.web.templating import render, secure_headers
from queue_server.web.ticket_pages import Page, TicketPageHub, serve_page
from shared.web_protocol import CitizenTicketMessage

router = APIRouter()
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


async def _state(wiring: Wiring, token: str) -> tuple[TicketKeys, dict[str, Any]] | None:
    return await wiring.run(citizen_ticket, wiring.reader(), token)


# ---- the page --------------------------------------------------------------------------------
@router.get("/t/{token}")
async def ticket_page(token: str, request: Request) -> Response:
    wiring: Wiring = request.app.state.wiring
    found = await _state(wiring, token)
    if found is None:
        return render(request, "citizen/not_found.html", status=404)
    return render(request, "citizen/ticket.html", ticket=found[1],
                  lang="en" if request.query_params.get("lang") == "en" else "vi")


@router.get("/t/{token}/state")
async def ticket_state(token: str, request: Request) -> Response:
    """The same view as JSON: for phones whose network blocks WebSockets (polled)."""
    found = await _state(request.app.state.wiring, token)
    body = {"kind": "not_found"} if found is None else CitizenTicketMessage(ticket=found[1]).model_dump(mode="json")
    response = JSONResponse(body, status_code=404 if found is None else 200)
    secure_headers(request, response)
    return response


# ---- the live stream -------------------------------------------------------------------------
def page_hub(app) -> TicketPageHub:  # noqa: ANN001
    hub = getattr(app.state, "ticket_pages", None)
    if hub is None:
        hub = app.state.ticket_pages = TicketPageHub(app.state.wiring)
    return hub


@router.websocket("/t/{token}/ws")
async def ticket_stream(ws: WebSocket, token: str) -> None:
    wiring: Wiring = ws.app.state.wiring
    found = await _state(wiring, token)
    if found is None:
        await ws.close(code=POLICY_VIOLATION, reason="not_found")
        return
    keys, state = found
    hub = page_hub(ws.app)
    page = Page(keys.ticket_id, client_address(ws.scope, wiring.settings.proxy_networks))
    refused = hub.refusal(page.ticket_id, page.address)
    try:
        await ws.accept()
        if refused:
            await ws.close(code=TRY_AGAIN_LATER, reason=refused)
            return
        await serve_page(ws, hub, page, keys, state)
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
