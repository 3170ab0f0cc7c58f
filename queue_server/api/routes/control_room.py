"""The province control room as JSON (the manager web draws the same figures), and the
overdue / due-tomorrow notices run on demand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from queue_server.api.deps import CurrentManager, WiringDep
from queue_server.domain.dossier_commands import SendNotices
from queue_server.service_layer import agency_views, control_room
from queue_server.service_layer.agencies import agency_by_code
from queue_server.service_layer.dossier_alerts import make_notifier, send_notices
from queue_server.service_layer.dossier_flow import local_day
from queue_server.service_layer.views import get_site
from shared.agency_protocol import AlertRunOut, DueListOut, DueListsOut

router = APIRouter(tags=["control room"])
Month = Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]


@router.get("/control-room")
async def control_room_figures(me: CurrentManager, wiring: WiringDep, month: Month = None) -> dict:
    """Now: dossiers by agency and status, those waiting to be forwarded, overdue / due today
    / due tomorrow with the officer holding each. The month (default: this one): each
    agency's and site's on-time rate, processing days against the legal time, supplement,
    refusal and digitization rates and satisfaction, rebuilt from the event log."""
    return await wiring.run(control_room.read_board, wiring.reader(), month)


@router.get("/control-room/due", response_model=DueListsOut)
async def due_lists(me: CurrentManager, wiring: WiringDep,
                    agency_code: Annotated[str | None, Query(max_length=40)] = None) -> dict:
    def read() -> dict:
        with wiring.reader() as uow:
            agency_id = agency_by_code(uow.conn, agency_code).id if agency_code else None
            return agency_views.due_lists(uow, wiring.policies.dossiers, agency_id=agency_id)
    return await wiring.run(read)


@router.get("/control-room/dossiers", response_model=DueListOut)
async def drill_down(me: CurrentManager, wiring: WiringDep, month: Month = None,
                     agency_code: Annotated[str | None, Query(max_length=40)] = None,
                     site_code: Annotated[str | None, Query(max_length=32)] = None,
                     no_agency: bool = False) -> dict:
    """The dossiers behind a line of the month (received or settled in it)."""
    def read() -> dict:
        rules = wiring.policies.dossiers
        with wiring.reader() as uow:
            wanted = control_room.parse_month(month, local_day(uow.now, rules))
            agency_id = agency_by_code(uow.conn, agency_code).id if agency_code else None
            site_id = get_site(uow.conn, site_code).id if site_code else None
            return control_room.drill_down(uow, rules, month=wanted, agency_id=agency_id, site_id=site_id,
                                           no_agency=no_agency)
    return await wiring.run(read)


@router.post("/control-room/notices", response_model=AlertRunOut)
async def run_notices(me: CurrentManager, wiring: WiringDep) -> dict:
    """Send today's overdue and due-tomorrow notices now (each person once a day and kind)."""
    command = SendNotices(make_notifier(wiring.settings.dossier_notifier))
    return await wiring.run(send_notices, command, wiring.uow())
