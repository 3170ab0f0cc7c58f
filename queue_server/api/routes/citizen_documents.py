"""The citizen's document store: reusable digitized papers of one ID, read for a reason and
logged (who, why, whose) before they are shown."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse

from queue_server.api.deps import AnyStaff, CurrentStaff, WiringDep, document_reader
from queue_server.api.dossier_files import stored_file_download
from queue_server.api.routes.dossiers import CounterId, DossierCode
from queue_server.domain.dossier_commands import ReadCitizenDocuments, ReadDocumentPage
from queue_server.domain.errors import Invalid
from queue_server.service_layer import citizen_documents as store
from shared.dossier_protocol import ApplicantIdKind
from shared.identity_protocol import CitizenDocumentsOut, ReadPurpose

router = APIRouter(tags=["citizen documents"])
Purpose = Annotated[ReadPurpose, Query(description="why the documents are read (written to the audit log)")]
Note = Annotated[str, Query(max_length=200, description="more about why, for the audit log")]
IdNumber = Annotated[str | None, Query(max_length=40, description="the citizen's ID number (with counter_id)")]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _compact_id(value: str | None) -> str:
    return (value or "").replace(" ", "").upper()


@router.get("/counters/{counter_id}/citizen-documents", response_model=CitizenDocumentsOut)
async def documents_at_counter(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep, purpose: Purpose,
                               id_number: IdNumber = None, id_kind: ApplicantIdKind = ApplicantIdKind.CITIZEN_ID,
                               note: Note = "") -> dict:
    """The reusable documents of the citizen being served at this counter (by their ID).
    Only while the counter serves a ticket, only for staff of its site; logged."""
    if not _compact_id(id_number):
        raise Invalid("Hãy nhập số giấy tờ của công dân.", "Give the citizen's id_number.")
    command = ReadCitizenDocuments(document_reader(me), purpose, note, counter_id=counter_id,
                                   id_kind=id_kind.value, id_number=_compact_id(id_number))
    return await wiring.run(store.read_documents, command, wiring.uow())


@router.get("/dossiers/{code}/citizen-documents", response_model=CitizenDocumentsOut)
async def documents_of_applicant(code: DossierCode, me: AnyStaff, wiring: WiringDep, purpose: Purpose,
                                 note: Note = "") -> dict:
    """The stored documents of a dossier's applicant, for staff of its receiving site and
    processors of its processing agency; logged."""
    command = ReadCitizenDocuments(document_reader(me), purpose, note, dossier_code=code)
    return await wiring.run(store.read_documents, command, wiring.uow())


@router.get("/citizen-documents/{document_id}/pages/{attachment_id}", response_class=FileResponse)
async def document_page(document_id: RowId, attachment_id: RowId, me: AnyStaff, wiring: WiringDep,
                        purpose: Purpose, counter_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                        dossier: Annotated[str | None, Query(max_length=80)] = None, id_number: IdNumber = None,
                        id_kind: ApplicantIdKind = ApplicantIdKind.CITIZEN_ID, note: Note = "") -> FileResponse:
    """One stored page, in the context of a counter's reception (`counter_id` + `id_number`)
    or of a dossier (`dossier`), under the same policy and log."""
    read = ReadCitizenDocuments(document_reader(me), purpose, note, counter_id=counter_id, dossier_code=dossier,
                                id_kind=id_kind.value, id_number=_compact_id(id_number))
    sha, media_type, name = await wiring.run(store.page_file, ReadDocumentPage(read, document_id, attachment_id),
                                             wiring.uow())
    return await stored_file_download(wiring, sha, media_type, name)
