"""The agency's desk, shared by its API routes and its inbox pages: the inbox, a dossier as
the agency reads it, its files, and the result handed in with its scans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse

from queue_server.api.deps import Principal
from queue_server.api.dossier_access import check_reader
from queue_server.api.dossier_files import store_uploads, stored_file_download
from queue_server.bootstrap import Wiring
from queue_server.domain.dossier_commands import AgencyStep
from queue_server.service_layer import agency_views, agency_work
from queue_server.service_layer import dossier_views as views


def read_inbox(wiring: Wiring, me: Principal, view: str, limit: int, offset: int) -> dict[str, Any]:
    rules = wiring.policies.dossiers
    with wiring.reader() as uow:
        agency = uow.dossiers.agency(me.agency_id)
        page = agency_views.inbox(uow, rules, agency_id=agency.id, staff_id=me.staff.id, view=view, limit=limit,
                                  offset=offset)
        counts = agency_views.inbox_counts(uow, rules, agency_id=agency.id, staff_id=me.staff.id)
    return {"agency_code": agency.code, "agency_name_vi": agency.name_vi, **page, "counts": counts}


def read_agency_dossier(wiring: Wiring, me: Principal, code: str) -> dict[str, Any]:
    with wiring.reader() as uow:
        row = views.load_dossier(uow, code)
        check_reader(me, row)
        return views.dossier_reply(uow, row.id, wiring.policies.dossiers)


async def agency_file_download(code: str, attachment_id: int, me: Principal, wiring: Wiring) -> FileResponse:
    """A scanned page or the digitized result, always as a download."""
    def read() -> tuple[str, str, str, int]:
        with wiring.reader() as uow:
            check_reader(me, views.load_dossier(uow, code))
            return views.attachment_file(uow, code, attachment_id)
    sha, media_type, name, _ = await wiring.run(read)
    return await stored_file_download(wiring, sha, media_type, name)


async def resolve_with_files(request: Request, wiring: Wiring, me: Principal, code: str,
                             fields: tuple[str, ...] = ("note",),
                             check: Callable[[dict[str, str]], None] | None = None) -> dict[str, Any]:
    """`check` sees the form's plain fields before anything is linked (the web's CSRF)."""
    await wiring.run(read_agency_dossier, wiring, me, code)  # refuse other agencies before storing anything
    stored, values = await store_uploads(request, wiring, code, fields=fields, required=False)
    if check is not None:
        check(values)
    command = AgencyStep(code=code, staff_id=me.staff.id, agency_id=me.agency_id, step="resolve",
                         note=values.get("note", "")[:2000], files=stored)
    return await wiring.run(views.handle_and_show, agency_work.take_step, command, wiring.uow(), wiring.reader())
