"""One confirmed tap gives exactly one ticket request, whatever happens during the round
trip; and nothing is printed unless the server confirmed the ticket."""

import asyncio

from kiosk.presenter import Phase, PrintState
from kiosk.printing import FakeTicketPrinter
from shared.client import ApiError, ServerUnreachable
from shared.enums import PriorityClass


def test_a_double_tap_on_the_priority_screen_issues_one_ticket(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        await k.at_priority()
        assert k.p.confirm() is True
        assert k.p.confirm() is False  # the second tap of a double tap, same frame
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        assert len(k.api.issued) == 1
        assert [p.label for p in k.printer.printed] == ["A001"]
        await k.p.stop()

    asyncio.run(scenario())


def test_taps_during_the_round_trip_and_a_mashed_button_still_give_one_ticket(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        await k.at_priority()
        k.api.issue_gate = asyncio.Event()  # the server answers only when we say so
        assert k.p.confirm(PriorityClass.ELDERLY)
        for priority in [PriorityClass.NORMAL, PriorityClass.ELDERLY, PriorityClass.CHILD] * 10:
            assert not k.p.confirm(priority)  # a child mashing every button of the screen
            k.p.take_ticket_here()
            k.p.retry_issue()
            k.p.go_home()  # and "Home": no escape while the ticket is on its way
            k.p.back()
            await asyncio.sleep(0)
        assert k.state.phase is Phase.ISSUING
        assert len(k.api.issued) == 1
        k.api.issue_gate.set()
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        for _ in range(5):  # still mashing once the ticket shows
            assert not k.p.confirm()
        await k.settle()
        assert len(k.api.issued) == 1 and k.p.issue_requests == 1
        assert k.api.issued[0].priority is PriorityClass.ELDERLY
        assert len(k.printer.printed) == 1
        await k.p.stop()

    asyncio.run(scenario())


def test_a_refused_request_prints_nothing_and_retry_is_a_new_explicit_tap(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        await k.at_priority()
        k.api.issue_error = ApiError(409, "issuing_closed", "Đã hết giờ lấy số hôm nay.", "Ticket issuing has closed.")
        k.p.confirm()
        await k.until(lambda: k.state.phase is Phase.ISSUE_FAILED)
        assert k.state.issue_error.vi == "Đã hết giờ lấy số hôm nay."
        assert k.state.issue_error.en == "Ticket issuing has closed."
        assert k.printer.printed == [] and k.api.reports == []
        # "Try again", tapped twice: one more request, not two.
        k.api.issue_error = None
        assert k.p.retry_issue() and not k.p.retry_issue()
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        assert len(k.api.issued) == 2
        assert len(k.printer.printed) == 1
        await k.p.stop()

    asyncio.run(scenario())


def test_a_lost_server_during_issuing_is_not_retried_behind_the_citizens_back(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        await k.at_priority()
        k.api.unreachable = True
        k.p.confirm()
        await k.until(lambda: k.state.phase is Phase.ISSUE_FAILED)
        await asyncio.sleep(0.1)  # retry delays are 10 ms here: nothing may have retried
        assert len(k.api.issued) == 1
        assert k.printer.printed == []
        assert "máy chủ" in k.state.issue_error.vi and "server" in k.state.issue_error.en
        await k.p.stop()

    asyncio.run(scenario())


def test_a_second_citizen_after_home_gets_their_own_ticket(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        for _ in range(2):
            await k.at_priority()
            k.p.confirm()
            k.p.confirm()
            await k.until(lambda: k.state.print_state is PrintState.PRINTED)
            k.p.finish_ticket()
            assert k.state.phase is Phase.HOME
        assert [p.label for p in k.printer.printed] == ["A001", "A002"]
        await k.p.stop()

    asyncio.run(scenario())


def test_confirm_outside_the_priority_screen_does_nothing(make_kiosk):
    async def scenario():
        k = await make_kiosk(printer=FakeTicketPrinter()).started()
        assert not k.p.confirm()  # home
        k.p.start_flow()
        assert not k.p.confirm()  # fields
        assert k.api.issued == [] and k.printer.printed == []
        await k.p.stop()

    asyncio.run(scenario())


def test_unreachable_error_type_is_the_shared_clients(make_kiosk):
    # The presenter's no-retry rule depends on the client raising this exact type.
    assert issubclass(ServerUnreachable, ApiError)


def test_the_second_tap_of_a_double_tap_does_not_press_the_next_screens_button(make_kiosk):
    """On the detail screen "Get a ticket" sits where the priority screen shows "Pregnant
    woman": a double tap must not choose a priority, nor skip a screen with Back."""

    async def scenario():
        k = await make_kiosk(tap_guard=0.4).started()
        k.clock.advance(1)
        k.p.start_flow()
        k.clock.advance(1)
        k.p.choose_field(38)
        await k.until(lambda: not k.state.procedures_loading)
        k.clock.advance(1)
        k.p.choose_procedure(k.state.procedures[0])
        k.clock.advance(1)
        k.p.take_ticket_here()
        k.clock.advance(0.1)  # the second tap, 100 ms later, lands on the priority screen
        assert not k.p.confirm(PriorityClass.PREGNANCY)
        k.p.back()
        assert k.state.phase is Phase.PRIORITY and k.api.issued == []
        k.clock.advance(0.5)  # a deliberate tap
        k.p.back()
        k.clock.advance(0.1)
        k.p.back()  # a double tap on Back goes back one screen, not two
        assert k.state.phase is Phase.DETAIL
        k.clock.advance(0.5)
        k.p.take_ticket_here()
        k.clock.advance(0.5)
        assert k.p.confirm(PriorityClass.NORMAL)
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        assert [b.priority for b in k.api.issued] == [PriorityClass.NORMAL]
        await k.p.stop()

    asyncio.run(scenario())
