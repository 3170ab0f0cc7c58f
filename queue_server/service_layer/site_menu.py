"""The kiosk menu of a site: its lines (service groups) and, in each, the procedures the site
receives (menu_scope), most requested first.

Order of the items of a group, and of the site's "most requested" list:
1. pinned by a manager, in the manager's order (`position`);
2. tickets taken for the procedure at this site over the last `HISTORY_DAYS` days, most first;
3. the display name (without its "Thủ tục " prefix), accent- and case-free.

What a citizen reads comes from domain/menu_text (names, processing time, fee) and
catalog_data.names (short Vietnamese names, English field and procedure names); a manager's
names win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from queue_server.catalog_data.names import field_en, procedure_names_en, procedure_short_names_vi
from queue_server.domain.business_day import business_day
from queue_server.domain.menu_commands import ShowMenu
from queue_server.domain.menu_text import days_text, display_name, fee_text
from queue_server.service_layer.menu_scope import Scope, site_scope
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.service_layer.views import get_site
from shared.glossary import I_DONT_KNOW
from shared.textfold import fold

HISTORY_DAYS = 90
TOP_SIZE = 10
NOT_PINNED = 1_000_000  # sorts after every manager position


@dataclass(frozen=True)
class MenuEntry:
    """One procedure as a site's menu shows it (everything but its request count)."""

    procedure_id: int
    code: str
    service_id: int
    name_vi: str
    name_en: str
    field_vi: str
    fee_short_vi: str | None
    fee_short_en: str | None
    days_text_vi: str | None
    days_text_en: str | None
    pinned: bool
    position: int | None
    renamed: bool
    search_text: str  # folded display name, catalog name and code, for the search box
    sort_name: str  # folded display name

    def out(self) -> dict[str, Any]:
        return {"procedure_code": self.code, "name_vi": self.name_vi, "name_en": self.name_en,
                "service_id": self.service_id, "fee_short_vi": self.fee_short_vi, "fee_short_en": self.fee_short_en,
                "days_text_vi": self.days_text_vi, "days_text_en": self.days_text_en, "pinned": self.pinned}

    def order(self, requests: int) -> tuple:
        position = (self.position if self.position is not None else 0) if self.pinned else NOT_PINNED
        return (not self.pinned, position, -requests, self.sort_name, self.code)


def english_name(code: str, shown_vi: str, field_vi: str, manager_en: str = "") -> str:
    """A manager's English name, else the catalog's English table, else the Vietnamese name
    with the English field ("Đăng ký khai tử lưu động (Civil status)")."""
    if manager_en.strip():
        return manager_en.strip()
    known = procedure_names_en().get(code)
    if known:
        return known
    field = field_en(field_vi)
    return f"{shown_vi} ({field})" if field else shown_vi


def shown_name(code: str, catalog_name: str) -> str:
    """The catalog's short name for it, else its name without the "Thủ tục " prefix."""
    return procedure_short_names_vi().get(code) or display_name(catalog_name)


def entry_of(row, service_id: int, override=None) -> MenuEntry:  # noqa: ANN001
    name_vi = (override.name_vi.strip() if override is not None else "") or shown_name(row.code, row.name_vi)
    fee = fee_text(row.fee_vi, row.amount_vnd, row.fee_set is not None)
    days_vi, days_en = days_text(row.time_value, row.time_unit_vi)
    return MenuEntry(
        procedure_id=row.id, code=row.code, service_id=service_id, name_vi=name_vi,
        name_en=english_name(row.code, name_vi, row.field_vi, override.name_en if override is not None else ""),
        field_vi=row.field_vi, fee_short_vi=fee.short_vi, fee_short_en=fee.short_en, days_text_vi=days_vi,
        days_text_en=days_en, pinned=bool(override is not None and override.pinned),
        position=override.position if override is not None else None,
        renamed=bool(override is not None and (override.name_vi.strip() or override.name_en.strip())),
        search_text=f"{fold(name_vi)} {row.name_folded} {row.code.lower()}", sort_name=fold(name_vi))


def _load_entries(uow: UnitOfWork, site_id: int, scope: Scope) -> tuple[MenuEntry, ...]:
    overrides = uow.menus.items(site_id)
    rows = uow.menus.procedure_rows()
    return tuple(entry_of(r, scope.lines[r.id], overrides.get(r.id)) for r in rows if r.id in scope.lines)


def menu_entries(uow: UnitOfWork, site) -> tuple[MenuEntry, ...]:  # noqa: ANN001
    """What the site's menu lists (hidden items left out), cached with the catalog rows."""
    scope = site_scope(uow, site.id, site.code)
    entries = uow.cache.catalog.get(("menu_entries", site.id), lambda: _load_entries(uow, site.id, scope))
    return entries or ()


def request_counts(uow: UnitOfWork, site_id: int) -> dict[int, int]:
    """Tickets taken per procedure at the site over the last HISTORY_DAYS business days."""
    today = business_day(uow.now, uow.rules.tz, uow.rules.rollover)
    return uow.menus.request_counts(site_id, since=today - timedelta(days=HISTORY_DAYS))


def site_menu(q: ShowMenu, uow: UnitOfWork) -> dict[str, Any]:
    """The kiosk's menu; `per_group` keeps only the first items of each group (`item_count`
    still says how many there are)."""
    per_group = q.per_group
    with uow:
        site = get_site(uow.conn, q.site_code)
        entries = menu_entries(uow, site)
        counts = request_counts(uow, site.id)
        ordered = sorted(entries, key=lambda e: e.order(counts.get(e.procedure_id, 0)))
        by_line: dict[int, list[MenuEntry]] = {}
        for e in ordered:
            by_line.setdefault(e.service_id, []).append(e)
        groups, help_line = [], None
        for service in uow.menus.site_lines(site.id):
            if service.kind == "help":
                help_line = help_line or {"service_id": service.id, "name_vi": I_DONT_KNOW.vi,
                                          "name_en": I_DONT_KNOW.en}
                continue
            line = by_line.get(service.id, [])
            shown = line[:per_group] if per_group else line
            groups.append({"service_id": service.id, "letter": service.prefix or service.code, "kind": service.kind,
                           "name_vi": service.name_vi, "name_en": service.name_en or service.name_vi,
                           "direct_procedure_code": line[0].code if len(line) == 1 else None,
                           "item_count": len(line), "items": [e.out() for e in shown]})
        top = [e.out() for e in ordered if e.pinned or counts.get(e.procedure_id, 0) > 0][:TOP_SIZE]
        return {"site_code": site.code, "groups": groups, "top": top, "help": help_line}
