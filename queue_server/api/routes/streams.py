"""WebSocket streams: per site (displays, kiosks), per counter (staff), all sites (managers).

Credentials never ride in the URL (URLs end up in access logs, proxies and browser
history): a client sends `Authorization: Bearer <token>` with the upgrade request, or, when
it cannot set headers (a browser), sends `{"kind": "auth", "token": …}` as its first frame
within AUTH_SECONDS. `?token=` still works for clients older than this change; the access
log redacts it (api/log_redaction.py) and the server logs a warning without the token.

Protocol (JSON text frames): first a `hello` with the current sequence number of each
site in the stream, then `event` messages in order, and a `heartbeat` with the latest
sequence numbers whenever the stream is quiet. A client keeps the seq of its last
snapshot; an event with a gap, or a heartbeat ahead of it, means it missed something:
it fetches the snapshot again. Nothing lives only in the stream.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from sqlalchemy import select
from starlette.websockets import WebSocketState

from queue_server.adapters import tables as t
from queue_server.adapters.eventbus import CLOSED, HEARTBEAT, WAKE, Subscription
from queue_server.adapters.secrets import token_digest
from queue_server.api.deps import Principal, principal_from_token
from queue_server.bootstrap import Wiring
from queue_server.domain.errors import DomainError, Forbidden, NotFound
from queue_server.service_layer import views

log = logging.getLogger(__name__)
router = APIRouter(prefix="/ws", tags=["realtime"])

Token = Annotated[str | None, Query(max_length=200, deprecated=True,
                                     description="Old clients only: send an Authorization header instead")]
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


async def _authorize(ws: WebSocket, token: str | None, check):  # noqa: ANN001, ANN202
    wiring: Wiring = ws.app.state.wiring
    try:
        token = await stream_token(ws, token)
        principal = await principal_from_token(wiring, token)
        site_id = await wiring.run(check, wiring, principal)
    except DomainError as exc:
        await ws.close(code=POLICY_VIOLATION, reason=exc.code)
        return None
    return wiring, site_id, token_digest(token or ""), stream_kind(principal), session_end(principal)


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


def _site_check(code: str):  # noqa: ANN202
    def check(wiring: Wiring, principal: Principal) -> int:
        with wiring.reader() as uow:
            site = views.get_site(uow.conn, code)
        if not principal.may_act_on_site(site.id):
            raise Forbidden("Thuộc điểm phục vụ khác.", "Belongs to another site.")
        return site.id
    return check


@router.websocket("/sites/{code}")
async def site_stream(ws: WebSocket, code: str, token: Token = None) -> None:
    auth = await _authorize(ws, token, _site_check(code))
    if auth:
        await pump_events(ws, *auth)


@router.websocket("/counters/{counter_id}")
async def counter_stream(ws: WebSocket, counter_id: int, token: Token = None) -> None:
    def check(wiring: Wiring, principal: Principal) -> int:
        if principal.staff is None:
            raise Forbidden("Dành cho cán bộ.", "For staff.")
        with wiring.reader() as uow:
            site_id = uow.conn.execute(select(t.counters.c.site_id).where(t.counters.c.id == counter_id)).scalar()
        if site_id is None:
            raise NotFound("Không tìm thấy quầy.", "Counter not found.")
        if not principal.may_act_on_site(site_id):
            raise Forbidden("Quầy thuộc điểm phục vụ khác.", "Counter belongs to another site.")
        return site_id

    # The counter gets its whole site's stream: the clerk sees new tickets and the other
    # counters' calls, and gap detection on the site's seq stays exact.
    auth = await _authorize(ws, token, check)
    if auth:
        await pump_events(ws, *auth)


@router.websocket("/all")
async def all_sites_stream(ws: WebSocket, token: Token = None) -> None:
    def check(wiring: Wiring, principal: Principal) -> None:
        if not principal.is_manager:
            raise Forbidden("Dành cho quản lý.", "For managers.")
        return None

    auth = await _authorize(ws, token, check)
    if auth:
        await pump_events(ws, *auth)
