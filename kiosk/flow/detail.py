"""One procedure before the ticket (reached from a field's list or from search): time,
fee, where, who waits; a nearby site that is clearly sooner, or the site that receives a
procedure this one does not."""

from __future__ import annotations

import asyncio
import logging

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.menu import MenuItemDetail
from kiosk.state import Phase, Target, best_suggestion, elsewhere_offer
from kiosk.texts import display_name, fee_text
from shared.client import ApiError, ServerUnreachable
from shared.protocol import ProcedureOut

log = logging.getLogger(__name__)


class DetailPresenter(ScreenPresenter):
    name = "detail"
    screens = (ScreenSpec(Phase.DETAIL, "detail.kv", "DetailScreen"),)

    def choose_procedure(self, procedure: ProcedureOut) -> None:
        k, st = self.kiosk, self.kiosk.state
        if not k.accepting_taps or st.phase not in (Phase.PROCEDURES, Phase.SEARCH):
            return
        # Locked while the list loads: the rows on screen are the old page's.
        if (st.procedures_loading if st.phase is Phase.PROCEDURES else st.results_loading):
            return
        st.procedure, st.nearby, st.suggestion, st.detail_loading = procedure, None, None, True
        st.menu_detail = None
        k.go(Phase.DETAIL)
        code = procedure.code

        async def load() -> None:
            nearby, st.menu_detail = await asyncio.gather(
                k.retrying(lambda: k.api.nearby(code, k.settings.site_code)), self._menu_detail(code))
            st.nearby, st.detail_loading = nearby, False
            # Received here: a nearby site only if clearly sooner. Not received here: the
            # site that receives it ("Thủ tục này tiếp nhận tại …"), never this site's queue.
            st.suggestion = best_suggestion(nearby) if procedure.service_id is not None else elsewhere_offer(nearby)
            k.changed()

        k.tasks.slot("detail", load)

    async def _menu_detail(self, code: str) -> MenuItemDetail | None:
        """The procedure as the site's menu has it, for its cleaned fee text; None from a
        server without a menu (the catalog's own fee text is shown then)."""
        k = self.kiosk
        if k.state.menu is None:
            return None
        try:
            return await k.api.menu_item(k.settings.site_code, code)
        except (ApiError, ServerUnreachable) as exc:
            log.info("no menu detail for %s: %s", code, exc)
            return None

    def detail_fee(self, lang: str) -> str:
        """The fee as the site's menu cleaned it ("Lệ phí: 8.000 đồng/bản"); the catalog's own
        text from a server without a menu. The same words in both languages, as before: the
        catalog's fees are Vietnamese ("Free (miễn phí)" is the one English)."""
        st = self.kiosk.state
        detail = st.menu_detail
        if detail is None or not detail.fee_full_vi:
            return fee_text(st.procedure.fee_vi if st.procedure else "", lang)
        return fee_text(detail.fee_full_vi, lang)

    def take_ticket_here(self) -> None:
        k, st = self.kiosk, self.kiosk.state
        if not k.accepting_taps or st.phase is not Phase.DETAIL or st.procedure is None \
                or st.procedure.service_id is None:
            return
        st.target = Target(display_name(st.procedure.name_vi), procedure_code=st.procedure.code,
                           line_id=st.procedure.service_id, **k.site_names())
        k.go(Phase.PRIORITY)

    def take_ticket_there(self) -> None:
        k, st = self.kiosk, self.kiosk.state
        s = st.suggestion
        if not k.accepting_taps or st.phase is not Phase.DETAIL or st.procedure is None or s is None:
            return
        st.target = Target(display_name(st.procedure.name_vi), procedure_code=st.procedure.code,
                           site_code=s.site_code,
                           site_name_vi=s.site_name_vi, site_name_en=s.site_name_en, site_address=s.address)
        k.go(Phase.PRIORITY)


PRESENTER = DetailPresenter
