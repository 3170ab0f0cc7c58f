"""After the counter: processing agencies (admin-edited data), forwarding by the center,
and the agency's inbox and steps (processors only, their own agency's dossiers)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse

from queue_server.api.agency_desk import (
    agency_file_download,
    read_agency_dossier,
    read_inbox,
    resolve_with_files,
)
from queue_server.api.deps import (
    AnyStaff,
    CurrentManager,
    CurrentProcessor,
    CurrentStaff,
    Principal,
    WiringDep,
)
from queue_server.api.dossier_access import allowed_site
from queue_server.domain.dossier_commands import AgencyIn as AgencyData
from queue_server.domain.dossier_commands import (
    AgencyStep,
    ChooseProcedureAgency,
    ForwardDossier,
    ForwardDueDossiers,
    SaveAgency,
    StopDossier,
)
from queue_server.domain.errors import Forbidden
from queue_server.service_layer import agencies as registry
from queue_server.service_layer import agency_views, agency_work, dossier_stop
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer.views import get_site
from shared.agency_protocol import (
    AgencyIn,
    AgencyOut,
    AgencyStepIn,
    ForwardDueIn,
    ForwardDueOut,
    ForwardIn,
    InboxOut,
    MappingOut,
    OfficerOut,
    ProcedureAgencyIn,
    ProcedureAgencyOut,
)
from shared.dossier_protocol import DossierOut, StopIn
from shared.enums import Role

router = APIRouter(tags=["agencies"])
DossierCode = Annotated[str, Path(min_length=1, max_length=80)]
AgencyCodePath = Annotated[str, Path(min_length=1, max_length=40)]


def _admin(me: Principal) -> None:
    if me.role is not Role.ADMIN:
        raise Forbidden("Chỉ quản trị viên được sửa danh mục cơ quan giải quyết.",
                        "Only an administrator edits the processing agencies.")


def _agency_in(body: AgencyIn) -> AgencyData:
    return AgencyData(code=body.code, name_vi=body.name_vi, name_en=body.name_en, kind=body.kind.value,
                             governing_body=body.governing_body, catalog_terms=tuple(body.catalog_terms),
                             field_names=tuple(body.field_names), site_codes=tuple(body.site_codes),
                             active=body.active)


# ---- the agencies (data) ---------------------------------------------------------------------
@router.get("/agencies", response_model=list[AgencyOut])
async def list_agencies(me: AnyStaff, wiring: WiringDep) -> list[dict]:
    """Every processing agency, with its catalog phrases and its number of officers."""
    def read() -> list[dict]:
        with wiring.reader() as uow:
            return registry.list_agencies(uow.conn)
    return await wiring.run(read)


@router.get("/agencies/mapping", response_model=MappingOut)
async def agency_mapping(me: CurrentManager, wiring: WiringDep,
                         site_code: Annotated[str | None, Query(max_length=32)] = None) -> dict:
    """How the catalog maps for dossiers received at `site_code`: procedures per agency id,
    and the catalog's agency texts no agency answers to yet."""
    def read() -> dict:
        with wiring.reader() as uow:
            code = get_site(uow.conn, site_code).code if site_code else None
            return registry.mapping_summary(uow.conn, code)
    return await wiring.run(read)


@router.post("/agencies", response_model=AgencyOut, status_code=201)
async def create_agency(body: AgencyIn, me: CurrentManager, wiring: WiringDep) -> dict:
    _admin(me)
    return await wiring.run(registry.save_agency, SaveAgency(_agency_in(body)), wiring.uow())


@router.put("/agencies/{agency_code}", response_model=AgencyOut)
async def update_agency(agency_code: AgencyCodePath, body: AgencyIn, me: CurrentManager, wiring: WiringDep) -> dict:
    _admin(me)

    command = SaveAgency(_agency_in(body), agency_code=agency_code)
    return await wiring.run(registry.save_agency, command, wiring.uow())


@router.put("/procedures/{procedure_code}/agency", response_model=ProcedureAgencyOut)
async def choose_procedure_agency(procedure_code: Annotated[str, Path(min_length=1, max_length=40)],
                                  body: ProcedureAgencyIn, me: CurrentManager, wiring: WiringDep) -> dict:
    """An admin's choice of agency for one procedure (null: back to the catalog text)."""
    _admin(me)
    command = ChooseProcedureAgency(procedure_code, body.agency_code)
    return await wiring.run(registry.choose_agency_for_procedure, command, wiring.uow())


# ---- the center forwards ---------------------------------------------------------------------
@router.post("/dossiers/{code}/forward", response_model=DossierOut)
async def forward(code: DossierCode, body: ForwardIn, me: CurrentStaff, wiring: WiringDep) -> dict:
    """Hand a received dossier to its processing agency. The hand-off is judged against the
    15:00 rule: received by the cut-off, forward the same working day; later, the next."""
    command = ForwardDossier(code=code, staff_id=me.staff.id, agency_code=body.agency_code, note=body.note,
                             allowed_site=allowed_site(me))
    return await wiring.run(views.handle_and_show, agency_work.forward_dossier, command, wiring.uow(),
                            wiring.reader())


@router.post("/dossiers/forward-due", response_model=ForwardDueOut)
async def forward_due(body: ForwardDueIn, me: CurrentStaff, wiring: WiringDep) -> dict:
    """Forward every received dossier whose agency is known: of the caller's site (staff),
    of `site_code` or of every site (managers); optionally of one agency."""
    def work() -> dict:
        site_id = allowed_site(me)
        if body.site_code:
            with wiring.reader() as uow:
                wanted = get_site(uow.conn, body.site_code).id
            if site_id is not None and wanted != site_id:
                raise Forbidden("Thuộc điểm phục vụ khác.", "Belongs to another site.")
            site_id = wanted
        command = ForwardDueDossiers(staff_id=me.staff.id, site_id=site_id, agency_code=body.agency_code)
        return agency_work.forward_due(command, wiring.uow())
    return await wiring.run(work)


# ---- stopping before a result (form 05) ----------------------------------------------------
@router.post("/dossiers/{code}/stop", response_model=DossierOut)
async def stop(code: DossierCode, body: StopIn, me: AnyStaff, wiring: WiringDep) -> dict:
    """Stop processing (form 05, "Thông báo dừng giải quyết hồ sơ"): the citizen withdraws
    the dossier, or the law requires it. One-stop staff stop their site's dossiers, a
    processor those their agency holds now (forwarded or processing), managers any. A
    status with a result (or closed): 409 naming the allowed steps."""
    command = stop_command(me, code, body.ground.value, body.reason, body.legal_basis)
    return await wiring.run(views.handle_and_show, dossier_stop.stop_dossier, command, wiring.uow(), wiring.reader())


def stop_command(me: Principal, code: str, ground: str, reason: str, legal_basis: str) -> StopDossier:
    """The caller's reach goes with the command: their agency, their site, or none (managers)."""
    if me.is_processor and me.agency_id is None:
        raise Forbidden("Tài khoản chưa thuộc cơ quan giải quyết nào.", "This processor belongs to no agency.")
    return StopDossier(code=code, staff_id=me.staff.id, ground=ground, reason=reason, legal_basis=legal_basis,
                       agency_id=me.agency_id, site_id=None if me.is_processor else allowed_site(me))


# ---- the agency's inbox and steps ------------------------------------------------------------
@router.get("/agency/inbox", response_model=InboxOut)
async def inbox(me: CurrentProcessor, wiring: WiringDep,
                view: Literal["open", "mine", "overdue", "due_soon", "supplement", "done"] = "open",
                limit: Annotated[int, Query(ge=1, le=200)] = 50,
                offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> dict:
    """The caller's agency's dossiers with their legal clock, closest to the due day first."""
    return await wiring.run(read_inbox, wiring, me, view, limit, offset)


@router.get("/agency/officers", response_model=list[OfficerOut])
async def officers(me: CurrentProcessor, wiring: WiringDep) -> list[dict]:
    def read() -> list[dict]:
        with wiring.reader() as uow:
            return agency_views.officers(uow.conn, me.agency_id)
    return await wiring.run(read)


@router.get("/agency/dossiers/{code}", response_model=DossierOut)
async def agency_dossier(code: DossierCode, me: CurrentProcessor, wiring: WiringDep) -> dict:
    return await wiring.run(read_agency_dossier, wiring, me, code)


@router.get("/agency/dossiers/{code}/files/{attachment_id}", response_class=FileResponse)
async def agency_file(code: DossierCode, attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                      me: CurrentProcessor, wiring: WiringDep) -> FileResponse:
    """A scanned page or the digitized result, always as a download."""
    return await agency_file_download(code, attachment_id, me, wiring)


@router.post("/agency/dossiers/{code}/steps", response_model=DossierOut)
async def agency_step(code: DossierCode, body: AgencyStepIn, me: CurrentProcessor, wiring: WiringDep) -> dict:
    """accept, assign (to an officer of the agency), request_supplement (the clock stops),
    refuse (with reasons; form 03), apologize (form 04: a new date, the dossier counts as
    late), send_back (the result to the center for return). A step the status does not
    allow: 409 naming the allowed ones (`allowed`)."""
    command = AgencyStep(
        code=code, staff_id=me.staff.id, agency_id=me.agency_id, step=body.step.value, note=body.note,
        items=[i.model_dump() for i in body.items], reasons=list(body.reasons), assignee=body.assignee,
        new_due_date=body.new_due_date)
    return await wiring.run(views.handle_and_show, agency_work.take_step, command, wiring.uow(), wiring.reader())


_RESULT_DOC: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["files"],
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "The digitized result: PDF, JPEG, PNG or TIFF (by content)"},
            "note": {"type": "string", "maxLength": 2000},
        }}}}},
}


@router.post("/agency/dossiers/{code}/result", response_model=DossierOut, openapi_extra=_RESULT_DOC)
async def agency_result(code: DossierCode, request: Request, me: CurrentProcessor, wiring: WiringDep) -> dict:
    """The result is ready: attach the digitized result (multipart `files`) and mark it."""
    return await resolve_with_files(request, wiring, me, code)
