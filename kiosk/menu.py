"""The site's kiosk menu as the server sends it (GET /api/v1/sites/{code}/menu): the service
groups the lobby display shows, each with the procedures this site receives (most requested
first, as a manager pinned or renamed them), the site's top procedures, and the help line for
"I don't know which procedure".

Read tolerantly (unknown fields ignored, missing texts empty): a newer server must not stop
a kiosk in the lobby.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class MenuItem(_Tolerant):
    procedure_code: str
    name_vi: str
    name_en: str = ""
    service_id: int | None = None
    # None: the catalog does not say, and the kiosk leaves the line out
    fee_short_vi: str | None = None
    fee_short_en: str | None = None
    days_text_vi: str | None = None
    days_text_en: str | None = None
    pinned: bool = False


class MenuGroup(_Tolerant):
    service_id: int
    letter: str = ""
    name_vi: str
    name_en: str = ""
    kind: str = "queue"  # "return": the return-of-results desk, a ticket by its line
    direct_procedure_code: str | None = None  # set: the group goes straight to a ticket
    items: list[MenuItem] = Field(default_factory=list)

    @property
    def direct_item(self) -> MenuItem | None:
        """The one procedure a tap on this group is a ticket for, if it is that simple."""
        if self.direct_procedure_code:
            found = next((i for i in self.items if i.procedure_code == self.direct_procedure_code), None)
            return found or MenuItem(procedure_code=self.direct_procedure_code, name_vi=self.name_vi,
                                     name_en=self.name_en, service_id=self.service_id)
        return self.items[0] if len(self.items) == 1 else None


class MenuItemDetail(_Tolerant):
    """One procedure at the site (GET /sites/{code}/menu/items/{procedure}): as the menu
    shows it, with the catalog's fee text cleaned ("Lệ phí: 8.000 đồng/bản", not the raw
    paragraph of the catalog)."""

    procedure_code: str
    item: MenuItem | None = None  # None: not received at this site
    fee_full_vi: str | None = None


class ElsewhereOffer(_Tolerant):
    """A procedure this site does not receive, at the nearest site that does (from the
    site's menu search): offered there, never as a ticket for a queue here."""

    procedure_code: str
    name_vi: str
    name_en: str = ""
    site_code: str
    site_name_vi: str
    site_name_en: str = ""
    address: str = ""
    distance_km: float = 0
    travel_minutes: int = 0
    people_waiting: int = 0
    estimated_wait_minutes: int | None = None
    wait: dict | None = None
    message_vi: str = ""  # "Thủ tục này tiếp nhận tại … (cách 1,8 km, khoảng 10 phút)"
    message_en: str = ""


class HelpLine(_Tolerant):
    service_id: int
    name_vi: str
    name_en: str = ""


class SiteMenu(_Tolerant):
    site_code: str
    groups: list[MenuGroup] = Field(default_factory=list)
    top: list[MenuItem] = Field(default_factory=list)
    help: HelpLine | None = None

    def group(self, service_id: int) -> MenuGroup | None:
        return next((g for g in self.groups if g.service_id == service_id), None)
