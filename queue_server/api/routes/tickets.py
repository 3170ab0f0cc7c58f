from typing import Annotated

from fastapi import APIRouter, Path

from queue_server.api.deps import CurrentStaff, KioskDevice, WiringDep
from queue_server.domain import commands as cmd
from queue_server.domain.errors import Forbidden, TooManyRequests
from queue_server.service_layer import handlers, views
from shared.protocol import IssueTicketIn, PauseIn, PrintResultIn, PublicTicketOut, TicketOut

router = APIRouter(tags=["tickets"])
# A kiosk's "try again" after a lost answer gets the ticket already issued, even racing.
_ISSUE_ONCE = handlers.once_per_request(handlers.issue_ticket)
TicketId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/tickets", response_model=TicketOut, status_code=201)
async def issue_ticket(body: IssueTicketIn, kiosk: KioskDevice, wiring: WiringDep) -> dict:
    wait = wiring.kiosk_rate.try_take(kiosk.device.id)
    if wait:
        raise TooManyRequests(
            "Ki-ốt đang cấp số quá nhanh. Vui lòng chờ giây lát rồi thử lại.",
            "This kiosk is issuing tickets too fast. Please wait a moment and try again.",
            retry_after=wait, code="kiosk_rate_limited",
        )
    command = cmd.IssueTicket(
        device_site_id=kiosk.device.site_id, device_id=kiosk.device.id, procedure_code=body.procedure_code,
        service_id=body.service_id, priority=body.priority, site_code=body.site_code, request_key=body.request_id,
    )
    return await wiring.run(_ISSUE_ONCE, command, wiring.uow)


@router.post("/tickets/{ticket_id}/print-result", response_model=TicketOut)
async def report_print_result(ticket_id: TicketId, body: PrintResultIn, kiosk: KioskDevice, wiring: WiringDep) -> dict:
    """The issuing kiosk reports whether the ticket printed; a failure alerts staff."""
    command = cmd.ReportPrintResult(ticket_id=ticket_id, device_id=kiosk.device.id, printed=body.printed,
                                    error_kind=body.error_kind, message=body.message)
    return await wiring.run(handlers.report_print_result, command, wiring.uow())


@router.get("/tickets/{ticket_id}", response_model=TicketOut)
async def get_ticket(ticket_id: TicketId, me: CurrentStaff, wiring: WiringDep) -> dict:
    def read() -> dict:
        with wiring.reader() as uow:
            ticket = views.staff_ticket(uow, ticket_id)
        if not me.may_act_on_site(ticket["site_id"]):
            raise Forbidden("Phiếu số thứ tự này thuộc điểm phục vụ khác.", "This ticket belongs to another site.")
        return ticket
    return await wiring.run(read)


@router.post("/tickets/{ticket_id}/cancel", response_model=TicketOut)
async def cancel_ticket(ticket_id: TicketId, me: CurrentStaff, wiring: WiringDep, body: PauseIn | None = None) -> dict:
    command = cmd.CancelTicket(ticket_id=ticket_id, staff_id=me.staff.id, reason=body.reason if body else "",
                               allowed_site=None if me.is_manager else me.site_id)
    return await wiring.run(handlers.cancel_ticket, command, wiring.uow())


@router.get("/public/tickets/{token}", response_model=PublicTicketOut, tags=["citizen"])
async def public_ticket(token: Annotated[str, Path(min_length=16, max_length=64)], wiring: WiringDep) -> dict:
    """The citizen's view of their ticket, by the token in the QR code. No login."""
    return await wiring.run(views.public_ticket, wiring.reader(), token)
