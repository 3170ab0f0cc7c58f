""""I have a booking" at the kiosk, through the presenter on a fake server: the code typed on
the screen keyboard or read by a USB scanner becomes an appointment ticket, printed with its
"Lịch hẹn / Appointment" mark; a refused code says why and issues nothing."""

import asyncio

from kiosk.presenter import Phase, PrintState
from shared.client import ApiError
from shared.enums import PriorityClass


def test_typed_booking_code_becomes_a_printed_appointment_ticket(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        st = k.state
        k.p.open_booking()
        assert st.phase is Phase.BOOKING and st.booking_code == ""
        for key in "abcd-2345":
            k.p.booking_type(key)
        k.p.booking_delete()
        k.p.booking_type("5")
        assert st.booking_code == "ABCD-2345"
        assert k.p.booking_submit() is True
        assert k.p.booking_submit() is False  # the double tap: still one request
        await k.until(lambda: st.print_state is PrintState.PRINTED)
        assert st.phase is Phase.TICKET
        assert k.api.check_ins == ["ABCD-2345"] and k.api.issued == []
        assert st.ticket.priority is PriorityClass.APPOINTMENT
        printed = k.printer.printed[0]
        assert printed.mark == "LỊCH HẸN / APPOINTMENT"
        assert printed.printed_note_vi == "Lịch hẹn lúc 09:30 · mã ABCD-2345"
        assert printed.printed_note_en == "Appointment at 09:30 · code ABCD-2345"
        await k.until(lambda: k.api.reports != [])
        assert [r.printed for _, r in k.api.reports] == [True]
        await k.p.stop()

    asyncio.run(scenario())


def test_a_scanner_on_the_home_screen_checks_in_at_once_and_only_there(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        st = k.state
        k.p.start_flow()  # browsing fields: a stray scan must not issue anything
        assert k.p.scanned("http://127.0.0.1:8000/b/token-of-ABCD2345") is False
        k.p.go_home()
        assert k.p.scanned("http://127.0.0.1:8000/b/token-of-ABCD2345\n") is True
        await k.until(lambda: st.phase is Phase.TICKET)
        assert k.api.check_ins == ["http://127.0.0.1:8000/b/token-of-ABCD2345"]
        assert st.ticket.label == "A001"
        await k.p.stop()

    asyncio.run(scenario())


def test_a_refused_code_shows_the_servers_words_and_try_again_asks_again(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        st = k.state
        k.api.check_in_error = ApiError(409, "booking_too_early", "Vui lòng xác nhận từ 09:00, hoặc lấy số thường.",
                                        "Please check in from 09:00, or take a normal ticket now.")
        k.p.open_booking()
        for key in "ABCD2345":
            k.p.booking_type(key)
        k.p.booking_submit()
        await k.until(lambda: st.phase is Phase.ISSUE_FAILED)
        assert st.issue_error.vi == "Vui lòng xác nhận từ 09:00, hoặc lấy số thường."
        assert st.issue_error.en.endswith("take a normal ticket now.")
        assert k.printer.printed == []
        k.api.check_in_error = None
        assert k.p.retry_issue() is True
        await k.until(lambda: st.phase is Phase.TICKET)
        assert k.api.check_ins == ["ABCD2345", "ABCD2345"]
        await k.p.stop()

    asyncio.run(scenario())


def test_an_unknown_code_issues_nothing(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        k.p.open_booking()
        assert k.p.booking_submit() is False  # nothing typed yet
        for key in "ZZZZ9999":
            k.p.booking_type(key)
        k.p.booking_submit()
        await k.until(lambda: k.state.phase is Phase.ISSUE_FAILED)
        assert "Không tìm thấy lịch hẹn" in k.state.issue_error.vi
        assert k.state.ticket is None and k.printer.printed == []
        await k.p.stop()

    asyncio.run(scenario())


def test_the_scanner_buffer_hands_over_a_whole_line_and_forgets_stale_keys():
    from kiosk.scanner import ScannerBuffer

    now = [100.0]
    buffer = ScannerBuffer(clock=lambda: now[0])
    buffer.feed("x")  # a stray key press...
    now[0] += 30  # ...long ago
    for ch in "http://host/b/tok":
        buffer.feed(ch)
        now[0] += 0.01
    assert buffer.enter() == "http://host/b/tok"
    assert buffer.enter() == ""  # Enter alone gives nothing
    buffer.feed("ABCD")
    now[0] += 5
    assert buffer.enter() == ""  # typed, then nothing for seconds: not a scan
