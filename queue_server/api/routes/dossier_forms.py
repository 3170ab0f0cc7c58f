"""The forms after the counter as PDF (and the tracking book as XLSX): refusal (03),
apology with the new date (04), stop notice (05), control slip (06), tracking book (07). Managers read every
dossier's, one-stop staff their site's, processors their agency's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import Response as PlainResponse

from queue_server.api.deps import AnyStaff, Principal, WiringDep
from queue_server.api.dossier_access import check_reader
from queue_server.api.dossier_files import NO_STORE
from queue_server.bootstrap import Wiring
from queue_server.documents import (
    render_apology_pdf,
    render_control_slip_pdf,
    render_refusal_pdf,
    render_stop_notice_pdf,
    render_tracking_book_pdf,
    render_tracking_book_xlsx,
)
from queue_server.domain.errors import Forbidden, Invalid
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer import form_views
from queue_server.service_layer.agencies import agency_by_code
from queue_server.service_layer.views import get_site

router = APIRouter(tags=["dossiers"])
DossierCode = Annotated[str, Path(min_length=1, max_length=80)]
PDF = {200: {"content": {"application/pdf": {}}}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(content: bytes, media: str, name: str) -> PlainResponse:
    return PlainResponse(content, media_type=media,
                         headers={**NO_STORE, "Content-Disposition": f'inline; filename="{name}"'})


async def _dossier_pdf(wiring: Wiring, me: Principal, code: str, build: Callable[..., Any],
                       render: Callable[[Any], bytes], stem: str) -> PlainResponse:
    rules = wiring.policies.dossiers

    def read() -> Any:  # noqa: ANN401
        with wiring.reader() as uow:
            check_reader(me, views.load_dossier(uow, code))
            return build(uow, code, rules)
    data = await wiring.run(read)
    content = await anyio.to_thread.run_sync(lambda: render(data))
    return _file(content, "application/pdf", f"{stem}-{data.dossier_code}.pdf")


@router.get("/dossiers/{code}/refusal.pdf", response_class=Response, responses=PDF)
async def refusal_pdf(code: DossierCode, me: AnyStaff, wiring: WiringDep) -> PlainResponse:
    """Form 03, "Phiếu từ chối tiếp nhận giải quyết hồ sơ", with every reason (409 unless refused)."""
    return await _dossier_pdf(wiring, me, code, form_views.refusal_data, render_refusal_pdf, "phieu-tu-choi")


@router.get("/dossiers/{code}/apology.pdf", response_class=Response, responses=PDF)
async def apology_pdf(code: DossierCode, me: AnyStaff, wiring: WiringDep) -> PlainResponse:
    """Form 04, the apology with the new date (409 when none was issued)."""
    return await _dossier_pdf(wiring, me, code, form_views.apology_data, render_apology_pdf, "van-ban-xin-loi")


@router.get("/dossiers/{code}/stop-notice.pdf", response_class=Response, responses=PDF)
async def stop_notice_pdf(code: DossierCode, me: AnyStaff, wiring: WiringDep) -> PlainResponse:
    """Form 05, "Thông báo dừng giải quyết hồ sơ", with the reason and legal basis (409 unless stopped)."""
    return await _dossier_pdf(wiring, me, code, form_views.stop_notice_data, render_stop_notice_pdf,
                              "thong-bao-dung-giai-quyet")


@router.get("/dossiers/{code}/control-slip.pdf", response_class=Response, responses=PDF)
async def control_slip_pdf(code: DossierCode, me: AnyStaff, wiring: WiringDep) -> PlainResponse:
    """Form 06, the control slip: every hand-off, on time or late, with the lookup QR code."""
    return await _dossier_pdf(wiring, me, code, form_views.control_slip_data, render_control_slip_pdf,
                              "phieu-kiem-soat")


def book_owner(uow, me: Principal, site_code: str | None, agency_code: str | None) -> tuple[int | None, int | None]:  # noqa: ANN001
    """(site id, agency id) of the book asked for, within what the caller may read."""
    if site_code and agency_code:
        raise Invalid("Chọn điểm phục vụ hoặc cơ quan, không cả hai.", "Give a site or an agency, not both.",
                      code="book_owner_required")
    if me.is_processor:
        if site_code or (agency_code and agency_by_code(uow.conn, agency_code).id != me.agency_id):
            raise Forbidden("Cán bộ cơ quan chỉ xem sổ của cơ quan mình.", "A processor reads their agency's book.")
        return None, me.agency_id
    if agency_code:
        if not me.is_manager:
            raise Forbidden("Sổ của cơ quan giải quyết dành cho quản lý.", "An agency's book is for managers.")
        return None, agency_by_code(uow.conn, agency_code).id
    site_id = get_site(uow.conn, site_code).id if site_code else me.site_id
    if site_id is None:
        raise Invalid("Hãy chọn điểm phục vụ (site_code) hoặc cơ quan (agency_code).",
                      "Give a site_code or an agency_code.", code="book_owner_required")
    if not me.may_act_on_site(site_id):
        raise Forbidden("Thuộc điểm phục vụ khác.", "Belongs to another site.")
    return site_id, None


async def _book(wiring: Wiring, me: Principal, site_code: str | None, agency_code: str | None, start: date,
                end: date, kind: str) -> PlainResponse:
    rules = wiring.policies.dossiers

    def read() -> Any:  # noqa: ANN401
        with wiring.reader() as uow:
            site_id, agency_id = book_owner(uow, me, site_code, agency_code)
            return form_views.tracking_book_data(uow, rules, start=start, end=end, site_id=site_id,
                                                 agency_id=agency_id)
    data = await wiring.run(read)
    name = f"so-theo-doi-ho-so-{start.isoformat()}-{end.isoformat()}.{kind}"
    if kind == "pdf":
        return _file(await anyio.to_thread.run_sync(lambda: render_tracking_book_pdf(data)), "application/pdf", name)
    return _file(await anyio.to_thread.run_sync(lambda: render_tracking_book_xlsx(data)), XLSX, name)


SiteQuery = Annotated[str | None, Query(max_length=32)]
AgencyQuery = Annotated[str | None, Query(max_length=40)]
FromQuery = Annotated[date, Query(alias="from")]


@router.get("/tracking-book.pdf", response_class=Response, responses=PDF)
async def tracking_book_pdf(me: AnyStaff, wiring: WiringDep, start: FromQuery, to: date,
                            site_code: SiteQuery = None, agency_code: AgencyQuery = None) -> PlainResponse:
    """Form 07, "Sổ theo dõi hồ sơ", of a site or an agency over [from, to] (A4 sideways)."""
    return await _book(wiring, me, site_code, agency_code, start, to, "pdf")


@router.get("/tracking-book.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def tracking_book_xlsx(me: AnyStaff, wiring: WiringDep, start: FromQuery, to: date,
                             site_code: SiteQuery = None, agency_code: AgencyQuery = None) -> PlainResponse:
    """The same tracking book as a spreadsheet."""
    return await _book(wiring, me, site_code, agency_code, start, to, "xlsx")
