"""A lost answer and "try again": the retry carries the same request key, so the server can
hand back the ticket it already issued instead of a second one nobody holds."""

import asyncio

from kiosk.presenter import Phase, PrintState


def test_try_again_after_a_lost_answer_sends_the_same_request_key_and_a_new_citizen_a_new_one(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        await k.at_priority()
        k.api.unreachable = True  # the answer never comes back
        k.p.confirm()
        await k.until(lambda: k.state.phase is Phase.ISSUE_FAILED)
        k.api.unreachable = False
        assert k.p.retry_issue()
        await k.until(lambda: k.state.print_state is PrintState.PRINTED)
        first, retry = k.api.issued
        assert first.request_id and retry.request_id == first.request_id
        k.p.finish_ticket()
        await k.at_priority()
        k.p.confirm()
        await k.until(lambda: len(k.api.issued) == 3)
        assert k.api.issued[2].request_id not in (None, first.request_id)
        await k.p.stop()

    asyncio.run(scenario())
