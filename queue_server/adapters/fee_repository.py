"""`uow.dossiers.fees`: the statements of fees and their payment (service_layer/fees.py
writes no SQL of its own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from queue_server.adapters import tables as t

_F = t.dossier_fees.c


class FeeRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.is_postgres = conn.dialect.name == "postgresql"

    # ---- a procedure's fee ---------------------------------------------------------------------
    def override(self, procedure_id: int) -> Row | None:
        """A manager's fee for the procedure, over the catalog's text."""
        return self.conn.execute(select(t.procedure_fees).where(t.procedure_fees.c.procedure_id == procedure_id)).first()

    def set_override(self, procedure_id: int, **values: Any) -> None:  # noqa: ANN401
        self.conn.execute(delete(t.procedure_fees).where(t.procedure_fees.c.procedure_id == procedure_id))
        self.conn.execute(insert(t.procedure_fees).values(procedure_id=procedure_id, **values))

    # ---- a dossier's fee -------------------------------------------------------------------------
    def of(self, dossier_id: int, *, for_update: bool = False) -> Row | None:
        stmt = select(t.dossier_fees).where(_F.dossier_id == dossier_id)
        return self.conn.execute(stmt.with_for_update() if for_update and self.is_postgres else stmt).first()

    def with_payer(self, dossier_id: int) -> Row | None:
        """The fee and the name of who took the payment."""
        payer = aliased(t.staff)
        return self.conn.execute(select(t.dossier_fees, payer.c.full_name.label("paid_by_name"))
                                 .outerjoin(payer, payer.c.id == _F.paid_by)
                                 .where(_F.dossier_id == dossier_id)).first()

    def add(self, **values: Any) -> None:  # noqa: ANN401
        self.conn.execute(insert(t.dossier_fees).values(**values))

    def remove(self, dossier_id: int) -> None:
        self.conn.execute(delete(t.dossier_fees).where(_F.dossier_id == dossier_id))

    def claim_unpaid(self, dossier_id: int, **paid: Any) -> Row | None:  # noqa: ANN401
        """Only an unpaid fee becomes paid: a racing second clerk finds nothing (None)."""
        return self.conn.execute(
            update(t.dossier_fees).where(_F.dossier_id == dossier_id, _F.status == "unpaid")
            .values(status="paid", **paid).returning(_F.amount_vnd, _F.site_id)).first()

    def set_receipt(self, dossier_id: int, series: str, number: int) -> None:
        self.conn.execute(update(t.dossier_fees).where(_F.dossier_id == dossier_id)
                          .values(receipt_series=series, receipt_number=number))

    def take_receipt_number(self, site_id: int, year: int) -> int:
        """The site's next receipt number of the year; the row stays locked until commit."""
        seq = t.fee_receipt_sequence.c
        ins = (pg_insert if self.is_postgres else sqlite_insert)(t.fee_receipt_sequence).values(
            site_id=site_id, year=year, last_number=1)
        return self.conn.execute(ins.on_conflict_do_update(
            index_elements=[seq.site_id, seq.year], set_={"last_number": seq.last_number + 1},
        ).returning(seq.last_number)).scalar_one()

    def staff_name(self, staff_id: int | None) -> str:
        if staff_id is None:
            return ""
        return self.conn.execute(select(t.staff.c.full_name).where(t.staff.c.id == staff_id)).scalar() or ""
