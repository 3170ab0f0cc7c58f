"""Dossiers at the counter (receive, digitize, print, move along), the citizen's lookup,
the kiosk's return-of-results ticket, and satisfaction ratings."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import select

from queue_server.adapters import tables as t
from queue_server.api.client_address import client_address
from queue_server.api.deps import CurrentStaff, KioskDevice, Principal, WiringDep, document_reader
from queue_server.api.dossier_access import allowed_site, check_dossier_access
from queue_server.api.dossier_files import NO_STORE, store_uploads, stored_file_download
from queue_server.bootstrap import Wiring
from queue_server.documents import render_receipt_pdf, render_supplement_request_pdf
from queue_server.domain import dossier_commands as dc
from queue_server.domain.business_day import business_day
from queue_server.domain.dossier import DossierAction, check_lookup_pin
from queue_server.domain.errors import Forbidden, Invalid, NotFound, TooManyRequests
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer import dossiers as handlers
from queue_server.service_layer.views import get_site
from shared.dossier_protocol import (
    CounterRatingIn,
    DossierOut,
    DossierPage,
    DossierStatus,
    DossierTransitionIn,
    NewPinOut,
    PublicDossierOut,
    RatingIn,
    RatingOut,
    RatingSummaryOut,
    ReceiveDossierIn,
    ReturnTicketIn,
    ReturnTicketOut,
    UploadedAttachmentOut,
)

router = APIRouter(tags=["dossiers"])
CounterId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DossierCode = Annotated[str, Path(min_length=1, max_length=80)]
PageParam = Annotated[Literal["A5", "A4"], Query(description="Paper size")]
# The PIN travels in a header, not the URL, so it does not end up in access logs.
PinHeader = Annotated[str | None, Header(alias="X-Lookup-Pin", max_length=20)]
# Scans at the counter, and an agency's digitized result (API and its inbox page).
UPLOAD_PATH = re.compile(r"^/api/v1/dossiers/[^/]+/files/?$|^(/api/v1)?/agency/dossiers/[^/]+/result/?$")


def is_upload(method: str, path: str) -> bool:
    """Requests that may carry scanned files, and so get the larger body limit."""
    return method == "POST" and UPLOAD_PATH.match(path) is not None


def _check_counter_access(wiring: Wiring, me: Principal, counter_id: int) -> None:
    with wiring.reader() as uow:
        site_id = uow.conn.execute(select(t.counters.c.site_id).where(t.counters.c.id == counter_id)).scalar()
    if site_id is None:
        raise NotFound(f"Không tìm thấy quầy {counter_id}.", f"Counter {counter_id} not found.")
    if not me.may_act_on_site(site_id):
        raise Forbidden("Quầy này thuộc điểm phục vụ khác.", "This counter belongs to another site.")


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={**NO_STORE, "Content-Disposition": f'inline; filename="{name}"'})


# ---- reception ---------------------------------------------------------------------------
@router.post("/counters/{counter_id}/dossiers", response_model=DossierOut, status_code=201)
async def receive_dossier(counter_id: CounterId, body: ReceiveDossierIn, me: CurrentStaff, wiring: WiringDep) -> dict:
    """Receive a dossier for the ticket this counter is serving. The reply holds the lookup
    PIN, once: print it on the receipt slip (GET …/receipt.pdf with header X-Lookup-Pin).
    Lines naming a `citizen_document_id` reuse that stored document (no re-scan); `fee_vnd`
    is the fee confirmed with the citizen."""
    command = dc.ReceiveDossier(
        counter_id=counter_id, staff_id=me.staff.id, applicant=body.applicant.model_dump(mode="json"),
        documents=[d.model_dump(mode="json") for d in body.documents], notes=body.notes,
        procedure_code=body.procedure_code, ticket_id=body.ticket_id, fee_vnd=body.fee_vnd,
        reader=document_reader(me),
    )

    def work() -> dict:
        _check_counter_access(wiring, me, counter_id)
        return views.show_received(handlers.receive_dossier(command, wiring.uow()), wiring.reader())
    return await wiring.run(work)


@router.get("/dossiers", response_model=DossierPage)
async def list_dossiers(
    me: CurrentStaff, wiring: WiringDep,
    site_code: Annotated[str | None, Query(max_length=32)] = None,
    status: DossierStatus | None = None,
    overdue: bool | None = None,
    ticket_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict:
    """Dossiers of a site (staff: their own site), newest first; `overdue=true` for the
    monitoring list."""
    def read() -> dict:
        with wiring.reader() as uow:
            site_id = get_site(uow.conn, site_code).id if site_code else me.site_id
            if site_id is not None and not me.may_act_on_site(site_id):
                raise Forbidden("Thuộc điểm phục vụ khác.", "Belongs to another site.")
            return views.list_dossiers(uow, wiring.policies.dossiers, site_id=site_id,
                                       status=status.value if status else None, overdue=overdue,
                                       ticket_id=ticket_id, limit=limit, offset=offset)
    return await wiring.run(read)


@router.get("/dossiers/{code}", response_model=DossierOut)
async def get_dossier(code: DossierCode, me: CurrentStaff, wiring: WiringDep) -> dict:
    def read() -> dict:
        check_dossier_access(wiring, me, code)
        with wiring.reader() as uow:
            return views.get_dossier(uow, code, wiring.policies.dossiers)
    return await wiring.run(read)


@router.post("/dossiers/{code}/transitions", response_model=DossierOut)
async def change_status(code: DossierCode, body: DossierTransitionIn, me: CurrentStaff, wiring: WiringDep) -> dict:
    """One step of the dossier's life: start_processing, request_supplement (with every
    missing item), receive_supplement (the legal time restarts), refuse, mark_ready,
    return_result."""
    command = dc.ChangeDossierStatus(
        code=code, staff_id=me.staff.id, action=DossierAction(body.action.value), note=body.note,
        items=[i.model_dump() for i in body.items], counter_id=body.counter_id, allowed_site=allowed_site(me))
    return await wiring.run(views.handle_and_show, handlers.change_status, command, wiring.uow(), wiring.reader())


@router.post("/dossiers/{code}/new-pin", response_model=NewPinOut)
async def new_pin(code: DossierCode, me: CurrentStaff, wiring: WiringDep) -> dict:
    """For a lost slip or a reprint: a new lookup PIN (shown once); the old one stops working."""
    command = dc.NewLookupPin(code=code, staff_id=me.staff.id, allowed_site=allowed_site(me))
    return await wiring.run(handlers.new_pin, command, wiring.uow())


# ---- digitizing --------------------------------------------------------------------------
_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["files"],
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "Scanned pages or photos: PDF, JPEG, PNG or TIFF (by content)"},
            "document_index": {"type": "integer", "minimum": 0,
                               "description": "Which checklist line (0-based) the files belong to"},
        }}}}},
}


@router.post("/dossiers/{code}/files", response_model=list[UploadedAttachmentOut], status_code=201,
             openapi_extra=_UPLOAD_DOC)
async def upload_files(code: DossierCode, request: Request, me: CurrentStaff, wiring: WiringDep) -> list[dict]:
    """Attach scanned pages or photos. Each content is stored once by its SHA-256 and its
    type is judged from its bytes; a client's file name is only ever shown, never used as
    a path. All files of a request are attached, or none."""
    await wiring.run(check_dossier_access, wiring, me, code)
    stored, fields = await store_uploads(request, wiring, code, fields=("document_index",))
    document_index = _document_index(fields.get("document_index"))
    command = dc.AttachFiles(code=code, staff_id=me.staff.id, files=stored, document_index=document_index)

    def work() -> list[dict]:
        attached = handlers.attach_files(command, wiring.uow())
        return views.show_attached(attached, [file for file, _ in stored], wiring.reader())
    return await wiring.run(work)


def _document_index(value: object) -> int | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if not text.isdigit() or len(text) > 3:
        raise Invalid("Thành phần hồ sơ không hợp lệ.", "document_index must be a small number.")
    return int(text)


@router.get("/dossiers/{code}/files/{attachment_id}", response_class=FileResponse)
async def download_file(code: DossierCode, attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                        me: CurrentStaff, wiring: WiringDep) -> FileResponse:
    """The stored bytes, always as a download (never rendered inline by the browser)."""
    def read() -> tuple[str, str, str, int]:
        with wiring.reader() as uow:
            return views.attachment_file(uow, code, attachment_id)
    sha, media_type, name, site_id = await wiring.run(read)
    if not me.may_act_on_site(site_id):
        raise Forbidden("Hồ sơ này thuộc điểm phục vụ khác.", "This dossier belongs to another site.")
    return await stored_file_download(wiring, sha, media_type, name)


# ---- printed forms -----------------------------------------------------------------------
@router.get("/dossiers/{code}/receipt.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
async def receipt_pdf(code: DossierCode, me: CurrentStaff, wiring: WiringDep, page: PageParam = "A5",
                      pin: PinHeader = None) -> Response:
    """The receipt slip (form 01) with a QR code of the lookup page. Give the PIN from the
    reception reply in the X-Lookup-Pin header to print it; it is checked, never stored."""
    rules = wiring.policies.dossiers

    def read():  # noqa: ANN202
        check_dossier_access(wiring, me, code)
        with wiring.reader() as uow:
            data = views.receipt_data(uow, code, rules, pin or "")
            digest = uow.conn.execute(select(t.dossiers.c.lookup_pin_digest)
                                      .where(t.dossiers.c.code == data.dossier_code)).scalar_one()
        return data, digest
    data, digest = await wiring.run(read)
    if pin is not None and not check_lookup_pin(pin, digest, key=rules.pin_key, dossier_code=data.dossier_code):
        raise Invalid("Mã PIN không khớp với hồ sơ này.", "The PIN does not match this dossier.", code="wrong_pin")
    if pin is None:
        # A reprint without the PIN: it stays hidden (issue a new one with /new-pin).
        data = dataclasses.replace(data, lookup_pin="******")
    content = await anyio.to_thread.run_sync(lambda: render_receipt_pdf(data, page=page))
    return _pdf(content, f"giay-tiep-nhan-{data.dossier_code}.pdf")


@router.get("/dossiers/{code}/supplement-request.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
async def supplement_request_pdf(
    code: DossierCode, me: CurrentStaff, wiring: WiringDep, page: PageParam = "A5",
    missing: Annotated[list[str] | None, Query(max_length=40, description="What is missing, one per item")] = None,
    reason: Annotated[list[str] | None, Query(max_length=40, description="Why, in the same order")] = None,
) -> Response:
    """The request to complete a dossier (form 02), listing every missing item: those given
    as `missing` (and `reason`) parameters, else those of its last supplement request."""
    items = _items_from_query(missing or [], reason or [])
    rules = wiring.policies.dossiers

    def read():  # noqa: ANN202
        check_dossier_access(wiring, me, code)
        with wiring.reader() as uow:
            return views.supplement_data(uow, code, rules, items, me.staff.full_name)
    data = await wiring.run(read)
    content = await anyio.to_thread.run_sync(lambda: render_supplement_request_pdf(data, page=page))
    return _pdf(content, f"phieu-yeu-cau-bo-sung-{data.dossier_code}.pdf")


def _items_from_query(missing: list[str], reasons: list[str]) -> list[dict[str, str]]:
    if len(reasons) > len(missing):
        raise Invalid("Có lý do không kèm nội dung cần bổ sung.", "A `reason` was given without its `missing` item.")
    items = []
    for i, what in enumerate(missing):
        what = " ".join(what.split())
        why = " ".join(reasons[i].split()) if i < len(reasons) else ""
        if not what or len(what) > 500 or len(why) > 500:
            raise Invalid("Nội dung cần bổ sung không hợp lệ (1-500 ký tự).", "Each missing item takes 1-500 characters.")
        items.append({"what": what, "reason": why})
    return items


# ---- citizen and kiosk -------------------------------------------------------------------
@router.get("/public/dossiers/{code}", response_model=PublicDossierOut, tags=["citizen"])
async def public_dossier(code: DossierCode, wiring: WiringDep, request: Request,
                         pin: Annotated[str | None, Query(min_length=1, max_length=20)] = None,
                         header_pin: PinHeader = None) -> dict:
    """The dossier's status by the code and PIN on the slip. No login. The PIN may come as
    `?pin=` or, kept out of access logs, in the X-Lookup-Pin header. An unknown code and a
    wrong PIN get the same 404; too many wrong PINs from one client (for a code, or over all
    codes), or from everyone together, get 429 for a while (docs/security.md)."""
    given = header_pin or pin
    if not given:
        raise Invalid("Hãy nhập mã PIN in trên giấy tiếp nhận.", "Give the PIN printed on the receipt slip.",
                      code="pin_required")
    client = client_address(request.scope, wiring.settings.proxy_networks)
    command = dc.LookUpDossier(code=code, pin=given, client=client)

    def work() -> dict:
        return views.show_public(handlers.public_lookup(command, wiring.uow()), wiring.reader())
    return await wiring.run(work)


@router.post("/tickets/for-dossier", response_model=ReturnTicketOut, status_code=201, tags=["tickets"])
async def ticket_for_dossier(body: ReturnTicketIn, kiosk: KioskDevice, wiring: WiringDep, response: Response) -> dict:
    """A kiosk scanned a receipt slip's QR code (or the code was typed): a ticket for the
    return-of-results desk, linked to the dossier. A repeated scan while that ticket is
    active returns it again (200, `reused`)."""
    wait = wiring.kiosk_rate.try_take(kiosk.device.id)  # the same budget as other tickets
    if wait:
        raise TooManyRequests(
            "Ki-ốt đang cấp số quá nhanh. Vui lòng chờ giây lát rồi thử lại.",
            "This kiosk is issuing tickets too fast. Please wait a moment and try again.",
            retry_after=wait, code="kiosk_rate_limited",
        )
    command = dc.IssueReturnTicket(device_site_id=kiosk.device.site_id, device_id=kiosk.device.id,
                                dossier_code=body.dossier_code)
    reply = await wiring.run(handlers.issue_return_ticket, command, wiring.uow())
    if reply["reused"]:
        response.status_code = 200
    return reply


# ---- satisfaction ------------------------------------------------------------------------
@router.post("/public/tickets/{token}/rating", response_model=RatingOut, status_code=201, tags=["citizen"])
async def rate_from_phone(token: Annotated[str, Path(min_length=16, max_length=64)], body: RatingIn,
                          wiring: WiringDep) -> dict:
    """The citizen rates a finished visit from the ticket's phone page; once per ticket."""
    command = dc.RateTicket(level=body.level.value, reason=body.reason, tracking_token=token)
    return await wiring.run(handlers.rate_ticket, command, wiring.uow())


@router.post("/counters/{counter_id}/rating", response_model=RatingOut, status_code=201, tags=["counters"])
async def rate_at_counter(counter_id: CounterId, body: CounterRatingIn, me: CurrentStaff, wiring: WiringDep) -> dict:
    """The citizen rates on the counter's citizen-facing screen: the counter's last finished
    ticket of the day (or `ticket_id`); once per ticket."""
    command = dc.RateTicket(level=body.level.value, reason=body.reason, counter_id=counter_id,
                         ticket_id=body.ticket_id)

    def work() -> dict:
        _check_counter_access(wiring, me, counter_id)
        return handlers.rate_ticket(command, wiring.uow())
    return await wiring.run(work)


@router.get("/ratings", response_model=RatingSummaryOut, tags=["counters"])
async def ratings(me: CurrentStaff, wiring: WiringDep, site_code: Annotated[str | None, Query(max_length=32)] = None,
                  day: date | None = None) -> dict:
    """A site's ratings of one business day (default today), with the share satisfied."""
    def read() -> dict:
        with wiring.reader() as uow:
            site_id = get_site(uow.conn, site_code).id if site_code else me.site_id
            if site_id is None:
                raise Invalid("Hãy chọn điểm phục vụ.", "Give a site_code.")
            if not me.may_act_on_site(site_id):
                raise Forbidden("Thuộc điểm phục vụ khác.", "Belongs to another site.")
            wanted = day or business_day(uow.now, uow.rules.tz, uow.rules.rollover)
            return views.ratings_summary(uow, site_id, wanted)
    return await wiring.run(read)
