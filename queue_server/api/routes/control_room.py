"""The province control room as JSON (the manager web draws the same figures), and the
overdue / due-tomorrow notices run on demand."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from queue_server.api.deps import CurrentManager, WiringDep
from queue_server.api.routes.dossiers import dossier_rules
from queue_server.bootstrap import Wiring
from queue_server.service_layer import agency_views, control_room
from queue_server.service_layer.agencies import agency_by_code
from queue_server.service_layer.dossier_alerts import make_notifier, send_notices
from queue_server.service_layer.dossier_flow import local_day
from queue_server.service_layer.views import get_site
from shared.agency_protocol import AlertRunOut, DueListOut, DueListsOut

router = APIRouter(tags=["control room"])
Month = Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]


def read_control_room(wiring: Wiring, month_text: str | None) -> dict[str, Any]:
    rules = dossier_rules(wiring)
    with wiring.reader() as uow:
        month = control_room.parse_month(month_text, local_day(uow.now, rules))
        return {"live": control_room.live_board(uow, rules),
                "month": control_room.month_figures(uow, rules, month),
                # The first ten of each list; /control-room/due gives them whole.
                "due": agency_views.due_lists(uow, rules, limit=10)}


@router.get("/control-room")
async def control_room_figures(me: CurrentManager, wiring: WiringDep, month: Month = None) -> dict:
    """Now: dossiers by agency and status, those waiting to be forwarded, overdue / due today
    / due tomorrow with the officer holding each. The month (default: this one): each
    agency's and site's on-time rate, processing days against the legal time, supplement,
    refusal and digitization rates and satisfaction, rebuilt from the event log."""
    return await wiring.run(read_control_room, wiring, month)


@router.get("/control-room/due", response_model=DueListsOut)
async def due_lists(me: CurrentManager, wiring: WiringDep,
                    agency_code: Annotated[str | None, Query(max_length=40)] = None) -> dict:
    def read() -> dict:
        with wiring.reader() as uow:
            agency_id = agency_by_code(uow.conn, agency_code).id if agency_code else None
            return agency_views.due_lists(uow, dossier_rules(wiring), agency_id=agency_id)
    return await wiring.run(read)


@router.get("/control-room/dossiers", response_model=DueListOut)
async def drill_down(me: CurrentManager, wiring: WiringDep, month: Month = None,
                     agency_code: Annotated[str | None, Query(max_length=40)] = None,
                     site_code: Annotated[str | None, Query(max_length=32)] = None,
                     no_agency: bool = False) -> dict:
    """The dossiers behind a line of the month (received or settled in it)."""
    def read() -> dict:
        rules = dossier_rules(wiring)
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
    return await wiring.run(send_notices, wiring.uow(), dossier_rules(wiring),
                            make_notifier(wiring.settings.dossier_notifier))
