"""Live state of a site for displays, kiosks and staff: snapshot and wait estimates."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from queue_server.api.deps import PrincipalDep, WiringDep
from queue_server.domain.errors import Forbidden
from queue_server.domain.public_view import public_counter
from queue_server.service_layer import views
from shared.protocol import EstimateOut, SiteSnapshot

router = APIRouter(tags=["live"])
SiteCode = Annotated[str, Path(max_length=40)]


@router.get("/sites/{code}/snapshot", response_model=SiteSnapshot)
async def site_snapshot(code: SiteCode, me: PrincipalDep, wiring: WiringDep) -> dict:
    def read() -> dict:
        with wiring.reader() as uow:
            site = views.get_site(uow.conn, code)
        if not me.may_act_on_site(site.id):
            raise Forbidden("Thiết bị hoặc cán bộ này thuộc điểm phục vụ khác.",
                            "This device or staff member belongs to another site.")
        snapshot = views.site_snapshot(wiring.reader(), site.id)
        if me.device is not None:  # a lobby screen or kiosk: no clerk's name, no typed reason
            snapshot["counters"] = [public_counter(c) for c in snapshot["counters"]]
        return snapshot
    return await wiring.run(read)


@router.get("/sites/{code}/estimate", response_model=EstimateOut)
async def estimate(code: SiteCode, service_id: Annotated[int, Query(ge=1, le=2**31 - 1)], wiring: WiringDep) -> dict:
    """Public: people waiting and the expected wait for a service at a site."""
    return await wiring.run(views.estimate_for, wiring.reader(), code, service_id)
