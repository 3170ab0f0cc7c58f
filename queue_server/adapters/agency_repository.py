"""`uow.dossiers.agencies`: the processing agencies and the admin's procedure → agency
choices (service_layer/agencies.py writes no SQL of its own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from queue_server.adapters import tables as t

_A = t.agencies.c
_PA = t.procedure_agencies.c
# What the catalog says of each procedure's agency: its text, field and level.
_PROCEDURE = (select(t.procedures.c.id, t.procedures.c.agency_vi, t.procedures.c.provincial, t.procedures.c.commune,
                     t.fields.c.name_vi.label("field_name"))
              .join(t.fields, t.fields.c.id == t.procedures.c.field_id))


class AgencyRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def active(self) -> list[Row]:
        return list(self.conn.execute(select(t.agencies).where(_A.active).order_by(_A.id)))

    def all(self) -> list[Row]:
        """Every agency, by kind then name."""
        return list(self.conn.execute(select(t.agencies).order_by(_A.kind, _A.name_vi)))

    def by_id(self, agency_id: int) -> Row:
        return self.conn.execute(select(t.agencies).where(_A.id == agency_id)).one()

    def by_code(self, code: str) -> Row | None:
        return self.conn.execute(select(t.agencies).where(_A.code == code)).first()

    def officer_counts(self) -> dict[int, int]:
        """Active staff per agency."""
        s = t.staff.c
        return dict(self.conn.execute(select(s.agency_id, func.count()).where(s.agency_id.is_not(None), s.active)
                                      .group_by(s.agency_id)).all())

    def add(self, values: dict[str, Any]) -> int:
        return self.conn.execute(insert(t.agencies).values(**values).returning(_A.id)).scalar_one()

    def replace(self, agency_id: int, values: dict[str, Any]) -> bool:
        """False when there is no such agency."""
        return self.conn.execute(update(t.agencies).where(_A.id == agency_id).values(**values)).rowcount > 0

    def site_codes(self) -> set[str]:
        return set(self.conn.execute(select(t.sites.c.code)).scalars())

    # ---- procedures -> agencies ------------------------------------------------------------
    def chosen(self, procedure_id: int) -> Row | None:
        """The active agency an admin chose for the procedure, if any."""
        return self.conn.execute(select(t.agencies).join(t.procedure_agencies, _PA.agency_id == _A.id)
                                 .where(_PA.procedure_id == procedure_id, _A.active)).first()

    def choices(self) -> dict[int, int]:
        """procedure id -> agency id, of every admin choice."""
        return dict(self.conn.execute(select(_PA.procedure_id, _PA.agency_id)).all())

    def procedure_for_matching(self, procedure_id: int) -> Row:
        return self.conn.execute(_PROCEDURE.where(t.procedures.c.id == procedure_id)).one()

    def procedures_for_matching(self) -> list[Row]:
        return list(self.conn.execute(_PROCEDURE))

    def procedure_id(self, code: str) -> int | None:
        return self.conn.execute(select(t.procedures.c.id).where(t.procedures.c.code == code)).scalar()

    def choose(self, procedure_id: int, agency_id: int | None) -> None:
        """An admin's choice for the procedure (None: back to the catalog text)."""
        self.conn.execute(delete(t.procedure_agencies).where(_PA.procedure_id == procedure_id))
        if agency_id is not None:
            self.conn.execute(insert(t.procedure_agencies).values(procedure_id=procedure_id, agency_id=agency_id))
