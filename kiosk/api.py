"""What the kiosk asks the queue server, as one small interface over shared.client.

The presenter depends on `KioskApi` only, so its tests run on a fake without a server.
Every method raises `ApiError` (the server refused, with a Vietnamese and an English
message) or `ServerUnreachable` (no answer: retry later).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote

from kiosk.menu import ElsewhereOffer, MenuItemDetail, SiteMenu
from shared.booking_protocol import CheckInIn, CheckInOut
from shared.client import LiveSite, MotcuaClient, StreamState
from shared.protocol import (
    FieldOut,
    IssueTicketIn,
    NearbyOut,
    PrintResultIn,
    ProcedureOut,
    ProcedurePage,
    ServiceOut,
    SiteOut,
    SiteSnapshot,
    TicketOut,
)


class KioskApi(Protocol):
    async def site(self, code: str) -> SiteOut: ...
    async def sites(self) -> list[SiteOut]: ...
    async def services(self, site_code: str) -> list[ServiceOut]: ...
    async def fields(self, site_code: str) -> list[FieldOut]: ...
    async def menu(self, site_code: str) -> SiteMenu:
        """The site's own kiosk menu (groups, their procedures, the top ones, the help line)."""
    async def menu_item(self, site_code: str, procedure_code: str) -> MenuItemDetail:
        """One procedure as the site's menu shows it, with its fee text cleaned."""
    async def elsewhere(self, site_code: str, query: str, limit: int = 5) -> list[ElsewhereOffer]:
        """Procedures matching `query` that only other sites receive, with where and how far."""
    async def procedures(self, site_code: str, *, query: str | None = None, field_id: int | None = None,
                         limit: int = 20, offset: int = 0) -> ProcedurePage: ...
    async def procedure(self, code: str, site_code: str) -> ProcedureOut: ...
    async def nearby(self, code: str, site_code: str) -> NearbyOut: ...
    async def snapshot(self, site_code: str) -> SiteSnapshot:
        """Also proves the device token: 401 means this kiosk is not (or no longer) allowed."""
    async def issue_ticket(self, body: IssueTicketIn) -> TicketOut: ...
    async def report_print(self, ticket_id: int, result: PrintResultIn) -> None: ...
    async def check_in(self, code: str) -> CheckInOut:
        """A booking (code typed, or the QR's URL) becomes an appointment ticket."""
    async def follow_site(self, site_code: str, site_id: int, on_snapshot: Callable[[SiteSnapshot], None],
                          on_event: Callable[[dict[str, Any]], None],
                          on_state: Callable[[StreamState], None]) -> None:
        """Run until cancelled: snapshot, then events; reconnects by itself."""
    async def aclose(self) -> None: ...


class HttpKioskApi:
    """The real thing: MotcuaClient for HTTP, LiveSite for the site stream."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 5.0) -> None:
        self.client = MotcuaClient(base_url, token, timeout=timeout)

    async def site(self, code: str) -> SiteOut:
        return SiteOut.model_validate(await self.client.get(f"/sites/{quote(code)}"))

    async def sites(self) -> list[SiteOut]:
        return [SiteOut.model_validate(s) for s in await self.client.get("/sites")]

    async def services(self, site_code: str) -> list[ServiceOut]:
        return [ServiceOut.model_validate(s) for s in await self.client.get(f"/sites/{quote(site_code)}/services")]

    async def fields(self, site_code: str) -> list[FieldOut]:
        return [FieldOut.model_validate(f) for f in await self.client.get("/fields", site=site_code)]

    async def menu(self, site_code: str) -> SiteMenu:
        return SiteMenu.model_validate(await self.client.get(f"/sites/{quote(site_code)}/menu"))

    async def menu_item(self, site_code: str, procedure_code: str) -> MenuItemDetail:
        path = f"/sites/{quote(site_code)}/menu/items/{quote(procedure_code)}"
        return MenuItemDetail.model_validate(await self.client.get(path))

    async def elsewhere(self, site_code: str, query: str, limit: int = 5) -> list[ElsewhereOffer]:
        found = await self.client.get(f"/sites/{quote(site_code)}/menu/search", q=query, limit=limit)
        return [ElsewhereOffer.model_validate(x) for x in found.get("elsewhere", [])]

    async def procedures(self, site_code: str, *, query: str | None = None, field_id: int | None = None,
                         limit: int = 20, offset: int = 0) -> ProcedurePage:
        return ProcedurePage.model_validate(await self.client.get(
            "/procedures", q=query or None, field_id=field_id, site=site_code, limit=limit, offset=offset))

    async def procedure(self, code: str, site_code: str) -> ProcedureOut:
        return ProcedureOut.model_validate(await self.client.get(f"/procedures/{quote(code)}", site=site_code))

    async def nearby(self, code: str, site_code: str) -> NearbyOut:
        return NearbyOut.model_validate(await self.client.get(f"/procedures/{quote(code)}/nearby", site=site_code))

    async def snapshot(self, site_code: str) -> SiteSnapshot:
        return await self.client.site_snapshot(site_code)

    async def issue_ticket(self, body: IssueTicketIn) -> TicketOut:
        return await self.client.issue_ticket(body)

    async def check_in(self, code: str) -> CheckInOut:
        body = CheckInIn(code=code).model_dump()
        return CheckInOut.model_validate(await self.client.request("POST", "/bookings/check-in", json_body=body))

    async def report_print(self, ticket_id: int, result: PrintResultIn) -> None:
        await self.client.request("POST", f"/tickets/{ticket_id}/print-result",
                                  json_body=result.model_dump(exclude_none=True))

    async def follow_site(self, site_code: str, site_id: int, on_snapshot: Callable[[SiteSnapshot], None],
                          on_event: Callable[[dict[str, Any]], None],
                          on_state: Callable[[StreamState], None]) -> None:
        live = LiveSite(self.client, f"/ws/sites/{site_code}", site_id,
                        load_snapshot=lambda: self.client.site_snapshot(site_code),
                        on_snapshot=on_snapshot, on_event=on_event, on_state=on_state)
        try:
            await live.run()
        finally:
            live.stop()

    async def aclose(self) -> None:
        await self.client.aclose()
