"""The citizen's ticket page `/t/{token}` (the URL in the ticket's QR code) and its live stream.

No login: the unguessable token is the key, and the page shows only what the printed ticket
already shows. The stream `/t/{token}/ws` never forwards the site's events: it watches them
on the server and sends the citizen's own ticket view when it changes (people ahead, called
to a counter, moved to another site), so nobody learns anything about other citizens.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.eventbus import Subscription
from queue_server.bootstrap import Wiring
from queue_server.service_layer.handlers import ticket_reply
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.web.templating import render, secure_headers
from shared.enums import EventType, TicketStatus
from shared.web_protocol import CitizenTicket, CitizenTicketMessage

router = APIRouter()
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SHOWS_COUNTER = {TicketStatus.CALLED.value, TicketStatus.SERVING.value, TicketStatus.HELD.value}
FINAL = {TicketStatus.DONE.value, TicketStatus.CANCELLED.value}
POLICY_VIOLATION = 1008


@dataclass(frozen=True)
class TicketKeys:
    """Internal ids used to pick the relevant events; never sent to the browser."""

    ticket_id: int
    site_id: int
    service_id: int


def citizen_ticket(uow: UnitOfWork, token: str) -> tuple[TicketKeys, dict[str, Any]] | None:
    if not TOKEN_RE.match(token):
        return None
    with uow:
        conn = uow.conn
        row = conn.execute(select(t.tickets.c.id, t.tickets.c.site_id, t.tickets.c.service_id)
                           .where(t.tickets.c.tracking_token == token)).first()
        if row is None:
            return None
        reply = ticket_reply(uow, row.id)
        site = repo.site_by_id(conn, row.site_id)
        state = CitizenTicket(
            label=reply["label"], status=reply["status"], site_code=site.code, site_name_vi=site.name_vi,
            site_name_en=site.name_en, site_address=site.address, site_latitude=site.latitude,
            site_longitude=site.longitude, service_name_vi=reply["service_name_vi"],
            service_name_en=reply["service_name_en"],
            counter_number=reply["counter_number"] if reply["status"] in SHOWS_COUNTER else None,
            people_ahead=reply.get("people_ahead"), estimated_wait_minutes=reply.get("estimated_wait_minutes"),
            wait=reply["wait"], issued_at=reply["issued_at"], called_at=reply["called_at"], moved_from=_moved_from(conn, row.id, site.id),
            final=reply["status"] in FINAL, rated=_rated(conn, row.id),
        )
        return TicketKeys(row.id, row.site_id, row.service_id), state.model_dump(mode="json")


def _moved_from(conn, ticket_id: int, site_id: int) -> dict[str, Any] | None:  # noqa: ANN001
    """The latest move of this ticket into the site it is at now (from the event log)."""
    e = t.ticket_events.c
    rows = conn.execute(select(e.at, e.data).where(e.ticket_id == ticket_id,
                                                   e.type == EventType.TICKET_TRANSFERRED.value)
                        .order_by(e.id.desc()).limit(4)).all()
    for at, data in rows:
        if data.get("to_site_id") == site_id and data.get("from_site_id") not in (None, site_id):
            before = repo.site_by_id(conn, data["from_site_id"])
            return {"label": data.get("old_label", ""), "site_name_vi": before.name_vi if before else "",
                    "site_name_en": before.name_en if before else "", "at": at}
    return None


def _rated(conn, ticket_id: int) -> bool:  # noqa: ANN001
    e = t.ticket_events.c
    return conn.execute(select(e.id).where(e.ticket_id == ticket_id, e.type == EventType.TICKET_RATED.value)
                        .limit(1)).first() is not None


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
def is_relevant(event: dict[str, Any], keys: TicketKeys) -> bool:
    """Could this site event change what this citizen sees?"""
    ticket = event.get("ticket") or {}
    if ticket.get("id") == keys.ticket_id:
        return True
    if ticket.get("service_id") == keys.service_id or str(keys.service_id) in (event.get("waiting") or {}):
        return True  # someone ahead was called, left or joined the line
    return str(event.get("type", "")).startswith("Counter")  # fewer or more counters serving


async def _next_relevant(sub: Subscription, keys: TicketKeys, receiver: asyncio.Task, timeout: float) -> None:
    """Return when a relevant event arrived (then swallow the burst that came with it),
    the client left, or `timeout` passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not receiver.done() and not sub.overflowed:
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        getter = asyncio.ensure_future(sub.queue.get())
        done, _ = await asyncio.wait({getter, receiver}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
            return
        if is_relevant(json.loads(getter.result()), keys):
            await asyncio.sleep(0.05)  # a call and its waiting-count change come together
            while not sub.queue.empty():
                sub.queue.get_nowait()
            return


async def _drain_client(ws: WebSocket) -> None:
    try:
        while True:
            if (await ws.receive())["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError):
        return


@router.websocket("/t/{token}/ws")
async def ticket_stream(ws: WebSocket, token: str) -> None:
    wiring: Wiring = ws.app.state.wiring
    found = await _state(wiring, token)
    if found is None:
        await ws.close(code=POLICY_VIOLATION, reason="not_found")
        return
    keys = found[0]
    # Subscribed before the first state is read, so no change can fall in between.
    sub = wiring.bus.subscribe(keys.site_id, kind="citizen")
    try:
        await ws.accept()
        receiver = asyncio.create_task(_drain_client(ws))
        last: dict[str, Any] | None = None
        interval = wiring.settings.ws_heartbeat_seconds
        try:
            while not receiver.done():
                found = await _state(wiring, token)
                if found is None:
                    return
                keys, state = found
                if keys.site_id != sub.site_id or sub.overflowed:
                    # Moved to another site (or fell behind): follow the ticket's new site.
                    wiring.bus.unsubscribe(sub)
                    sub = wiring.bus.subscribe(keys.site_id, kind="citizen")
                    continue
                if state != last:
                    await ws.send_text(CitizenTicketMessage(ticket=state).model_dump_json())
                    last = state
                else:
                    await ws.send_text('{"kind":"heartbeat"}')
                await _next_relevant(sub, keys, receiver, interval)
        finally:
            receiver.cancel()
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
    finally:
        wiring.bus.unsubscribe(sub)
