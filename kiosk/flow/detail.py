"""One procedure before the ticket (reached from a field's list or from search): time,
fee, where, who waits; a nearby site that is clearly sooner, or the site that receives a
procedure this one does not."""

from __future__ import annotations

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.state import Phase, Target, best_suggestion, elsewhere_offer
from kiosk.texts import display_name
from shared.protocol import ProcedureOut


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
        k.go(Phase.DETAIL)
        code = procedure.code

        async def load() -> None:
            nearby = await k.retrying(lambda: k.api.nearby(code, k.settings.site_code))
            st.nearby, st.detail_loading = nearby, False
            # Received here: a nearby site only if clearly sooner. Not received here: the
            # site that receives it ("Thủ tục này tiếp nhận tại …"), never this site's queue.
            st.suggestion = best_suggestion(nearby) if procedure.service_id is not None else elsewhere_offer(nearby)
            k.changed()

        k.tasks.slot("detail", load)

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
