"""The managers' fee page: the day's fees per site and processing agency (with CSV and
XLSX exports), a procedure's structured fee (set by a manager, audit-logged), and the bank
statement import with every line's outcome."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from queue_server.domain.business_day import business_day
from queue_server.domain.dossier_commands import ImportStatement, SetProcedureFee
from queue_server.domain.errors import DomainError, Invalid
from queue_server.service_layer import fee_report, fees, statement_import
from queue_server.service_layer import views as queue_views
from queue_server.web import session as s
from queue_server.web.export import add_table_downloads, table_download
from queue_server.web.templating import render

router = APIRouter(prefix="/manager")


def _day(request: Request) -> date:
    wiring = s.wiring_of(request)
    today = business_day(wiring.clock(), wiring.settings.tz, wiring.settings.business_day_rollover)
    try:
        return date.fromisoformat(request.query_params.get("day", "")[:10])
    except ValueError:
        return today


async def _report(request: Request, user: s.WebUser) -> tuple[dict, list[str]]:
    wiring = s.wiring_of(request)
    site_code = (request.query_params.get("site") or "")[:40]

    def read() -> tuple[dict, list[str]]:
        with wiring.reader() as uow:
            codes = [row["code"] for row in queue_views.list_sites(uow.conn)]
            site_id = user.site_id if user.site_id is not None else (
                queue_views.get_site(uow.conn, site_code).id if site_code in codes else None)
        return fee_report.daily_fee_report(wiring.reader(), _day(request), site_id), codes
    return await wiring.run(read)


@router.get("/fees")
@s.web_page
async def fees_page(request: Request) -> Response:
    user = await s.require_manager(request)
    return await _page(request, user)


async def _page(request: Request, user: s.WebUser, result: dict | None = None,
                error: DomainError | None = None) -> Response:
    report, site_codes = await _report(request, user)
    wiring = s.wiring_of(request)
    code = (request.query_params.get("procedure") or "").strip()[:40]
    fee = None
    if code:
        def read() -> dict:
            with wiring.reader() as uow:
                return fees.get_procedure_fee(uow, code)
        try:
            fee = await wiring.run(read)
        except DomainError as exc:
            error = error or exc
    return render(request, "manager/fees.html", user=user, report=report, site_codes=site_codes,
                  site=request.query_params.get("site", ""), procedure=code, export_query=request.url.query,
                  result=result, error=error, fee=fee, flash=s.read_flash(request), columns=fee_report.COLUMNS,
                  transfers=wiring.settings.takes_transfers)


@router.post("/fees/procedure")
@s.web_page
async def set_procedure_fee(request: Request) -> Response:
    user, form = await s.manager_form(request)
    wiring = s.wiring_of(request)
    code = form.one("procedure").strip()[:40]
    raw = form.one("amount").replace(".", "").replace(",", "").replace(" ", "")
    back = f"/manager/fees?procedure={code}"
    try:
        if raw and (not raw.isdigit() or not 0 < int(raw) <= 1_000_000_000_000):
            raise Invalid("Số tiền phải là số đồng, lớn hơn 0 (để trống nếu không thu).",
                          "The amount is a whole number of dong above 0 (empty for none).")
        amount = int(raw) if raw else None
        command = SetProcedureFee(procedure_code=code, amount_vnd=amount, note=form.one("note").strip()[:300],
                                  staff_id=user.id)
        fee = await wiring.run(fees.set_procedure_fee, command, wiring.uow())
    except DomainError as exc:
        return s.after_action(request, back, error=exc)
    return s.after_action(request, back, result=lambda: (
        f"Đã lưu lệ phí thủ tục {code}: {fee['amount_text']}.", f"Fee of procedure {code} saved: {fee['amount_text']}."))


@router.post("/fees/statement")
@s.web_page
async def import_statement(request: Request) -> Response:
    user = await s.require_manager(request)
    wiring = s.wiring_of(request)
    try:
        form = await request.form(max_files=1, max_fields=3)
    except (StarletteHTTPException, AssertionError):
        return await _page(request, user, error=Invalid("Tệp gửi lên không đọc được.", "Unreadable upload."))
    try:
        s.check_csrf(request, user.csrf, s.Form({"csrf": [str(form.get("csrf") or "")]}))
        upload = form.get("file")
        content = await upload.read(statement_import.MAX_STATEMENT_BYTES + 1) if isinstance(upload, UploadFile) else b""
    finally:
        await form.close()
    try:
        if not content:
            raise Invalid("Chưa chọn tệp sao kê.", "No statement file was chosen.", code="no_files")
        result = await wiring.run(statement_import.import_statement,
                                  ImportStatement(content, user.id, allowed_site=user.site_id), wiring.uow())
    except DomainError as exc:
        return await _page(request, user, error=exc)
    return await _page(request, user, result=result)


async def _export(request: Request, kind: str) -> Response:
    user = await s.require_manager(request)
    report, _ = await _report(request, user)
    head, rows = fee_report.to_rows(report)
    day = report["day"].isoformat()
    return table_download(request, kind, head, rows, title=f"Lệ phí ngày {day}", sheet_title="Lệ phí",
                          filename=f"motcua-le-phi-{day}.{kind}")


add_table_downloads(router, "/fees", _export)
