"""Pumping a site's (or every site's) events down a WebSocket: the hello with the current
sequence numbers, the events in order, heartbeats on a quiet stream, and closing on a
revoked credential, an expired session or a client too slow to keep up. The API's
streams (api/routes/streams.py) and the web pages' streams (web/display.py,
web/dashboard.py) all go through here; the protocol is described in api/routes/streams.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime

from fastapi import WebSocket, WebSocketDisconnect
from sqlalchemy import select
from starlette.websockets import WebSocketState

from queue_server.adapters import tables as t
from queue_server.adapters.eventbus import CLOSED, HEARTBEAT, WAKE, Subscription
from queue_server.api.deps import Principal
from queue_server.bootstrap import Wiring

log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013
AUTH_SECONDS = 5.0  # a client authenticating by its first frame must send it this soon
# Lobby devices: their streams carry only what a lobby screen shows (domain/public_view.py).
PUBLIC_KINDS = frozenset({"display", "kiosk"})


def current_seqs(wiring: Wiring, site_id: int | None) -> dict[str, int]:
    stmt = select(t.sites.c.id, t.sites.c.event_seq)
    if site_id is not None:
        stmt = stmt.where(t.sites.c.id == site_id)
    with wiring.reader() as uow:
        return {str(sid): seq for sid, seq in uow.conn.execute(stmt).all()}


def stream_kind(principal: Principal) -> str:
    if principal.device is not None:
        return principal.device.kind
    return "manager" if principal.is_manager else "staff"


def session_end(principal: Principal) -> datetime | None:
    return principal.staff.session_expires_at if principal.staff is not None else None


async def stream_token(ws: WebSocket, legacy_query_token: str | None) -> str | None:
    """The client's token: from the Authorization header, else the first frame (the
    socket is accepted to read it), else a legacy `?token=`."""
    header = ws.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    if legacy_query_token:
        log.warning("a stream client sent its token in the URL (%s); update it to send a header", ws.url.path)
        return legacy_query_token
    await ws.accept()
    try:
        first = json.loads(await asyncio.wait_for(ws.receive_text(), timeout=AUTH_SECONDS))
    except (TimeoutError, ValueError, KeyError, WebSocketDisconnect, RuntimeError):
        return None
    token = first.get("token") if isinstance(first, dict) and first.get("kind") == "auth" else None
    return token if isinstance(token, str) else None


async def pump_events(ws: WebSocket, wiring: Wiring, site_id: int | None, credential: str = "",
                      kind: str = "other", expires_at: datetime | None = None) -> None:
    """`credential`: the hash of the token the client connected with; revoking that token
    (a lost kiosk, a logout) closes this stream with 1008 at once. A staff session's stream
    also closes (1008 "expired") when the session expires."""
    sub = wiring.bus.subscribe(site_id, credential=credential, kind=kind, public=kind in PUBLIC_KINDS)
    loop = asyncio.get_running_loop()
    timer: asyncio.TimerHandle | None = None

    def beat() -> None:
        """Offer a heartbeat when nothing was sent for the heartbeat interval, and look at
        the session's end: one timer per connection, never a task per message."""
        nonlocal timer
        if expires_at is not None and wiring.clock() >= expires_at:
            sub.expire()
            return
        interval = wiring.settings.ws_heartbeat_seconds
        idle = loop.time() - sub.last_sent
        if idle >= interval * 0.99:
            sub.offer_control(HEARTBEAT)
            sub.last_sent = loop.time()
            idle = 0.0
        timer = loop.call_later(interval - idle, beat)

    try:
        if ws.application_state is not WebSocketState.CONNECTED:  # not accepted to read a first-frame token
            await ws.accept()
        seqs = await wiring.run(current_seqs, wiring, site_id)
        await ws.send_text(json.dumps({"kind": "hello", "seqs": seqs}))
        sub.last_sent = loop.time()
        timer = loop.call_later(wiring.settings.ws_heartbeat_seconds, beat)
        receiver = asyncio.create_task(_drain_client(ws, sub))
        try:
            await _send_loop(ws, wiring, sub, site_id, seqs)
        finally:
            receiver.cancel()
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
    finally:
        if timer is not None:
            timer.cancel()
        wiring.bus.unsubscribe(sub)


async def _drain_client(ws: WebSocket, sub: Subscription) -> None:
    """Clients send nothing we need; reading is how a disconnect is noticed."""
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        sub.offer_control(CLOSED)


async def _send_loop(ws: WebSocket, wiring: Wiring, sub: Subscription, site_id: int | None,
                     seqs: dict[str, int]) -> None:
    """One plain loop on the subscription's queue: event texts (serialized once per event
    for every subscriber), heartbeats, a wake-up to look at the flags, or the end."""
    loop = asyncio.get_running_loop()
    get = sub.queue.get
    while True:
        text = await get()
        if text is CLOSED or sub.closed:
            return
        if sub.revoked or sub.expired:
            await ws.close(code=POLICY_VIOLATION, reason="revoked" if sub.revoked else "expired")
            return
        if text is WAKE:
            continue
        if sub.overflowed:
            await ws.close(code=TRY_AGAIN_LATER, reason="too_slow")
            return
        if text is HEARTBEAT:
            latest = {k: max(v, wiring.bus.latest_seq.get(int(k), 0)) for k, v in seqs.items()}
            if site_id is None:
                latest.update({str(k): v for k, v in wiring.bus.latest_seq.items()})
            text = json.dumps({"kind": "heartbeat", "seqs": latest})
        await ws.send_text(text)
        sub.last_sent = loop.time()
