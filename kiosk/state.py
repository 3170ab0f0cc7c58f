"""What the kiosk shows, as plain data: the phase (which screen), what it knows of the
server, and the citizen's choices so far. The presenter changes it; screens draw it."""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from enum import StrEnum

from kiosk.menu import ElsewhereOffer, MenuItem, MenuItemDetail, SiteMenu
from kiosk.printing import TicketPrintout
from kiosk.texts import T, Text
from shared.enums import PriorityClass
from shared.protocol import FieldOut, NearbyOut, NearbySiteOut, ProcedureOut, SiteOut, TicketOut


class Phase(StrEnum):
    HOME = "home"
    MENU = "menu"  # the procedures of one service group, or the site's most requested
    FIELDS = "fields"
    PROCEDURES = "procedures"
    SEARCH = "search"
    BOOKING = "booking"  # "I have a booking": type or scan the code
    DETAIL = "detail"
    PRIORITY = "priority"
    ISSUING = "issuing"
    ISSUE_FAILED = "issue_failed"
    TICKET = "ticket"
    PIN = "pin"
    SETTINGS = "settings"


class ServerStatus(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    UNREACHABLE = "unreachable"
    UNAUTHORIZED = "unauthorized"
    NOT_CONFIGURED = "not_configured"


class PrintState(StrEnum):
    NONE = "none"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"


@dataclass(frozen=True)
class QueueCount:
    service_id: int
    name_vi: str
    name_en: str
    waiting: int
    estimated_wait_minutes: int | None
    counter_open: bool = True  # False: no open counter serves this line ("Chưa có quầy mở")
    wait: object = None  # the server's own wait figure for the line, when it sends one


@dataclass(frozen=True)
class Target:
    """What the next ticket is for, and where."""

    title_vi: str
    title_en: str = ""
    detail_vi: str = ""  # "Miễn phí · 3 ngày làm việc": what the menu says of it
    detail_en: str = ""
    procedure_code: str | None = None
    service_id: int | None = None
    line_id: int | None = None  # the line it will wait in, for the screen (the server decides)
    site_code: str | None = None  # None: this kiosk's site
    site_name_vi: str = ""
    site_name_en: str = ""
    site_address: str = ""
    booking_code: str | None = None  # check a booking in instead of issuing a new ticket


@dataclass
class KioskState:
    phase: Phase | str = Phase.HOME  # a str: the phase of a screen added in kiosk/flow
    lang: str = "vi"
    server: ServerStatus = ServerStatus.CONNECTING
    server_detail: Text | None = None
    site: SiteOut | None = None
    center_name: str = ""
    queues: list[QueueCount] = field(default_factory=list)
    counts_live: bool = False
    counters_by_service: dict[int, list[int]] = field(default_factory=dict)
    return_service_id: int | None = None
    # fields
    fields: list[FieldOut] = field(default_factory=list)
    fields_page: int = 0
    # the site's menu: groups on the home screen, then one group's (or the top) procedures
    menu: SiteMenu | None = None
    menu_group_id: int | None = None  # None on the MENU screen: the most requested
    menu_items: list[MenuItem] = field(default_factory=list)
    menu_page: int = 0
    # procedures of a field (paged on the server)
    current_field: FieldOut | None = None
    procedures: list[ProcedureOut] = field(default_factory=list)
    procedures_total: int = 0
    procedures_page: int = 0
    procedures_loading: bool = False
    # search
    query: str = ""
    results: list[ProcedureOut] = field(default_factory=list)
    results_total: int = 0
    results_page: int = 0
    results_loading: bool = False
    elsewhere: list[ElsewhereOffer] = field(default_factory=list)  # received only at other sites
    # detail
    procedure: ProcedureOut | None = None
    nearby: NearbyOut | None = None
    detail_loading: bool = False
    menu_detail: MenuItemDetail | None = None  # the site's menu on it: the fee text cleaned
    suggestion: NearbySiteOut | None = None
    # booking check-in: the code as typed on screen or read by the scanner
    booking_code: str = ""
    # issuing and the ticket
    target: Target | None = None
    priority: PriorityClass | None = None
    issue_error: Text | None = None
    # One key per citizen request, kept for "try again": if the first answer was lost
    # after the server issued the ticket, the retry gets that ticket, not a second one.
    request_id: str | None = None
    ticket: TicketOut | None = None
    printout: TicketPrintout | None = None
    print_state: PrintState = PrintState.NONE
    print_error: Text | None = None
    seconds_left: int | None = None
    # seconds left before an idle screen returns home; None while nobody is asked
    idle_left: int | None = None
    # a scanned chip ID card: the offer only (the card's data is not kept, not printed)
    card_offer: Text | None = None
    card_elderly: bool = False
    # settings
    pin: str = ""
    pin_error: bool = False
    settings_message: Text | None = None
    settings_error: str = ""

    @property
    def counts_stale(self) -> bool:
        return not self.counts_live

    def reset_flow(self, lang: str) -> None:
        """Forget the citizen's choices in place; keep what the kiosk knows of the server.
        (In place: running tasks hold this object.)"""
        fresh = KioskState(lang=lang)
        for f in dataclass_fields(self):
            if f.name not in _CONNECTION_FIELDS:
                setattr(self, f.name, getattr(fresh, f.name))


# What survives the return to the home screen.
_CONNECTION_FIELDS = frozenset({
    "server", "server_detail", "site", "center_name", "queues", "counts_live", "counters_by_service",
    "return_service_id", "fields", "menu",
})


def server_banner(state: KioskState) -> Text | None:
    """What is wrong with the connection, for a banner on every screen; None when all is well."""
    if state.server is ServerStatus.UNREACHABLE:
        return T["server_unreachable"]
    if state.server is ServerStatus.UNAUTHORIZED:
        return T["unauthorized"]
    if state.server is ServerStatus.NOT_CONFIGURED:
        return T["not_configured"]
    if state.server is ServerStatus.CONNECTING and state.site is None:
        return T["server_connecting"]
    return None


def elsewhere_offer(nearby: NearbyOut | None) -> NearbySiteOut | None:
    """For a procedure this site does not receive: the other site of the province that
    does, earliest at the counter counting travel (a ticket for that site's own queue)."""
    if nearby is None or not nearby.sites:
        return None
    return min(nearby.sites, key=lambda s: (s.travel_minutes + (s.estimated_wait_minutes or 0), s.distance_km))


def best_suggestion(nearby: NearbyOut | None) -> NearbySiteOut | None:
    """The nearby site that would serve clearly sooner, counting travel; the server
    decides "clearly" (`sooner`), the kiosk picks the earliest arrival at the counter."""
    if nearby is None:
        return None
    sooner = [s for s in nearby.sites if s.sooner and s.estimated_wait_minutes is not None]
    if not sooner:
        return None
    return min(sooner, key=lambda s: (s.travel_minutes + (s.estimated_wait_minutes or 0), s.distance_km))
