"""WebSocket streams: per site (displays, kiosks), per counter (staff), all sites (managers).

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
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from sqlalchemy import select

from queue_server.adapters import tables as t
from queue_server.api.deps import Principal, principal_from_token
from queue_server.bootstrap import Wiring
from queue_server.domain.errors import DomainError, Forbidden, NotFound
from queue_server.service_layer import views

log = logging.getLogger(__name__)
router = APIRouter(prefix="/ws", tags=["realtime"])

Token = Annotated[str | None, Query(max_length=200)]
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


def current_seqs(wiring: Wiring, site_id: int | None) -> dict[str, int]:
    stmt = select(t.sites.c.id, t.sites.c.event_seq)
    if site_id is not None:
        stmt = stmt.where(t.sites.c.id == site_id)
    with wiring.reader() as uow:
        return {str(sid): seq for sid, seq in uow.conn.execute(stmt).all()}


async def _authorize(ws: WebSocket, token: str | None, check) -> tuple[Wiring, int | None] | None:  # noqa: ANN001
    wiring: Wiring = ws.app.state.wiring
    try:
        principal = await principal_from_token(wiring, token)
        site_id = await wiring.run(check, wiring, principal)
    except DomainError as exc:
        await ws.close(code=POLICY_VIOLATION, reason=exc.code)
        return None
    return wiring, site_id


async def pump_events(ws: WebSocket, wiring: Wiring, site_id: int | None) -> None:
    sub = wiring.bus.subscribe(site_id)
    try:
        await ws.accept()
        seqs = await wiring.run(current_seqs, wiring, site_id)
        await ws.send_text(json.dumps({"kind": "hello", "seqs": seqs}))
        receiver = asyncio.create_task(_drain_client(ws))
        try:
            await _send_loop(ws, wiring, sub, site_id, seqs, receiver)
        finally:
            receiver.cancel()
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
    finally:
        wiring.bus.unsubscribe(sub)


async def _drain_client(ws: WebSocket) -> None:
    """Clients send nothing we need; reading is how a disconnect is noticed."""
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError):
        return


async def _send_loop(ws, wiring: Wiring, sub, site_id, seqs: dict[str, int], receiver) -> None:  # noqa: ANN001
    interval = wiring.settings.ws_heartbeat_seconds
    while not receiver.done():
        getter = asyncio.ensure_future(sub.queue.get())
        done, _ = await asyncio.wait({getter, receiver}, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
            if receiver in done:
                return
            latest = {k: max(v, wiring.bus.latest_seq.get(int(k), 0)) for k, v in seqs.items()}
            if site_id is None:
                latest.update({str(k): v for k, v in wiring.bus.latest_seq.items()})
            await ws.send_text(json.dumps({"kind": "heartbeat", "seqs": latest}))
            continue
        if sub.overflowed:
            await ws.close(code=TRY_AGAIN_LATER, reason="too_slow")
            return
        await ws.send_text(getter.result())


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
