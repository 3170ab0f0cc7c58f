"""Fees: the procedure's structured fee (read by anyone, set by a manager), a dossier's fee
confirmed and paid at the counter, its receipt (biên lai), the bank statement import and the
daily fee report."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from queue_server.adapters import tables as t
from queue_server.api.deps import CurrentManager, CurrentStaff, WiringDep
from queue_server.api.dossier_access import allowed_site, check_dossier_access
from queue_server.api.routes.catalog import ProcedureCode
from queue_server.api.routes.dossiers import DossierCode, PageParam, _pdf
from queue_server.documents import FeeReceiptData, render_fee_receipt_pdf
from queue_server.domain.business_day import business_day
from queue_server.domain.dossier_commands import (
    ImportStatement,
    MarkFeePaid,
    SetDossierFee,
    SetProcedureFee,
)
from queue_server.domain.errors import Conflict, Invalid
from queue_server.domain.fees import format_receipt_number
from queue_server.service_layer import fee_report, fees, statement_import
from queue_server.service_layer.dossier_views import load_dossier
from queue_server.service_layer.views import get_site
from shared.dossier_protocol import FeeOut
from shared.identity_protocol import (
    DossierFeeIn,
    FeePaymentIn,
    ProcedureFeeIn,
    ProcedureFeeOut,
    StatementImportOut,
)

router = APIRouter(tags=["fees"])


@router.get("/procedures/{code}/fee", response_model=ProcedureFeeOut, tags=["catalog"])
async def procedure_fee(code: ProcedureCode, wiring: WiringDep) -> dict:
    """The procedure's structured fee: one amount in dong, free, or unknown (the catalog's
    text does not state one amount and no manager has set it)."""
    def read() -> dict:
        with wiring.reader() as uow:
            return fees.get_procedure_fee(uow, code)
    return await wiring.run(read)


@router.put("/procedures/{code}/fee", response_model=ProcedureFeeOut)
async def set_procedure_fee(code: ProcedureCode, body: ProcedureFeeIn, me: CurrentManager, wiring: WiringDep) -> dict:
    """A manager sets the fee (`amount_vnd`, or null for none); audit-logged with the amounts
    before and after."""
    command = SetProcedureFee(procedure_code=code, amount_vnd=body.amount_vnd, note=body.note, staff_id=me.staff.id)
    return await wiring.run(fees.set_procedure_fee, command, wiring.uow())


@router.put("/dossiers/{code}/fee", response_model=FeeOut | None)
async def set_dossier_fee(code: DossierCode, body: DossierFeeIn, me: CurrentStaff, wiring: WiringDep) -> dict | None:
    """Correct the fee confirmed with the citizen (0: none) while it is unpaid."""
    command = SetDossierFee(code=code, amount_vnd=body.amount_vnd, staff_id=me.staff.id, allowed_site=allowed_site(me))
    return await wiring.run(fees.set_dossier_fee, command, wiring.uow())


@router.post("/dossiers/{code}/fee/payment", response_model=FeeOut)
async def pay_fee(code: DossierCode, body: FeePaymentIn, me: CurrentStaff, wiring: WiringDep) -> dict:
    """Mark the fee paid (cash at the counter, or a transfer seen in the bank). Once only:
    a second attempt, even at the same moment from another counter, gets 409 and who did."""
    command = MarkFeePaid(code, me.staff.id, body.method, bank_ref=body.bank_ref, allowed_site=allowed_site(me))
    return await wiring.run(fees.mark_paid, command, wiring.uow())


@router.get("/dossiers/{code}/fee-receipt.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
async def fee_receipt_pdf(code: DossierCode, me: CurrentStaff, wiring: WiringDep, page: PageParam = "A5") -> Response:
    """The fee receipt (biên lai) of a paid fee."""
    settings = wiring.settings

    def read() -> FeeReceiptData:
        check_dossier_access(wiring, me, code)
        with wiring.reader() as uow:
            dossier = load_dossier(uow, code)
            fee = fees.paid_fee_row(uow.conn, dossier.id)
            if fee is None:
                raise Conflict(f"Lệ phí của hồ sơ {dossier.code} chưa nộp: chưa có biên lai.",
                               f"The fee of dossier {dossier.code} is not paid: no receipt yet.", code="fee_unpaid")
            conn = uow.conn
            site = conn.execute(select(t.sites.c.name_vi).where(t.sites.c.id == dossier.site_id)).scalar_one()
            procedure = conn.execute(select(t.procedures.c.name_vi).where(
                t.procedures.c.id == dossier.procedure_id)).scalar_one()
            collector = conn.execute(select(t.staff.c.full_name).where(t.staff.c.id == fee.paid_by)).scalar() or ""
            return FeeReceiptData(
                unit_name=site, series=fee.receipt_series, number=format_receipt_number(fee.receipt_number),
                payer_name=dossier.applicant_name, payer_id=dossier.applicant_id_number,
                address=dossier.applicant_address, dossier_code=dossier.code, procedure_name=procedure,
                amount_vnd=int(fee.amount_vnd), method=fee.method, paid_at=fee.paid_at, collector_name=collector,
                bank_ref=fee.bank_ref if fee.bank_ref and not fee.bank_ref.startswith("stmt-") else "",
                governing_body=settings.documents_governing_body, place_name=settings.documents_place_name,
                tz=settings.time_zone)
    data = await wiring.run(read)
    content = await anyio.to_thread.run_sync(lambda: render_fee_receipt_pdf(data, page=page))
    return _pdf(content, f"bien-lai-{data.series}-{data.number}.pdf")


@router.post("/fees/statement", response_model=StatementImportOut)
async def import_statement(request: Request, me: CurrentManager, wiring: WiringDep) -> dict:
    """Import a bank statement (CSV, multipart field `file`): each credit whose description
    names a dossier and whose amount is its fee marks that fee paid by transfer; every other
    line is listed with the reason (partial, overpaid, already paid, duplicate, unknown)."""
    content = await _statement_bytes(request)
    command = ImportStatement(content, me.staff.id, allowed_site=allowed_site(me))
    return await wiring.run(statement_import.import_statement, command, wiring.uow())


async def _statement_bytes(request: Request) -> bytes:
    try:
        form = await request.form(max_files=1, max_fields=2)
    except (StarletteHTTPException, AssertionError):
        raise Invalid("Gửi tệp sao kê dạng multipart/form-data, trường “file”.",
                      "Send the statement as multipart/form-data, field `file`.", code="bad_upload") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("Chưa chọn tệp sao kê.", "No statement file was sent (field `file`).", code="no_files")
        return await upload.read(statement_import.MAX_STATEMENT_BYTES + 1)
    finally:
        await form.close()


@router.get("/fees/report")
async def daily_report(me: CurrentManager, wiring: WiringDep, day: date | None = None,
                       site_code: Annotated[str | None, Query(max_length=32)] = None) -> dict:
    """Fees of one business day per site and processing agency: confirmed, collected (cash,
    transfer), still owed. A site manager sees their site."""
    def read() -> dict:
        with wiring.reader() as uow:
            site_id = get_site(uow.conn, site_code).id if site_code else allowed_site(me)
            wanted = day or business_day(uow.now, uow.rules.tz, uow.rules.rollover)
        if allowed_site(me) is not None and site_id != allowed_site(me):
            raise Invalid("Chỉ xem được điểm phục vụ của mình.", "Only your own site.")
        report = fee_report.daily_fee_report(wiring.reader(), wanted, site_id)
        head, rows = fee_report.to_rows(report)
        return {"day": report["day"], "columns": head, "rows": rows}
    return await wiring.run(read)
