"""`uow.dossiers`: loads and saves `Dossier` objects, and holds every statement the
dossier handlers need (its log, hand-offs, milestones, links to tickets and files, and
the rows around it they read). The handlers (service_layer/dossiers.py, agency_work.py,
dossier_stop.py, dossier_flow.py) write no SQL of their own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.agency_repository import AgencyRepository
from queue_server.adapters.document_store_repository import DocumentStoreRepository
from queue_server.adapters.fee_repository import FeeRepository
from queue_server.adapters.file_store import StoredFile
from queue_server.domain.dossier_record import Dossier
from shared.enums import Role, TicketStatus

_D = t.dossiers.c
_LOAD = select(*(t.dossiers.c[name] for name in Dossier.columns()))


class DossierRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.is_postgres = conn.dialect.name == "postgresql"
        self.fees = FeeRepository(conn)
        self.agencies = AgencyRepository(conn)
        self.documents = DocumentStoreRepository(conn)

    # ---- the dossier itself -----------------------------------------------------------------
    def get(self, code: str, *, for_update: bool = False) -> Dossier | None:
        """By its canonical code; locked until commit on PostgreSQL with `for_update`
        (SQLite's single writer needs no lock)."""
        stmt = _LOAD.where(_D.code == code)
        if for_update and self.is_postgres:
            stmt = stmt.with_for_update()
        row = self.conn.execute(stmt).first()
        return Dossier(**row._mapping) if row is not None else None

    def by_id(self, dossier_id: int) -> Dossier:
        return Dossier(**self.conn.execute(_LOAD.where(_D.id == dossier_id)).one()._mapping)

    def take_number(self, agency_code: str, day: date) -> int:
        """Next number of (agency, day), in one upsert as ticket numbering does. The row stays
        locked until commit, so two counters never print the same code, on either database."""
        seq = t.dossier_sequence.c
        ins = self._insert(t.dossier_sequence).values(agency_code=agency_code, business_day=day, last_number=1)
        return self.conn.execute(ins.on_conflict_do_update(
            index_elements=[seq.agency_code, seq.business_day], set_={"last_number": seq.last_number + 1},
        ).returning(seq.last_number)).scalar_one()

    def add(self, values: dict[str, Any]) -> Dossier:
        dossier_id = self.conn.execute(insert(t.dossiers).values(**values).returning(_D.id)).scalar_one()
        return self.by_id(dossier_id)

    def save(self, dossier: Dossier, at: datetime) -> None:
        """The changed fields, then the log lines the steps recorded (in their order)."""
        changes = dossier.changes()
        if changes:
            self.conn.execute(update(t.dossiers).where(_D.id == dossier.id).values(**changes))
        for line in dossier.events:
            self.conn.execute(insert(t.dossier_events).values(
                dossier_id=dossier.id, at=at, action=line.action, from_status=line.from_status,
                to_status=line.to_status, staff_id=line.staff_id, counter_id=line.counter_id, note=line.note,
                data=line.data))
        dossier.mark_saved()

    def codes_to_forward(self, site_id: int | None, agency_id: int | None) -> list[str]:
        """Received dossiers whose agency is known, oldest first."""
        stmt = select(_D.code).where(_D.status == "received", _D.agency_id.is_not(None))
        if site_id is not None:
            stmt = stmt.where(_D.site_id == site_id)
        if agency_id is not None:
            stmt = stmt.where(_D.agency_id == agency_id)
        return list(self.conn.execute(stmt.order_by(_D.received_at, _D.id)).scalars())

    # ---- what hangs on it -------------------------------------------------------------------
    def link_ticket(self, dossier_id: int, ticket_id: int, purpose: str, at: datetime) -> None:
        self.conn.execute(insert(t.dossier_tickets).values(dossier_id=dossier_id, ticket_id=ticket_id,
                                                           purpose=purpose, created_at=at))

    def link_files(self, dossier_id: int, files: list[tuple[StoredFile, str]], staff_id: int, at: datetime,
                   document_index: int | None = None) -> list[int]:
        """Attachment ids of stored contents linked to the dossier (contents kept once)."""
        ids = []
        for stored, name in files:
            self.conn.execute(self._insert(t.stored_files).values(
                sha256=stored.sha256, size=stored.size, media_type=stored.media_type, stored_at=at,
            ).on_conflict_do_nothing())
            ids.append(self.conn.execute(insert(t.dossier_attachments).values(
                dossier_id=dossier_id, sha256=stored.sha256, file_name=name, document_index=document_index,
                uploaded_at=at, uploaded_by=staff_id,
            ).returning(t.dossier_attachments.c.id)).scalar_one())
        return ids

    def add_handoff(self, **values: Any) -> None:  # noqa: ANN401
        self.conn.execute(insert(t.dossier_handoffs).values(**values))

    def add_milestone(self, **values: Any) -> None:  # noqa: ANN401
        self.conn.execute(insert(t.dossier_milestones).values(**values))

    def has_milestone(self, dossier_id: int, kind: str) -> bool:
        m = t.dossier_milestones.c
        return self.conn.execute(select(m.id).where(m.dossier_id == dossier_id, m.kind == kind)).first() is not None

    def counted_receptions(self, dossier_id: int, kinds: tuple[str, ...]) -> list[tuple[str, int | None]]:
        """(kind, agency id) of the reception milestones still counted for the dossier."""
        m = t.dossier_milestones.c
        return [(kind, agency) for kind, agency, _ in self.conn.execute(
            select(m.kind, m.agency_id, func.sum(m.weight)).where(m.dossier_id == dossier_id, m.kind.in_(kinds))
            .group_by(m.kind, m.agency_id).having(func.sum(m.weight) > 0)).all()]

    def supplement_log(self, dossier_id: int) -> list[tuple[str, datetime]]:
        """(action, at) of its supplement requests and receipts, in order."""
        e = t.dossier_events.c
        return [tuple(r) for r in self.conn.execute(select(e.action, e.at).where(
            e.dossier_id == dossier_id, e.action.in_(["request_supplement", "receive_supplement"]))
            .order_by(e.at, e.id)).all()]

    def active_return_ticket(self, dossier_id: int, statuses: tuple[str, ...]) -> int | None:
        return self.conn.execute(
            select(t.tickets.c.id)
            .join(t.dossier_tickets, t.dossier_tickets.c.ticket_id == t.tickets.c.id)
            .where(t.dossier_tickets.c.dossier_id == dossier_id, t.dossier_tickets.c.purpose == "return",
                   t.tickets.c.status.in_(statuses))
            .order_by(t.tickets.c.id.desc())).scalar()

    # ---- the rows around it -------------------------------------------------------------------
    def site(self, site_id: int) -> Row:
        return repo.site_by_id(self.conn, site_id)

    def center_name(self, site_id: int) -> str:
        return self.conn.execute(select(t.sites.c.name_vi).where(t.sites.c.id == site_id)).scalar_one()

    def counter_for_update(self, counter_id: int) -> Row | None:
        return repo.counter_for_update(self.conn, counter_id)

    def counter(self, counter_id: int) -> Row | None:
        return self.conn.execute(select(t.counters).where(t.counters.c.id == counter_id)).first()

    def ticket_status(self, ticket_id: int) -> str | None:
        return self.conn.execute(select(t.tickets.c.status).where(t.tickets.c.id == ticket_id)).scalar()

    def counter_site(self, counter_id: int) -> int | None:
        return self.conn.execute(select(t.counters.c.site_id).where(t.counters.c.id == counter_id)).scalar()

    def ticket_for_update(self, ticket_id: int) -> Row | None:
        return repo.ticket_for_update(self.conn, ticket_id)

    def procedure_by_code(self, code: str) -> Row | None:
        return repo.procedure_by_code(self.conn, code)

    def procedure_by_id(self, procedure_id: int) -> Row:
        return self.conn.execute(select(t.procedures).where(t.procedures.c.id == procedure_id)).one()

    def offers_procedure(self, site_id: int, field_id: int) -> bool:
        return repo.service_for_procedure(self.conn, site_id, field_id) is not None

    def return_service(self, site_id: int) -> Row | None:
        """The site's return-of-results service (its first, if several)."""
        return self.conn.execute(
            select(t.services)
            .join(t.site_services, t.site_services.c.service_id == t.services.c.id)
            .where(t.site_services.c.site_id == site_id, t.services.c.kind == "return")
            .order_by(t.services.c.id)).first()

    def agency(self, agency_id: int) -> Row:
        return self.agencies.by_id(agency_id)

    def agency_by_code(self, code: str) -> Row | None:
        return self.agencies.by_code(code)

    def officer(self, agency_id: int, *, username: str | None = None, staff_id: int | None = None) -> Row | None:
        """An active processing officer of the agency, by username or id."""
        s = t.staff.c
        stmt = select(t.staff).where(s.agency_id == agency_id, s.role == Role.PROCESSOR.value, s.active)
        return self.conn.execute(stmt.where(s.username == username) if username else stmt.where(s.id == staff_id)).first()

    # ---- the tickets around it (the return visit, the rating) --------------------------------
    def ticket_brief(self, ticket_id: int) -> Row:
        return repo.ticket_brief_row(self.conn, ticket_id)

    def take_ticket_number(self, site_id: int, service_id: int, day: date) -> int:
        return repo.take_sequence_number(self.conn, site_id, service_id, day)

    def add_ticket(self, **values: Any) -> int:  # noqa: ANN401
        return repo.insert_ticket(self.conn, **values)

    def ticket_by_token(self, token: str) -> Row | None:
        return self.conn.execute(select(t.tickets).where(t.tickets.c.tracking_token == token)).first()

    def finished_ticket(self, counter_id: int | None, *, ticket_id: int | None, day: date | None) -> Row | None:
        """The counter's finished ticket `ticket_id`, or else its last finished one of `day`."""
        tk = t.tickets.c
        stmt = select(t.tickets).where(tk.counter_id == counter_id, tk.status == TicketStatus.DONE.value)
        if ticket_id is not None:
            return self.conn.execute(stmt.where(tk.id == ticket_id)).first()
        return self.conn.execute(stmt.where(tk.business_day == day)
                                 .order_by(tk.finished_at.desc(), tk.id.desc())).first()

    def is_rated(self, ticket_id: int) -> bool:
        r = t.ticket_ratings.c
        return self.conn.execute(select(r.ticket_id).where(r.ticket_id == ticket_id)).first() is not None

    def add_rating(self, **values: Any) -> bool:  # noqa: ANN401
        """False when the ticket was rated meanwhile: a racing second submission loses on
        the primary key, atomically."""
        ins = self._insert(t.ticket_ratings).values(**values).on_conflict_do_nothing()
        return self.conn.execute(ins.returning(t.ticket_ratings.c.ticket_id)).first() is not None

    def _insert(self, table: Any) -> Any:  # noqa: ANN401 - the dialect's insert, for its ON CONFLICT
        return (pg_insert if self.is_postgres else sqlite_insert)(table)
