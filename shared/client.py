"""The client every app uses to talk to the queue server: HTTP calls and live streams.

`MotcuaClient` wraps the HTTP API (async httpx) and turns error replies into `ApiError`
with the server's Vietnamese and English messages. `LiveSite` follows a site's state:
it subscribes to the stream, loads the snapshot, applies events in sequence order, and
on a gap, a heartbeat ahead of it, or a lost connection, reconnects with backoff and
reloads the snapshot. A display or counter built on it cannot go stale silently.

Several server processes (PostgreSQL) can stand behind one site: give the client a list
of URLs (a sequence, or one string with commas, as the apps' `server_url` settings
accept). A request that cannot even connect is tried on the next URL at once (it never
reached a server, so it cannot have been done twice); any other lost request, and every
lost stream, moves the client to the next URL for what follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import httpx
import websockets

from .protocol import (
    CounterSnapshot,
    IssueTicketIn,
    LoginOut,
    PublicTicketOut,
    SiteSnapshot,
    TicketOut,
)

log = logging.getLogger(__name__)
API = "/api/v1"


class ApiError(Exception):
    """The server refused a request; `message` is Vietnamese, `message_en` English."""

    def __init__(self, status: int, code: str, message: str, message_en: str = "") -> None:
        super().__init__(f"{status} {code}: {message_en or message}")
        self.status, self.code, self.message, self.message_en = status, code, message, message_en

    @classmethod
    def from_response(cls, r: httpx.Response) -> ApiError:
        """The server's refusal as it sent it; a body that is not JSON (a proxy's page) keeps
        its first characters as the message."""
        try:
            body = r.json()
        except ValueError:
            body = {}
        return cls(r.status_code, body.get("code", "http_error"), body.get("message", r.text[:200]),
                   body.get("message_en", ""))


class ServerUnreachable(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(0, "unreachable", "Không kết nối được máy chủ. Đang thử lại…",
                         f"Cannot reach the server ({detail}). Retrying…")


def parse_server_urls(value: str | Sequence[str]) -> list[str]:
    """"http://a:8000, http://b:8000/" or ["http://a:8000", …] -> ["http://a:8000", "http://b:8000"]."""
    items = value.split(",") if isinstance(value, str) else list(value)
    urls = [item.strip().rstrip("/") for item in items if item.strip()]
    if not urls:
        raise ValueError("no server URL given")
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"server URL {url!r} must start with http:// or https://")
    return urls


def valid_server_urls(value: str | Sequence[str]) -> bool:
    """Whether settings name one server URL or several (comma-separated), all http(s)."""
    try:
        parse_server_urls(value)
    except ValueError:
        return False
    return True


class MotcuaClient:
    def __init__(self, base_url: str | Sequence[str], token: str | None = None, *, timeout: float = 5.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_urls = parse_server_urls(base_url)
        self._current = 0
        self.token = token
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    @property
    def base_url(self) -> str:
        """The server URL in use now."""
        return self.base_urls[self._current]

    def fail_over(self) -> str:
        """Move to the next server URL (the same one when there is only one)."""
        self._current = (self._current + 1) % len(self.base_urls)
        if len(self.base_urls) > 1:
            log.warning("switching to server %s", self.base_url)
        return self.base_url

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> MotcuaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def ws_base(self) -> str:
        return "ws" + self.base_url.removeprefix("http")

    async def request(self, method: str, path: str, *, json_body: Any = None, params: dict | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        for attempt in range(len(self.base_urls)):
            try:
                r = await self._http.request(method, self.base_url + API + path, json=json_body, params=params,
                                             headers=headers)
                break
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Never reached a server: safe to try the next one at once, even for a POST.
                self.fail_over()
                if attempt == len(self.base_urls) - 1:
                    raise ServerUnreachable(type(exc).__name__) from exc
            except httpx.HTTPError as exc:
                # It may have been done; the caller decides whether to retry (on the next URL).
                self.fail_over()
                raise ServerUnreachable(type(exc).__name__) from exc
        if r.status_code >= 400:
            raise ApiError.from_response(r)
        return None if r.status_code == 204 else r.json()

    # ---- typed calls ----
    async def login(self, username: str, password: str) -> LoginOut:
        out = LoginOut.model_validate(
            await self.request("POST", "/auth/login", json_body={"username": username, "password": password}))
        self.token = out.token
        return out

    async def issue_ticket(self, body: IssueTicketIn) -> TicketOut:
        return TicketOut.model_validate(
            await self.request("POST", "/tickets", json_body=body.model_dump(exclude_none=True)))

    async def site_snapshot(self, site_code: str) -> SiteSnapshot:
        return SiteSnapshot.model_validate(await self.request("GET", f"/sites/{quote(site_code)}/snapshot"))

    async def counter_snapshot(self, counter_id: int) -> CounterSnapshot:
        return CounterSnapshot.model_validate(await self.request("GET", f"/counters/{counter_id}"))

    async def counter_action(self, counter_id: int, action: str, body: dict | None = None) -> dict[str, Any]:
        return await self.request("POST", f"/counters/{counter_id}/{action}", json_body=body)

    async def public_ticket(self, token: str) -> PublicTicketOut:
        return PublicTicketOut.model_validate(await self.request("GET", f"/public/tickets/{quote(token)}"))

    async def get(self, path: str, **params: Any) -> Any:
        return await self.request("GET", path, params={k: v for k, v in params.items() if v is not None})


class StreamState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"  # shown discreetly: "đang kết nối lại"
    STOPPED = "stopped"


class LiveSite:
    """Follows one site through a stream path (`/ws/sites/CODE` or `/ws/counters/ID`).

    `load_snapshot()` returns an object with a `seq`; `on_snapshot(snapshot)` and
    `on_event(event_dict)` update the app; `on_state(StreamState)` drives the marker.
    """

    def __init__(self, client: MotcuaClient, stream_path: str, site_id: int | None,
                 load_snapshot: Callable[[], Awaitable[Any]], on_snapshot: Callable[[Any], None],
                 on_event: Callable[[dict[str, Any]], None], on_state: Callable[[StreamState], None] = lambda s: None,
                 *, max_backoff: float = 10.0) -> None:
        self.client = client
        self.stream_path = stream_path
        self.site_id = site_id
        self.load_snapshot = load_snapshot
        self.on_snapshot, self.on_event, self.on_state = on_snapshot, on_event, on_state
        self.max_backoff = max_backoff
        self.last_seq = -1
        self.resyncs = 0
        self._stopping = False

    def stop(self) -> None:
        self._stopping = True

    async def run(self) -> None:
        delay = 0.5
        self.on_state(StreamState.CONNECTING)
        while not self._stopping:
            url = self.client.base_url
            try:
                await self._session()
                delay = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: back off, reconnect (next URL), resync
                log.info("stream %s lost: %s", self.stream_path, exc)
                if self.client.base_url == url:  # a failed request may have moved on already
                    self.client.fail_over()
            if self._stopping:
                break
            self.on_state(StreamState.RECONNECTING)
            await asyncio.sleep(delay * (0.75 + random.random() / 2))
            delay = min(delay * 2, self.max_backoff)
        self.on_state(StreamState.STOPPED)

    async def _resync(self) -> None:
        snapshot = await self.load_snapshot()
        self.resyncs += 1
        self.last_seq = snapshot.seq
        self.on_snapshot(snapshot)

    async def _session(self) -> None:
        # The token goes in a header, never in the URL (URLs are written to access logs).
        headers = {"Authorization": f"Bearer {self.client.token}"} if self.client.token else {}
        url = f"{self.client.ws_base}{API}{self.stream_path}"
        async with websockets.connect(url, open_timeout=5, ping_interval=20, ping_timeout=20, compression=None,
                                      max_size=2**20, additional_headers=headers) as ws:
            # Subscribed first, snapshot second: nothing between the two can be missed.
            hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            await self._resync()
            self.on_state(StreamState.LIVE)
            self._check_heartbeat(hello)
            async for raw in ws:
                if self._stopping:
                    return
                message = json.loads(raw)
                kind = message.get("kind")
                if kind == "event":
                    await self._apply(message)
                elif kind == "heartbeat" and self._check_heartbeat(message):
                    await self._resync()

    def _check_heartbeat(self, message: dict[str, Any]) -> bool:
        if self.site_id is None:
            return False
        return message.get("seqs", {}).get(str(self.site_id), -1) > self.last_seq

    async def _apply(self, event: dict[str, Any]) -> None:
        if self.site_id is not None and event.get("site_id") != self.site_id:
            return
        seq = event["seq"]
        if seq <= self.last_seq:
            return  # already in the snapshot
        if seq != self.last_seq + 1:
            await self._resync()  # a gap: the snapshot is the truth
            return
        self.last_seq = seq
        self.on_event(event)


async def cancel_quietly(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
