"""The province control room in the manager web: who holds which dossier, what is due and
late (with the officer holding each), the month per agency and per site with charts and
exports, the dossiers waiting to be forwarded, a dossier's page with its forms, the
processing agencies (an admin edits them) and the tracking book."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from queue_server.adapters import tables as t
from queue_server.domain.dossier_commands import (
    AgencyIn,
    ForwardDossier,
    ForwardDueDossiers,
    SaveAgency,
    SendNotices,
)
from queue_server.domain.errors import DomainError, Forbidden
from queue_server.service_layer import agencies as registry
from queue_server.service_layer import agency_views, agency_work, control_room, dossier_stop
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer.dossier_alerts import make_notifier, send_notices
from queue_server.service_layer.dossier_flow import local_day
from queue_server.service_layer.views import get_site
from queue_server.web import session as s
from queue_server.web.agency_inbox import (
    ACTION_VI,
    book_file,
    book_period,
    error_text,
    file_response,
    form_pdf,
    principal_of,
    stop_from_form,
)
from queue_server.web.charts import Series, bar_chart
from queue_server.web.oversight import own_site
from queue_server.web.templating import render
from shared.dossier_protocol import STATUS_EN, STATUS_VI, DossierStatus
from shared.enums import Role

router = APIRouter(prefix="/manager")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    ("key", "Đơn vị", "Unit"), ("received", "Tiếp nhận", "Received"), ("results", "Có kết quả", "Results"),
    ("on_time", "Đúng hạn", "On time"), ("late", "Trễ hạn", "Late"), ("on_time_rate", "Tỷ lệ đúng hạn (%)",
    "On-time rate (%)"), ("avg_working_days", "Ngày xử lý TB", "Avg working days"),
    ("avg_legal_days", "Thời hạn luật định TB", "Avg legal days"), ("supplement_rate", "Tỷ lệ bổ sung (%)",
    "Supplement rate (%)"), ("refused", "Từ chối", "Refused"), ("refusal_rate", "Tỷ lệ từ chối (%)",
    "Refusal rate (%)"), ("stopped", "Dừng giải quyết", "Stopped"), ("digitization_rate", "Số hóa khi tiếp nhận (%)", "Digitized at reception (%)"),
    ("satisfaction_rate", "Hài lòng (%)", "Satisfied (%)"), ("rated", "Lượt đánh giá", "Ratings"),
    ("reuse_rate", "Tái sử dụng giấy tờ (%)", "Documents reused (%)"),
    ("fees_paid", "Lượt thu phí, lệ phí", "Fees paid"), ("fees_paid_vnd", "Phí, lệ phí đã thu (đồng)", "Fees collected (VND)"),
)


def _month_param(request: Request) -> str | None:
    value = request.query_params.get("month", "")[:7]
    return value or None


def short_name(name: str, limit: int = 26) -> str:
    """An agency's name short enough for a chart's label column."""
    for long, short in (("Ủy ban nhân dân", "UBND"), ("Văn phòng", "VP"), (" thành phố Huế", "")):
        name = name.replace(long, short)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _charts(month: dict) -> list:
    rows = [r for r in month["by_agency"] if r["results"] or r["received"]]
    if not rows:
        return []
    names = [short_name(r["key"]) for r in rows]
    return [
        bar_chart("Tỷ lệ trả đúng hạn (%) · On-time rate (%)", names,
                  [Series("Đúng hạn · On time", "#1B5E20", [r["on_time_rate"] for r in rows])]),
        bar_chart("Ngày xử lý so với thời hạn (ngày làm việc) · Working days vs legal time", names,
                  [Series("Thực tế TB · Actual avg", "#0D47A1", [r["avg_working_days"] for r in rows]),
                   Series("Luật định TB · Legal avg", "#8A4B00", [r["avg_legal_days"] for r in rows])]),
        bar_chart("Bổ sung, từ chối, số hóa (%) · Supplements, refusals, digitized (%)", names,
                  [Series("Bổ sung · Supplement", "#8A4B00", [r["supplement_rate"] for r in rows]),
                   Series("Từ chối · Refused", "#B71C1C", [r["refusal_rate"] for r in rows]),
                   Series("Số hóa · Digitized", "#0A3377", [r["digitization_rate"] for r in rows])]),
    ]


def _flash(request: Request) -> dict | None:
    return s.read_flash(request)


@router.get("/control")
@s.web_page
async def control_page(request: Request) -> Response:
    user = await s.require_manager(request)
    wiring = s.wiring_of(request)
    try:
        data = await wiring.run(control_room.read_board, wiring.reader(), _month_param(request))
        agencies = await wiring.run(_agencies, wiring)
    except DomainError as exc:
        data, agencies = await wiring.run(control_room.read_board, wiring.reader(), None), []
        return _render_control(request, user, data, agencies, error=exc)
    return _render_control(request, user, data, agencies)


def _agencies(wiring) -> list[dict]:  # noqa: ANN001
    with wiring.reader() as uow:
        return registry.list_agencies(uow.conn)


def _render_control(request: Request, user: s.WebUser, data: dict, agencies: list, error: DomainError | None = None
                    ) -> Response:
    month = data["month"]["month"]
    response = render(request, "manager/control.html", user=user, data=data, month=month, agencies=agencies,
                      charts=_charts(data["month"]), columns=COLUMNS, status_vi=STATUS_VI, status_en=STATUS_EN,
                      statuses=[DossierStatus(x) for x in data["live"]["statuses"]], error=error,
                      flash=_flash(request), month_query=f"month={month:%Y-%m}")
    s.clear_flash(request, response)
    return response


@router.get("/control/dossiers")
@s.web_page
async def drill_down_page(request: Request) -> Response:
    user = await s.require_manager(request)
    wiring = s.wiring_of(request)
    q = request.query_params
    agency_code, site_code = q.get("agency", "")[:40] or None, q.get("site", "")[:32] or None
    no_agency = q.get("no_agency") == "1"
    rules = wiring.policies.dossiers

    def read() -> dict:
        with wiring.reader() as uow:
            month = control_room.parse_month(_month_param(request), local_day(uow.now, rules))
            agency = registry.agency_by_code(uow.conn, agency_code) if agency_code else None
            site = get_site(uow.conn, site_code) if site_code else None
            page = control_room.drill_down(uow, rules, month=month, agency_id=agency.id if agency else None,
                                           site_id=site.id if site else None, no_agency=no_agency)
            label = agency.name_vi if agency else (site.name_vi if site else control_room.NO_AGENCY)
            return {"page": page, "month": month, "label": label}
    try:
        found = await wiring.run(read)
    except DomainError as exc:
        return render(request, "manager/not_found.html", status=exc.status, user=user, error=exc)
    return render(request, "manager/control_dossiers.html", user=user, flash=None, **found)


DUE_LISTS = {"overdue": ("Hồ sơ quá hạn", "Overdue"), "due_today": ("Đến hạn hôm nay", "Due today"),
             "due_tomorrow": ("Đến hạn ngày làm việc tiếp theo", "Due the next working day")}


@router.get("/control/due/{kind}")
@s.web_page
async def due_list_page(kind: str, request: Request) -> Response:
    """The whole of one due list, with the officer holding each dossier."""
    user = await s.require_manager(request)
    if kind not in DUE_LISTS:
        return render(request, "manager/not_found.html", status=404, user=user)
    wiring = s.wiring_of(request)

    def read() -> dict:
        with wiring.reader() as uow:
            return agency_views.due_lists(uow, wiring.policies.dossiers, limit=1000)
    lists = await wiring.run(read)
    return render(request, "manager/control_dossiers.html", user=user, flash=None, page=lists[kind],
                  month=lists["today"], label=DUE_LISTS[kind][0])


@router.get("/dossiers/{code}")
@s.web_page
async def dossier_page(code: str, request: Request) -> Response:
    user = await s.require_manager(request)
    wiring = s.wiring_of(request)
    rules = wiring.policies.dossiers

    def read() -> tuple[dict, list]:
        with wiring.reader() as uow:
            row = views.load_dossier(uow, code[:80])
            if own_site(user) is not None and row.site_id != own_site(user):
                raise Forbidden("Hồ sơ này thuộc điểm phục vụ khác.", "This dossier belongs to another site.")
            return views.dossier_reply(uow, row.id, rules), registry.list_agencies(uow.conn)
    try:
        d, agencies = await wiring.run(read)
    except DomainError as exc:
        return render(request, "manager/not_found.html", status=exc.status, user=user, error=exc)
    response = render(request, "manager/dossier.html", user=user, d=d, agencies=agencies, action_vi=ACTION_VI,
                      flash=_flash(request))
    s.clear_flash(request, response)
    return response


@router.get("/dossiers/{code}/{name}.pdf")
@s.web_page
async def dossier_form(code: str, name: str, request: Request) -> Response:
    user = await s.require_manager(request)
    return await form_pdf(request, principal_of(user), code[:80], name[:40])


@router.post("/dossiers/{code}/forward")
@s.web_page
async def forward(code: str, request: Request) -> Response:
    user, form = await s.manager_form(request)
    wiring = s.wiring_of(request)
    back = f"/manager/dossiers/{quote(code[:80], safe='')}"
    command = ForwardDossier(code=code[:80], staff_id=user.id, agency_code=form.one("agency_code")[:40] or None,
                             note=form.one("note")[:500], allowed_site=own_site(user))
    try:
        d = await wiring.run(views.handle_and_show, agency_work.forward_dossier, command, wiring.uow(),
                             wiring.reader())
    except DomainError as exc:
        return s.after_action(request, back, error=exc)
    return s.after_action(request, back, result=lambda: (
        f"Đã chuyển hồ sơ đến {d['processing_agency_name_vi']}.", f"Forwarded to {d['processing_agency_name_vi']}."))


@router.post("/dossiers/{code}/stop")
@s.web_page
async def stop(code: str, request: Request) -> Response:
    """Form 05: the citizen withdrew the dossier, or the law stops it."""
    user, form = await s.manager_form(request)
    wiring = s.wiring_of(request)
    back = f"/manager/dossiers/{quote(code[:80], safe='')}"
    command = stop_from_form(code, user.id, form, site_id=own_site(user))
    try:
        await wiring.run(dossier_stop.stop_dossier, command, wiring.uow())
    except DomainError as exc:
        return s.after_action(request, back, error=exc)
    return s.after_action(request, back, result=lambda: (
        "Đã dừng giải quyết hồ sơ: in thông báo (mẫu 05) cho công dân.",
        "Processing stopped: print the stop notice (form 05) for the citizen."))


@router.post("/control/forward-due")
@s.web_page
async def forward_due(request: Request) -> Response:
    user, _ = await s.manager_form(request)
    wiring = s.wiring_of(request)
    out = await wiring.run(agency_work.forward_due, ForwardDueDossiers(staff_id=user.id, site_id=own_site(user)),
                           wiring.uow())
    n = len(out["forwarded"])
    return s.after_action(request, "/manager/control", result=lambda: (
        f"Đã chuyển {n} hồ sơ đến cơ quan giải quyết.", f"{n} dossiers forwarded to their agencies."))


@router.post("/control/notices")
@s.web_page
async def notices(request: Request) -> Response:
    await s.manager_form(request)
    wiring = s.wiring_of(request)
    out = await wiring.run(send_notices, SendNotices(make_notifier(wiring.settings.dossier_notifier)), wiring.uow())
    return s.after_action(request, "/manager/control", result=lambda: (
        f"Đã gửi {out['sent']} thông báo ({out['already_sent']} đã gửi trước đó hôm nay).",
        f"{out['sent']} notices sent ({out['already_sent']} already sent today)."))


# ---- exports ---------------------------------------------------------------------------------
def _export_rows(month: dict) -> list[tuple[str, dict]]:
    return ([("Cơ quan giải quyết", r) for r in month["by_agency"]] + [("Điểm phục vụ", r) for r in month["by_site"]]
            + [("Toàn tỉnh", month["total"])])


@router.get("/control.{kind}")
@s.web_page
async def control_export(kind: str, request: Request) -> Response:
    await s.require_manager(request)
    if kind not in ("csv", "xlsx"):
        return Response("Not found\n", status_code=404, media_type="text/plain")
    wiring = s.wiring_of(request)
    try:
        data = await wiring.run(control_room.read_board, wiring.reader(), _month_param(request))
    except DomainError as exc:
        return error_text(exc)
    month = data["month"]
    header = ["Nhóm / Group"] + [f"{vi} / {en}" for _, vi, en in COLUMNS]
    lines = [[group] + [r[name] for name, _, _ in COLUMNS] for group, r in _export_rows(month)]
    name = f"motcua-dieu-hanh-ho-so-{month['month']:%Y-%m}.{kind}"
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in line] for line in lines])
        body, media = ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.title = f"{month['month']:%Y-%m}"
        sheet.append([f"Điều hành hồ sơ tháng {month['month']:%m/%Y}"])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(header)
        for line in lines:
            sheet.append(line)
        sheet.column_dimensions["A"].width = 20
        sheet.column_dimensions["B"].width = 44
        out = io.BytesIO()
        book.save(out)
        body, media = out.getvalue(), XLSX
    return file_response(request, body, media, name)


# ---- agencies (data) -------------------------------------------------------------------------
@router.get("/agencies")
@s.web_page
async def agencies_page(request: Request) -> Response:
    user = await s.require_manager(request)
    wiring = s.wiring_of(request)
    site_code = request.query_params.get("site", "HUE-TT")[:32] or None

    def read() -> tuple[list, dict, list]:
        with wiring.reader() as uow:
            sites = [r.code for r in uow.conn.execute(select(t.sites.c.code)
                                                      .order_by(t.sites.c.id)).all()]
            code = site_code if site_code in sites else None
            return registry.list_agencies(uow.conn), registry.mapping_summary(uow.conn, code), sites
    agencies, mapping, sites = await wiring.run(read)
    response = render(request, "manager/agencies.html", user=user, agencies=agencies, mapping=mapping, sites=sites,
                      site_code=site_code, kinds=registry.AGENCY_KINDS, is_admin=user.role is Role.ADMIN,
                      flash=_flash(request))
    s.clear_flash(request, response)
    return response


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("\r", "").split("\n") if part.strip())


@router.post("/agencies")
@s.web_page
async def save_agency(request: Request) -> Response:
    user, form = await s.manager_form(request)
    if user.role is not Role.ADMIN:
        return s.after_action(request, "/manager/agencies", error=Forbidden(
            "Chỉ quản trị viên được sửa danh mục cơ quan giải quyết.", "Only an administrator edits agencies."))
    wiring = s.wiring_of(request)
    data = AgencyIn(
        code=form.one("code")[:40], name_vi=form.one("name_vi")[:200], kind=form.one("kind")[:16],
        name_en=form.one("name_en")[:200], governing_body=form.one("governing_body")[:200],
        catalog_terms=_split(form.one("catalog_terms")), field_names=_split(form.one("field_names")),
        site_codes=tuple(x.strip() for x in form.one("site_codes").split(",") if x.strip()),
        active=form.one("active") == "1")
    original = form.one("original")[:40]

    try:
        saved = await wiring.run(registry.save_agency, SaveAgency(data, agency_code=original or None), wiring.uow())
    except DomainError as exc:
        return s.after_action(request, "/manager/agencies", error=exc)
    return s.after_action(request, "/manager/agencies", result=lambda: (
        f"Đã lưu cơ quan {saved['name_vi']}.", f"Saved {saved['code']}."))


# ---- the tracking book (form 07) -------------------------------------------------------------
@router.get("/book")
@s.web_page
async def book_page(request: Request) -> Response:
    user = await s.require_manager(request)
    wiring = s.wiring_of(request)
    start, end = book_period(request, local_day(wiring.clock(), wiring.policies.dossiers))
    owner = {k: request.query_params.get(k, "")[:40] for k in ("site", "agency")}
    sites = await wiring.run(lambda: [r["code"] for r in _sites(wiring)])
    agencies = await wiring.run(_agencies, wiring)
    query = urlencode({"from": start.isoformat(), "to": end.isoformat(), **{k: v for k, v in owner.items() if v}})
    return render(request, "manager/book.html", user=user, start=start, end=end, owner=owner, sites=sites,
                  agencies=agencies, query=query, flash=None)


def _sites(wiring) -> list[dict]:  # noqa: ANN001
    with wiring.reader() as uow:
        return [{"code": r.code} for r in uow.conn.execute(select(t.sites.c.code)
                                                            .order_by(t.sites.c.id)).all()]


@router.get("/book.{kind}")
@s.web_page
async def book_download(kind: str, request: Request) -> Response:
    user = await s.require_manager(request)
    if kind not in ("pdf", "xlsx"):
        return Response("Not found\n", status_code=404, media_type="text/plain")
    wiring = s.wiring_of(request)
    site_code, agency_code = request.query_params.get("site", "")[:32], request.query_params.get("agency", "")[:40]

    def owner() -> tuple[int | None, int | None]:
        with wiring.reader() as uow:
            if agency_code:
                return None, registry.agency_by_code(uow.conn, agency_code).id
            site_id = get_site(uow.conn, site_code).id if site_code else own_site(user)
            if own_site(user) is not None and site_id != own_site(user):
                raise Forbidden("Thuộc điểm phục vụ khác.", "Belongs to another site.")
            return site_id, None
    try:
        site_id, agency_id = await wiring.run(owner)
    except DomainError as exc:
        return error_text(exc)
    return await book_file(request, kind, site_id=site_id, agency_id=agency_id)
