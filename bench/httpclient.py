"""A keep-alive HTTP/1.1 client just fast enough to load a server from one process.

httpx spends more CPU per request than the server under test does for a bare endpoint,
so on a 2-core machine it would measure itself. This client writes pre-built request
bytes and reads `Content-Length` framed replies (uvicorn sends no chunked JSON), which
is all the benchmark needs. Not a general HTTP client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any


class HttpError(Exception):
    pass


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
            self._writer = None

    def build(self, method: str, path: str, body: Any = None, token: str | None = None) -> bytes:
        """Request bytes, built once and sent many times."""
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive"]
        if token:
            lines.append(f"Authorization: Bearer {token}")
        if body is not None:
            lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(payload)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        if self._writer is None or self._reader is None:
            await self.open()
        assert self._writer is not None and self._reader is not None
        self._writer.write(raw)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lowered = name.strip().lower()
            if lowered == b"content-length":
                length = int(value)
            elif lowered == b"transfer-encoding":
                raise HttpError("chunked replies are not supported by the bench client")
        body = await self._reader.readexactly(length) if length else b""
        return status, body

    async def send_reconnecting(self, raw: bytes) -> tuple[int, bytes]:
        """`send`, on a new connection if the server had closed this one while it sat idle
        (uvicorn closes keep-alive connections after 5 s): such a request never reached it."""
        try:
            return await self.send(raw)
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.close()
            await self.open()
            return await self.send(raw)

    async def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        status, raw = await self.send(self.build(method, path, body, token))
        return status, (json.loads(raw) if raw else None)
