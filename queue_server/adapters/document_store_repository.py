"""`uow.dossiers.documents`: the citizen's document store (digitized papers kept against
the applicant's ID) and the pages linked to it (service_layer/citizen_documents.py writes
no SQL of its own)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from queue_server.adapters import tables as t

_CD = t.citizen_documents.c
_AT = t.dossier_attachments.c


class DocumentStoreRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def of_holder(self, id_kind: str, id_number: str, now: datetime, limit: int) -> list[Row]:
        """The holder's documents still kept, newest first, with where they were digitized."""
        return list(self.conn.execute(
            select(t.citizen_documents, t.dossiers.c.code.label("source_code"),
                   t.dossiers.c.received_at, t.sites.c.name_vi.label("site_name_vi"))
            .join(t.dossiers, t.dossiers.c.id == _CD.source_dossier_id)
            .join(t.sites, t.sites.c.id == _CD.site_id)
            .where(_CD.holder_id_number == id_number, _CD.holder_id_kind == id_kind,
                   (_CD.expires_at.is_(None)) | (_CD.expires_at > now))
            .order_by(_CD.created_at.desc(), _CD.id.desc()).limit(limit)))

    def by_ids(self, document_ids: set[int]) -> dict[int, Row]:
        """The documents, with the code of the dossier each was digitized for."""
        return {r.id: r for r in self.conn.execute(
            select(t.citizen_documents, t.dossiers.c.code.label("source_code"))
            .join(t.dossiers, t.dossiers.c.id == _CD.source_dossier_id).where(_CD.id.in_(document_ids)))}

    def pages(self, dossier_ids: set[int]) -> list[Row]:
        """The digitized pages of checklist lines of those dossiers, in upload order."""
        return list(self.conn.execute(
            select(_AT.id, _AT.dossier_id, _AT.document_index, _AT.sha256, _AT.file_name,
                   t.stored_files.c.media_type, t.stored_files.c.size)
            .join(t.stored_files, t.stored_files.c.sha256 == _AT.sha256)
            .where(_AT.dossier_id.in_(dossier_ids), _AT.document_index.is_not(None)).order_by(_AT.id)))

    def line_pages(self, dossier_id: int, document_index: int) -> list[Row]:
        return list(self.conn.execute(select(_AT.sha256, _AT.file_name).where(
            _AT.dossier_id == dossier_id, _AT.document_index == document_index).order_by(_AT.id)))

    def kept_line(self, dossier_id: int, document_index: int) -> bool:
        return self.conn.execute(select(_CD.id).where(
            _CD.source_dossier_id == dossier_id, _CD.source_document_index == document_index)).first() is not None

    def keep(self, **values: Any) -> None:  # noqa: ANN401
        self.conn.execute(insert(t.citizen_documents).values(**values))

    def link_page(self, **values: Any) -> None:  # noqa: ANN401
        self.conn.execute(insert(t.dossier_attachments).values(**values))

    def purge(self, now: datetime) -> int:
        """Drop the rows past their retention; how many."""
        removed = self.conn.execute(delete(t.citizen_documents).where(_CD.expires_at.is_not(None),
                                                                      _CD.expires_at <= now)).rowcount
        return int(removed or 0)
