"""An in-memory stand-in for the queue server, for presenter tests and the offline demo.

It keeps the rules a clerk runs into (open before calling, one ticket at a time, recall
before no-show, finish only what is being served) with the server's error codes and
Vietnamese messages, so the presenter is tested against the replies it will really get.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.agency_protocol import ForwardIn
from shared.client import ApiError, StreamState
from shared.dossier_protocol import (
    RATING_VI,
    ApplicantOut,
    CounterRatingIn,
    DocumentOut,
    DossierOut,
    DossierPage,
    DossierStatus,
    DossierSummaryOut,
    DossierTransitionIn,
    FeeOut,
    HandoffOut,
    RatingOut,
    ReceiveDossierIn,
    UploadedAttachmentOut,
)
from shared.enums import CounterState, Role, SiteKind, TicketStatus
from shared.identity_protocol import (
    CitizenDocumentOut,
    CitizenDocumentsOut,
    ProcedureFeeOut,
    ReadPurpose,
)
from shared.protocol import (
    CounterSnapshot,
    LoginOut,
    ProcedureOut,
    ProcedurePage,
    ServiceOut,
    SiteOut,
    SiteSnapshot,
    StaffOut,
    TicketOut,
)
from shared.textfold import fold
from shared.wait_words import WaitShown, figure_from

_SITES = [
    (1, "HUE-TT", "Trung tâm Phục vụ hành chính công thành phố Huế", SiteKind.CENTER, "01 Lê Lai, Huế"),
    (2, "HUE-PX", "Chi nhánh Phú Xuân", SiteKind.BRANCH, "10 Đinh Tiên Hoàng, Huế"),
]
_SERVICES = [
    (1, "A", "Tư pháp – Hộ tịch, chứng thực", "Justice – civil status, certification"),
    (2, "B", "Đất đai – Tài nguyên, môi trường", "Land and environment"),
    (6, "F", "Công an: cư trú, căn cước, xuất nhập cảnh", "Police: residence, ID cards, immigration"),
    (7, "R", "Trả kết quả", "Return of results"),
]
_COUNTERS = [(1, 1, [1]), (2, 2, [1, 6]), (3, 3, [2]), (9, 9, [7, 1])]  # id, number, services
_STAFF = {
    "canbo.tt": StaffOut(id=3, username="canbo.tt", full_name="Trần Văn Cán Bộ", role=Role.STAFF, site_id=1),
    "quanly": StaffOut(id=2, username="quanly", full_name="Nguyễn Thị Quản Lý", role=Role.MANAGER, site_id=None),
}
_PROCEDURES = [
    ("1.001193", "Thủ tục đăng ký khai sinh", 1.0),
    ("1.000894", "Thủ tục đăng ký kết hôn", 3.0),
    ("2.000908", "Thủ tục chứng thực bản sao từ bản chính", 1.0),
]
# The processing agency each procedure maps to (as the server's catalog mapping would);
# a procedure not here has none yet, and forwarding it asks for one (409 agency_required).
_AGENCY_OF = {"1.001193": ("UBND.THUANHOA", "UBND phường Thuận Hóa"),
              "1.000894": ("UBND.THUANHOA", "UBND phường Thuận Hóa")}
PASSWORD = "motcua-demo"
_T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@dataclass
class FakeTicket:
    id: int
    label: str
    service_id: int
    priority: str = "normal"
    status: TicketStatus = TicketStatus.WAITING
    counter_id: int | None = None
    target_counter_id: int | None = None
    site_id: int = 1
    recall_count: int = 0
    procedure_code: str | None = "1.001193"
    procedure_name_vi: str | None = "Thủ tục đăng ký khai sinh"
    arrived_at: datetime = _T0
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass
class FakeCounter:
    id: int
    number: int
    services: list[int]
    site_id: int = 1
    state: CounterState = CounterState.CLOSED
    pause_reason: str = ""
    staff_id: int | None = None
    current: int | None = None


@dataclass
class _Follow:
    counter_id: int
    on_snapshot: Callable[[CounterSnapshot], None]
    on_event: Callable[[dict[str, Any]], None]
    on_state: Callable[[StreamState], None]
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True


@dataclass
class FakeGateway:
    now: datetime = _T0
    tickets: dict[int, FakeTicket] = field(default_factory=dict)
    counters: dict[int, FakeCounter] = field(
        default_factory=lambda: {cid: FakeCounter(cid, number, list(s)) for cid, number, s in _COUNTERS})
    calls: list[tuple[str, Any]] = field(default_factory=list)  # every request, in order
    followers: list[_Follow] = field(default_factory=list)
    fail_next: ApiError | None = None
    gate: asyncio.Event | None = None  # when set, actions wait on it (to test double presses)
    staff: StaffOut | None = None
    seq: int = 0
    served_today: int = 0
    no_show_today: int = 0
    no_show_after_recalls: int = 1
    dossiers: dict[str, DossierOut] = field(default_factory=dict)
    stored: set[str] = field(default_factory=set)  # sha256 of uploaded contents
    # The document store: ID number -> the citizen's reusable documents; fees by procedure.
    citizen_store: dict[str, list[CitizenDocumentOut]] = field(default_factory=dict)
    procedure_fees: dict[str, int | None] = field(default_factory=lambda: {"1.001193": 50000})
    receipts: int = 0
    _next_id: int = 1
    _numbers: dict[int, int] = field(default_factory=dict)

    # ---- test helpers --------------------------------------------------------------------
    def issue(self, service_code: str = "A", priority: str = "normal", minutes_ago: float = 0,
              procedure_code: str | None = "1.001193") -> FakeTicket:
        service = next(s for s in _SERVICES if s[1] == service_code)
        number = self._numbers.get(service[0], 0) + 1
        self._numbers[service[0]] = number
        ticket = FakeTicket(self._next_id, f"{service_code}{number:03d}", service[0], priority,
                            arrived_at=self.now - timedelta(minutes=minutes_ago), procedure_code=procedure_code,
                            procedure_name_vi="Thủ tục đăng ký khai sinh" if procedure_code else None)
        self.tickets[ticket.id] = ticket
        self._next_id += 1
        self.emit("TicketIssued", ticket)
        return ticket

    def emit(self, type_: str, ticket: FakeTicket | None = None, counter: FakeCounter | None = None,
             data: dict | None = None) -> dict[str, Any]:
        self.seq += 1
        event = {
            "kind": "event", "type": type_, "site_id": 1, "seq": self.seq, "at": self.now.isoformat(),
            "ticket": None if ticket is None else {
                "id": ticket.id, "label": ticket.label, "status": ticket.status.value, "service_id": ticket.service_id,
                "counter_id": ticket.counter_id, "target_counter_id": ticket.target_counter_id,
                "recall_count": ticket.recall_count},
            "counter": None if counter is None else {"id": counter.id, "number": counter.number,
                                                      "state": counter.state.value, "current_ticket_id": counter.current},
            "data": data or {},
        }
        for f in self.followers:
            if not f.stopped:
                f.on_event(event)
        return event

    def set_stream(self, state: StreamState) -> None:
        for f in self.followers:
            if not f.stopped:
                f.on_state(state)

    def actions(self) -> list[tuple[str, Any]]:
        return [c for c in self.calls if c[0].startswith("POST ")]

    # ---- the gateway ---------------------------------------------------------------------
    async def _enter(self, what: str, body: Any = None) -> None:
        self.calls.append((what, body))
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error

    async def login(self, username: str, password: str) -> LoginOut:
        await self._enter("login", username)
        if username not in _STAFF or password != PASSWORD:
            raise ApiError(401, "bad_credentials", "Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password.")
        self.staff = _STAFF[username]
        return LoginOut(token="t", expires_at=self.now + timedelta(hours=12), staff=self.staff)

    async def logout(self) -> None:
        self.calls.append(("logout", None))

    async def sites(self) -> list[SiteOut]:
        await self._enter("GET sites")
        return [SiteOut(id=i, code=c, name_vi=n, name_en=c, kind=k, address=a, latitude=16.46, longitude=107.59,
                        opening_hours={}, notice="") for i, c, n, k, a in _SITES]

    async def site_services(self, site_code: str) -> list[ServiceOut]:
        await self._enter("GET services", site_code)
        return [ServiceOut(id=i, code=c, name_vi=vi, name_en=en, prefix=c, kind="return" if c == "R" else "queue")
                for i, c, vi, en in _SERVICES]

    async def site_snapshot(self, site_code: str) -> SiteSnapshot:
        await self._enter("GET site", site_code)
        sites = await self.sites()
        self.calls.pop()
        waiting = [t for t in self.tickets.values() if t.status is TicketStatus.WAITING]
        return SiteSnapshot(seq=self.seq, taken_at=self.now, site=next(s for s in sites if s.code == site_code),
                            counters=[self._counter_out(c) for c in self.counters.values()],
                            queues=[self._queue(service, waiting) for service in _SERVICES], recent_calls=[])

    def _queue(self, service: tuple[int, str, str, str], waiting: list[Any]) -> dict[str, Any]:
        sid, code, vi, en = service
        mine = [t for t in waiting if t.service_id == sid]
        return {"service_id": sid, "service_code": code, "service_name_vi": vi, "service_name_en": en,
                "waiting": len(mine), "priority_waiting": sum(t.priority != "normal" for t in mine),
                "longest_wait_seconds": int(max(((self.now - t.arrived_at).total_seconds() for t in mine), default=0)),
                "estimated_wait_minutes": 5 * len(mine) if mine else None}

    async def nearby(self, procedure_code: str, site_code: str) -> dict[str, Any]:
        await self._enter("GET nearby", procedure_code)
        return {"here": None, "sites": [{"site_code": "HUE-PX", "distance_km": 1.6, "people_waiting": 2,
                                         "estimated_wait_minutes": 12, "travel_minutes": 6, "sooner": False,
                                         "wait": WaitShown.of(figure_from(12, any_counter_open=True,
                                                                          people_ahead=2)).model_dump(mode="json")}]}

    async def counter_snapshot(self, counter_id: int) -> CounterSnapshot:
        await self._enter("GET counter", counter_id)
        return self.snapshot_of(counter_id)

    def snapshot_of(self, counter_id: int) -> CounterSnapshot:
        counter = self.counters[counter_id]
        waiting = sorted((t for t in self.tickets.values() if t.status is TicketStatus.WAITING
                          and (t.service_id in counter.services or t.target_counter_id == counter_id)),
                         key=lambda t: (t.priority == "normal", t.arrived_at, t.id))
        queues = [self._queue(service, waiting) for service in _SERVICES if service[0] in counter.services]
        return CounterSnapshot.model_validate({
            "seq": self.seq, "taken_at": self.now, "counter": self._counter_out(counter),
            "held_tickets": [self._ticket_out(t) for t in self.tickets.values()
                             if t.status is TicketStatus.HELD and t.counter_id == counter_id],
            "queues": queues,
            "waiting": [{"id": t.id, "label": t.label, "service_id": t.service_id, "priority": t.priority,
                         "arrived_at": t.arrived_at, "wait_seconds": int((self.now - t.arrived_at).total_seconds()),
                         "target_counter_id": t.target_counter_id} for t in waiting],
            "figures": {"served_today": self.served_today, "no_show_today": self.no_show_today,
                        "average_service_seconds": 380 if self.served_today else None},
        })

    def follow_counter(self, counter_id: int, site_id: int, on_snapshot: Callable[[CounterSnapshot], None],
                       on_event: Callable[[dict[str, Any]], None], on_state: Callable[[StreamState], None]) -> _Follow:
        follow = _Follow(counter_id, on_snapshot, on_event, on_state)
        self.followers.append(follow)
        on_state(StreamState.LIVE)
        return follow

    async def aclose(self) -> None:
        pass

    # ---- dossiers --------------------------------------------------------------------------
    async def search_procedures(self, query: str, site_code: str, limit: int = 20) -> ProcedurePage:
        await self._enter("GET procedures", query)
        items = [ProcedureOut(id=i, code=code, name_vi=name, field_id=1, field_vi="Hộ tịch", provincial=False,
                              commune=True, time_value=value, time_unit_vi="Ngày làm việc", fee_vi="", agency_vi="",
                              channels_vi="", source_url="", service_id=1)
                 for i, (code, name, value) in enumerate(_PROCEDURES, start=1)]
        words = fold(query).split()
        return ProcedurePage(total=len(items), items=[p for p in items if all(w in fold(p.name_vi) for w in words)])

    async def receive_dossier(self, counter_id: int, body: ReceiveDossierIn) -> DossierOut:
        await self._enter("POST dossier", body)
        counter = self.counters[counter_id]
        ticket = self.tickets.get(counter.current or 0)
        if ticket is None or ticket.status is not TicketStatus.SERVING or (body.ticket_id and body.ticket_id != ticket.id):
            raise ApiError(409, "no_ticket_serving", "Quầy chưa phục vụ công dân nào.", "Not serving.")
        code = f"000.00.01.H57-261123-{len(self.dossiers) + 1:04d}"
        procedure = next((p for p in _PROCEDURES if p[0] == (body.procedure_code or ticket.procedure_code)),
                         _PROCEDURES[0])
        dossier = DossierOut(
            id=len(self.dossiers) + 1, code=code, status=DossierStatus.RECEIVED, status_vi="Đã tiếp nhận",
            site_code="HUE-TT", site_name_vi=_SITES[0][2], agency_code="000.00.01.H57", procedure_code=procedure[0],
            procedure_name_vi=procedure[1], legal_time_vi="03 ngày làm việc",
            applicant=ApplicantOut(**body.applicant.model_dump()),
            documents=[DocumentOut(**d.model_dump()) for d in body.documents], notes=body.notes,
            received_at=self.now, received_by_name=self.staff.full_name if self.staff else "", counter_number=counter.number,
            intake_ticket_id=ticket.id, intake_ticket_label=ticket.label, due_date=date(2026, 11, 26), due_at=None,
            processing_agency_code=_AGENCY_OF.get(procedure[0], (None, None))[0],
            processing_agency_name_vi=_AGENCY_OF.get(procedure[0], (None, None))[1], forward_deadline=self.now.date(),
            overdue=False, attachments=[], history=[], lookup_url=f"http://127.0.0.1:8000/d/{code}", lookup_pin="482913750264",
            fee=self._fee(code, body.fee_vnd if body.fee_vnd is not None else
                          self.procedure_fees.get(procedure[0]) or 0))
        self.dossiers[code] = dossier
        return dossier

    def _fee(self, code: str, amount: int) -> FeeOut | None:
        if not amount:
            return None
        from shared.vietqr import Payment, build_payload, payment_purpose

        purpose = payment_purpose(code)
        return FeeOut(amount_vnd=amount, amount_text=f"{amount:,} đồng".replace(",", "."), catalog_amount_vnd=amount,
                      status="unpaid", payment_purpose=purpose, bank_name="Vietcombank",
                      account_name="TT PHUC VU HANH CHINH CONG HUE", account_number="0071000123456",
                      vietqr=build_payload(Payment("970436", "0071000123456", amount, purpose)))

    async def procedure_fee(self, code: str) -> ProcedureFeeOut:
        await self._enter("GET fee", code)
        amount = self.procedure_fees.get(code)
        return ProcedureFeeOut(procedure_code=code, kind="amount" if amount else "free", amount_vnd=amount,
                               amount_text=f"{amount:,} đồng".replace(",", ".") if amount else "Miễn phí",
                               source="catalog", catalog_text="")

    async def citizen_documents(self, counter_id: int, id_number: str, id_kind: str,
                                purpose: ReadPurpose) -> CitizenDocumentsOut:
        await self._enter("GET citizen documents", (counter_id, id_number, purpose.value))
        return CitizenDocumentsOut(id_kind=id_kind, id_number=id_number, purpose=purpose,
                                   items=self.citizen_store.get(id_number, []))

    async def pay_fee(self, code: str, method: str) -> FeeOut:
        await self._enter("POST payment", (code, method))
        dossier = self.dossiers[code]
        if dossier.fee is None:
            raise ApiError(404, "no_fee", "Hồ sơ không có lệ phí phải nộp.", "No fee.")
        if dossier.fee.status == "paid":
            raise ApiError(409, "fee_already_paid", "Lệ phí đã được thu.", "Already paid.")
        self.receipts += 1
        fee = dossier.fee.model_copy(update={"status": "paid", "method": method, "paid_at": self.now, "vietqr": None,
                                             "receipt_number": f"BL26-HUETT/{self.receipts:07d}"})
        self.dossiers[code] = dossier.model_copy(update={"fee": fee})
        return fee

    async def fee_receipt_pdf(self, code: str, page: str = "A5") -> bytes:
        await self._enter("GET fee receipt", code)
        return b"%PDF-1.4 bien lai " + code.encode()

    async def upload_files(self, code: str, files: list[tuple[str, bytes]],
                           document_index: int | None = None) -> list[UploadedAttachmentOut]:
        await self._enter("POST files", [name for name, _ in files])
        out = []
        for name, content in files:
            digest = hashlib.sha256(content).hexdigest()
            again = digest in self.stored
            self.stored.add(digest)
            out.append(UploadedAttachmentOut(
                id=len(self.stored) + len(out), sha256=digest, file_name=name, media_type="application/pdf",
                size=len(content), document_index=document_index, uploaded_at=self.now, uploaded_by_name="",
                download_path=f"/dossiers/{code}/files/1", already_stored=again))
        return out

    async def receipt_pdf(self, code: str, pin: str | None, page: str = "A5") -> bytes:
        await self._enter("GET receipt", (code, pin, page))
        return b"%PDF-1.4 receipt " + code.encode() + b" PIN " + (pin or "******").encode()

    async def change_dossier(self, code: str, body: DossierTransitionIn) -> DossierOut:
        await self._enter("POST transition", body)
        dossier = self.dossiers[code].model_copy(update={"status": DossierStatus.SUPPLEMENT_REQUESTED})
        self.dossiers[code] = dossier
        return dossier

    async def forward_dossier(self, code: str, body: ForwardIn) -> DossierOut:
        await self._enter("POST forward", (code, body))
        dossier = self.dossiers[code]
        if dossier.status is not DossierStatus.RECEIVED:
            raise ApiError(409, f"dossier_cannot_forward_{dossier.status.value}",
                           f"Không thể chuyển cơ quan giải quyết hồ sơ {code} vì hồ sơ không ở trạng thái đã tiếp nhận.",
                           "Only a received dossier can be forwarded.")
        if dossier.processing_agency_name_vi is None:
            raise ApiError(409, "agency_required",
                           "Chưa xác định được cơ quan giải quyết của hồ sơ này: hãy chọn cơ quan.",
                           "No processing agency is mapped for this dossier's procedure.")
        handoff = HandoffOut(at=self.now, kind="forward", from_kind="center", from_name=_SITES[0][2],
                             to_kind="agency", to_name=dossier.processing_agency_name_vi,
                             deadline=dossier.forward_deadline, timeliness="on_time", timeliness_vi="Đúng hạn",
                             timeliness_en="On time", note=body.note)
        dossier = dossier.model_copy(update={"status": DossierStatus.FORWARDED, "status_vi": "Đã chuyển cơ quan giải "
                                             "quyết", "forwarded_at": self.now, "handoffs": [*dossier.handoffs, handoff]})
        self.dossiers[code] = dossier
        return dossier

    async def supplement_pdf(self, code: str, page: str = "A5") -> bytes:
        await self._enter("GET supplement", code)
        return b"%PDF-1.4 supplement " + code.encode()

    async def dossier(self, code: str) -> DossierOut:
        await self._enter("GET dossier", code)
        return self.dossiers[code]

    async def dossiers_of_ticket(self, ticket_id: int) -> DossierPage:
        await self._enter("GET dossiers", ticket_id)
        items = [DossierSummaryOut(id=d.id, code=d.code, status=d.status, procedure_code=d.procedure_code,
                                   applicant_name=d.applicant.name, received_at=d.received_at, due_date=d.due_date,
                                   due_at=d.due_at, overdue=d.overdue, attachment_count=len(d.attachments))
                 for d in self.dossiers.values() if d.intake_ticket_id == ticket_id]
        return DossierPage(total=len(items), items=items)

    async def rate(self, counter_id: int, body: CounterRatingIn) -> RatingOut:
        await self._enter("POST rating", body)
        return RatingOut(ticket_label="A001", level=body.level, level_vi=RATING_VI[body.level], reason=body.reason,
                         rated_at=self.now, source="counter")

    async def counter_action(self, counter_id: int, action: str, body: dict | None = None) -> TicketOut | None:
        await self._enter(f"POST {action}", body)
        counter = self.counters[counter_id]
        handler = getattr(self, "_do_" + action.replace("-", "_"))
        ticket = handler(counter, body or {})
        return self._ticket_out(ticket) if ticket is not None else None

    # ---- the rules -----------------------------------------------------------------------
    def _current(self, counter: FakeCounter) -> FakeTicket:
        if counter.current is None:
            raise ApiError(409, "no_current_ticket", f"Quầy {counter.number} chưa gọi số nào.", "No current ticket.")
        return self.tickets[counter.current]

    def _require(self, ticket: FakeTicket, *statuses: TicketStatus, action_vi: str) -> None:
        if ticket.status not in statuses:
            raise ApiError(409, f"cannot_{action_vi}", f"Không thể {action_vi} số {ticket.label}.", "Not allowed now.")

    def _require_idle(self, counter: FakeCounter) -> None:
        if counter.current is not None:
            raise ApiError(409, "counter_busy", f"Quầy {counter.number} đang phục vụ một số thứ tự: hãy kết thúc, "
                           "đánh dấu vắng mặt, tạm giữ hoặc chuyển trước.", "Counter is busy.")

    def _require_open(self, counter: FakeCounter) -> None:
        if counter.state is not CounterState.OPEN:
            raise ApiError(409, "counter_not_open", f"Quầy {counter.number} chưa mở. Hãy mở quầy trước khi gọi số.",
                           "Counter is not open.")

    def _do_open(self, counter: FakeCounter, body: dict) -> None:
        counter.state, counter.pause_reason = CounterState.OPEN, ""
        counter.staff_id = self.staff.id if self.staff else None
        self.emit("CounterOpened", counter=counter)

    def _do_pause(self, counter: FakeCounter, body: dict) -> None:
        self._require_idle(counter)
        counter.state, counter.pause_reason = CounterState.PAUSED, body.get("reason", "")
        self.emit("CounterPaused", counter=counter)

    def _do_close(self, counter: FakeCounter, body: dict) -> None:
        self._require_idle(counter)
        counter.state, counter.staff_id = CounterState.CLOSED, None
        self.emit("CounterClosed", counter=counter)

    def _call(self, counter: FakeCounter, ticket: FakeTicket) -> FakeTicket:
        ticket.status, ticket.counter_id, ticket.called_at = TicketStatus.CALLED, counter.id, self.now
        ticket.recall_count, ticket.target_counter_id = 0, None
        counter.current = ticket.id
        self.emit("TicketCalled", ticket, counter)
        return ticket

    def _do_call_next(self, counter: FakeCounter, body: dict) -> FakeTicket:
        self._require_open(counter)
        if counter.current is not None and body.get("finish_current"):
            self._do_finish(counter, {})
        self._require_idle(counter)
        waiting = self.snapshot_of(counter.id).waiting
        if not waiting:
            raise ApiError(409, "no_ticket_waiting", "Không có công dân nào đang chờ.", "Nobody is waiting.")
        return self._call(counter, self.tickets[waiting[0].id])

    def _do_call(self, counter: FakeCounter, body: dict) -> FakeTicket:
        self._require_open(counter)
        self._require_idle(counter)
        return self._call(counter, self.tickets[body["ticket_id"]])

    def _do_recall(self, counter: FakeCounter, body: dict) -> FakeTicket:
        ticket = self._current(counter)
        self._require(ticket, TicketStatus.CALLED, action_vi="gọi lại")
        ticket.recall_count += 1
        self.emit("TicketRecalled", ticket, counter)
        return ticket

    def _do_start(self, counter: FakeCounter, body: dict) -> FakeTicket:
        ticket = self._current(counter)
        self._require(ticket, TicketStatus.CALLED, action_vi="bắt đầu phục vụ")
        ticket.status, ticket.started_at = TicketStatus.SERVING, self.now
        self.emit("TicketStarted", ticket, counter)
        return ticket

    def _do_finish(self, counter: FakeCounter, body: dict) -> FakeTicket:
        ticket = self._current(counter)
        self._require(ticket, TicketStatus.SERVING, action_vi="kết thúc")
        ticket.status, ticket.finished_at, counter.current = TicketStatus.DONE, self.now, None
        self.served_today += 1
        self.emit("TicketServed", ticket, counter)
        return ticket

    def _do_no_show(self, counter: FakeCounter, body: dict) -> FakeTicket:
        ticket = self._current(counter)
        self._require(ticket, TicketStatus.CALLED, action_vi="đánh dấu vắng mặt")
        if ticket.recall_count < self.no_show_after_recalls:
            raise ApiError(409, "recall_first", f"Hãy gọi lại số {ticket.label} ít nhất "
                           f"{self.no_show_after_recalls} lần trước khi đánh dấu vắng mặt.", "Recall first.")
        ticket.status, ticket.finished_at, counter.current = TicketStatus.NO_SHOW, self.now, None
        self.no_show_today += 1
        self.emit("TicketNoShow", ticket, counter)
        return ticket

    def _do_hold(self, counter: FakeCounter, body: dict) -> FakeTicket:
        ticket = self._current(counter)
        ticket.status, counter.current = TicketStatus.HELD, None
        self.emit("TicketHeld", ticket, counter)
        return ticket

    def _do_resume(self, counter: FakeCounter, body: dict) -> FakeTicket:
        self._require_idle(counter)
        ticket = self.tickets[body["ticket_id"]]
        ticket.status, counter.current = TicketStatus.SERVING, ticket.id
        self.emit("TicketResumed", ticket, counter)
        return ticket

    def _do_transfer(self, counter: FakeCounter, body: dict) -> FakeTicket:
        ticket = self._current(counter)
        target = body["target"]
        if target == "service":
            ticket.service_id = body["service_id"]
        elif target == "counter":
            if body["counter_id"] == counter.id:
                raise ApiError(409, "same_counter", "Không thể chuyển sang chính quầy này.", "Same counter.")
            ticket.target_counter_id = body["counter_id"]
        else:
            ticket.site_id, ticket.label = 2, "A001"
        ticket.status, ticket.counter_id, counter.current, ticket.recall_count = TicketStatus.WAITING, None, None, 0
        self.emit("TicketTransferred", ticket, counter, {"target": target})
        return ticket

    # ---- wire shapes ---------------------------------------------------------------------
    def _counter_out(self, counter: FakeCounter) -> dict[str, Any]:
        staff = next((s for s in _STAFF.values() if s.id == counter.staff_id), None)
        codes = {s[0]: s[1] for s in _SERVICES}
        return {"id": counter.id, "site_id": counter.site_id, "number": counter.number, "name": f"Quầy {counter.number}",
                "state": counter.state.value, "pause_reason": counter.pause_reason, "staff_id": counter.staff_id,
                "staff_name": staff.full_name if staff else None,
                "services": [{"service_id": s, "service_code": codes[s], "weight": 2} for s in counter.services],
                "current_ticket": self._ticket_out(self.tickets[counter.current]) if counter.current else None}

    def _ticket_out(self, ticket: FakeTicket) -> TicketOut:
        service = next(s for s in _SERVICES if s[0] == ticket.service_id)
        site = next(s for s in _SITES if s[0] == ticket.site_id)
        counter = self.counters.get(ticket.counter_id) if ticket.counter_id else None
        return TicketOut(
            id=ticket.id, label=ticket.label, status=ticket.status, priority=ticket.priority, site_id=site[0],
            site_code=site[1], site_name_vi=site[2], service_id=service[0], service_code=service[1],
            service_name_vi=service[2], service_name_en=service[3], procedure_code=ticket.procedure_code,
            procedure_name_vi=ticket.procedure_name_vi, counter_id=ticket.counter_id,
            counter_number=counter.number if counter else None, target_counter_id=ticket.target_counter_id,
            issued_at=ticket.arrived_at, arrived_at=ticket.arrived_at, called_at=ticket.called_at,
            started_at=ticket.started_at, finished_at=ticket.finished_at, recall_count=ticket.recall_count,
        )
