"""A site's kiosk menu as stored: the manager's rows (site_menu_items), the catalog rows a
menu shows, the site's lines and how often each procedure was asked for
(service_layer/site_menu.py, menu_editing.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t

_M = t.site_menu_items.c
# A catalog procedure with what a menu entry shows of it (field, fee, processing time).
PROCEDURE_ROWS = (
    select(t.procedures.c.id, t.procedures.c.code, t.procedures.c.name_vi, t.procedures.c.name_folded,
           t.procedures.c.time_value, t.procedures.c.time_unit_vi, t.procedures.c.fee_vi,
           t.fields.c.name_vi.label("field_vi"), t.procedure_fees.c.procedure_id.label("fee_set"),
           t.procedure_fees.c.amount_vnd)
    .join(t.fields, t.fields.c.id == t.procedures.c.field_id)
    .outerjoin(t.procedure_fees, t.procedure_fees.c.procedure_id == t.procedures.c.id)
)


class ItemAddedMeanwhile(Exception):
    """Another transaction added the same site item first; this transaction is spoilt (on
    PostgreSQL) and is to be run again."""


class MenuRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # ---- the catalog as a menu shows it --------------------------------------------------------
    def procedure_by_code(self, code: str) -> Row | None:
        return repo.procedure_by_code(self.conn, code)

    def procedure_rows(self, ids: Iterable[int] | None = None) -> list[Row]:
        """Every procedure (None) or these ones, with what an entry shows."""
        stmt = PROCEDURE_ROWS if ids is None else PROCEDURE_ROWS.where(t.procedures.c.id.in_(sorted(ids)))
        return list(self.conn.execute(stmt).all())

    def service_for_procedure(self, site_id: int, field_id: int) -> int | None:
        return repo.service_for_procedure(self.conn, site_id, field_id)

    def site_lines(self, site_id: int) -> list[Row]:
        return list(self.conn.execute(
            select(t.services).join(t.site_services, t.site_services.c.service_id == t.services.c.id)
            .where(t.site_services.c.site_id == site_id).order_by(t.services.c.code)).all())

    def request_counts(self, site_id: int, since: date) -> dict[int, int]:
        """Tickets taken per procedure at the site from business day `since` on."""
        tc = t.tickets.c
        rows = self.conn.execute(select(tc.procedure_id, func.count()).where(
            tc.site_id == site_id, tc.business_day >= since, tc.procedure_id.is_not(None)).group_by(tc.procedure_id))
        return {pid: n for pid, n in rows.all()}

    # ---- the manager's items -------------------------------------------------------------------
    def items(self, site_id: int) -> dict[int, Row]:
        """The site's items by procedure id."""
        rows = self.conn.execute(select(t.site_menu_items).where(_M.site_id == site_id)).all()
        return {r.procedure_id: r for r in rows}

    def item_for_update(self, site_id: int, procedure_id: int) -> Row | None:
        """The item's row, locked until the edit commits (PostgreSQL; SQLite writes one at a time)."""
        return self.conn.execute(select(t.site_menu_items).where(_M.site_id == site_id, _M.procedure_id == procedure_id)
                                 .with_for_update()).first()

    def pins(self, site_id: int) -> list[Row]:
        return list(self.conn.execute(select(t.site_menu_items).where(_M.site_id == site_id, _M.pinned)).all())

    def add_item(self, site_id: int, procedure_id: int, values: dict[str, Any]) -> None:
        try:
            self.conn.execute(insert(t.site_menu_items).values(site_id=site_id, procedure_id=procedure_id, **values))
        except IntegrityError:
            raise ItemAddedMeanwhile from None

    def save_item(self, site_id: int, procedure_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.site_menu_items).where(_M.site_id == site_id, _M.procedure_id == procedure_id)
                          .values(**values))

    def drop_item(self, site_id: int, procedure_id: int) -> None:
        self.conn.execute(delete(t.site_menu_items).where(_M.site_id == site_id, _M.procedure_id == procedure_id))

    def set_positions(self, site_id: int, order: list[int], now: datetime, staff_id: int | None) -> None:
        """Pins numbered 1..n in `order` (procedure ids)."""
        for position, procedure_id in enumerate(order, start=1):
            self.save_item(site_id, procedure_id, {"position": position, "updated_at": now, "updated_by": staff_id})
