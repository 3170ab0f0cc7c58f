"""Inactivity returns home from any screen; the ticket stays long enough to read (longer
when it did not print); a lost server is said in both languages and the kiosk recovers."""

import asyncio

from kiosk.presenter import Phase, PrintState, ServerStatus
from kiosk.printing import FakeTicketPrinter, PrinterError
from shared.client import StreamState


def test_every_screen_returns_home_after_the_idle_timeout_and_a_touch_postpones_it(make_kiosk):
    async def scenario():
        k = await make_kiosk(idle_timeout=60).started()
        await k.at_priority()
        for phase in (Phase.PRIORITY, Phase.DETAIL, Phase.PROCEDURES, Phase.FIELDS):
            assert k.state.phase is phase
            k.clock.advance(59)
            k.p.tick()
            assert k.state.phase is phase
            k.p.touched()
            k.clock.advance(59)
            k.p.tick()
            assert k.state.phase is phase
            k.p.back()
            k.p.touched()
        k.p.start_flow()
        k.p.open_search()
        k.p.type_text("khai")
        k.clock.advance(60)
        k.p.tick()
        assert k.state.phase is Phase.HOME and k.state.query == ""
        await k.p.stop()

    asyncio.run(scenario())


def test_issuing_is_never_interrupted_by_the_idle_timeout(make_kiosk):
    async def scenario():
        k = await make_kiosk(idle_timeout=60).started()
        await k.at_priority()
        k.api.issue_gate = asyncio.Event()
        k.p.confirm()
        k.clock.advance(600)
        k.p.tick()
        assert k.state.phase is Phase.ISSUING
        k.api.issue_gate.set()
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        assert k.state.phase is Phase.TICKET
        await k.p.stop()

    asyncio.run(scenario())


def test_the_printed_ticket_goes_home_after_the_ticket_timeout(make_kiosk):
    async def scenario():
        k = await make_kiosk(ticket_timeout=20).started()
        await k.at_priority()
        k.p.confirm()
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        k.clock.advance(5)
        k.p.tick()
        assert k.state.phase is Phase.TICKET and k.state.seconds_left == 15
        k.clock.advance(15)
        k.p.tick()
        assert k.state.phase is Phase.HOME and k.state.ticket is None
        await k.p.stop()

    asyncio.run(scenario())


def test_an_unprinted_ticket_stays_long_enough_to_photograph(make_kiosk):
    async def scenario():
        k = await make_kiosk(printer=FakeTicketPrinter(fail_with=PrinterError("offline")), ticket_timeout=20).started()
        await k.at_priority()
        k.p.confirm()
        await k.until(lambda: k.state.print_state is PrintState.FAILED)
        k.clock.advance(60)
        k.p.tick()
        assert k.state.phase is Phase.TICKET
        k.clock.advance(30)
        k.p.tick()
        assert k.state.phase is Phase.HOME
        await k.p.stop()

    asyncio.run(scenario())


def test_a_touch_on_the_ticket_keeps_it_a_little_longer(make_kiosk):
    async def scenario():
        k = await make_kiosk(ticket_timeout=20).started()
        await k.at_priority()
        k.p.confirm()
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        k.clock.advance(19)
        k.p.touched()
        k.clock.advance(19)
        k.p.tick()
        assert k.state.phase is Phase.TICKET
        k.clock.advance(1)
        k.p.tick()
        assert k.state.phase is Phase.HOME
        await k.p.stop()

    asyncio.run(scenario())


def test_a_kiosk_started_while_the_server_is_down_says_so_and_recovers_by_itself(make_kiosk, fake_api):
    async def scenario():
        fake_api.unreachable = True
        k = make_kiosk()
        k.p.start()
        await k.until(lambda: k.state.server is ServerStatus.UNREACHABLE)
        assert k.state.fields == [] and k.state.counts_stale
        await asyncio.sleep(0.05)
        fake_api.unreachable = False
        await k.until(lambda: k.state.server is ServerStatus.ONLINE and k.state.counts_live)
        assert k.state.fields
        await k.p.stop()
        assert fake_api.closed

    asyncio.run(scenario())


def test_the_counts_are_marked_stale_while_the_stream_reconnects(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        _, _, on_state = k.api.stream_callbacks
        on_state(StreamState.RECONNECTING)
        assert k.state.counts_stale and k.state.server is ServerStatus.UNREACHABLE
        on_state(StreamState.LIVE)
        assert not k.state.counts_stale and k.state.server is ServerStatus.ONLINE
        await k.p.stop()

    asyncio.run(scenario())


def test_browsing_retries_a_failed_load_when_the_server_returns(make_kiosk, fake_api):
    async def scenario():
        k = await make_kiosk().started()
        k.p.start_flow()
        fake_api.unreachable = True
        k.p.choose_field(38)
        await k.until(lambda: k.state.server is ServerStatus.UNREACHABLE)
        assert k.state.procedures_loading
        fake_api.unreachable = False
        await k.until(lambda: not k.state.procedures_loading)
        assert k.state.procedures and k.state.server is ServerStatus.ONLINE
        await k.p.stop()

    asyncio.run(scenario())


def test_an_unknown_device_token_is_reported_as_unauthorised(make_kiosk, fake_api):
    from shared.client import ApiError

    async def refuse(site_code):
        raise ApiError(401, "invalid_token", "Mã không hợp lệ.", "The token is not valid.")

    async def scenario():
        fake_api.snapshot = refuse
        k = make_kiosk()
        k.p.start()
        await k.until(lambda: k.state.server is ServerStatus.UNAUTHORIZED)
        assert k.state.server_detail.en == "The token is not valid."
        await k.p.stop()

    asyncio.run(scenario())


def test_an_unconfigured_kiosk_says_so_and_opens_settings_without_a_pin(make_kiosk):
    async def scenario():
        k = make_kiosk(device_token="", settings_pin_hash="")
        k.p.start()
        await k.until(lambda: k.state.server is ServerStatus.NOT_CONFIGURED)
        for _ in range(5):
            k.p.secret_tap()
        assert k.state.phase is Phase.SETTINGS
        await k.p.stop()

    asyncio.run(scenario())
