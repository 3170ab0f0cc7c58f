"""Fees and charges: the structured fee of a procedure (a manager's, else the catalog's), the
fee a clerk confirms for a dossier, its payment (cash or transfer) and its receipt number.

Marking a fee paid is one conditional update (`status = 'unpaid'` → `'paid'`): of two clerks
pressing at once exactly one succeeds, the other is told who did. The receipt number comes
from the site's sequence row of that year, taken in the same transaction, so no two receipts
share a number on either database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.dossier_repository import DossierRepository
from queue_server.domain.errors import Conflict, Forbidden, NotFound
from queue_server.domain.fees import (
    CatalogFee,
    FeeKind,
    format_receipt_number,
    format_vnd,
    parse_catalog_fee,
    receipt_series,
)
from queue_server.service_layer.dossier_views import load_dossier
from queue_server.service_layer.unit_of_work import PendingEvent, UnitOfWork
from shared.enums import EventType
from shared.vietqr import Payment, build_payload, payment_purpose

UNPAID, PAID = "unpaid", "paid"


@dataclass(frozen=True)
class PaymentAccount:
    """The center's account that VietQR codes pay into (settings); empty: cash only."""

    bank_bin: str = ""
    account_number: str = ""
    account_name: str = ""
    bank_name: str = ""

    @property
    def takes_transfers(self) -> bool:
        return bool(self.bank_bin and self.account_number)

    @classmethod
    def from_settings(cls, settings) -> PaymentAccount:  # noqa: ANN001
        return cls(settings.payment_bank_bin, settings.payment_account_number, settings.payment_account_name,
                   settings.payment_bank_name)


# ---- the procedure's fee -------------------------------------------------------------------
def procedure_fee(conn: Connection, procedure: Row) -> dict[str, Any]:
    return fee_of(procedure, DossierRepository(conn).fee_override(procedure.id))


def fee_of(procedure: Row, override: Row | None) -> dict[str, Any]:
    """A manager's fee if one was set, else the catalog's text read as one amount (or free,
    or unknown)."""
    if override is not None:
        fee = CatalogFee(FeeKind.AMOUNT, override.amount_vnd) if override.amount_vnd else CatalogFee(FeeKind.FREE)
        source, note = "manager", override.note
    else:
        fee, source, note = parse_catalog_fee(procedure.fee_vi), "catalog", ""
    return {"procedure_code": procedure.code, "kind": fee.kind.value, "amount_vnd": fee.amount_vnd,
            "amount_text": fee.text_vi, "source": source, "catalog_text": procedure.fee_vi, "note": note}


def get_procedure_fee(uow: UnitOfWork, code: str) -> dict[str, Any]:
    return procedure_fee(uow.conn, _procedure(uow.conn, code))


def _procedure(conn: Connection, code: str) -> Row:
    procedure = repo.procedure_by_code(conn, code)
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục {code}.", f"Procedure {code} not found.")
    return procedure


def set_procedure_fee(uow: UnitOfWork, code: str, amount_vnd: int | None, note: str, staff_id: int) -> dict[str, Any]:
    """A manager's structured fee (None: no fee). The audit log keeps who and when (the
    request's entry commits with this change) and the before/after amounts."""
    with uow:
        conn = uow.conn
        procedure = _procedure(conn, code)
        before = procedure_fee(conn, procedure)
        conn.execute(delete(t.procedure_fees).where(t.procedure_fees.c.procedure_id == procedure.id))
        conn.execute(insert(t.procedure_fees).values(procedure_id=procedure.id, amount_vnd=amount_vnd, note=note,
                                                     updated_at=uow.now, updated_by=staff_id))
        after = procedure_fee(conn, procedure)
        from queue_server.service_layer import audit

        entry = audit.current()
        if entry is not None:
            entry.target_hint = f"procedure={code}"
            entry.detail.update({"fee_before": before["amount_vnd"], "fee_kind_before": before["kind"],
                                 "fee_after": amount_vnd})
        uow.commit()
        return after


# ---- a dossier's fee ---------------------------------------------------------------------------
def record_at_reception(uow: UnitOfWork, dossier_id: int, site_id: int, procedure: Row, confirmed: int | None,
                        staff_id: int) -> int:
    """The fee confirmed by the clerk (else the procedure's, when it states one amount).
    Returns the amount recorded (0: none)."""
    fee = fee_of(procedure, uow.dossiers.fee_override(procedure.id))
    catalog_amount = fee["amount_vnd"] if fee["kind"] == FeeKind.AMOUNT.value else None
    amount = confirmed if confirmed is not None else (catalog_amount or 0)
    if amount > 0:
        uow.dossiers.add_fee(dossier_id=dossier_id, site_id=site_id, amount_vnd=amount,
                             catalog_amount_vnd=catalog_amount, confirmed_by=staff_id, confirmed_at=uow.now,
                             status=UNPAID)
    return amount


def set_dossier_fee(uow: UnitOfWork, code: str, amount_vnd: int, staff_id: int, *, allowed_site: int | None,
                    account: PaymentAccount) -> dict[str, Any] | None:
    with uow:
        conn = uow.conn
        dossier = load_dossier(uow, code, for_update=True)
        _check_site(dossier, allowed_site)
        current = _fee_row(conn, dossier.id, for_update=uow.is_postgres)
        if current is not None and current.status == PAID:
            raise Conflict(f"Lệ phí của hồ sơ {dossier.code} đã thu, không sửa được.",
                           f"The fee of dossier {dossier.code} is paid and can no longer change.", code="fee_paid")
        conn.execute(delete(t.dossier_fees).where(t.dossier_fees.c.dossier_id == dossier.id))
        if amount_vnd > 0:
            catalog = procedure_fee(conn, conn.execute(select(t.procedures).where(
                t.procedures.c.id == dossier.procedure_id)).one())
            conn.execute(insert(t.dossier_fees).values(
                dossier_id=dossier.id, site_id=dossier.site_id, amount_vnd=amount_vnd,
                catalog_amount_vnd=catalog["amount_vnd"] if catalog["kind"] == "amount" else None,
                confirmed_by=staff_id, confirmed_at=uow.now, status=UNPAID))
        reply = fee_view(conn, dossier.id, dossier.code, account)
        uow.commit()
        return reply


@dataclass(frozen=True)
class MarkFeePaid:
    code: str
    staff_id: int
    method: str  # cash | transfer
    bank_ref: str | None = None
    expected_vnd: int | None = None  # a statement line's amount: paid only if it matches


class FeeAlreadyPaid(Conflict):
    code = "fee_already_paid"


def mark_paid(c: MarkFeePaid, uow: UnitOfWork, *, allowed_site: int | None, account: PaymentAccount) -> dict[str, Any]:
    with uow:
        reply = mark_paid_in(uow, c, allowed_site=allowed_site, account=account)
        uow.commit()
        return reply


def mark_paid_in(uow: UnitOfWork, c: MarkFeePaid, *, allowed_site: int | None,
                 account: PaymentAccount) -> dict[str, Any]:
    """Within the caller's transaction (the statement import marks many)."""
    conn = uow.conn
    dossier = load_dossier(uow, c.code)
    _check_site(dossier, allowed_site)
    f = t.dossier_fees.c
    # The claim: only an unpaid fee becomes paid. A racing second clerk finds 0 rows.
    claimed = conn.execute(
        update(t.dossier_fees).where(f.dossier_id == dossier.id, f.status == UNPAID)
        .values(status=PAID, method=c.method, paid_at=uow.now, paid_by=c.staff_id, bank_ref=c.bank_ref)
        .returning(f.amount_vnd, f.site_id)
    ).first()
    if claimed is None:
        current = _fee_row(conn, dossier.id)
        if current is None:
            raise NotFound(f"Hồ sơ {dossier.code} không có lệ phí phải nộp.", f"Dossier {dossier.code} has no fee.",
                           code="no_fee")
        who = _staff_name(conn, current.paid_by)
        at = current.paid_at.astimezone(uow.rules.tz)
        raise FeeAlreadyPaid(f"Lệ phí của hồ sơ {dossier.code} đã được thu lúc {at:%H:%M %d/%m/%Y}"
                             + (f" ({who})." if who else "."),
                             f"The fee of dossier {dossier.code} was already paid at {at:%H:%M %d/%m/%Y}"
                             + (f" ({who})." if who else "."))
    year = uow.now.astimezone(uow.rules.tz).year
    number = _take_receipt_number(conn, claimed.site_id, year)
    site = repo.site_by_id(conn, claimed.site_id)
    conn.execute(update(t.dossier_fees).where(f.dossier_id == dossier.id).values(
        receipt_series=receipt_series(site.code, year), receipt_number=number))
    uow.emit(PendingEvent(type=EventType.DOSSIER_FEE_PAID, site_id=dossier.site_id, staff_id=c.staff_id,
                          data={"dossier_id": dossier.id, "dossier_code": dossier.code,
                                "amount_vnd": int(claimed.amount_vnd), "method": c.method}))
    return fee_view(conn, dossier.id, dossier.code, account)


def _take_receipt_number(conn: Connection, site_id: int, year: int) -> int:
    seq = t.fee_receipt_sequence.c
    ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t.fee_receipt_sequence).values(
        site_id=site_id, year=year, last_number=1)
    return conn.execute(ins.on_conflict_do_update(
        index_elements=[seq.site_id, seq.year], set_={"last_number": seq.last_number + 1}).returning(seq.last_number)
    ).scalar_one()


def _check_site(dossier: Row, allowed_site: int | None) -> None:
    if allowed_site is not None and dossier.site_id != allowed_site:
        raise Forbidden("Hồ sơ này thuộc điểm phục vụ khác.", "This dossier belongs to another site.")


def _fee_row(conn: Connection, dossier_id: int, *, for_update: bool = False) -> Row | None:
    stmt = select(t.dossier_fees).where(t.dossier_fees.c.dossier_id == dossier_id)
    return conn.execute(stmt.with_for_update() if for_update else stmt).first()


def _staff_name(conn: Connection, staff_id: int | None) -> str:
    if staff_id is None:
        return ""
    return conn.execute(select(t.staff.c.full_name).where(t.staff.c.id == staff_id)).scalar() or ""


def receipt_label(series: str | None, number: int | None) -> str | None:
    return f"{series}/{format_receipt_number(number)}" if series and number else None


def fee_view(conn: Connection, dossier_id: int, code: str, account: PaymentAccount) -> dict[str, Any] | None:
    """A dossier's FeeOut, with the VietQR payload while it is unpaid and an account is set."""
    payer = aliased(t.staff)
    row = conn.execute(select(t.dossier_fees, payer.c.full_name.label("paid_by_name"))
                       .outerjoin(payer, payer.c.id == t.dossier_fees.c.paid_by)
                       .where(t.dossier_fees.c.dossier_id == dossier_id)).first()
    if row is None:
        return None
    purpose = payment_purpose(code)
    vietqr = None
    if row.status == UNPAID and account.takes_transfers:
        vietqr = build_payload(Payment(account.bank_bin, account.account_number, int(row.amount_vnd), purpose))
    return {
        "amount_vnd": int(row.amount_vnd), "amount_text": format_vnd(int(row.amount_vnd)),
        "catalog_amount_vnd": row.catalog_amount_vnd, "status": row.status, "method": row.method,
        "paid_at": row.paid_at, "paid_by_name": row.paid_by_name,
        "receipt_number": receipt_label(row.receipt_series, row.receipt_number), "payment_purpose": purpose,
        "vietqr": vietqr, "bank_name": account.bank_name, "account_name": account.account_name,
        "account_number": account.account_number,
    }


def paid_fee_row(conn: Connection, dossier_id: int) -> Row | None:
    row = _fee_row(conn, dossier_id)
    return row if row is not None and row.status == PAID else None
