"""The whole citizen flow through the presenter, on a fake server: browse, search, detail,
a nearby site that is sooner, priority, the ticket, printing and its report."""

import asyncio

from kiosk_fakes import BIRTH

from kiosk.presenter import Phase, PrintState, ServerStatus, best_suggestion
from kiosk.printing import FakeTicketPrinter, PrinterError
from shared.enums import PriorityClass


def test_home_to_printed_ticket_reports_the_print_and_shows_everything_the_ticket_needs(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        st = k.state
        assert st.server is ServerStatus.ONLINE
        assert st.center_name == "Trung tâm Phục vụ hành chính công thành phố Huế"
        assert {q.service_id: q.waiting for q in st.queues} == {1: 3, 7: 0}
        await k.at_priority()
        assert st.phase is Phase.PRIORITY
        assert st.target.procedure_code == BIRTH and st.target.site_code is None
        k.p.confirm(PriorityClass.PREGNANCY)
        await k.until(lambda: st.print_state is PrintState.PRINTED)
        assert st.phase is Phase.TICKET
        assert st.ticket.label == "A001" and st.ticket.people_ahead == 3
        printed = k.printer.printed[0]
        assert printed.label == "A001"
        assert printed.tracking_url == st.ticket.tracking_url
        assert printed.center_name == "Trung tâm Phục vụ hành chính công thành phố Huế"
        assert printed.site_name == ""  # the center's own kiosk: its name once, not twice
        assert printed.procedure_name == "Thủ tục đăng ký khai sinh"
        await k.until(lambda: k.api.reports != [])
        assert [(tid, r.printed) for tid, r in k.api.reports] == [(1, True)]
        assert k.api.issued[0].priority is PriorityClass.PREGNANCY
        await k.p.stop()

    asyncio.run(scenario())


def test_fields_page_locally_and_procedures_page_on_the_server(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        k.p.fields_per_page, k.p.rows_per_page = 12, 5
        k.p.start_flow()
        assert k.state.phase is Phase.FIELDS
        assert k.p.fields_pages == 3  # 30 fields
        assert k.p.fields_on_page()[0].name_vi == "Hộ tịch"  # most procedures first, as the server sent
        k.p.fields_page_step(+1)
        k.p.fields_page_step(+1)
        k.p.fields_page_step(+1)  # past the end: stays on the last page
        assert k.state.fields_page == 2 and len(k.p.fields_on_page()) == 6
        k.p.fields_page_step(-5)
        assert k.state.fields_page == 0
        k.p.choose_field(38)
        await k.until(lambda: not k.state.procedures_loading)
        assert k.state.procedures_total == 13 and k.p.procedures_pages == 3
        assert len(k.state.procedures) == 5
        k.p.procedures_page_step(+1)
        await k.until(lambda: not k.state.procedures_loading)
        assert k.api.procedure_calls[-1] == {"query": None, "field_id": 38, "limit": 5, "offset": 5}
        assert k.state.procedures[0].code == "1.000005"
        k.p.back()
        assert k.state.phase is Phase.FIELDS
        k.p.back()
        assert k.state.phase is Phase.HOME
        await k.p.stop()

    asyncio.run(scenario())


def test_search_without_accents_finds_the_procedure_and_waits_for_typing_to_pause(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        k.p.start_flow()
        k.p.open_search()
        assert k.state.phase is Phase.SEARCH
        for letter in "dang ky khai sinh":
            k.p.type_text(letter)
        await k.until(lambda: not k.state.results_loading)
        searches = [c for c in k.api.procedure_calls if c["query"]]
        assert [c["query"] for c in searches] == ["dang ky khai sinh"]  # one request, not 17
        assert [p.name_vi for p in k.state.results] == ["Thủ tục đăng ký khai sinh"]
        k.p.delete_char()
        k.p.clear_query()
        await k.settle()
        assert k.state.query == "" and k.state.results == []
        k.p.type_text("Đăng")  # the keyboard's own Vietnamese letters also work
        await k.until(lambda: not k.state.results_loading)
        k.p.choose_procedure(k.state.results[0])
        assert k.state.phase is Phase.DETAIL
        k.p.back()
        assert k.state.phase is Phase.SEARCH and k.state.query == "Đăng"
        await k.p.stop()

    asyncio.run(scenario())


def test_detail_from_search_shows_the_menus_cleaned_fee_not_the_catalogs_raw_text(make_kiosk, fake_api):
    raw = "Lệ phí: Miễn lệ phí đăng ký khai sinh đúng hạn; Phí cấp bản sao Trích lục: 8.000 đồng/bản (Thông tư 85/2019)"
    fake_api.catalog[0] = fake_api.catalog[0].model_copy(update={"fee_vi": raw})
    fake_api.cleaned_fees[BIRTH] = "Miễn lệ phí; bản sao trích lục 8.000 đồng/bản"

    async def scenario():
        k = await make_kiosk().started()
        k.p.open_search()
        for letter in "khai sinh":
            k.p.type_text(letter)
        await k.until(lambda: not k.state.results_loading)
        k.p.choose_procedure(k.state.results[0])
        await k.until(lambda: not k.state.detail_loading)
        assert k.api.menu_item_calls == [BIRTH]
        assert k.p.detail_fee("vi") == "Miễn lệ phí; bản sao trích lục 8.000 đồng/bản"
        assert k.p.detail_fee("en") == "Miễn lệ phí; bản sao trích lục 8.000 đồng/bản"
        k.p.back()
        fake_api.menu_out, k.state.menu = None, None  # a server without a menu: the catalog's text
        k.p.choose_procedure(k.state.results[0])
        await k.until(lambda: not k.state.detail_loading)
        assert k.api.menu_item_calls == [BIRTH]
        assert k.p.detail_fee("vi") == raw
        await k.p.stop()

    asyncio.run(scenario())


def test_detail_offers_the_sooner_nearby_site_and_issues_there(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        await k.at_priority()
        k.p.back()
        st = k.state
        assert st.phase is Phase.DETAIL
        assert st.nearby.here.people_waiting == 12 and st.nearby.here.estimated_wait_minutes == 45
        assert st.suggestion.site_code == "HUE-PX" and st.suggestion.distance_km == 1.8
        k.p.take_ticket_there()
        assert st.target.site_code == "HUE-PX"
        k.p.confirm()
        await k.until(lambda: st.print_state is PrintState.PRINTED)
        assert k.api.issued[0].site_code == "HUE-PX"
        printed = k.printer.printed[0]
        assert printed.site_name == "Chi nhánh Phú Xuân"
        assert "10 Đinh Tiên Hoàng" in printed.printed_note_vi
        await k.p.stop()

    asyncio.run(scenario())


def test_no_suggestion_when_no_site_is_clearly_sooner(fake_api):
    fake_api.nearby_out.sites[0].sooner = False
    assert best_suggestion(fake_api.nearby_out) is None
    assert best_suggestion(None) is None


def test_return_of_results_needs_no_procedure(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        k.p.choose_return_of_results()
        assert k.state.phase is Phase.PRIORITY
        k.p.confirm()
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        assert k.api.issued[0].service_id == 7 and k.api.issued[0].procedure_code is None
        await k.p.stop()

    asyncio.run(scenario())


def test_a_failed_print_keeps_the_ticket_on_screen_and_alerts_staff(make_kiosk):
    async def scenario():
        printer = FakeTicketPrinter(fail_with=PrinterError("paper_out", detail="DLE EOT 4"))
        k = await make_kiosk(printer=printer).started()
        await k.at_priority()
        k.p.confirm()
        await k.until(lambda: k.state.print_state is PrintState.FAILED)
        st = k.state
        assert st.phase is Phase.TICKET and st.ticket.label == "A001"  # still theirs, with its QR
        assert st.printout.tracking_url == st.ticket.tracking_url
        assert st.print_error.vi == "Máy in đã hết giấy." and st.print_error.en == "The printer is out of paper."
        await k.until(lambda: k.api.reports != [])
        ticket_id, report = k.api.reports[0]
        assert ticket_id == 1 and report.printed is False and report.error_kind == "paper_out"
        assert "hết giấy" in report.message
        await k.p.stop()

    asyncio.run(scenario())


def test_the_print_report_is_retried_until_the_server_has_it(make_kiosk):
    async def scenario():
        k = await make_kiosk(printer=FakeTicketPrinter(fail_with=PrinterError("offline"))).started()
        await k.at_priority()
        k.api.report_unreachable = 3
        k.p.confirm()
        await k.until(lambda: k.api.reports != [])
        assert len(k.api.reports) == 1 and k.api.reports[0][1].error_kind == "offline"
        await k.p.stop()

    asyncio.run(scenario())


def test_language_toggle_and_home_keeps_the_citizens_language(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        k.p.toggle_language()
        assert k.state.lang == "en"
        k.p.start_flow()
        k.p.go_home()  # the same citizen: the session (and its language) goes on
        assert k.state.lang == "en" and k.state.phase is Phase.HOME
        assert k.state.fields and k.state.menu  # what the kiosk knows of the server survives
        await k.p.stop()

    asyncio.run(scenario())


def test_live_events_update_the_waiting_counts(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        _, on_event, _ = k.api.stream_callbacks
        on_event({"type": "TicketIssued", "seq": 2, "site_id": 1, "waiting": {"1": 4}})
        assert {q.service_id: q.waiting for q in k.state.queues} == {1: 4, 7: 0}
        await k.p.stop()

    asyncio.run(scenario())
