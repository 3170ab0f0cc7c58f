"""The province scenario's WebSocket clients, in one place: how a display, a manager's
dashboard and a citizen's phone page connect, and a read loop handing every text
message to a callback.

Authentication: the token goes in an `Authorization: Bearer` header, never in the URL
(docs/security.md); a phone page needs none (its ticket's tracking token is in the path)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

API = "/api/v1"


def display_url(port: int, site_code: str) -> str:
    return f"ws://127.0.0.1:{port}{API}/ws/sites/{site_code}"


def manager_url(port: int) -> str:
    return f"ws://127.0.0.1:{port}{API}/ws/all"


def phone_url(port: int, tracking_token: str) -> str:
    return f"ws://127.0.0.1:{port}/t/{tracking_token}/ws"


async def open_stream(url: str, token: str | None = None) -> ClientConnection:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    # No permessage-deflate: the server turns it off for its small frames too.
    return await connect(url, additional_headers=headers, compression=None, open_timeout=30, ping_interval=None,
                         max_queue=None)


async def read_until(ws: ClientConnection, on_text: Callable[[str], bool]) -> bool:
    """Hand every text message to `on_text` until it returns True (True) or the server
    closes the stream (False)."""
    try:
        async for message in ws:
            if isinstance(message, str) and on_text(message):
                return True
    except ConnectionClosed:
        pass
    return False


async def close(ws: ClientConnection) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(ws.close(), 5)
