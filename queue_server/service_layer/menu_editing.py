"""A manager's edits of a site's kiosk menu: pin, hide, rename (vi + en), reorder, add a
procedure from the full catalog, or give an item back to the rules.

Each edit is one row of site_menu_items (through `uow.menus`, adapters/menu_repository.py);
the request's audit entry (service_layer/audit) commits with it and records the item before
and after. The menu's caches are dropped in this process at once and, on PostgreSQL, in
every other server process. Handlers are `(cmd, uow)` (domain/menu_commands.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from queue_server.adapters.menu_repository import ItemAddedMeanwhile
from queue_server.domain.errors import Forbidden, Invalid, NotFound
from queue_server.domain.menu_commands import (
    ChangeMenuItem,
    MenuChange,
    MoveMenuItem,
    ResetMenuItem,
    ShowMenuEditor,
    ShowMenuItem,
)
from queue_server.service_layer import audit
from queue_server.service_layer.menu_scope import site_scope
from queue_server.service_layer.site_menu import (
    HISTORY_DAYS,
    entry_of,
    request_counts,
)
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.service_layer.views import get_site
from shared.textfold import nfc

if TYPE_CHECKING:
    from sqlalchemy import Row

NAME_MAX = 300


def _clean_name(text: str | None) -> str | None:
    if text is None:
        return None
    clean = " ".join(nfc(text).split())
    if len(clean) > NAME_MAX:
        raise Invalid(f"Tên quá dài (tối đa {NAME_MAX} ký tự).", f"The name is too long (at most {NAME_MAX}).")
    return clean


def _procedure(uow: UnitOfWork, code: str) -> Row:
    procedure = uow.menus.procedure_by_code(code)
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục {code}.", f"Procedure {code} not found.", code="procedure_not_found")
    return procedure


def _state(row: Row | None) -> dict[str, Any]:
    if row is None:
        return {"pinned": False, "hidden": False, "position": None, "name_vi": "", "name_en": ""}
    return {k: getattr(row, k) for k in ("pinned", "hidden", "position", "name_vi", "name_en")}


def _next_position(uow: UnitOfWork, site_id: int) -> int:
    positions = [r.position for r in uow.menus.pins(site_id)]
    return max((p for p in positions if p is not None), default=0) + 1


def _after(before: dict[str, Any], change: MenuChange, uow: UnitOfWork, site_id: int) -> dict[str, Any]:
    if change.pinned and change.hidden:
        raise Invalid("Không thể vừa ghim vừa ẩn một thủ tục.", "An item cannot be pinned and hidden at once.")
    after = dict(before)
    for name in ("name_vi", "name_en"):
        value = _clean_name(getattr(change, name))
        if value is not None:
            after[name] = value
    if change.hidden is not None:
        after["hidden"] = change.hidden
        if change.hidden:
            after["pinned"], after["position"] = False, None  # hiding takes it off the pins
    if change.pinned is not None:
        after["pinned"] = change.pinned
        if change.pinned:
            after["hidden"] = False
            if after["position"] is None:
                after["position"] = _next_position(uow, site_id)
        else:
            after["position"] = None
    if change.position is not None:
        if not after["pinned"]:
            raise Invalid("Chỉ sắp xếp được các thủ tục đã ghim.", "Only pinned items can be put in order.")
        after["position"] = change.position
    return after


def _forget_menus(uow: UnitOfWork) -> None:
    uow.notify_invalidate("catalog")  # the other server processes (PostgreSQL)


def change_item(c: ChangeMenuItem, uow: UnitOfWork) -> dict[str, Any]:
    try:
        return _change_item(c, uow)
    except ItemAddedMeanwhile:
        # Two managers added the same item at once and the other insert won: edit that row.
        return _change_item(c, uow)


def _change_item(c: ChangeMenuItem, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        site = _site(uow, c.site_code, c.allowed_site)
        procedure = _procedure(uow, c.procedure_code)
        if _line_for(uow, site, procedure) is None:
            raise Invalid(f"{site.name_vi} không có quầy nào nhận lĩnh vực của thủ tục này, nên không thể đưa "
                          "vào menu.",
                          f"No line of {site.name_en or site.name_vi} takes this procedure's field, so it cannot be "
                          "on its menu.", code="no_line_for_procedure")
        row = uow.menus.item_for_update(site.id, procedure.id)
        before = _state(row)
        after = _after(before, c.change, uow, site.id)
        values = {**after, "updated_at": uow.now, "updated_by": c.staff_id}
        if row is None:
            uow.menus.add_item(site.id, procedure.id, values)
        else:
            uow.menus.save_item(site.id, procedure.id, values)
        _audit(site.code, procedure.code, before, after)
        _forget_menus(uow)
        uow.commit()
    uow.cache.clear_catalog()
    return item_row(ShowMenuItem(c.site_code, c.procedure_code), uow)


def reset_item(c: ResetMenuItem, uow: UnitOfWork) -> dict[str, Any]:
    """The item goes back to the rules: catalog name, history order, shown if received."""
    with uow:
        site = _site(uow, c.site_code, c.allowed_site)
        procedure = _procedure(uow, c.procedure_code)
        before = _state(uow.menus.item_for_update(site.id, procedure.id))
        uow.menus.drop_item(site.id, procedure.id)
        _audit(site.code, procedure.code, before, _state(None))
        _forget_menus(uow)
        uow.commit()
    uow.cache.clear_catalog()
    return item_row(ShowMenuItem(c.site_code, c.procedure_code), uow)


def move_item(c: MoveMenuItem, uow: UnitOfWork) -> dict[str, Any]:
    """Swap a pinned item with the pinned item before (step -1) or after (+1) it in its group;
    the site's pins are renumbered 1..n on the way."""
    with uow:
        site = _site(uow, c.site_code, c.allowed_site)
        procedure = _procedure(uow, c.procedure_code)
        scope = site_scope(uow, site.id, site.code)
        pins = uow.menus.pins(site.id)
        pins.sort(key=lambda r: (r.position is None, r.position or 0, r.procedure_id))
        order = [r.procedure_id for r in pins]
        if procedure.id not in order:
            raise Invalid("Chỉ sắp xếp được các thủ tục đã ghim.", "Only pinned items can be put in order.")
        group = [pid for pid in order if scope.lines.get(pid) == scope.lines.get(procedure.id)]
        at = group.index(procedure.id)
        other = at + (1 if c.step > 0 else -1)
        if 0 <= other < len(group):
            i, j = order.index(group[at]), order.index(group[other])
            order[i], order[j] = order[j], order[i]
        uow.menus.set_positions(site.id, order, uow.now, c.staff_id)
        _audit(site.code, procedure.code, {"position": at + 1}, {"position": other + 1})
        _forget_menus(uow)
        uow.commit()
    uow.cache.clear_catalog()
    return item_row(ShowMenuItem(c.site_code, c.procedure_code), uow)


def _site(uow: UnitOfWork, site_code: str, allowed_site: int | None) -> Row:
    site = get_site(uow.conn, site_code)
    if allowed_site is not None and site.id != allowed_site:
        raise Forbidden("Menu này thuộc điểm phục vụ khác.", "This menu belongs to another site.")
    return site


def _line_for(uow: UnitOfWork, site: Row, procedure: Row) -> int | None:
    scope = site_scope(uow, site.id, site.code)
    line = scope.lines.get(procedure.id) or scope.hidden.get(procedure.id)
    if line is None:
        line = uow.menus.service_for_procedure(site.id, procedure.field_id)
    return line


def _audit(site_code: str, procedure_code: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    entry = audit.current()
    if entry is not None:
        entry.target_hint = f"menu={site_code} procedure={procedure_code}"
        entry.detail.update({"before": before, "after": after})


# ---- what the editor shows -------------------------------------------------------------------
def _editor_row(entry, override: Row | None, requests: int, catalog_name: str, hidden: bool) -> dict[str, Any]:  # noqa: ANN001
    return {**entry.out(), "pinned": entry.pinned and not hidden, "hidden": hidden, "position": entry.position,
            "requests": requests, "catalog_name_vi": catalog_name,
            "custom_name_vi": override.name_vi if override is not None else "",
            "custom_name_en": override.name_en if override is not None else "", "field_vi": entry.field_vi}


def _rows(uow: UnitOfWork, site: Row, only: set[int] | None = None) -> list[dict[str, Any]]:
    scope = site_scope(uow, site.id, site.code)
    overrides = uow.menus.items(site.id)
    counts = request_counts(uow, site.id)
    wanted = set(scope.lines) | set(scope.hidden)
    if only is not None:
        wanted &= only
    rows = []
    for r in uow.menus.procedure_rows(wanted):
        line = scope.lines.get(r.id) or scope.hidden[r.id]
        entry = entry_of(r, line, overrides.get(r.id))
        rows.append((entry, _editor_row(entry, overrides.get(r.id), counts.get(r.id, 0), r.name_vi,
                                        r.id in scope.hidden)))
    rows.sort(key=lambda pair: pair[0].order(pair[1]["requests"]))
    return [row for _, row in rows]


def item_row(q: ShowMenuItem, uow: UnitOfWork) -> dict[str, Any]:
    """One procedure as the editor shows it at a site (in the menu, hidden, or not received)."""
    with uow:
        site = get_site(uow.conn, q.site_code)
        procedure = _procedure(uow, q.procedure_code)
        found = _rows(uow, site, {procedure.id})
        if found:
            return {**found[0], "on_menu": not found[0]["hidden"]}
        [row] = uow.menus.procedure_rows([procedure.id])
        entry = entry_of(row, uow.menus.service_for_procedure(site.id, procedure.field_id) or 0)
        return {**_editor_row(entry, None, 0, row.name_vi, False), "service_id": None, "on_menu": False}


def editor_view(q: ShowMenuEditor, uow: UnitOfWork) -> dict[str, Any]:
    """Every item of the site's menu by group, with its requests over HISTORY_DAYS days, and
    the hidden items apart."""
    with uow:
        site = get_site(uow.conn, q.site_code)
        rows = _rows(uow, site)
        services = uow.menus.site_lines(site.id)
        groups = [{"service_id": s.id, "letter": s.prefix or s.code, "name_vi": s.name_vi, "name_en": s.name_en,
                   "kind": s.kind, "items": [r for r in rows if r["service_id"] == s.id and not r["hidden"]]}
                  for s in services]
        return {"site_code": site.code, "site_name_vi": site.name_vi, "history_days": HISTORY_DAYS,
                "groups": groups, "hidden": [r for r in rows if r["hidden"]]}
