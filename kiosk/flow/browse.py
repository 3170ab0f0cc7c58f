"""The catalog by field (a server without a site menu): the fields, paged here, then one
field's procedures, paged on the server."""

from __future__ import annotations

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.state import Phase
from shared.protocol import FieldOut


class BrowsePresenter(ScreenPresenter):
    name = "browse"
    screens = (ScreenSpec(Phase.FIELDS, "fields.kv", "FieldsScreen"),
               ScreenSpec(Phase.PROCEDURES, "procedures.kv", "ProceduresScreen"))

    # ---- fields ----------------------------------------------------------------------------
    @property
    def fields_pages(self) -> int:
        return max(1, -(-len(self.kiosk.state.fields) // self.kiosk.fields_per_page))

    def fields_on_page(self) -> list[FieldOut]:
        start = self.kiosk.state.fields_page * self.kiosk.fields_per_page
        return self.kiosk.state.fields[start:start + self.kiosk.fields_per_page]

    def fields_page_step(self, step: int) -> None:
        st = self.kiosk.state
        page = min(max(st.fields_page + step, 0), self.fields_pages - 1)
        if page != st.fields_page:
            st.fields_page = page
            self.kiosk.changed()

    def choose_field(self, field_id: int) -> None:
        k, st = self.kiosk, self.kiosk.state
        if not k.accepting_taps or st.phase is not Phase.FIELDS:
            return
        chosen = next((f for f in st.fields if f.id == field_id), None)
        if chosen is None:
            return
        st.current_field, st.procedures, st.procedures_total, st.procedures_page = chosen, [], 0, 0
        k.go(Phase.PROCEDURES)
        self._load_procedures()

    # ---- procedures of a field -------------------------------------------------------------
    @property
    def procedures_pages(self) -> int:
        return max(1, -(-self.kiosk.state.procedures_total // self.kiosk.rows_per_page))

    def procedures_page_step(self, step: int) -> None:
        st = self.kiosk.state
        page = min(max(st.procedures_page + step, 0), self.procedures_pages - 1)
        if page != st.procedures_page and st.phase is Phase.PROCEDURES:
            st.procedures_page = page
            self._load_procedures()

    def _load_procedures(self) -> None:
        k, st = self.kiosk, self.kiosk.state
        assert st.current_field is not None
        field_id, page, size = st.current_field.id, st.procedures_page, k.rows_per_page
        st.procedures_loading = True
        k.changed()

        async def load() -> None:
            result = await k.retrying(lambda: k.api.procedures(
                k.settings.site_code, field_id=field_id, limit=size, offset=page * size))
            st.procedures, st.procedures_total, st.procedures_loading = result.items, result.total, False
            k.changed()

        k.tasks.slot("browse", load)


PRESENTER = BrowsePresenter
