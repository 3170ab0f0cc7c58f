"""The daily fee report, per site and processing agency: fees confirmed for the dossiers
received that day, what was collected that day (cash and transfer), and what is still owed.

The agency is the dossier's processing agency; a dossier not yet forwarded is grouped under
the procedure's implementing agency as the catalog names it (see `_agency_column`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from queue_server.adapters import tables as t
from queue_server.domain.business_day import day_bounds_utc
from queue_server.service_layer.unit_of_work import UnitOfWork

COLUMNS = (
    ("site", "Điểm phục vụ", "Site"),
    ("agency", "Cơ quan giải quyết", "Processing agency"),
    ("confirmed_count", "Hồ sơ có lệ phí", "Dossiers with a fee"),
    ("confirmed_vnd", "Lệ phí phải thu (đồng)", "Fees due (VND)"),
    ("paid_count", "Số biên lai", "Receipts"),
    ("cash_vnd", "Tiền mặt (đồng)", "Cash (VND)"),
    ("transfer_vnd", "Chuyển khoản (đồng)", "Transfer (VND)"),
    ("paid_vnd", "Đã thu (đồng)", "Collected (VND)"),
    ("unpaid_count", "Chưa nộp", "Unpaid"),
    ("unpaid_vnd", "Còn phải thu (đồng)", "Still owed (VND)"),
)


@dataclass
class FeeRow:
    site: str
    agency: str
    confirmed_count: int = 0
    confirmed_vnd: int = 0
    paid_count: int = 0
    cash_vnd: int = 0
    transfer_vnd: int = 0
    unpaid_count: int = 0
    unpaid_vnd: int = 0
    receipts: list[str] = field(default_factory=list)

    @property
    def paid_vnd(self) -> int:
        return self.cash_vnd + self.transfer_vnd

    def values(self) -> list[Any]:
        return [getattr(self, name) for name, _, _ in COLUMNS]


def _agency_column():  # noqa: ANN202
    return func.coalesce(t.agencies.c.name_vi, t.procedures.c.agency_vi)


def daily_fee_report(uow: UnitOfWork, day: date, site_id: int | None) -> dict[str, Any]:
    start, end = day_bounds_utc(day, uow.rules.tz, uow.rules.rollover)
    f, d = t.dossier_fees.c, t.dossiers.c
    with uow:
        stmt = (select(f.amount_vnd, f.status, f.method, f.paid_at, f.receipt_series, f.receipt_number,
                       d.received_at, t.sites.c.code.label("site"), _agency_column().label("agency"))
                .join(t.dossiers, d.id == f.dossier_id)
                .join(t.sites, t.sites.c.id == f.site_id)
                .join(t.procedures, t.procedures.c.id == d.procedure_id)
                .outerjoin(t.agencies, t.agencies.c.id == d.agency_id)
                .where(((d.received_at >= start) & (d.received_at < end))
                       | ((f.paid_at >= start) & (f.paid_at < end))))
        if site_id is not None:
            stmt = stmt.where(f.site_id == site_id)
        rows = uow.conn.execute(stmt).all()
    groups: dict[tuple[str, str], FeeRow] = defaultdict(lambda: FeeRow("", ""))
    for r in rows:
        agency = " ".join((r.agency or "").split()) or "–"
        g = groups[(r.site, agency)]
        g.site, g.agency = r.site, agency
        amount = int(r.amount_vnd)
        if start <= r.received_at < end:
            g.confirmed_count += 1
            g.confirmed_vnd += amount
            if r.status == "unpaid":
                g.unpaid_count += 1
                g.unpaid_vnd += amount
        if r.paid_at is not None and start <= r.paid_at < end:
            g.paid_count += 1
            if r.method == "cash":
                g.cash_vnd += amount
            else:
                g.transfer_vnd += amount
            g.receipts.append(f"{r.receipt_series}/{r.receipt_number:07d}")
    ordered = sorted(groups.values(), key=lambda g: (g.site, g.agency))
    total = FeeRow("Tổng · Total", "")
    for g in ordered:
        for name in ("confirmed_count", "confirmed_vnd", "paid_count", "cash_vnd", "transfer_vnd", "unpaid_count",
                     "unpaid_vnd"):
            setattr(total, name, getattr(total, name) + getattr(g, name))
    return {"day": day, "rows": ordered, "total": total}


def to_rows(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (the total last) for the CSV and XLSX exports."""
    header = [f"{vi} / {en}" for _, vi, en in COLUMNS]
    return header, [row.values() for row in [*report["rows"], report["total"]]]
