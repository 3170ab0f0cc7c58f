"""Request guard in front of every route: body size and NUL characters.

The size is counted as the body arrives, so a chunked request without Content-Length is
stopped at the limit instead of being read whole. NUL characters in the path or query
are refused up front: PostgreSQL cannot store them and SQLite would, so refusing them
keeps both databases alike and no client mistake becomes a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _error(status: int, code: str, vi: str, en: str) -> tuple[int, bytes]:
    return status, json.dumps({"code": code, "message": vi, "message_en": en}, ensure_ascii=False).encode()


TOO_LARGE = _error(413, "too_large", "Dữ liệu gửi lên quá lớn.", "The request body is too large.")
LENGTH_REQUIRED = _error(411, "length_required", "Thiếu độ dài dữ liệu (Content-Length).",
                         "Uploads must send a Content-Length header.")
NUL_REFUSED = _error(422, "invalid_input", "Dữ liệu gửi lên chứa ký tự không hợp lệ.",
                     "The request contains a NUL character.")


class RequestGuard:
    def __init__(self, app: ASGIApp, *, max_bytes: int, upload_bytes: int | None = None,
                 is_upload: Callable[[str, str], bool] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes or max_bytes
        self.is_upload = is_upload or (lambda method, path: False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            if scope["type"] == "http":
                await _respond(send, NUL_REFUSED)
            else:
                await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        upload = self.is_upload(scope["method"], scope["path"])
        limit = self.upload_bytes if upload else self.max_bytes
        if upload and length is None:
            # A chunked upload would be spooled whole before any limit applied.
            await _respond(send, LENGTH_REQUIRED)
            return
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _respond(send, TOO_LARGE)
            return
        received = 0
        started = responded = False

        async def counted_receive() -> Message:
            nonlocal received, responded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer 413 ourselves and tell the app the client left, so it stops
                    # reading (raising here would be turned into a 400 by the framework).
                    if not started and not responded:
                        responded = True
                        await _respond(send, TOO_LARGE)
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if responded:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except Exception:
            if not responded:
                raise


async def _respond(send: Send, error: tuple[int, bytes]) -> None:
    status, body = error
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
