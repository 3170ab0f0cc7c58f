"""Headers every HTTP answer carries, whatever produced it (API, pages, errors, files).

Pages set their own Content-Security-Policy (templating.secure_headers); anything else
that has none (JSON, PDFs, downloads) gets one that allows nothing, framing included. API
answers are never cached: they hold live queue state and, for citizens, their token.

A bug that escapes every handler still gets a bilingual JSON 500 with these headers
(Starlette's own fallback answers plain English text from outside this middleware); the
exception is raised on so the server logs it."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.api.errors import internal_error_response

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The interactive API docs load Swagger UI from its CDN; they keep only the framing rule.
DOCS_CSP = "frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, api_prefix: str = "/api/") -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy",
                                   DOCS_CSP if path.startswith(DOCS_PATHS) else STRICT_CSP)
                if path.startswith(self.api_prefix):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            if not started:
                await internal_error_response()(scope, receive, send_with_headers)
            raise
