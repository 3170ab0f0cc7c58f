"""The procedures of one service group, or the site's most requested: one tap each to
the ticket question (paged here, with no request: the menu is all on the kiosk)."""

from __future__ import annotations

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.menu import MenuItem
from kiosk.state import Phase, Target

MENU_ROWS = 10  # the site's 10 most requested fit one screen: one tap each


class MenuPresenter(ScreenPresenter):
    name = "menu"
    screens = (ScreenSpec(Phase.MENU, "menu.kv", "MenuScreen"),)

    def open_items(self, group_id: int | None, items: list[MenuItem]) -> None:
        """Open the menu screen on a group's procedures (None: the most requested)."""
        st = self.kiosk.state
        if group_id is None:
            items = items[:MENU_ROWS]
        st.menu_group_id, st.menu_items, st.menu_page = group_id, items, 0
        self.kiosk.go(Phase.MENU)

    @property
    def menu_pages(self) -> int:
        return max(1, -(-len(self.kiosk.state.menu_items) // MENU_ROWS))

    def menu_on_page(self) -> list[MenuItem]:
        start = self.kiosk.state.menu_page * MENU_ROWS
        return self.kiosk.state.menu_items[start:start + MENU_ROWS]

    def menu_page_step(self, step: int) -> None:
        # The items are all here: a page changes at once, with no old rows left to tap.
        st = self.kiosk.state
        page = min(max(st.menu_page + step, 0), self.menu_pages - 1)
        if page != st.menu_page and st.phase is Phase.MENU:
            st.menu_page = page
            self.kiosk.changed()

    def choose_item(self, procedure_code: str) -> None:
        k = self.kiosk
        if not k.accepting_taps or k.state.phase is not Phase.MENU or not k.can_issue:
            return
        item = next((i for i in self.menu_on_page() if i.procedure_code == procedure_code), None)
        if item is not None:
            self.ticket_for(item)

    def ticket_for(self, item: MenuItem) -> None:
        """The menu's procedure, to the priority screen (whose big button prints it)."""
        detail_vi = " · ".join(x for x in (item.days_text_vi, item.fee_short_vi) if x)
        detail_en = " · ".join(x for x in (item.days_text_en or item.days_text_vi,
                                           item.fee_short_en or item.fee_short_vi) if x)
        self.kiosk.state.target = Target(item.name_vi, title_en=item.name_en, detail_vi=detail_vi,
                                         detail_en=detail_en, procedure_code=item.procedure_code,
                                         line_id=item.service_id, **self.kiosk.site_names())
        self.kiosk.go(Phase.PRIORITY)


PRESENTER = MenuPresenter
