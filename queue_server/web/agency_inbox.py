"""The processing agency's inbox in the browser (processors only): its dossiers with the
legal clock, one dossier's page with the steps it allows now, the forms, the tracking book.
Same look as the manager web; every post carries the session's CSRF token."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from queue_server.api.agency_desk import (
    agency_file_download,
    read_agency_dossier,
    read_inbox,
    resolve_with_files,
)
from queue_server.api.deps import Principal
from queue_server.api.dossier_access import check_reader
from queue_server.documents import (
    render_apology_pdf,
    render_control_slip_pdf,
    render_refusal_pdf,
    render_stop_notice_pdf,
    render_supplement_request_pdf,
    render_tracking_book_pdf,
    render_tracking_book_xlsx,
)
from queue_server.domain.dossier_commands import AgencyStep, StopDossier
from queue_server.domain.errors import DomainError, Invalid, NotFound
from queue_server.service_layer import agency_views, agency_work, audit, dossier_stop, form_views
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer.agencies import agency_row
from queue_server.service_layer.dossier_alerts import my_notices
from queue_server.service_layer.dossier_flow import local_day
from queue_server.web import session as s
from queue_server.web.templating import render, secure_headers

router = APIRouter(prefix="/agency")
TABS = (("open", "Đang giữ", "Open"), ("mine", "Của tôi", "Mine"), ("overdue", "Quá hạn", "Overdue"),
        ("due_soon", "Sắp đến hạn", "Due soon"), ("supplement", "Chờ bổ sung", "Awaiting citizen"),
        ("done", "Đã xong", "Settled"))
ACTION_VI = {
    "receive": "Tiếp nhận", "forward": "Chuyển cơ quan giải quyết", "accept": "Cơ quan nhận giải quyết",
    "assign": "Phân công", "request_supplement": "Yêu cầu bổ sung", "receive_supplement": "Nhận hồ sơ bổ sung",
    "refuse": "Từ chối", "resolve": "Có kết quả", "apologize": "Xin lỗi, hẹn lại", "send_back": "Chuyển kết quả "
    "về Bộ phận Một cửa", "mark_ready": "Có kết quả", "return_result": "Trả kết quả", "stop": "Dừng giải quyết", "start_processing":
    "Bắt đầu xử lý", "digitize": "Số hóa", "new_pin": "Cấp lại mã PIN",
}
FLASH_PATH = "/agency"


def principal_of(user: s.WebUser) -> Principal:
    """The browser session as the API's caller, so both go through the same checks."""
    return Principal(staff=SimpleNamespace(id=user.id, role=user.role.value, site_id=user.site_id,
                                           agency_id=user.agency_id, full_name=user.full_name))


def file_response(request: Request, body: bytes, media: str, name: str, *, inline: bool = False) -> Response:
    """A PDF or a spreadsheet for a browser session, with the pages' security headers."""
    response = Response(body, media_type=media, headers={
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"'})
    secure_headers(request, response)
    return response


def error_text(exc: DomainError) -> Response:
    """A refusal where a file was asked for (a PDF, a spreadsheet): the reason, both languages."""
    return Response(f"{exc.message_vi}\n{exc.message_en}\n", status_code=exc.status,
                    media_type="text/plain; charset=utf-8")


def _agency(wiring, user: s.WebUser):  # noqa: ANN001, ANN202
    with wiring.reader() as uow:
        return agency_row(uow.conn, user.agency_id)


def _page(request: Request, template: str, user: s.WebUser, agency: Any, **context: Any) -> Response:  # noqa: ANN401
    flash = s.read_flash(request)
    response = render(request, template, user=user, agency=agency, flash=flash, action_vi=ACTION_VI, **context)
    if flash:
        response.delete_cookie(s.FLASH_COOKIE, path=FLASH_PATH)
    return response


def _back(request: Request, code: str, *, error: DomainError | None = None, ok: tuple[str, str] | None = None
          ) -> RedirectResponse:
    response = RedirectResponse(f"/agency/dossiers/{quote(code, safe='')}", status_code=303)
    wiring = s.wiring_of(request)
    if error is not None:
        audit.note_refusal(error.code)
        kind, vi, en = "error", error.message_vi, error.message_en
    else:
        kind, (vi, en) = "ok", ok or ("Đã lưu.", "Saved.")
    s.set_cookie(response, wiring, s.FLASH_COOKIE, quote(f"{kind}\x1f{vi}\x1f{en}", safe=""), max_age=60,
                 path=FLASH_PATH)
    return response


@router.get("")
@s.web_page
async def inbox_page(request: Request) -> Response:
    user = await s.require_processor(request)
    wiring = s.wiring_of(request)
    view = request.query_params.get("view", "open")
    if view not in agency_views.INBOX_VIEWS:
        view = "open"
    me = principal_of(user)

    def read() -> tuple[dict, dict, Any]:
        page = read_inbox(wiring, me, view, 100, 0)
        with wiring.reader() as uow:
            notices = my_notices(uow, user.id)
        return page, notices, _agency(wiring, user)
    page, notices, agency = await wiring.run(read)
    return _page(request, "agency/inbox.html", user, agency, page=page, counts=page["counts"], view=view,
                 tabs=TABS, notices=notices)


@router.get("/dossiers/{code}")
@s.web_page
async def dossier_page(code: str, request: Request) -> Response:
    user = await s.require_processor(request)
    wiring = s.wiring_of(request)
    me = principal_of(user)

    def read() -> tuple[dict, list, Any]:
        d = read_agency_dossier(wiring, me, code[:80])
        with wiring.reader() as uow:
            officers = agency_views.officers(uow.conn, user.agency_id)
        return d, officers, _agency(wiring, user)
    try:
        d, officers, agency = await wiring.run(read)
    except DomainError as exc:
        return render(request, "manager/not_found.html", status=exc.status, user=user, error=exc)
    allowed = agency_work.steps_allowed(views.DossierStatus(d["status"]))
    return _page(request, "agency/dossier.html", user, agency, d=d, officers=officers, allowed=allowed)


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()][:40]


def _items(text: str) -> list[dict[str, str]]:
    """'Giấy chứng sinh | bản chụp không đọc được' per line; the reason may be left out."""
    items = []
    for line in _lines(text):
        what, _, reason = line.partition("|")
        items.append({"what": what.strip()[:500], "reason": (reason.strip() or "Theo quy định của thủ tục")[:500]})
    return [i for i in items if i["what"]]


@router.post("/dossiers/{code}/steps")
@s.web_page
async def take_step(code: str, request: Request) -> Response:
    user, form = await s.processor_form(request)
    wiring = s.wiring_of(request)
    step = form.one("step")
    try:
        new_due = date.fromisoformat(form.one("new_due_date")) if form.one("new_due_date") else None
    except ValueError:
        return _back(request, code, error=Invalid("Ngày hẹn lại không hợp lệ.", "The new date is not a date.",
                                                  code="invalid_new_due_date"))
    command = AgencyStep(
        code=code[:80], staff_id=user.id, agency_id=user.agency_id, step=step, note=form.one("note")[:2000],
        items=_items(form.one("items")), reasons=_lines(form.one("reasons")),
        assignee=form.one("assignee")[:64] or None, new_due_date=new_due)
    if step == "resolve":  # files come through /result only
        return _back(request, code, error=Invalid("Hãy đính kèm kết quả.", "Attach the result.",
                                                  code="result_file_required"))
    try:
        d = await wiring.run(views.handle_and_show, agency_work.take_step, command, wiring.uow(), wiring.reader())
    except DomainError as exc:
        return _back(request, code, error=exc)
    return _back(request, code, ok=(f"Đã {agency_work.STEP_VI.get(step, step)}: hồ sơ {d['status_vi'].lower()}.",
                                    f"Done ({step}): the dossier is now {d['status']}."))


@router.post("/dossiers/{code}/result")
@s.web_page
async def post_result(code: str, request: Request) -> Response:
    user = await s.require_processor(request)
    wiring = s.wiring_of(request)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return Response("Unsupported form encoding\n", status_code=415, media_type="text/plain")
    def csrf(values: dict[str, str]) -> None:
        s.check_csrf(request, user.csrf, s.Form({"csrf": [values.get("csrf", "")]}))

    try:
        await resolve_with_files(request, wiring, principal_of(user), code[:80], fields=("note", "csrf"), check=csrf)
    except DomainError as exc:
        return _back(request, code, error=exc)
    return _back(request, code, ok=("Đã ghi nhận kết quả. Hãy chuyển kết quả về Bộ phận Một cửa.",
                                    "Result recorded. Now send it to the center."))


def stop_from_form(code: str, staff_id: int, form: s.Form, *, site_id: int | None = None,
                   agency_id: int | None = None) -> StopDossier:
    """The stop form of the manager's and the agency's dossier pages, as the command."""
    return StopDossier(code=code[:80], staff_id=staff_id, ground=form.one("ground")[:16],
                       reason=form.one("reason")[:1000], legal_basis=form.one("legal_basis")[:500],
                       site_id=site_id, agency_id=agency_id)


@router.post("/dossiers/{code}/stop")
@s.web_page
async def stop(code: str, request: Request) -> Response:
    """Form 05: processing stops while the agency holds the dossier."""
    user, form = await s.processor_form(request)
    wiring = s.wiring_of(request)
    command = stop_from_form(code, user.id, form, agency_id=user.agency_id)
    try:
        await wiring.run(dossier_stop.stop_dossier, command, wiring.uow())
    except DomainError as exc:
        return _back(request, code, error=exc)
    return _back(request, code, ok=("Đã dừng giải quyết hồ sơ (thông báo mẫu 05).",
                                    "Processing stopped (stop notice, form 05)."))


@router.get("/dossiers/{code}/files/{attachment_id}")
@s.web_page
async def file_download(code: str, attachment_id: int, request: Request) -> Response:
    user = await s.require_processor(request)
    try:
        return await agency_file_download(code[:80], attachment_id, principal_of(user), s.wiring_of(request))
    except DomainError as exc:
        return error_text(exc)


FORMS = {
    "control-slip": (form_views.control_slip_data, render_control_slip_pdf),
    "refusal": (form_views.refusal_data, render_refusal_pdf),
    "apology": (form_views.apology_data, render_apology_pdf),
    "stop-notice": (form_views.stop_notice_data, render_stop_notice_pdf),
}


async def form_pdf(request: Request, me: Principal, code: str, name: str) -> Response:
    """One of a dossier's forms for a browser session (managers and processors)."""
    wiring = s.wiring_of(request)
    rules = wiring.policies.dossiers

    def read() -> Any:  # noqa: ANN401
        with wiring.reader() as uow:
            check_reader(me, views.load_dossier(uow, code))
            if name == "supplement-request":
                return views.supplement_data(uow, code, rules, [], me.staff.full_name), render_supplement_request_pdf
            if name not in FORMS:
                raise NotFound("Không có biểu mẫu này.", "No such form.")
            build, draw = FORMS[name]
            return build(uow, code, rules), draw
    try:
        data, draw = await wiring.run(read)
    except DomainError as exc:
        return error_text(exc)
    content = await anyio.to_thread.run_sync(lambda: draw(data))
    return file_response(request, content, "application/pdf", f"{name}-{data.dossier_code}.pdf", inline=True)


@router.get("/dossiers/{code}/{name}.pdf")
@s.web_page
async def agency_form(code: str, name: str, request: Request) -> Response:
    user = await s.require_processor(request)
    return await form_pdf(request, principal_of(user), code[:80], name[:40])


# ---- the tracking book (form 07) -------------------------------------------------------------
def book_period(request: Request, today: date) -> tuple[date, date]:
    def day(name: str, default: date) -> date:
        try:
            return date.fromisoformat(request.query_params.get(name, "")[:10])
        except ValueError:
            return default
    return day("from", today.replace(day=1)), day("to", today)


async def book_file(request: Request, kind: str, *, site_id: int | None, agency_id: int | None) -> Response:
    wiring = s.wiring_of(request)
    rules = wiring.policies.dossiers
    start, end = book_period(request, local_day(wiring.clock(), rules))

    def read() -> Any:  # noqa: ANN401
        with wiring.reader() as uow:
            return form_views.tracking_book_data(uow, rules, start=start, end=end, site_id=site_id,
                                                 agency_id=agency_id)
    try:
        data = await wiring.run(read)
    except DomainError as exc:
        return error_text(exc)
    draw = render_tracking_book_pdf if kind == "pdf" else render_tracking_book_xlsx
    media = "application/pdf" if kind == "pdf" else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    content = await anyio.to_thread.run_sync(lambda: draw(data))
    return file_response(request, content, media, f"so-theo-doi-{start.isoformat()}-{end.isoformat()}.{kind}")


@router.get("/book")
@s.web_page
async def book_page(request: Request) -> Response:
    user = await s.require_processor(request)
    wiring = s.wiring_of(request)
    start, end = book_period(request, local_day(wiring.clock(), wiring.policies.dossiers))
    agency = await wiring.run(_agency, wiring, user)
    return _page(request, "agency/book.html", user, agency, start=start, end=end,
                 query=f"from={start.isoformat()}&to={end.isoformat()}")


@router.get("/book.{kind}")
@s.web_page
async def book_download(kind: str, request: Request) -> Response:
    user = await s.require_processor(request)
    if kind not in ("pdf", "xlsx"):
        return Response("Not found\n", status_code=404, media_type="text/plain")
    return await book_file(request, kind, site_id=None, agency_id=user.agency_id)
