"""What a kiosk and a manager ask of a site's kiosk menu: the commands and queries of
service_layer/site_menu.py and menu_editing.py, each handled as `(cmd, uow)`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MenuChange:
    """Fields left None are kept as they are; an empty name gives back the catalog's."""

    pinned: bool | None = None
    hidden: bool | None = None
    position: int | None = None
    name_vi: str | None = None
    name_en: str | None = None


@dataclass(frozen=True)
class ShowMenu:
    """The kiosk's menu; `per_group` keeps only the first items of each group."""

    site_code: str
    per_group: int | None = None


@dataclass(frozen=True)
class ShowMenuEditor:
    site_code: str


@dataclass(frozen=True)
class ShowMenuItem:
    site_code: str
    procedure_code: str


@dataclass(frozen=True)
class ChangeMenuItem:
    site_code: str
    procedure_code: str
    change: MenuChange
    staff_id: int | None
    allowed_site: int | None = None  # the caller's site (None: any)


@dataclass(frozen=True)
class ResetMenuItem:
    site_code: str
    procedure_code: str
    allowed_site: int | None = None


@dataclass(frozen=True)
class MoveMenuItem:
    site_code: str
    procedure_code: str
    step: int  # -1: before the previous pin of its group, +1: after the next
    staff_id: int | None
    allowed_site: int | None = None


@dataclass(frozen=True)
class SearchMenu:
    """What the site receives that matches `query` (accents optional)."""

    site_code: str
    query: str
    limit: int = 20
