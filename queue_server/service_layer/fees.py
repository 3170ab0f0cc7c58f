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

from sqlalchemy import Connection, Row

from queue_server.adapters.fee_repository import FeeRepository
from queue_server.domain.dossier_commands import MarkFeePaid, SetDossierFee, SetProcedureFee
from queue_server.domain.errors import Conflict, NotFound
from queue_server.domain.fees import (
    CatalogFee,
    FeeKind,
    format_receipt_number,
    format_vnd,
    parse_catalog_fee,
    receipt_series,
)
from queue_server.service_layer.dossier_steps import check_site, load
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
    return fee_of(procedure, FeeRepository(conn).override(procedure.id))


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
    procedure = _procedure(uow, code)
    return fee_of(procedure, uow.dossiers.fees.override(procedure.id))


def _procedure(uow: UnitOfWork, code: str) -> Row:
    procedure = uow.dossiers.procedure_by_code(code)
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục {code}.", f"Procedure {code} not found.")
    return procedure


def set_procedure_fee(c: SetProcedureFee, uow: UnitOfWork) -> dict[str, Any]:
    """A manager's structured fee (None: no fee). The audit log keeps who and when (the
    request's entry commits with this change) and the before/after amounts."""
    with uow:
        fees = uow.dossiers.fees
        procedure = _procedure(uow, c.procedure_code)
        before = fee_of(procedure, fees.override(procedure.id))
        fees.set_override(procedure.id, amount_vnd=c.amount_vnd, note=c.note, updated_at=uow.now,
                          updated_by=c.staff_id)
        after = fee_of(procedure, fees.override(procedure.id))
        from queue_server.service_layer import audit

        entry = audit.current()
        if entry is not None:
            entry.target_hint = f"procedure={c.procedure_code}"
            entry.detail.update({"fee_before": before["amount_vnd"], "fee_kind_before": before["kind"],
                                 "fee_after": c.amount_vnd})
        uow.commit()
        return after


# ---- a dossier's fee ---------------------------------------------------------------------------
def record_at_reception(uow: UnitOfWork, dossier_id: int, site_id: int, procedure: Row, confirmed: int | None,
                        staff_id: int) -> int:
    """The fee confirmed by the clerk (else the procedure's, when it states one amount).
    Returns the amount recorded (0: none)."""
    fee = fee_of(procedure, uow.dossiers.fees.override(procedure.id))
    catalog_amount = fee["amount_vnd"] if fee["kind"] == FeeKind.AMOUNT.value else None
    amount = confirmed if confirmed is not None else (catalog_amount or 0)
    if amount > 0:
        uow.dossiers.fees.add(dossier_id=dossier_id, site_id=site_id, amount_vnd=amount,
                             catalog_amount_vnd=catalog_amount, confirmed_by=staff_id, confirmed_at=uow.now,
                             status=UNPAID)
    return amount


def set_dossier_fee(c: SetDossierFee, uow: UnitOfWork) -> dict[str, Any] | None:
    with uow:
        fees = uow.dossiers.fees
        dossier = load(uow, c.code)
        check_site(dossier, c.allowed_site)
        current = fees.of(dossier.id, for_update=True)
        if current is not None and current.status == PAID:
            raise Conflict(f"Lệ phí của hồ sơ {dossier.code} đã thu, không sửa được.",
                           f"The fee of dossier {dossier.code} is paid and can no longer change.", code="fee_paid")
        fees.remove(dossier.id)
        if c.amount_vnd > 0:
            procedure = uow.dossiers.procedure_by_id(dossier.procedure_id)
            catalog = fee_of(procedure, fees.override(procedure.id))
            fees.add(dossier_id=dossier.id, site_id=dossier.site_id, amount_vnd=c.amount_vnd,
                     catalog_amount_vnd=catalog["amount_vnd"] if catalog["kind"] == "amount" else None,
                     confirmed_by=c.staff_id, confirmed_at=uow.now, status=UNPAID)
        reply = _view(fees, dossier.id, dossier.code, uow.policies.dossiers.payment_account)
        uow.commit()
        return reply


class FeeAlreadyPaid(Conflict):
    code = "fee_already_paid"


def mark_paid(c: MarkFeePaid, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        reply = mark_paid_in(uow, c)
        uow.commit()
        return reply


def mark_paid_in(uow: UnitOfWork, c: MarkFeePaid) -> dict[str, Any]:
    """Within the caller's transaction (the statement import marks many)."""
    fees = uow.dossiers.fees
    dossier = load(uow, c.code)
    check_site(dossier, c.allowed_site)
    # The claim: only an unpaid fee becomes paid. A racing second clerk finds 0 rows.
    claimed = fees.claim_unpaid(dossier.id, method=c.method, paid_at=uow.now, paid_by=c.staff_id,
                                bank_ref=c.bank_ref)
    if claimed is None:
        current = fees.of(dossier.id)
        if current is None:
            raise NotFound(f"Hồ sơ {dossier.code} không có lệ phí phải nộp.", f"Dossier {dossier.code} has no fee.",
                           code="no_fee")
        who = fees.staff_name(current.paid_by)
        at = current.paid_at.astimezone(uow.rules.tz)
        raise FeeAlreadyPaid(f"Lệ phí của hồ sơ {dossier.code} đã được thu lúc {at:%H:%M %d/%m/%Y}"
                             + (f" ({who})." if who else "."),
                             f"The fee of dossier {dossier.code} was already paid at {at:%H:%M %d/%m/%Y}"
                             + (f" ({who})." if who else "."))
    year = uow.now.astimezone(uow.rules.tz).year
    number = fees.take_receipt_number(claimed.site_id, year)
    fees.set_receipt(dossier.id, receipt_series(uow.dossiers.site(claimed.site_id).code, year), number)
    uow.emit(PendingEvent(type=EventType.DOSSIER_FEE_PAID, site_id=dossier.site_id, staff_id=c.staff_id,
                          data={"dossier_id": dossier.id, "dossier_code": dossier.code,
                                "amount_vnd": int(claimed.amount_vnd), "method": c.method}))
    return _view(fees, dossier.id, dossier.code, uow.policies.dossiers.payment_account)


def receipt_label(series: str | None, number: int | None) -> str | None:
    return f"{series}/{format_receipt_number(number)}" if series and number else None


def fee_view(conn: Connection, dossier_id: int, code: str, account: PaymentAccount) -> dict[str, Any] | None:
    return _view(FeeRepository(conn), dossier_id, code, account)


def _view(fees: FeeRepository, dossier_id: int, code: str, account: PaymentAccount) -> dict[str, Any] | None:
    """A dossier's FeeOut, with the VietQR payload while it is unpaid and an account is set."""
    row = fees.with_payer(dossier_id)
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
    row = FeeRepository(conn).of(dossier_id)
    return row if row is not None and row.status == PAID else None
