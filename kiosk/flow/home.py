"""Home: the site's service groups as tiles, "Most requested", "I don't know", the return
of results, and the way into search and booking check-in (their own screens)."""

from __future__ import annotations

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.state import Phase, Target
from kiosk.texts import T


class HomePresenter(ScreenPresenter):
    name = "home_tiles"
    screens = (ScreenSpec(Phase.HOME, "home.kv", "HomeScreen"),)

    def _open(self) -> bool:
        """A tile answers only on the home screen, once the tap guard is over, while tickets can be had."""
        k = self.kiosk
        return k.accepting_taps and k.state.phase is Phase.HOME and k.can_issue

    def start_flow(self) -> None:
        """The big "Take a ticket" button (a server without a site menu)."""
        k = self.kiosk
        if k.accepting_taps and k.state.phase is Phase.HOME:
            k.state.fields_page = 0
            k.go(Phase.FIELDS)

    def open_group(self, service_id: int) -> None:
        """A group tile: its procedures, or straight to the ticket when it has only one."""
        k, st = self.kiosk, self.kiosk.state
        if not self._open() or st.menu is None:
            return
        group = st.menu.group(service_id)
        if group is None:
            return
        if group.direct_item is not None:
            k.history.append(Phase.HOME)
            k.menu.ticket_for(group.direct_item)
            return
        if group.kind == "return" or not group.items:  # a desk, not procedures: a ticket by its line
            st.target = Target(group.name_vi, title_en=group.name_en, service_id=group.service_id,
                               line_id=group.service_id, **k.site_names())
            k.go(Phase.PRIORITY)
            return
        k.menu.open_items(service_id, list(group.items))

    def open_top(self) -> None:
        """The "Most requested" tile: the site's top procedures, all on one screen."""
        st = self.kiosk.state
        if self._open() and st.menu is not None:
            self.kiosk.menu.open_items(None, list(st.menu.top))

    def open_help(self) -> None:
        """"I don't know which procedure": a ticket for the help line, one tap from here."""
        k, st = self.kiosk, self.kiosk.state
        help_line = st.menu.help if st.menu is not None else None
        if not self._open() or help_line is None:
            return
        st.target = Target(help_line.name_vi, title_en=help_line.name_en, service_id=help_line.service_id,
                           line_id=help_line.service_id, **k.site_names())
        k.go(Phase.PRIORITY)

    def choose_return_of_results(self) -> None:
        k, st = self.kiosk, self.kiosk.state
        if not k.accepting_taps or st.phase is not Phase.HOME or st.return_service_id is None:
            return
        st.target = Target(T["return_service"].vi, service_id=st.return_service_id, **k.site_names())
        k.go(Phase.PRIORITY)


PRESENTER = HomePresenter
