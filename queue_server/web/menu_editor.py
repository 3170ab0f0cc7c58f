"""The manager's editor of a site's kiosk menu: one group at a time, most requested first;
pin, hide, rename (vi + en), move pinned items up and down, give an item back to the rules,
and add any procedure from the full catalog. Every post is audit-logged (AuditTrail)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from queue_server.bootstrap import Wiring
from queue_server.domain import menu_commands as mc
from queue_server.domain.errors import DomainError, Forbidden, Invalid, NotFound
from queue_server.service_layer import menu_editing, site_menu, views
from queue_server.web import session as s
from queue_server.web.templating import render

router = APIRouter(prefix="/manager")
SHOWN = 40  # items of a group listed before "show all"

# action -> (the change, the flash message vi, en)
ACTIONS: dict[str, tuple[mc.MenuChange | None, str, str]] = {
    "pin": (mc.MenuChange(pinned=True), "Đã ghim", "Pinned"),
    "unpin": (mc.MenuChange(pinned=False), "Đã bỏ ghim", "Unpinned"),
    "hide": (mc.MenuChange(hidden=True), "Đã ẩn khỏi ki-ốt", "Hidden from the kiosk"),
    "show": (mc.MenuChange(hidden=False), "Đã hiện lại trên ki-ốt", "Back on the kiosk"),
    "add": (mc.MenuChange(hidden=False, pinned=True), "Đã thêm và ghim", "Added and pinned"),
    "rename": (None, "Đã đổi tên", "Renamed"),
    "up": (None, "Đã chuyển lên", "Moved up"),
    "down": (None, "Đã chuyển xuống", "Moved down"),
    "reset": (None, "Đã trả về theo danh mục và lịch sử", "Back to the catalog and the history"),
}


def _own(user: s.WebUser, wiring: Wiring, code: str) -> None:
    """A manager tied to one site edits only that site's menu."""
    if user.site_id is None:
        return
    with wiring.reader() as uow:
        if views.get_site(uow.conn, code).id != user.site_id:
            raise Forbidden("Menu này thuộc điểm phục vụ khác.", "This menu belongs to another site.")


def _read(wiring: Wiring, code: str, q: str) -> dict[str, Any]:
    editor = menu_editing.editor_view(mc.ShowMenuEditor(code), wiring.reader())
    kiosk = site_menu.site_menu(mc.ShowMenu(code), wiring.reader())
    found = []
    if q.strip():
        with wiring.reader() as uow:
            catalog = views.search_procedures(uow.conn, query=q, field_id=None, scope=None, limit=15, offset=0)
        for p in catalog["items"]:
            found.append(menu_editing.item_row(mc.ShowMenuItem(code, p["code"]), wiring.reader()))
    return {"editor": editor, "top": kiosk["top"], "found": found}


@router.get("/sites/{code}/menu")
@s.web_page
async def menu_page(code: str, request: Request) -> Response:
    user = await s.require_manager(request)
    wiring = s.wiring_of(request)
    q = request.query_params.get("q", "")[:100]
    try:
        data = await wiring.run(_read, wiring, code, q)
    except NotFound:
        return render(request, "manager/not_found.html", status=404, user=user)
    groups = [g for g in data["editor"]["groups"] if g["kind"] != "help"]
    wanted = request.query_params.get("group", "")
    current = next((g for g in groups if str(g["service_id"]) == wanted), groups[0] if groups else None)
    show_all = request.query_params.get("all") == "1"
    flash = s.read_flash(request)
    response = render(request, "manager/menu.html", user=user, flash=flash, site_code=data["editor"]["site_code"],
                      site_name=data["editor"]["site_name_vi"], history_days=data["editor"]["history_days"],
                      groups=groups, current=current, shown=SHOWN, show_all=show_all, top=data["top"],
                      hidden=data["editor"]["hidden"], found=data["found"], q=q,
                      back=_back(code, current["service_id"] if current else None, q, show_all))
    s.clear_flash(request, response)
    return response


def _back(code: str, group: int | None, q: str, show_all: bool) -> str:
    params = {k: v for k, v in (("group", group), ("q", q), ("all", "1" if show_all else "")) if v}
    return f"/manager/sites/{code}/menu" + (f"?{urlencode(params)}" if params else "")


@router.post("/sites/{code}/menu/item")
@s.web_page
async def menu_item_action(code: str, request: Request) -> Response:
    user, form = await s.manager_form(request)
    wiring = s.wiring_of(request)
    back = form.one("back")[:300]
    back = back if back.startswith(f"/manager/sites/{code}/menu") else f"/manager/sites/{code}/menu"
    action, procedure = form.one("action")[:10], form.one("procedure").strip()[:40]

    def work() -> dict[str, Any]:
        if action not in ACTIONS or not procedure:
            raise Invalid("Thao tác không hợp lệ.", "Unknown action.")
        _own(user, wiring, code)
        change = ACTIONS[action][0]
        if action == "rename":
            change = mc.MenuChange(name_vi=form.one("name_vi")[:400], name_en=form.one("name_en")[:400])
        if change is not None:
            return menu_editing.change_item(mc.ChangeMenuItem(code, procedure, change, user.id), wiring.uow())
        if action == "reset":
            return menu_editing.reset_item(mc.ResetMenuItem(code, procedure), wiring.uow())
        return menu_editing.move_item(mc.MoveMenuItem(code, procedure, -1 if action == "up" else 1, user.id),
                                      wiring.uow())
    try:
        row = await wiring.run(work)
    except DomainError as exc:
        return s.after_action(request, back, error=exc)
    _, vi, en = ACTIONS[action]
    return s.after_action(request, back, result=lambda: (f"{vi}: {row['name_vi']}.", f"{en}: {row['name_en']}."))
