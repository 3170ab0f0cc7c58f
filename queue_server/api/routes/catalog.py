"""Sites and the procedure catalog: public (a kiosk or a phone may read them)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from queue_server.api.deps import WiringDep
from queue_server.service_layer import views
from queue_server.service_layer.menu_scope import Scope, site_scope
from shared.protocol import FieldOut, NearbyOut, ProcedureOut, ProcedurePage, ServiceOut, SiteOut

router = APIRouter(tags=["catalog"])

SiteQuery = Annotated[str | None, Query(max_length=40, description="site code: only what this site receives")]
SiteCode = Annotated[str, Path(max_length=40)]
ProcedureCode = Annotated[str, Path(max_length=40)]


def _scope(uow, code: str | None) -> Scope | None:  # noqa: ANN001
    """What the site `code` receives (None: the whole catalog, for staff configuring menus)."""
    if code is None:
        return None
    site = views.get_site(uow.conn, code)
    return site_scope(uow, site.id, site.code)


@router.get("/sites", response_model=list[SiteOut])
async def list_sites(wiring: WiringDep) -> list[dict]:
    def read() -> list[dict]:
        with wiring.reader() as uow:
            return views.list_sites(uow.conn)
    return await wiring.run(read)


@router.get("/sites/{code}", response_model=SiteOut)
async def get_site(code: SiteCode, wiring: WiringDep) -> dict:
    def read() -> dict:
        with wiring.reader() as uow:
            return views.site_out(views.get_site(uow.conn, code))
    return await wiring.run(read)


@router.get("/sites/{code}/services", response_model=list[ServiceOut])
async def site_services(code: SiteCode, wiring: WiringDep) -> list[dict]:
    def read() -> list[dict]:
        with wiring.reader() as uow:
            return views.site_services(uow.conn, views.get_site(uow.conn, code).id)
    return await wiring.run(read)


@router.get("/fields", response_model=list[FieldOut])
async def list_fields(wiring: WiringDep, site: SiteQuery = None) -> list[dict]:
    def read() -> list[dict]:
        with wiring.reader() as uow:
            return views.list_fields(uow.conn, _scope(uow, site))
    return await wiring.run(read)


@router.get("/procedures", response_model=ProcedurePage)
async def search_procedures(
    wiring: WiringDep,
    q: Annotated[str | None, Query(max_length=200, description="words, accents optional")] = None,
    field_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    site: SiteQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict:
    def read() -> dict:
        with wiring.reader() as uow:
            return views.search_procedures(uow.conn, query=q, field_id=field_id, scope=_scope(uow, site),
                                           limit=limit, offset=offset)
    return await wiring.run(read)


@router.get("/procedures/{code}", response_model=ProcedureOut)
async def get_procedure(code: ProcedureCode, wiring: WiringDep, site: SiteQuery = None) -> dict:
    def read() -> dict:
        with wiring.reader() as uow:
            return views.get_procedure(uow.conn, code, _scope(uow, site))
    return await wiring.run(read)


@router.get("/procedures/{code}/nearby", response_model=NearbyOut)
async def nearby(code: ProcedureCode, wiring: WiringDep, site: Annotated[str, Query(max_length=40)]) -> dict:
    s = wiring.settings
    return await wiring.run(views.nearby, wiring.reader(), site, code, s.nearby_max_km, s.nearby_margin_minutes)
