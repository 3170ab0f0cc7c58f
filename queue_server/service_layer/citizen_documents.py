"""The citizen's document store: digitized papers kept against the applicant's ID, offered
again when the same citizen hands in a new dossier, and linked to it by reference (the same
stored file by its SHA-256, no re-scan).

Every read goes through `read_documents`, which checks the one access policy
(`domain/document_access.py`) and writes who read whose documents and why to the audit log
in the same transaction as the read: if the log cannot be written, nothing is shown.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from queue_server.adapters.document_store_repository import DocumentStoreRepository
from queue_server.domain.document_access import ReadContext, Reader, may_read_citizen_documents
from queue_server.domain.dossier_commands import ReadCitizenDocuments, ReadDocumentPage
from queue_server.domain.dossier_record import Dossier
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.service_layer import audit
from queue_server.service_layer.dossier_steps import load
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import TicketStatus

MAX_DOCUMENTS_SHOWN = 200
REFUSED = ("Chỉ cán bộ của nơi tiếp nhận hồ sơ và của cơ quan giải quyết hồ sơ mới được xem giấy tờ đã số hóa "
           "của công dân.",
           "Only staff of the receiving site and of the processing agency may read a citizen's stored documents.")


@dataclass(frozen=True)
class StoreRules:
    retention: timedelta | None  # None: kept without limit
    holder_key: bytes  # keys the holder's digest in the audit log

    @classmethod
    def from_settings(cls, settings) -> StoreRules:  # noqa: ANN001
        days = settings.citizen_document_retention_days
        return cls(timedelta(days=days) if days else None, settings.secret.encode())


def holder_digest(key: bytes, id_kind: str, id_number: str) -> str:
    """What the audit log keeps of whose documents were read: keyed, so the log does not
    list ID numbers, yet "who read mine?" is answered by computing it again."""
    return hmac.new(key, f"{id_kind}\x00{id_number}".encode(), hashlib.sha256).hexdigest()[:32]


# ---- reading ---------------------------------------------------------------------------------
def read_documents(c: ReadCitizenDocuments, uow: UnitOfWork) -> dict[str, Any]:
    rules = uow.policies.store
    with uow:
        context, id_kind, id_number, where, under_way = _context(uow, c)
        entry = audit.current()
        detail = {"purpose": c.purpose.value, "note": c.note[:200], "context": where,
                  "holder": holder_digest(rules.holder_key, id_kind, id_number), "holder_hint": f"…{id_number[-3:]}"}
        if entry is not None:
            entry.detail.update(detail)
        if not may_read_citizen_documents(c.reader, context):
            audit.note_refusal("citizen_documents_forbidden")
            raise Forbidden(*REFUSED, code="citizen_documents_forbidden")
        if not under_way:
            raise Conflict("Chỉ xem được giấy tờ của công dân đang được phục vụ tại quầy.",
                           "A citizen's documents are read only while serving them at the counter.",
                           code="no_current_ticket")
        items = _holder_documents(uow.dossiers.documents, id_kind, id_number, uow.now)
        if entry is not None:
            entry.detail["documents"] = [d["id"] for d in items][:100]
        else:  # a caller outside a request (a script): the read is still logged
            logged = audit.cli_entry("read citizen documents")
            logged.staff_id = c.reader.staff_id
            audit.write(uow.conn, logged, at=uow.now, outcome=audit.OK, site_id=context.receiving_site_id,
                        detail={**detail, "documents": [d["id"] for d in items][:100]})
        uow.commit()  # the audit entry is written with this commit, or nothing is shown
        return {"id_kind": id_kind, "id_number": id_number, "purpose": c.purpose.value, "items": items}


def _context(uow: UnitOfWork, c: ReadCitizenDocuments) -> tuple[ReadContext, str, str, str, bool]:
    """The dossier (or reception) the read is for, whose documents, a line for the log,
    and whether that reception is under way (a counter serving someone)."""
    if c.dossier_code:
        dossier = load(uow, c.dossier_code)
        # The agency sees a dossier once the center has forwarded it (as its inbox does).
        agency = dossier.agency_id if dossier.forwarded_at is not None else None
        return (ReadContext(dossier.site_id, agency), dossier.applicant_id_kind,
                dossier.applicant_id_number, f"dossier {dossier.code}", True)
    if c.counter_id is None:
        raise Invalid("Hãy cho biết quầy đang tiếp nhận hoặc mã hồ sơ.", "Give the counter or the dossier code.")
    counter = uow.dossiers.counter(c.counter_id)
    if counter is None:
        raise NotFound(f"Không tìm thấy quầy {c.counter_id}.", f"Counter {c.counter_id} not found.")
    serving = None
    if counter.current_ticket_id is not None:
        serving = uow.dossiers.ticket_status(counter.current_ticket_id)
    if not c.id_number:
        raise Invalid("Hãy nhập số giấy tờ của công dân.", "Give the citizen's ID number.")
    serving_now = serving in (TicketStatus.CALLED.value, TicketStatus.SERVING.value)
    return (ReadContext(counter.site_id), c.id_kind, c.id_number,
            f"counter {counter.number} ticket {counter.current_ticket_id}", serving_now)


def holder_documents(conn: Connection, id_kind: str, id_number: str, now: datetime) -> list[dict[str, Any]]:
    return _holder_documents(DocumentStoreRepository(conn), id_kind, id_number, now)


def _holder_documents(store: DocumentStoreRepository, id_kind: str, id_number: str,
                      now: datetime) -> list[dict[str, Any]]:
    rows = store.of_holder(id_kind, id_number, now, MAX_DOCUMENTS_SHOWN)
    pages = _pages(store, rows)
    today = now.date()
    return [{
        "id": r.id, "kind": r.kind, "issue_date": r.issue_date, "valid_until": r.valid_until,
        "still_valid": r.valid_until is None or r.valid_until >= today,
        "source_dossier_code": r.source_code, "received_at": r.received_at, "site_name_vi": r.site_name_vi,
        "expires_at": r.expires_at, "pages": pages.get((r.source_dossier_id, r.source_document_index), []),
    } for r in rows]


def _pages(store: DocumentStoreRepository, rows: list[Row]) -> dict[tuple[int, int], list[dict[str, Any]]]:
    if not rows:
        return {}
    found = store.pages({r.source_dossier_id for r in rows})
    out: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for p in found:
        out.setdefault((p.dossier_id, p.document_index), []).append(
            {"attachment_id": p.id, "sha256": p.sha256, "file_name": p.file_name, "media_type": p.media_type,
             "size": p.size})
    return out


def page_file(c: ReadDocumentPage, uow: UnitOfWork) -> tuple[str, str, str]:
    """(sha256, media type, name) of one page, read under the same policy and log."""
    reply = read_documents(c.read, uow)
    for doc in reply["items"]:
        if doc["id"] == c.document_id:
            for page in doc["pages"]:
                if page["attachment_id"] == c.attachment_id:
                    return page["sha256"], page["media_type"], page["file_name"]
    raise NotFound("Không có trang này trong giấy tờ đã lưu của công dân.",
                   "No such page among the citizen's stored documents.", code="no_such_page")


# ---- keeping: digitized lines become stored documents -----------------------------------------
def keep_digitized_line(uow: UnitOfWork, dossier: Dossier, document_index: int, rules: StoreRules) -> None:
    """The files of a checklist line were just digitized: the line is (still) one stored
    document of the applicant. Lines satisfied by reuse are stored already."""
    line = dossier.documents[document_index]
    if line.get("citizen_document_id"):
        return
    store = uow.dossiers.documents
    if store.kept_line(dossier.id, document_index):
        return
    store.keep(
        holder_id_kind=dossier.applicant_id_kind, holder_id_number=dossier.applicant_id_number,
        kind=line["name"][:500], issue_date=_day(line.get("issue_date")), valid_until=_day(line.get("valid_until")),
        source_dossier_id=dossier.id, source_document_index=document_index, site_id=dossier.site_id,
        created_at=uow.now, expires_at=uow.now + rules.retention if rules.retention else None,
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# ---- reusing at reception --------------------------------------------------------------------
def reuse_at_reception(uow: UnitOfWork, reader: Reader, site_id: int, dossier_id: int, applicant: dict[str, str],
                       documents: list[dict[str, Any]]) -> list[int]:
    """Link the stored files of the lines that name a stored document to the new dossier,
    and mark those lines with where they were digitized. Returns the documents reused."""
    wanted = {i: line["citizen_document_id"] for i, line in enumerate(documents) if line.get("citizen_document_id")}
    if not wanted:
        return []
    if not may_read_citizen_documents(reader, ReadContext(site_id)):
        raise Forbidden(*REFUSED, code="citizen_documents_forbidden")
    store = uow.dossiers.documents
    rows = store.by_ids(set(wanted.values()))
    for index, document_id in wanted.items():
        row = rows.get(document_id)
        if (row is None or row.holder_id_number != applicant["id_number"]
                or row.holder_id_kind != applicant["id_kind"]
                or (row.expires_at is not None and row.expires_at <= uow.now)):
            raise Conflict(f"Giấy tờ đã lưu số {document_id} không thuộc người nộp hồ sơ này, hoặc đã hết hạn lưu.",
                           f"Stored document {document_id} is not this applicant's, or its retention has ended.",
                           code="citizen_document_not_reusable")
        pages = store.line_pages(row.source_dossier_id, row.source_document_index)
        if not pages:
            raise Conflict(f"Giấy tờ đã lưu số {document_id} chưa có tệp số hóa.",
                           f"Stored document {document_id} has no digitized file.", code="citizen_document_empty")
        for page in pages:
            store.link_page(dossier_id=dossier_id, sha256=page.sha256, file_name=page.file_name, document_index=index,
                            uploaded_at=uow.now, uploaded_by=reader.staff_id,
                            reused_from_dossier_id=row.source_dossier_id)
        documents[index] = {**documents[index], "reused_from": row.source_code,
                            "issue_date": documents[index].get("issue_date") or _iso(row.issue_date),
                            "valid_until": documents[index].get("valid_until") or _iso(row.valid_until)}
    return sorted(set(wanted.values()))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# ---- retention -------------------------------------------------------------------------------
def purge_expired(uow: UnitOfWork) -> int:
    """Drop the store's rows past their retention (the dossiers keep their own files)."""
    with uow:
        removed = uow.dossiers.documents.purge(uow.now)
        uow.commit()
        return removed
