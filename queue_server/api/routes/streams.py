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

from typing import Annotated

from fastapi import APIRouter, Query, WebSocket
from sqlalchemy import select

from queue_server.adapters import tables as t
from queue_server.adapters.secrets import token_digest
from queue_server.api.deps import Principal, principal_from_token
from queue_server.api.streaming import (
    POLICY_VIOLATION,
    pump_events,
    session_end,
    stream_kind,
    stream_token,
)
from queue_server.bootstrap import Wiring
from queue_server.domain.errors import DomainError, Forbidden, NotFound
from queue_server.service_layer import views

router = APIRouter(prefix="/ws", tags=["realtime"])

Token = Annotated[str | None, Query(max_length=200, deprecated=True,
                                     description="Old clients only: send an Authorization header instead")]


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
