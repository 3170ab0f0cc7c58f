"""A fake queue server for the kiosk presenter, and a kiosk wired to it (no Kivy, no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kiosk.menu import ElsewhereOffer, MenuItemDetail, SiteMenu
from kiosk.presenter import KioskPresenter
from kiosk.printing import FakeTicketPrinter
from kiosk.settings import KioskSettings, hash_pin
from shared.booking_protocol import CheckInOut
from shared.client import ApiError, ServerUnreachable, StreamState
from shared.protocol import (
    EstimateOut,
    FieldOut,
    IssueTicketIn,
    NearbyOut,
    NearbySiteOut,
    PrintResultIn,
    ProcedureOut,
    ProcedurePage,
    ServiceOut,
    ServiceQueueOut,
    SiteOut,
    SiteSnapshot,
    TicketOut,
)
from shared.textfold import fold

BIRTH = "1.001193"
PIN = "246810"


def site(code: str, name: str, kind: str = "branch", id_: int = 1) -> SiteOut:
    return SiteOut(id=id_, code=code, name_vi=name, name_en=name, kind=kind, address=f"Địa chỉ {code}",
                   latitude=16.46, longitude=107.59, opening_hours={}, notice="")


def procedure(code: str, name: str, field_id: int = 38, service_id: int | None = 1) -> ProcedureOut:
    return ProcedureOut(id=abs(hash(code)) % 100000, code=code, name_vi=name, field_id=field_id, field_vi="Hộ tịch",
                        provincial=False, commune=True, time_value=5, time_unit_vi="Ngày làm việc",
                        fee_vi="Miễn phí", agency_vi="UBND xã", channels_vi="Trực tiếp", source_url="",
                        service_id=service_id)


def menu_item(code: str, name: str, service_id: int = 1, name_en: str = "") -> dict[str, Any]:
    return {"procedure_code": code, "name_vi": name, "name_en": name_en, "service_id": service_id,
            "fee_short_vi": "Miễn phí", "fee_short_en": "Free", "days_text_vi": "3 ngày làm việc",
            "days_text_en": "3 working days", "pinned": False}


# The menu contract of GET /api/v1/sites/{code}/menu (see kiosk/menu.py).
TOP = [menu_item(BIRTH, "Đăng ký khai sinh", name_en="Birth registration")] + [
    menu_item(f"1.00{i:04d}", f"Thủ tục hộ tịch số {i}") for i in range(1, 10)]
FAKE_MENU: dict[str, Any] = {
    "site_code": "HUE-TT",
    "groups": [
        {"service_id": 1, "letter": "A", "name_vi": "Tư pháp – Hộ tịch", "name_en": "Justice – Civil status",
         "direct_procedure_code": None, "items": TOP + [menu_item("1.009999", "Thủ tục ít dùng")]},
        {"service_id": 3, "letter": "C", "name_vi": "Đất đai", "name_en": "Land", "direct_procedure_code": "2.000001",
         "items": [menu_item("2.000001", "Đăng ký đất đai", service_id=3, name_en="Land registration")]},
    ],
    "top": TOP,
    "help": {"service_id": 9, "name_vi": "Hướng dẫn", "name_en": "Help desk"},
}


class FakeKioskApi:
    """Answers like the queue server for site HUE-TT; can be made unreachable, slow or refusing."""

    def __init__(self) -> None:
        self.unreachable = False
        self.issue_gate: asyncio.Event | None = None
        self.issue_error: ApiError | None = None
        self.report_unreachable = 0  # fail this many print reports before accepting
        self.issued: list[IssueTicketIn] = []
        self.check_ins: list[str] = []
        self.check_in_error: ApiError | None = None
        self.bookings = {"ABCD-2345": datetime(2026, 11, 23, 2, 30, tzinfo=UTC)}  # code: slot start
        self.reports: list[tuple[int, PrintResultIn]] = []
        self.procedure_calls: list[dict[str, Any]] = []
        self.menu_item_calls: list[str] = []
        self.cleaned_fees: dict[str, str] = {}  # procedure code: the menu's cleaned fee text
        self.closed = False
        self.sites_list = [site("HUE-TT", "Trung tâm Phục vụ hành chính công thành phố Huế", "center", 1),
                           site("HUE-PX", "Chi nhánh Phú Xuân", "branch", 2)]
        self.fields_list = [FieldOut(id=i, name_vi=f"Lĩnh vực {i}", procedure_count=40 - i) for i in range(1, 31)]
        self.fields_list[0] = FieldOut(id=38, name_vi="Hộ tịch", procedure_count=41)
        self.catalog = [procedure(BIRTH, "Thủ tục đăng ký khai sinh")] + [
            procedure(f"1.00{i:04d}", f"Thủ tục hộ tịch số {i} " + "rất dài " * (i % 40)) for i in range(1, 13)
        ]
        self.nearby_out = NearbyOut(
            here=EstimateOut(site_code="HUE-TT", service_id=1, people_waiting=12, estimated_wait_minutes=45,
                             serving_counters=2),
            sites=[NearbySiteOut(site_code="HUE-PX", site_name_vi="Chi nhánh Phú Xuân", site_name_en="Phu Xuan Branch",
                                 address="10 Đinh Tiên Hoàng", distance_km=1.8, travel_minutes=4, service_id=1,
                                 people_waiting=0, estimated_wait_minutes=0, sooner=True)],
        )
        self.waiting = {1: 3, 7: 0}
        self.menu_out: SiteMenu | None = SiteMenu.model_validate(FAKE_MENU)
        self.menu_error: ApiError | None = None
        self.elsewhere_out = [ElsewhereOffer(
            procedure_code="3.000123", name_vi="Cấp giấy phép xây dựng", name_en="Building permit",
            site_code="HUE-PX", site_name_vi="Chi nhánh Phú Xuân", site_name_en="Phu Xuan Branch",
            address="10 Đinh Tiên Hoàng", distance_km=1.8, travel_minutes=4, people_waiting=2,
            estimated_wait_minutes=10, message_vi="Thủ tục này tiếp nhận tại Chi nhánh Phú Xuân (cách 1,8 km)",
            message_en="Received at Phu Xuan Branch (1.8 km away)")]
        self.stream_callbacks: tuple[Callable[..., None], ...] | None = None
        self.next_id = 1

    def _check(self) -> None:
        if self.unreachable:
            raise ServerUnreachable("ConnectError")

    async def site(self, code: str) -> SiteOut:
        self._check()
        return next(s for s in self.sites_list if s.code == code)

    async def sites(self) -> list[SiteOut]:
        self._check()
        return self.sites_list

    async def services(self, site_code: str) -> list[ServiceOut]:
        self._check()
        return [ServiceOut(id=1, code="A", name_vi="Tư pháp – Hộ tịch", name_en="Justice", prefix="A", kind="queue"),
                ServiceOut(id=7, code="R", name_vi="Trả kết quả", name_en="Return", prefix="R", kind="return")]

    async def fields(self, site_code: str) -> list[FieldOut]:
        self._check()
        return self.fields_list

    async def menu(self, site_code: str) -> SiteMenu:
        self._check()
        if self.menu_error is not None:
            raise self.menu_error
        assert self.menu_out is not None
        return self.menu_out

    async def menu_item(self, site_code: str, procedure_code: str) -> MenuItemDetail:
        self._check()
        self.menu_item_calls.append(procedure_code)
        assert self.menu_out is not None
        items = [i for g in self.menu_out.groups for i in g.items]
        item = next((i for i in items if i.procedure_code == procedure_code), None)
        return MenuItemDetail(procedure_code=procedure_code, item=item,
                              fee_full_vi=self.cleaned_fees.get(procedure_code))

    async def elsewhere(self, site_code: str, query: str, limit: int = 5) -> list[ElsewhereOffer]:
        self._check()
        return [o for o in self.elsewhere_out if all(w in fold(o.name_vi) for w in fold(query).split())][:limit]

    async def procedures(self, site_code: str, *, query: str | None = None, field_id: int | None = None,
                         limit: int = 20, offset: int = 0) -> ProcedurePage:
        self.procedure_calls.append({"query": query, "field_id": field_id, "limit": limit, "offset": offset})
        self._check()
        items = [p for p in self.catalog if field_id is None or p.field_id == field_id]
        if query:
            items = [p for p in items if all(w in fold(p.name_vi) for w in fold(query).split())]
        return ProcedurePage(total=len(items), items=items[offset:offset + limit])

    async def procedure(self, code: str, site_code: str) -> ProcedureOut:
        self._check()
        return next(p for p in self.catalog if p.code == code)

    async def nearby(self, code: str, site_code: str) -> NearbyOut:
        self._check()
        return self.nearby_out

    def snapshot_now(self) -> SiteSnapshot:
        return SiteSnapshot(
            seq=1, taken_at=datetime.now(UTC), site=self.sites_list[0], counters=[], recent_calls=[],
            queues=[ServiceQueueOut(service_id=sid, service_code="A" if sid == 1 else "R",
                                    service_name_vi="Tư pháp – Hộ tịch" if sid == 1 else "Trả kết quả",
                                    service_name_en="Justice" if sid == 1 else "Return", waiting=n,
                                    priority_waiting=0, longest_wait_seconds=0, estimated_wait_minutes=n * 5)
                    for sid, n in self.waiting.items()],
        )

    async def snapshot(self, site_code: str) -> SiteSnapshot:
        self._check()
        return self.snapshot_now()

    async def issue_ticket(self, body: IssueTicketIn) -> TicketOut:
        self.issued.append(body)
        if self.issue_gate is not None:
            await self.issue_gate.wait()
        self._check()
        if self.issue_error is not None:
            raise self.issue_error
        ticket_id, self.next_id = self.next_id, self.next_id + 1
        other = body.site_code not in (None, "HUE-TT")
        now = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)
        return TicketOut(
            id=ticket_id, label=f"A{ticket_id:03d}", status="waiting", priority=body.priority,
            site_id=2 if other else 1, site_code=body.site_code or "HUE-TT",
            site_name_vi="Chi nhánh Phú Xuân" if other else self.sites_list[0].name_vi,
            service_id=1, service_code="A", service_name_vi="Tư pháp – Hộ tịch", service_name_en="Justice",
            procedure_code=body.procedure_code, procedure_name_vi="Thủ tục đăng ký khai sinh", counter_id=None,
            counter_number=None, issued_at=now, arrived_at=now, called_at=None, started_at=None,
            finished_at=None, recall_count=0, people_ahead=3, estimated_wait_minutes=15,
            tracking_token="tok", tracking_url=f"http://127.0.0.1:8000/t/token{ticket_id:012d}",
        )

    async def check_in(self, code: str) -> CheckInOut:
        """Like the server: the code (any case, dashes optional) or the QR's URL ending in /b/<token>."""
        self.check_ins.append(code)
        self._check()
        if self.check_in_error is not None:
            raise self.check_in_error
        wanted = code.rsplit("/b/", 1)[1] if "/b/" in code else code
        known = wanted == "token-of-ABCD2345" or wanted.replace("-", "").upper() == "ABCD2345"
        key = "ABCD-2345" if known else None
        if key is None:
            raise ApiError(404, "booking_not_found", "Không tìm thấy lịch hẹn với mã này.", "No booking has this code.")
        ticket = await self.issue_ticket(IssueTicketIn(procedure_code=BIRTH, priority="appointment"))
        self.issued.pop()  # a check-in is not a POST /tickets
        return CheckInOut(**ticket.model_dump(), booking_code=key, appointment_at=self.bookings[key])

    async def report_print(self, ticket_id: int, result: PrintResultIn) -> None:
        if self.report_unreachable > 0:
            self.report_unreachable -= 1
            raise ServerUnreachable("ConnectError")
        self.reports.append((ticket_id, result))

    async def follow_site(self, site_code: str, site_id: int, on_snapshot: Callable[..., None],
                          on_event: Callable[..., None], on_state: Callable[[StreamState], None]) -> None:
        self.stream_callbacks = (on_snapshot, on_event, on_state)
        on_snapshot(self.snapshot_now())
        on_state(StreamState.LIVE)
        await asyncio.Event().wait()  # until cancelled

    async def aclose(self) -> None:
        self.closed = True


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Kiosk:
    """A presenter on the fake server, plus helpers that let pending tasks run."""

    def __init__(self, api: FakeKioskApi, printer: FakeTicketPrinter, settings: KioskSettings,
                 tap_guard: float = 0.0) -> None:
        self.api, self.printer, self.clock = api, printer, ManualClock()
        self.saved: list[KioskSettings] = []
        # tap_guard 0: these tests tap faster than any finger; the guard has its own test.
        self.p = KioskPresenter(settings, api_factory=lambda s: self.api, printer_factory=lambda s: self.printer,
                                save_settings=self.saved.append, clock=self.clock,
                                retry_delays=(0.01,), search_delay=0.01, tap_guard=tap_guard)
        self.changes = 0
        self.p.listeners.append(self._count)

    def _count(self) -> None:
        self.changes += 1

    @property
    def state(self):  # noqa: ANN201
        return self.p.state

    async def settle(self, rounds: int = 30) -> None:
        """Let tasks (and the printing thread) finish their current step."""
        for _ in range(rounds):
            await asyncio.sleep(0.005)

    async def until(self, predicate: Callable[[], bool], timeout: float = 3.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            assert loop.time() < deadline, "condition not reached"
            await asyncio.sleep(0.005)

    async def started(self) -> Kiosk:
        self.p.start()
        await self.until(lambda: self.state.counts_live)
        return self

    async def at_priority(self, code: str = BIRTH) -> None:
        """Home -> fields -> Hộ tịch -> the procedure -> its detail -> the priority question."""
        self.p.start_flow()
        self.p.choose_field(38)
        await self.until(lambda: not self.state.procedures_loading)
        item = next(p for p in self.state.procedures if p.code == code)
        self.p.choose_procedure(item)
        await self.until(lambda: not self.state.detail_loading)
        self.p.take_ticket_here()


def kiosk_settings(**overrides: Any) -> KioskSettings:
    values: dict[str, Any] = {"server_url": "http://127.0.0.1:1", "device_token": "mcd_test", "site_code": "HUE-TT",
                              "idle_timeout": 60, "ticket_timeout": 20, "settings_pin_hash": hash_pin(PIN, "salt")}
    values.update(overrides)
    return KioskSettings(**values)

