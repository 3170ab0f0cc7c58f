"""Two server processes on one PostgreSQL; one is killed -9 under load and stays dead.

The other keeps serving kiosks and counters that were talking to the dead one (they try
the next URL in their list), no ticket is claimed twice across the two processes, and a
lobby display attached to the dead one moves to the live one and catches up by itself.
"""

from __future__ import annotations

import time

import pytest
from drill import display_caught_up, lobby, settle_and_check, wait_for_progress
from support import SITE_TT, LiveServer

from queue_server.reliability.workload import DisplayFollower, Workload
from shared.client import StreamState


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.load_drill
def test_one_of_two_servers_killed_the_other_serves_everyone_without_double_claims(pg_templates) -> None:  # noqa: ANN001
    db_url = pg_templates.new()
    first, second = LiveServer(db_url), LiveServer(db_url)
    urls = [first.url, second.url]
    load = Workload(urls, lobby())
    display = DisplayFollower(urls, lobby().display_token, SITE_TT, 1)  # starts on the first
    try:
        load.start()
        display.start()
        assert display.wait_until(lambda d: d.state is StreamState.LIVE, 10)
        assert display.urls_used == [first.url]
        time.sleep(1.5)
        served_by = {i.server for i in load.tally.issued} | {c.server for c in load.tally.claims}
        assert served_by == set(urls), "the drill spreads its clients over both servers"
        assert {c.counter_id for c in load.tally.claims if c.server == first.url}, "a counter works via the first"

        first.proc.kill()  # and it stays dead
        first.proc.wait()
        epoch = load.next_epoch()
        assert display.wait_until(lambda d: d.state is StreamState.LIVE and d.urls_used[-1] == second.url, 15), \
            display.states[-5:]
        wait_for_progress(load, epoch, issued=20, claims=6, seconds=15)
        after = [i for i in load.tally.issued if i.epoch == epoch]
        assert len(after) >= 20 and load.tally.claims_in(epoch) >= 6, "the live server kept serving"
        assert {i.server for i in after} == {second.url}
        # every kiosk and counter thread is among those served after the kill (the ones that
        # were on the dead server moved over)
        counters_after = {c.counter_id for c in load.tally.claims if c.epoch == epoch}
        assert counters_after == set(lobby().counters), counters_after
        settle_and_check(load, db_url)
        display_caught_up(load, display, 10)
    finally:
        load.stop()
        display.stop()
        first.stop()
        second.stop()
        pg_templates.drop(db_url)
