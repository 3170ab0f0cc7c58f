"""Search without accents on the on-screen keyboard: the site's procedures, paged on the
server, and what matches only at other sites ("Thủ tục này tiếp nhận tại …")."""

from __future__ import annotations

import asyncio

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.menu import ElsewhereOffer
from kiosk.state import Phase, Target
from shared.client import ApiError, ServerUnreachable
from shared.textfold import fold

QUERY_MAX = 80


class SearchPresenter(ScreenPresenter):
    name = "search"
    screens = (ScreenSpec(Phase.SEARCH, "search.kv", "SearchScreen"),)

    def open_search(self) -> None:
        k = self.kiosk
        if k.accepting_taps and k.state.phase in (Phase.HOME, Phase.FIELDS, Phase.PROCEDURES):
            k.go(Phase.SEARCH)

    def type_text(self, text: str) -> None:
        st = self.kiosk.state
        if st.phase is Phase.SEARCH and len(st.query) < QUERY_MAX:
            st.query += text
            self._query_changed()

    def delete_char(self) -> None:
        st = self.kiosk.state
        if st.phase is Phase.SEARCH and st.query:
            st.query = st.query[:-1]
            self._query_changed()

    def clear_query(self) -> None:
        st = self.kiosk.state
        if st.phase is Phase.SEARCH and st.query:
            st.query = ""
            self._query_changed()

    @property
    def results_pages(self) -> int:
        return max(1, -(-self.kiosk.state.results_total // self.kiosk.results_per_page))

    def results_page_step(self, step: int) -> None:
        st = self.kiosk.state
        page = min(max(st.results_page + step, 0), self.results_pages - 1)
        if page != st.results_page and st.phase is Phase.SEARCH:
            st.results_page = page
            self._search(delay=0)

    def _query_changed(self) -> None:
        self.kiosk.state.results_page = 0
        self._search(delay=self.kiosk.search_delay)

    def _search(self, delay: float) -> None:
        k, st = self.kiosk, self.kiosk.state
        query, page, size = st.query, st.results_page, k.results_per_page
        if not fold(query):
            k.tasks.cancel("search")
            st.results, st.results_total, st.results_loading, st.elsewhere = [], 0, False, []
            k.changed()
            return
        st.results_loading = True
        k.changed()

        async def search() -> None:
            if delay:
                await asyncio.sleep(delay)  # one request once typing pauses, not one per key
            result = await k.retrying(lambda: k.api.procedures(
                k.settings.site_code, query=query, limit=size, offset=page * size))
            elsewhere = await self._elsewhere(query) if page == 0 else st.elsewhere
            st.results, st.results_total, st.results_loading = result.items, result.total, False
            st.elsewhere = elsewhere
            k.changed()

        k.tasks.slot("search", search)

    async def _elsewhere(self, query: str) -> list[ElsewhereOffer]:
        """What matches only at other sites of the province: offered there, never here."""
        try:
            return await self.kiosk.api.elsewhere(self.kiosk.settings.site_code, query, limit=3)
        except (ApiError, ServerUnreachable):
            return []  # a server without the menu search: the site's own results only

    def take_elsewhere(self, procedure_code: str) -> None:
        """A search row "Thủ tục này tiếp nhận tại …": a ticket for that site's own queue."""
        k, st = self.kiosk, self.kiosk.state
        if not k.accepting_taps or st.phase is not Phase.SEARCH or st.results_loading or not k.can_issue:
            return
        offer = next((o for o in st.elsewhere if o.procedure_code == procedure_code), None)
        if offer is None:
            return
        st.target = Target(offer.name_vi, title_en=offer.name_en, procedure_code=offer.procedure_code,
                           site_code=offer.site_code, site_name_vi=offer.site_name_vi,
                           site_name_en=offer.site_name_en, site_address=offer.address)
        k.go(Phase.PRIORITY)


PRESENTER = SearchPresenter
