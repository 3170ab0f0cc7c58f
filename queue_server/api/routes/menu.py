"""A site's kiosk menu: read by kiosks (public, as the rest of the catalog), edited by
managers (audit-logged by the AuditTrail middleware with the item before and after)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from queue_server.api.deps import CurrentManager, WiringDep
from queue_server.domain import menu_commands as mc
from queue_server.service_layer import menu_editing, menu_search, site_menu
from shared.menu_protocol import (
    MenuEditIn,
    MenuEditorOut,
    MenuEditorRowOut,
    MenuItemDetailOut,
    MenuSearchOut,
    SiteMenuOut,
)

router = APIRouter(tags=["menu"])
SiteCode = Annotated[str, Path(min_length=1, max_length=40)]
ProcedureCode = Annotated[str, Path(min_length=1, max_length=40)]


@router.get("/sites/{site_code}/menu", response_model=SiteMenuOut)
async def get_menu(site_code: SiteCode, wiring: WiringDep,
                   per_group: Annotated[int | None, Query(ge=1, le=2000, description="first items of each group")]
                   = None) -> dict:
    """The site's service groups with the procedures it receives (most requested first),
    its 10 most requested, and its help line ("Không rõ thủ tục")."""
    return await wiring.run(site_menu.site_menu, mc.ShowMenu(site_code, per_group), wiring.reader())


@router.get("/sites/{site_code}/menu/search", response_model=MenuSearchOut)
async def search_menu(site_code: SiteCode, wiring: WiringDep,
                      q: Annotated[str, Query(max_length=200, description="words, accents optional")] = "",
                      query: Annotated[str, Query(max_length=200, description="the same as q")] = "",
                      limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    """What the site receives matching `q`; matches received only at other sites come back in
    `elsewhere` with the site, the distance and the wait (never as a ticket here)."""
    return await wiring.run(menu_search.search_menu, mc.SearchMenu(site_code, q or query, limit), wiring.reader())


@router.get("/sites/{site_code}/menu/items/{procedure_code}", response_model=MenuItemDetailOut)
async def menu_item(site_code: SiteCode, procedure_code: ProcedureCode, wiring: WiringDep) -> dict:
    """One procedure at the site, with the full fee text; or where else it is received."""
    return await wiring.run(menu_search.menu_item_detail, mc.ShowMenuItem(site_code, procedure_code), wiring.reader())


# ---- managers --------------------------------------------------------------------------------
def _allowed_site(me) -> int | None:  # noqa: ANN001
    """A manager tied to one site edits only that site's menu."""
    return me.staff.site_id


@router.get("/sites/{site_code}/menu/editor", response_model=MenuEditorOut)
async def menu_editor(site_code: SiteCode, me: CurrentManager, wiring: WiringDep) -> dict:
    """Every item with its request count, pins, names and the hidden items."""
    return await wiring.run(menu_editing.editor_view, mc.ShowMenuEditor(site_code), wiring.reader())


@router.put("/sites/{site_code}/menu/items/{procedure_code}", response_model=MenuEditorRowOut)
async def edit_menu_item(site_code: SiteCode, procedure_code: ProcedureCode, body: MenuEditIn,
                         me: CurrentManager, wiring: WiringDep) -> dict:
    """Pin, hide, rename (vi, en) or order one item; any procedure of the catalog a line of
    the site takes may be added this way."""
    command = mc.ChangeMenuItem(site_code, procedure_code, mc.MenuChange(**body.model_dump()), me.staff.id,
                                _allowed_site(me))
    return await wiring.run(menu_editing.change_item, command, wiring.uow())


@router.delete("/sites/{site_code}/menu/items/{procedure_code}", response_model=MenuEditorRowOut)
async def reset_menu_item(site_code: SiteCode, procedure_code: ProcedureCode, me: CurrentManager,
                          wiring: WiringDep) -> dict:
    """The item goes back to the rules (catalog name, history order)."""
    return await wiring.run(menu_editing.reset_item, mc.ResetMenuItem(site_code, procedure_code, _allowed_site(me)),
                            wiring.uow())
