"""The counter app's presenter, without Kivy: every action, every shortcut, the live stream."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from counter_client.commands import BY_COMMAND, KEYMAP, SPECS, Command
from counter_client.fakes import PASSWORD, FakeGateway
from counter_client.presenter import CounterPresenter, Dialog, Level, Phase
from counter_client.settings import CounterSettings
from shared.client import ApiError, ServerUnreachable, StreamState
from shared.enums import CounterState, TicketStatus, TransferTarget


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


class Desk:
    """A presenter on a fake server, with the keys a clerk would press."""

    def __init__(self, tmp: Path, fake: FakeGateway | None = None, **settings: object) -> None:
        self.tmp = tmp
        self.fake = fake or FakeGateway()
        self.saved: list[CounterSettings] = []
        self.redraws = 0
        self.opened_dossiers: list[str] = []
        self.p = CounterPresenter(self.fake, CounterSettings(path=tmp / "counter.json", **settings),
                                  save_settings=self.saved.append, on_change=self._redraw,
                                  dossier_factory=self._dossier)

    def _dossier(self, ticket, on_change, on_close):  # noqa: ANN001, ANN202
        from counter_client.documents import DocumentOutput
        from counter_client.dossier_presenter import DossierPresenter

        self.opened_dossiers.append(ticket.label)
        return DossierPresenter(self.fake, DocumentOutput(self.tmp / "receipts", open_after=False),
                                counter_id=self.p.counter_id, site_code="HUE-TT", ticket=ticket,
                                receipt_output="pdf", receipt_page="A5", tz=self.p.tz, on_change=on_change,
                                on_close=on_close)

    def _redraw(self) -> None:
        self.redraws += 1

    async def keys(self, *names: str) -> None:
        for name in names:
            self.p.on_key(name)
            await self.p.idle()

    async def at_counter(self, counter_id: int = 1, *, open_it: bool = True) -> None:
        assert await self.p.login_async("canbo.tt", PASSWORD)
        assert await self.p.pick_counter_async(counter_id)
        if open_it:
            await self.keys("f10")

    @property
    def notice(self) -> str:
        return self.p.state.notice.text_vi if self.p.state.notice else ""

    def posted(self) -> list[str]:
        return [name.removeprefix("POST ") for name, _ in self.fake.actions()]


# ---- login and the counter -----------------------------------------------------------------
def test_wrong_password_shows_the_servers_vietnamese_message_and_stays_on_login(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        assert not await desk.p.login_async("canbo.tt", "sai")
        assert desk.p.state.phase is Phase.LOGIN
        assert desk.notice == "Sai tên đăng nhập hoặc mật khẩu."
        assert not desk.saved
    run(scenario)


def test_empty_login_is_refused_without_asking_the_server(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        assert not await desk.p.login_async("  ", "")
        assert desk.fake.calls == []
        assert "tên đăng nhập" in desk.notice
    run(scenario)


def test_login_offers_the_remembered_counter_and_remembers_the_user(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path, counter_id=3)
        assert await desk.p.login_async("canbo.tt", PASSWORD)
        assert desk.p.state.phase is Phase.PICK_COUNTER
        assert desk.p.state.site.code == "HUE-TT"
        assert desk.p.state.selected_counter_id == 3
        assert desk.saved[-1].username == "canbo.tt"
    run(scenario)


def test_staff_work_at_their_own_site_whatever_the_settings_say(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path, site_code="HUE-PX")
        await desk.p.login_async("canbo.tt", PASSWORD)
        assert desk.p.state.site.code == "HUE-TT"
        manager = Desk(tmp_path, site_code="HUE-PX")
        await manager.p.login_async("quanly", PASSWORD)
        assert manager.p.state.site.code == "HUE-PX"
    run(scenario)


def test_picking_a_counter_by_keyboard_opens_the_main_screen_and_remembers_it(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.p.login_async("canbo.tt", PASSWORD)
        assert desk.p.state.selected_counter_id == 1  # nothing remembered: the first
        await desk.keys("down", "enter")
        assert desk.p.state.phase is Phase.MAIN
        assert desk.p.counter_id == 2
        assert desk.saved[-1].counter_id == 2
        assert desk.p.state.stream is StreamState.LIVE
        assert len(desk.fake.followers) == 1
    run(scenario)


def test_a_closed_counter_offers_only_opening(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter(open_it=False)
        live = {c for c in Command if desk.p.available(c)}
        assert live == {Command.OPEN, Command.CHANGE_COUNTER}
        await desk.keys("f1")
        assert desk.posted() == []
    run(scenario)


# ---- one citizen after another -----------------------------------------------------------
def test_f10_opens_and_f1_calls_the_next_citizen(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter(open_it=False)
        await desk.keys("f10")
        assert desk.p.state.snapshot.counter.state is CounterState.OPEN
        await desk.keys("f1")
        assert desk.posted() == ["open", "call-next"]
        assert desk.p.current.label == "A001"
        assert desk.p.current.status is TicketStatus.CALLED
        assert desk.notice == "Đã gọi số A001."
    run(scenario)


def test_calling_with_nobody_waiting_says_so(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter()
        await desk.keys("f1")
        assert desk.notice == "Không có công dân nào đang chờ."
        assert desk.p.state.notice.level is Level.ERROR
    run(scenario)


def test_f2_recalls_and_counts_the_recalls(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f2", "f2")
        assert desk.posted()[-2:] == ["recall", "recall"]
        assert desk.p.current.recall_count == 2
        assert desk.notice == "Đã gọi lại số A001 (lần 2)."
    run(scenario)


def test_f3_starts_and_f4_finishes_and_todays_figures_follow(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f3")
        assert desk.p.current.status is TicketStatus.SERVING
        assert not desk.p.available(Command.START)
        await desk.keys("f4")
        assert desk.posted()[-2:] == ["start", "finish"]
        assert desk.p.current is None
        assert desk.p.state.snapshot.figures.served_today == 1
        assert desk.notice == "Đã hoàn thành số A001."
    run(scenario)


def test_f1_while_serving_finishes_and_calls_the_next_in_one_step(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f3", "f1")
        assert desk.fake.actions()[-1] == ("POST call-next", {"finish_current": True})
        assert desk.p.current.label == "A002"
        assert desk.fake.tickets[1].status is TicketStatus.DONE
    run(scenario)


def test_f1_is_refused_while_the_called_citizen_has_not_arrived(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f1")
        assert desk.posted().count("call-next") == 1
    run(scenario)


def test_f5_no_show_before_a_recall_shows_the_rule_then_works_after_one(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f5")
        assert desk.notice == "Hãy gọi lại số A001 ít nhất 1 lần trước khi đánh dấu vắng mặt."
        assert desk.p.current.label == "A001"
        await desk.keys("f2", "f5")
        assert desk.p.current is None
        assert desk.fake.tickets[1].status is TicketStatus.NO_SHOW
        assert desk.notice == "Số A001 được đánh dấu vắng mặt."
        assert desk.p.state.snapshot.figures.no_show_today == 1
    run(scenario)


def test_f7_holds_and_alt_1_resumes_the_held_ticket(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f3", "f7")
        assert desk.p.current is None
        assert [t.label for t in desk.p.state.snapshot.held_tickets] == ["A001"]
        assert desk.p.available(Command.RESUME_HELD)
        await desk.keys("alt+2")  # nothing held there
        assert desk.posted()[-1] == "hold"
        await desk.keys("alt+1")
        assert desk.fake.actions()[-1] == ("POST resume", {"ticket_id": 1})
        assert desk.p.current.status is TicketStatus.SERVING
    run(scenario)


def test_double_press_while_the_first_call_is_on_its_way_calls_one_citizen(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        desk.fake.issue("A")
        await desk.at_counter()
        desk.fake.gate = asyncio.Event()
        first = desk.p.press(Command.CALL_NEXT)
        second = desk.p.press(Command.CALL_NEXT)
        assert first is not None and second is None
        assert desk.p.on_key("f1")  # a shortcut is still "handled", but ignored
        assert desk.p.state.busy is Command.CALL_NEXT
        desk.fake.gate.set()
        await desk.p.idle()
        assert desk.posted().count("call-next") == 1
        assert desk.p.state.busy is None
    run(scenario)


# ---- dialogs -----------------------------------------------------------------------------
def test_f6_transfer_to_another_counter_found_by_typing(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f3", "f6")
        assert desk.p.state.dialog.kind is Dialog.TRANSFER
        await desk.keys("alt+c")
        titles = [o.title for o in desk.p.dialog_options()]
        assert not any(t.startswith("Quầy 1 ") for t in titles)  # not to itself
        assert titles[0] == "Quầy 2 (Tư pháp, Công an)"  # named by its services
        desk.p.set_query("quay 9")
        assert [o.title for o in desk.p.dialog_options()] == ["Quầy 9 (Trả kết quả, Tư pháp)"]
        desk.p.set_reason("Công dân cần trả kết quả")
        await desk.keys("enter")
        assert desk.fake.actions()[-1] == ("POST transfer", {"target": "counter", "counter_id": 9,
                                                              "reason": "Công dân cần trả kết quả"})
        assert desk.p.state.dialog.kind is Dialog.NONE
        assert desk.p.current is None
        assert desk.notice == "Đã chuyển số A001 đến quầy 9."
    run(scenario)


def test_transfer_to_a_service_skips_the_current_one_and_ignores_accents(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f6")
        assert desk.p.state.dialog.transfer_target is TransferTarget.SERVICE
        assert not any(o.title.startswith("A ·") for o in desk.p.dialog_options())
        desk.p.set_query("dat dai")
        assert [o.id for o in desk.p.dialog_options()] == [2]
        await desk.keys("enter")
        assert desk.fake.actions()[-1] == ("POST transfer", {"target": "service", "service_id": 2, "reason": ""})
        assert desk.notice == "Đã chuyển số A001 sang dịch vụ B."
    run(scenario)


def test_transfer_to_another_site_shows_its_distance_and_wait(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f6", "alt+t")
        options = desk.p.dialog_options()
        assert [o.id for o in options] == ["HUE-PX"]
        assert options[0].subtitle == "1.6 km · 2 người chờ · khoảng 10 phút"  # the server's rounded figure
        await desk.keys("enter")
        assert desk.fake.actions()[-1] == ("POST transfer", {"target": "site", "site_code": "HUE-PX", "reason": ""})
        assert desk.notice.startswith("Đã chuyển sang Chi nhánh Phú Xuân: số mới A001")
    run(scenario)


def test_a_refused_transfer_keeps_the_dialog_open_with_the_reason(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f6")
        desk.fake.fail_next = ApiError(409, "service_not_offered", "Điểm phục vụ này không có dịch vụ đó.", "No.")
        await desk.keys("enter")
        assert desk.p.state.dialog.kind is Dialog.TRANSFER
        assert desk.notice == "Điểm phục vụ này không có dịch vụ đó."
        await desk.keys("escape")
        assert desk.p.state.dialog.kind is Dialog.NONE
        assert desk.p.current.label == "A001"
    run(scenario)


def test_f8_calls_a_chosen_waiting_ticket_with_a_reason(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A", minutes_ago=20)
        desk.fake.issue("A", priority="elderly", minutes_ago=3)
        await desk.at_counter()
        await desk.keys("f8")
        options = desk.p.dialog_options()
        assert [o.title for o in options] == ["A002", "A001"]
        assert options[0].subtitle == "Dịch vụ A · chờ 3 phút · ưu tiên: người cao tuổi"
        await desk.keys("down")
        desk.p.set_reason("Công dân đến trước, đã chờ lâu")
        await desk.keys("enter")
        assert desk.fake.actions()[-1] == ("POST call", {"ticket_id": 1, "reason": "Công dân đến trước, đã chờ lâu"})
        assert desk.p.current.label == "A001"
    run(scenario)


def test_f9_pauses_with_a_reason_chosen_by_number_and_f10_resumes(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter()
        await desk.keys("f9")
        assert desk.p.state.dialog.kind is Dialog.PAUSE
        await desk.keys("2")
        assert desk.fake.actions()[-1] == ("POST pause", {"reason": "Họp"})
        assert desk.p.state.snapshot.counter.state is CounterState.PAUSED
        assert not desk.p.available(Command.CALL_NEXT)
        await desk.keys("f10")
        assert desk.p.state.snapshot.counter.state is CounterState.OPEN
    run(scenario)


def test_pause_with_a_typed_reason(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter()
        await desk.keys("f9")
        desk.p.set_reason("Hỗ trợ quầy 5")
        await desk.keys("enter")
        assert desk.fake.actions()[-1] == ("POST pause", {"reason": "Hỗ trợ quầy 5"})
    run(scenario)


def test_f12_closes_only_after_confirmation(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter()
        await desk.keys("f12")
        assert desk.p.state.dialog.kind is Dialog.CLOSE_CONFIRM
        await desk.keys("escape")
        assert "close" not in desk.posted()
        await desk.keys("f12", "enter")
        assert desk.posted()[-1] == "close"
        assert desk.p.state.snapshot.counter.state is CounterState.CLOSED
    run(scenario)


def test_function_keys_do_not_act_behind_an_open_dialog(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f9", "f1")
        assert "call-next" not in desk.posted()
        assert desk.p.state.dialog.kind is Dialog.PAUSE
    run(scenario)


def test_f11_opens_the_dossier_only_while_serving(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        await desk.keys("f1", "f11")
        assert desk.opened_dossiers == []
        await desk.keys("f3", "f11")
        assert desk.opened_dossiers == ["A001"]
        assert desk.p.state.phase is Phase.DOSSIER
        await desk.keys("f1")  # the counter's keys rest while the dossier is open
        assert desk.posted().count("call-next") == 1
        await desk.keys("escape")
        assert desk.p.state.phase is Phase.MAIN
        await desk.keys("f11")
        assert desk.opened_dossiers == ["A001"]  # the same form again, not a new one
    run(scenario)


def test_alt_q_goes_back_to_choosing_the_counter(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter()
        await desk.keys("alt+q")
        assert desk.p.state.phase is Phase.PICK_COUNTER
        assert desk.fake.followers[0].stopped
    run(scenario)


def test_every_shortcut_is_unique_and_shown_on_its_button() -> None:
    from counter_client.commands import button_text

    assert len(KEYMAP) == len(SPECS)
    for spec in SPECS:
        assert spec.key.upper() in button_text(spec.command)
    assert BY_COMMAND[Command.CALL_NEXT].key == "f1"


# ---- the live stream ---------------------------------------------------------------------
def test_a_kiosk_print_failure_raises_an_alert_until_dismissed_with_alt_d(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter()
        ticket = desk.fake.issue("B")
        desk.fake.emit("TicketPrintFailed", ticket, data={"error_kind": "paper_out"})
        assert len(desk.p.state.alerts) == 1
        assert desk.p.state.alerts[0].text_vi == "Ki-ốt không in được phiếu số thứ tự B001 (hết giấy). Hãy kiểm tra máy in ki-ốt."
        await desk.keys("alt+d")
        assert desk.p.state.alerts == []
        await desk.p.idle()
    run(scenario)


def test_new_tickets_and_other_counters_calls_arrive_without_a_refresh(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter()
        desk.fake.issue("A")
        await desk.p.idle()
        assert [w.label for w in desk.p.state.snapshot.waiting] == ["A001"]
        assert desk.p.state.activity[0].endswith("Số mới A001")
        # counter 2 (same service) calls it
        other = desk.fake.counters[2]
        desk.fake._do_open(other, {})
        desk.fake._do_call_next(other, {})
        await desk.p.idle()
        assert desk.p.state.snapshot.waiting == []
        assert desk.p.state.activity[0].endswith("Quầy 2 gọi A001")
    run(scenario)


def test_a_burst_of_events_is_coalesced_into_few_snapshot_fetches(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter()
        before = sum(1 for name, _ in desk.fake.calls if name == "GET counter")
        for _ in range(20):
            desk.fake.issue("A")
        await desk.p.idle()
        fetches = sum(1 for name, _ in desk.fake.calls if name == "GET counter") - before
        assert 1 <= fetches <= 2
        assert len(desk.p.state.snapshot.waiting) == 20
    run(scenario)


def test_losing_the_stream_is_shown_and_recovering_clears_it(tmp_path: Path) -> None:
    from counter_client.viewmodel import main_view

    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.at_counter()
        desk.fake.set_stream(StreamState.RECONNECTING)
        view = main_view(desk.p)
        assert not view.stream_ok
        assert view.stream_text.startswith("Mất kết nối máy chủ")
        desk.fake.set_stream(StreamState.LIVE)
        assert main_view(desk.p).stream_ok
    run(scenario)


def test_an_unreachable_server_is_reported_and_the_screen_kept(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        desk.fake.fail_next = ServerUnreachable("ConnectError")
        await desk.keys("f1")
        assert desk.notice == "Không kết nối được máy chủ. Đang thử lại…"
        assert desk.p.state.phase is Phase.MAIN
        await desk.keys("f1")
        assert desk.p.current.label == "A001"
    run(scenario)


def test_an_expired_session_goes_back_to_login(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        desk.fake.fail_next = ApiError(401, "unauthorized", "Cần đăng nhập hoặc mã thiết bị hợp lệ.")
        await desk.keys("f1")
        assert desk.p.state.phase is Phase.LOGIN
        assert desk.notice == "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."
        assert desk.fake.followers[0].stopped
    run(scenario)


@pytest.mark.parametrize("key", sorted(KEYMAP))
def test_no_shortcut_acts_before_a_counter_is_chosen(tmp_path: Path, key: str) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        await desk.p.login_async("canbo.tt", PASSWORD)
        calls = len(desk.fake.calls)
        assert not desk.p.on_key(key)
        await desk.p.idle()
        assert len(desk.fake.calls) == calls
    run(scenario)


def test_the_cannot_reach_message_goes_away_when_the_stream_is_back(tmp_path: Path) -> None:
    async def scenario() -> None:
        desk = Desk(tmp_path)
        desk.fake.issue("A")
        await desk.at_counter()
        desk.fake.set_stream(StreamState.RECONNECTING)
        desk.fake.fail_next = ServerUnreachable("ConnectError")
        await desk.keys("f1")
        assert desk.notice.startswith("Không kết nối được máy chủ")
        desk.fake.set_stream(StreamState.LIVE)
        assert desk.notice == ""
    run(scenario)
