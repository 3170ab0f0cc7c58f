"""Wire models of a site's kiosk menu (issue 14): groups → procedures the site receives,
most requested first; the search box and its "received elsewhere" offers; the manager's edits.

Missing catalog data is None, never a placeholder: a kiosk leaves the line out.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from .protocol import NO_NUL, OtherSiteOut, Strict
from .wait_words import WaitFigure

MenuName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300, pattern=NO_NUL)]


class MenuItemOut(BaseModel):
    procedure_code: str
    name_vi: str  # without the catalog's "Thủ tục " prefix, or the manager's name
    name_en: str  # the manager's, the catalog's English table, or "<name_vi> (<English field>)"
    service_id: int  # the line a ticket for it joins
    fee_short_vi: str | None  # at most ~40 characters; None: the catalog does not say
    fee_short_en: str | None
    days_text_vi: str | None  # "5 ngày làm việc"; None when the catalog gives no unit
    days_text_en: str | None
    pinned: bool


class MenuGroupOut(BaseModel):
    service_id: int
    letter: str
    kind: str  # "queue" or "return" (the return-of-results desk: no procedures, ticket by service_id)
    name_vi: str
    name_en: str
    direct_procedure_code: str | None  # the group's only procedure: a tap goes straight to a ticket
    item_count: int
    items: list[MenuItemOut]


class MenuHelpOut(BaseModel):
    service_id: int  # the help line: a ticket by service_id
    name_vi: str  # "Không rõ thủ tục"
    name_en: str


class SiteMenuOut(BaseModel):
    site_code: str
    groups: list[MenuGroupOut]
    top: list[MenuItemOut]  # up to 10: pinned, then most requested at this site
    help: MenuHelpOut | None  # None: the site has no help line


class ElsewhereOut(OtherSiteOut):
    """A procedure this site does not receive, offered at the nearest site that does."""

    procedure_code: str
    name_vi: str
    name_en: str
    wait: WaitFigure
    message_vi: str  # "Thủ tục này tiếp nhận tại … (cách 1,8 km, khoảng 10 phút)"
    message_en: str


class MenuSearchOut(BaseModel):
    site_code: str
    query: str
    total: int  # matches received here
    items: list[MenuItemOut]
    elsewhere: list[ElsewhereOut]


class MenuItemDetailOut(BaseModel):
    procedure_code: str
    catalog_name_vi: str  # the catalog's full name (without "Thủ tục "): menu names may be shortened
    received_here: bool
    item: MenuItemOut | None  # as the menu shows it, when received here
    fee_full_vi: str | None  # the catalog's fee text, cleaned ("more about the fee")
    elsewhere: ElsewhereOut | None  # when not received here


class MenuEditIn(Strict):
    """A manager's edit of one item; fields left out stay as they are; an empty name gives
    back the catalog's."""

    pinned: bool | None = None
    hidden: bool | None = None
    position: Annotated[int, Field(ge=1, le=10_000)] | None = None
    name_vi: MenuName | None = None
    name_en: MenuName | None = None


class MenuEditorRowOut(MenuItemOut):
    service_id: int | None  # type: ignore[assignment]  # None: no line of the site takes it
    hidden: bool
    position: int | None
    requests: int  # tickets for it at this site over the last `history_days` days
    catalog_name_vi: str
    custom_name_vi: str
    custom_name_en: str
    field_vi: str
    on_menu: bool = True


class MenuEditorGroupOut(BaseModel):
    service_id: int
    letter: str
    kind: str
    name_vi: str
    name_en: str
    items: list[MenuEditorRowOut]


class MenuEditorOut(BaseModel):
    site_code: str
    site_name_vi: str
    history_days: int
    groups: list[MenuEditorGroupOut]
    hidden: list[MenuEditorRowOut]
