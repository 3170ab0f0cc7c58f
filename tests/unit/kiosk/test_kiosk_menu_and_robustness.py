"""The site menu in a few taps, and the kiosk's manners (issue 14): taps counted from home to
the issued ticket, the language kept for the session, "Need more time?", no ticket offered
while the server is gone, locked rows while a page loads, one wait wording, and the elderly
priority offered from a scanned chip ID card (issue 17)."""

from __future__ import annotations

import asyncio

from kiosk_fakes import BIRTH, TOP

from kiosk.presenter import IDLE_WARNING_SECONDS, Phase, PrintState
from kiosk.scanner import MAX_LENGTH, ScannerBuffer
from kiosk.state import QueueCount
from shared.cccd import SAMPLE_CARDS, format_card_qr
from shared.client import ApiError, StreamState


def test_each_of_the_top_ten_is_three_taps_from_home_to_the_ticket(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        assert [i.procedure_code for i in k.state.menu.top] == [i["procedure_code"] for i in TOP]
        for item in TOP:
            taps = 0
            k.p.open_top(); taps += 1  # noqa: E702
            assert k.state.phase is Phase.MENU
            k.p.choose_item(item["procedure_code"]); taps += 1  # noqa: E702
            assert k.state.phase is Phase.PRIORITY
            assert k.p.confirm(); taps += 1  # noqa: E702  (the big "print" button: no priority)
            await k.until(lambda: k.state.print_state is PrintState.PRINTED)
            assert k.api.issued[-1].procedure_code == item["procedure_code"]
            assert k.api.issued[-1].priority == "normal"
            assert taps == 3
            k.p.finish_ticket()
            assert k.state.phase is Phase.HOME
        assert len(k.api.issued) == 10 and len(k.printer.printed) == 10
        await k.p.stop()

    asyncio.run(scenario())


def test_a_group_with_one_procedure_and_i_dont_know_are_two_taps(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        k.p.open_group(3)  # "Đất đai" has one procedure: straight to the ticket question
        assert k.state.phase is Phase.PRIORITY and k.state.target.procedure_code == "2.000001"
        assert k.p.confirm()
        await k.until(lambda: k.state.phase is Phase.TICKET)
        assert k.api.issued[-1].procedure_code == "2.000001"
        k.p.finish_ticket()

        k.p.open_help()
        assert k.state.phase is Phase.PRIORITY
        assert k.p.confirm()
        await k.until(lambda: k.state.phase is Phase.TICKET)
        assert k.api.issued[-1].service_id == 9 and k.api.issued[-1].procedure_code is None
        k.p.finish_ticket()

        k.p.open_group(1)  # a group of eleven: its list, paged locally, no request per page
        assert k.state.phase is Phase.MENU and k.p.menu_pages == 2
        calls = len(k.api.procedure_calls)
        k.p.menu_page_step(1)
        assert [i.procedure_code for i in k.p.menu_on_page()] == ["1.009999"]
        k.p.choose_item(BIRTH)  # a row of the other page cannot be chosen from this one
        assert k.state.phase is Phase.MENU
        k.p.choose_item("1.009999")
        assert k.state.phase is Phase.PRIORITY and len(k.api.procedure_calls) == calls
        await k.p.stop()

    asyncio.run(scenario())


def test_a_server_without_a_menu_still_serves_by_field(make_kiosk, fake_api):
    async def scenario():
        fake_api.menu_error = ApiError(404, "not_found", "Không tìm thấy", "Not found")
        k = await make_kiosk().started()
        assert k.state.menu is None
        k.p.open_top()
        assert k.state.phase is Phase.HOME
        await k.at_priority()
        assert k.state.phase is Phase.PRIORITY
        await k.p.stop()

    asyncio.run(scenario())


def test_the_language_stays_until_the_session_ends(make_kiosk):
    async def scenario():
        k = await make_kiosk(idle_timeout=60).started()
        k.p.toggle_language()
        k.p.open_top()
        k.p.go_home()  # the same citizen, going back to the start
        assert k.state.phase is Phase.HOME and k.state.lang == "en"
        k.p.open_top()
        k.p.back()
        assert k.state.phase is Phase.HOME and k.state.lang == "en"
        k.p.open_help()
        k.p.confirm()
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        assert k.state.lang == "en"
        k.p.finish_ticket()  # their ticket is done: the next citizen starts in Vietnamese
        assert k.state.lang == "vi"
        k.p.toggle_language()
        k.p.open_top()
        k.clock.advance(60)
        k.p.tick()  # walked away: idle reset
        assert k.state.phase is Phase.HOME and k.state.lang == "vi"
        await k.p.stop()

    asyncio.run(scenario())


def test_need_more_time_counts_down_and_any_touch_keeps_the_screen(make_kiosk):
    async def scenario():
        k = await make_kiosk(idle_timeout=60).started()
        k.p.open_top()
        k.clock.advance(49)
        k.p.tick()
        assert k.state.idle_left is None
        k.clock.advance(1)
        k.p.tick()
        assert k.state.idle_left == IDLE_WARNING_SECONDS
        k.clock.advance(6)
        k.p.tick()
        assert k.state.idle_left == 4 and k.state.phase is Phase.MENU
        k.p.touched()  # "Continue" (or any touch)
        assert k.state.idle_left is None and k.state.phase is Phase.MENU
        k.clock.advance(59)
        k.p.tick()
        assert k.state.idle_left == 1
        k.clock.advance(1)
        k.p.tick()
        assert k.state.phase is Phase.HOME and k.state.idle_left is None
        k.clock.advance(600)
        k.p.tick()  # nobody is asked on the home screen
        assert k.state.idle_left is None
        await k.p.stop()

    asyncio.run(scenario())


def test_with_the_server_gone_no_ticket_is_offered_and_it_comes_back_by_itself(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        k.p.open_top()
        k.p.choose_item(BIRTH)
        on_snapshot, _on_event, on_state = k.api.stream_callbacks
        on_state(StreamState.RECONNECTING)
        assert not k.p.can_issue
        assert k.p.confirm() is False and k.api.issued == []
        k.p.go_home()
        k.p.open_top()
        k.p.open_help()
        k.p.open_group(3)
        assert k.state.phase is Phase.HOME
        on_state(StreamState.LIVE)
        assert k.p.can_issue
        k.p.open_group(3)
        assert k.p.confirm()
        await k.until(lambda: k.state.phase is Phase.TICKET)
        await k.p.stop()

    asyncio.run(scenario())


def test_rows_of_a_page_that_is_loading_cannot_be_chosen(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        k.p.rows_per_page = 4
        k.p.start_flow()
        k.p.choose_field(38)
        await k.until(lambda: not k.state.procedures_loading)
        old = k.state.procedures[0]
        k.p.procedures_page_step(1)
        assert k.state.procedures_loading
        k.p.choose_procedure(old)  # a tap on a row of the page being replaced
        assert k.state.phase is Phase.PROCEDURES
        await k.until(lambda: not k.state.procedures_loading)
        assert k.state.procedures[0].code != old.code
        k.p.choose_procedure(k.state.procedures[0])
        assert k.state.phase is Phase.DETAIL
        await k.p.stop()

    asyncio.run(scenario())


def test_wait_words_follow_the_one_figure_never_zero_minutes(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        # The fake snapshot has no open counter: no estimate, no "next in line".
        assert k.p.line_wait(1, "vi") == "Chưa có quầy mở"
        k.state.queues = [QueueCount(1, "Hộ tịch", "Civil status", 0, 0, counter_open=True)]
        assert k.p.line_wait(1, "vi") == "Sắp đến lượt"
        k.state.queues = [QueueCount(1, "Hộ tịch", "Civil status", 9, 37, counter_open=True)]
        assert k.p.line_wait(1, "en") == "about 35 min"
        server_says = {"minutes": 40, "state": "minutes", "text_vi": "khoảng 40 phút", "text_en": "about 40 min"}
        k.state.queues = [QueueCount(1, "Hộ tịch", "Civil status", 9, 37, counter_open=True, wait=server_says)]
        assert k.p.line_wait(1, "vi") == "khoảng 40 phút"
        # A queue event brings the line's new figure with its count (refreshed with the counts).
        _, on_event, _ = k.api.stream_callbacks
        on_event({"waiting": {"1": 10}, "waits": {"1": {"state": "minutes", "minutes": 45,
                                                        "text_vi": "khoảng 45 phút", "text_en": "about 45 min"}}})
        assert k.p.line_wait(1, "en") == "about 45 min" and k.state.queues[0].waiting == 10
        # The printed ticket says what the screen says.
        k.p.open_top()
        k.p.choose_item(BIRTH)
        k.p.confirm()
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        [printout] = k.printer.printed
        assert printout.wait_text_vi == k.p.ticket_wait(k.state.ticket, "vi") == "khoảng 15 phút"
        assert "~" not in printout.wait_text_vi
        await k.p.stop()

    asyncio.run(scenario())


def test_a_scanned_id_card_of_a_citizen_over_60_offers_the_elderly_priority(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        line = format_card_qr(SAMPLE_CARDS["elderly"])
        assert k.p.scanned(line)
        assert k.state.card_elderly and "ưu tiên" in k.state.card_offer.vi
        assert "elderly priority" in k.state.card_offer.en
        # Nothing of the card is kept: not its number, not its name.
        assert SAMPLE_CARDS["elderly"].id_number not in repr(k.state)
        assert "Nguyễn Văn Mẫu" not in repr(k.state)
        assert k.api.check_ins == []  # a card is not a booking
        k.p.open_top()
        k.p.choose_item(BIRTH)
        assert k.p.confirm("elderly")  # the big button, relabelled (one tap)
        await k.until(lambda: k.state.phase is Phase.TICKET)
        assert k.api.issued[-1].priority == "elderly"
        k.p.finish_ticket()
        assert k.state.card_offer is None and not k.state.card_elderly  # the next citizen starts afresh

        assert k.p.scanned(format_card_qr(SAMPLE_CARDS["young"]))
        assert not k.state.card_elderly and "thông thường" in k.state.card_offer.vi
        k.p.go_home()
        assert k.p.scanned("046060012345|191234567|Nguyễn Văn Mẫu|31021960|Nam|Huế|")  # 31 February
        assert not k.state.card_elderly and k.state.card_offer.vi and k.state.card_offer.en
        assert k.state.phase is Phase.HOME and k.api.check_ins == []
        await k.p.stop()

    asyncio.run(scenario())


def test_the_scanner_keeps_a_whole_600_character_card_line():
    assert MAX_LENGTH == 600
    now = [0.0]
    buffer = ScannerBuffer(clock=lambda: now[0])
    line = format_card_qr(SAMPLE_CARDS["elderly"]) + "|" + "x" * (590 - len(format_card_qr(SAMPLE_CARDS["elderly"])))
    for ch in line:
        buffer.feed(ch)
        now[0] += 0.001
    assert buffer.enter() == line and len(line) > 300


def test_a_procedure_received_elsewhere_is_offered_there_never_as_a_ticket_here(make_kiosk, fake_api):
    from kiosk_fakes import procedure

    async def scenario():
        fake_api.catalog.append(procedure("1.000777", "Thủ tục cấp giấy phép khác", service_id=None))
        k = await make_kiosk().started()
        k.p.open_search()
        k.p.type_text("giay phep khac")
        await k.until(lambda: not k.state.results_loading and k.state.results)
        k.p.choose_procedure(k.state.results[0])
        await k.until(lambda: not k.state.detail_loading)
        offer = k.state.suggestion  # "Thủ tục này tiếp nhận tại …", with its distance and wait
        assert offer is not None and offer.site_code == "HUE-PX" and offer.distance_km == 1.8
        k.p.take_ticket_here()
        assert k.state.phase is Phase.DETAIL  # no ticket for a queue here
        k.p.take_ticket_there()
        k.p.confirm()
        await k.until(lambda: k.state.phase is Phase.TICKET)
        assert k.api.issued[-1].site_code == "HUE-PX" and k.api.issued[-1].procedure_code == "1.000777"
        await k.p.stop()

    asyncio.run(scenario())


def test_the_search_offers_what_only_another_site_receives_there(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        k.p.open_search()
        k.p.type_text("giay phep xay dung")
        await k.until(lambda: not k.state.results_loading and k.state.elsewhere)
        assert k.state.results == []  # nothing here: no row for a queue of this site
        [offer] = k.state.elsewhere
        assert "Phú Xuân" in offer.message_vi and offer.distance_km == 1.8
        k.p.take_elsewhere(offer.procedure_code)
        assert k.state.phase is Phase.PRIORITY and k.state.target.site_code == "HUE-PX"
        k.p.confirm()
        await k.until(lambda: k.state.phase is Phase.TICKET)
        assert k.api.issued[-1].site_code == "HUE-PX" and k.api.issued[-1].procedure_code == "3.000123"
        await k.p.stop()

    asyncio.run(scenario())


def test_a_managers_menu_edit_reaches_the_kiosk_without_a_restart(make_kiosk, fake_api):
    from kiosk.menu import SiteMenu

    async def scenario():
        k = make_kiosk()
        k.p.menu_refresh_seconds = 0.02
        await k.started()
        assert k.state.menu.top[0].name_vi == "Đăng ký khai sinh"
        edited = fake_api.menu_out.model_dump()
        edited["top"][0]["name_vi"] = "Khai sinh (đổi tên bởi quản lý)"
        fake_api.menu_out = SiteMenu.model_validate(edited)
        await k.until(lambda: k.state.menu.top[0].name_vi == "Khai sinh (đổi tên bởi quản lý)")
        await k.p.stop()

    asyncio.run(scenario())
