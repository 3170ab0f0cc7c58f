"""What the counter app needs from the server, as one small async interface.

`HttpGateway` is the real one (the shared `MotcuaClient` and `LiveSite`); tests and the
offline demo use `counter_client.fakes.FakeGateway`. The presenter only sees this.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from shared.agency_protocol import ForwardIn
from shared.client import API, ApiError, LiveSite, MotcuaClient, ServerUnreachable, StreamState
from shared.dossier_protocol import (
    CounterRatingIn,
    DossierOut,
    DossierPage,
    DossierTransitionIn,
    FeeOut,
    RatingOut,
    ReceiveDossierIn,
    UploadedAttachmentOut,
)
from shared.identity_protocol import CitizenDocumentsOut, ProcedureFeeOut, ReadPurpose
from shared.protocol import (
    CounterSnapshot,
    LoginOut,
    ProcedurePage,
    ServiceOut,
    SiteOut,
    SiteSnapshot,
    TicketOut,
)


class Follower(Protocol):
    def stop(self) -> None: ...


class CounterGateway(Protocol):
    async def login(self, username: str, password: str) -> LoginOut: ...
    async def logout(self) -> None: ...
    async def sites(self) -> list[SiteOut]: ...
    async def site_snapshot(self, site_code: str) -> SiteSnapshot: ...
    async def site_services(self, site_code: str) -> list[ServiceOut]: ...
    async def counter_snapshot(self, counter_id: int) -> CounterSnapshot: ...
    async def counter_action(self, counter_id: int, action: str, body: dict | None = None) -> TicketOut | None: ...
    async def nearby(self, procedure_code: str, site_code: str) -> dict[str, Any]: ...

    def follow_counter(self, counter_id: int, site_id: int, on_snapshot: Callable[[CounterSnapshot], None],
                       on_event: Callable[[dict[str, Any]], None],
                       on_state: Callable[[StreamState], None]) -> Follower: ...

    async def aclose(self) -> None: ...


class DossierGateway(Protocol):
    """Receiving, digitizing and printing a dossier (the server's dossier API)."""

    async def search_procedures(self, query: str, site_code: str, limit: int = 20) -> ProcedurePage: ...
    async def receive_dossier(self, counter_id: int, body: ReceiveDossierIn) -> DossierOut: ...
    async def upload_files(self, code: str, files: list[tuple[str, bytes]],
                           document_index: int | None = None) -> list[UploadedAttachmentOut]: ...
    async def receipt_pdf(self, code: str, pin: str | None, page: str = "A5") -> bytes: ...
    async def change_dossier(self, code: str, body: DossierTransitionIn) -> DossierOut: ...
    async def supplement_pdf(self, code: str, page: str = "A5") -> bytes: ...
    async def forward_dossier(self, code: str, body: ForwardIn) -> DossierOut: ...
    async def dossier(self, code: str) -> DossierOut: ...
    async def dossiers_of_ticket(self, ticket_id: int) -> DossierPage: ...
    async def rate(self, counter_id: int, body: CounterRatingIn) -> RatingOut: ...
    async def procedure_fee(self, code: str) -> ProcedureFeeOut: ...
    async def citizen_documents(self, counter_id: int, id_number: str, id_kind: str,
                                purpose: ReadPurpose) -> CitizenDocumentsOut: ...
    async def pay_fee(self, code: str, method: str) -> FeeOut: ...
    async def fee_receipt_pdf(self, code: str, page: str = "A5") -> bytes: ...


# Actions whose reply is the ticket acted upon; the others reply with the counter.
TICKET_ACTIONS = frozenset({"call-next", "call", "recall", "start", "finish", "no-show", "hold", "resume", "transfer"})


class _LiveFollower:
    def __init__(self, live: LiveSite) -> None:
        self.live = live
        self.task = asyncio.get_running_loop().create_task(live.run())

    def stop(self) -> None:
        self.live.stop()
        self.task.cancel()


# Idle connections are dropped well before the server's keep-alive (uvicorn: 5 s) ends
# them. Reusing a connection the server is closing at that very instant still happens when
# the UI thread was busy (seen under load): the request is refused unread ("server
# disconnected without sending a response"), so it is sent once more on a new connection.
# Other failures are never repeated: an action that may have reached the server is not
# sent twice.
KEEPALIVE_SECONDS = 2.0
_UNREAD = "Server disconnected without sending a response"


class _ReconnectingTransport(httpx.AsyncHTTPTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.RemoteProtocolError as exc:
            if not str(exc).startswith(_UNREAD):
                raise
            return await super().handle_async_request(request)


def _transport() -> httpx.AsyncHTTPTransport:
    return _ReconnectingTransport(retries=1, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS))


class HttpGateway:
    def __init__(self, base_url: str, *, timeout: float = 8.0, max_backoff: float = 10.0) -> None:
        self.client = MotcuaClient(base_url, timeout=timeout, transport=_transport())
        # Scans and PDFs travel on their own connections, with time for a slow network:
        # a 20-page upload must not time out, and must not hold up the clerk's buttons.
        self._files = httpx.AsyncClient(base_url=self.client.base_url + API, timeout=120.0, transport=_transport())
        self.max_backoff = max_backoff

    async def login(self, username: str, password: str) -> LoginOut:
        return await self.client.login(username, password)

    async def logout(self) -> None:
        if self.client.token:
            with contextlib.suppress(Exception):  # leaving must work even when the server is gone
                await self.client.request("POST", "/auth/logout")
        self.client.token = None

    async def sites(self) -> list[SiteOut]:
        return [SiteOut.model_validate(s) for s in await self.client.get("/sites")]

    async def site_snapshot(self, site_code: str) -> SiteSnapshot:
        return await self.client.site_snapshot(site_code)

    async def site_services(self, site_code: str) -> list[ServiceOut]:
        return [ServiceOut.model_validate(s) for s in await self.client.get(f"/sites/{quote(site_code)}/services")]

    async def counter_snapshot(self, counter_id: int) -> CounterSnapshot:
        return await self.client.counter_snapshot(counter_id)

    async def counter_action(self, counter_id: int, action: str, body: dict | None = None) -> TicketOut | None:
        reply = await self.client.counter_action(counter_id, action, body)
        return TicketOut.model_validate(reply) if action in TICKET_ACTIONS else None

    async def nearby(self, procedure_code: str, site_code: str) -> dict[str, Any]:
        """Other sites receiving this procedure, with their waits (NearbyOut as a dict)."""
        return await self.client.get(f"/procedures/{quote(procedure_code)}/nearby", site=site_code)

    def follow_counter(self, counter_id: int, site_id: int, on_snapshot: Callable[[CounterSnapshot], None],
                       on_event: Callable[[dict[str, Any]], None],
                       on_state: Callable[[StreamState], None]) -> Follower:
        live = LiveSite(self.client, f"/ws/counters/{counter_id}", site_id,
                        lambda: self.client.counter_snapshot(counter_id), on_snapshot, on_event, on_state,
                        max_backoff=self.max_backoff)
        return _LiveFollower(live)

    # ---- dossiers ---------------------------------------------------------------------------
    async def search_procedures(self, query: str, site_code: str, limit: int = 20) -> ProcedurePage:
        return ProcedurePage.model_validate(await self.client.get("/procedures", q=query or None, site=site_code,
                                                                  limit=limit))

    async def receive_dossier(self, counter_id: int, body: ReceiveDossierIn) -> DossierOut:
        reply = await self.client.request("POST", f"/counters/{counter_id}/dossiers",
                                          json_body=body.model_dump(mode="json", exclude_none=True))
        return DossierOut.model_validate(reply)

    async def upload_files(self, code: str, files: list[tuple[str, bytes]],
                           document_index: int | None = None) -> list[UploadedAttachmentOut]:
        data = {} if document_index is None else {"document_index": str(document_index)}
        parts = [("files", (name, content, "application/octet-stream")) for name, content in files]
        r = await self._send("POST", f"/dossiers/{quote(code)}/files", files=parts, data=data)
        return [UploadedAttachmentOut.model_validate(a) for a in r.json()]

    async def receipt_pdf(self, code: str, pin: str | None, page: str = "A5") -> bytes:
        headers = {"X-Lookup-Pin": pin} if pin else {}
        return (await self._send("GET", f"/dossiers/{quote(code)}/receipt.pdf", params={"page": page},
                                 headers=headers)).content

    async def change_dossier(self, code: str, body: DossierTransitionIn) -> DossierOut:
        reply = await self.client.request("POST", f"/dossiers/{quote(code)}/transitions",
                                          json_body=body.model_dump(mode="json", exclude_none=True))
        return DossierOut.model_validate(reply)

    async def forward_dossier(self, code: str, body: ForwardIn) -> DossierOut:
        """Hand the received dossier to its processing agency (the 15:00 rule judges it)."""
        reply = await self.client.request("POST", f"/dossiers/{quote(code)}/forward",
                                          json_body=body.model_dump(mode="json", exclude_none=True))
        return DossierOut.model_validate(reply)

    async def supplement_pdf(self, code: str, page: str = "A5") -> bytes:
        return (await self._send("GET", f"/dossiers/{quote(code)}/supplement-request.pdf",
                                 params={"page": page})).content

    async def dossier(self, code: str) -> DossierOut:
        return DossierOut.model_validate(await self.client.get(f"/dossiers/{quote(code)}"))

    async def dossiers_of_ticket(self, ticket_id: int) -> DossierPage:
        return DossierPage.model_validate(await self.client.get("/dossiers", ticket_id=ticket_id))

    async def rate(self, counter_id: int, body: CounterRatingIn) -> RatingOut:
        reply = await self.client.request("POST", f"/counters/{counter_id}/rating",
                                          json_body=body.model_dump(mode="json", exclude_none=True))
        return RatingOut.model_validate(reply)

    async def procedure_fee(self, code: str) -> ProcedureFeeOut:
        return ProcedureFeeOut.model_validate(await self.client.get(f"/procedures/{quote(code)}/fee"))

    async def citizen_documents(self, counter_id: int, id_number: str, id_kind: str,
                                purpose: ReadPurpose) -> CitizenDocumentsOut:
        reply = await self.client.get(f"/counters/{counter_id}/citizen-documents", id_number=id_number,
                                      id_kind=id_kind, purpose=purpose.value)
        return CitizenDocumentsOut.model_validate(reply)

    async def pay_fee(self, code: str, method: str) -> FeeOut:
        reply = await self.client.request("POST", f"/dossiers/{quote(code)}/fee/payment", json_body={"method": method})
        return FeeOut.model_validate(reply)

    async def fee_receipt_pdf(self, code: str, page: str = "A5") -> bytes:
        return (await self._send("GET", f"/dossiers/{quote(code)}/fee-receipt.pdf", params={"page": page})).content

    async def _send(self, method: str, path: str, *, headers: dict | None = None, **kwargs: Any) -> httpx.Response:
        """Like MotcuaClient.request, for bodies that are files rather than JSON."""
        auth = {"Authorization": f"Bearer {self.client.token}"} if self.client.token else {}
        try:
            r = await self._files.request(method, path, headers={**auth, **(headers or {})}, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerUnreachable(type(exc).__name__) from exc
        if r.status_code >= 400:
            raise ApiError.from_response(r)
        return r

    async def aclose(self) -> None:
        await self.client.aclose()
        await self._files.aclose()
