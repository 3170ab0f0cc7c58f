"""kill -9 the server while kiosks issue and counters call; restart it on the same database.

What a citizen, a clerk and a display would notice is checked (queue_server.reliability
.invariants): every ticket a kiosk was given exists once with its label, numbers neither
repeat nor skip, no ticket was called by two counters, nothing is left stuck at a counter,
and every client (kiosks, counters, a lobby display's stream) carries on by itself.
"""

from __future__ import annotations

import time

import pytest
from drill import display_caught_up, lobby_running, settle_and_check, wait_for_progress
from support import LiveServer

from shared.client import StreamState

KILLS = 2
RUN_SECONDS = 1.2  # of load between kills: a few hundred requests on a shared CI machine


@pytest.mark.slow
@pytest.mark.load_drill
def test_kill_9_under_load_loses_no_acknowledged_ticket_and_clients_carry_on(db_url: str) -> None:
    server = LiveServer(db_url)
    port = server.port
    try:
        with lobby_running(server.url) as (load, display):
            for _ in range(KILLS):
                time.sleep(RUN_SECONDS)
                server.proc.kill()  # SIGKILL: no shutdown handler, no flush, mid-transaction
                server.proc.wait()
                server.stop()
                epoch = load.next_epoch()
                assert display.wait_until(lambda d: d.state is StreamState.RECONNECTING, 10)
                resyncs = display.resyncs
                server = LiveServer(db_url, port=port)
                # Nobody restarts the clients: they find the server again by themselves.
                assert display.wait_until(lambda d, r=resyncs: d.state is StreamState.LIVE and d.resyncs > r, 15)
                wait_for_progress(load, epoch, issued=5, claims=3, seconds=15)
                assert load.tally.issued_in(epoch) >= 5, "kiosks did not resume issuing after the restart"
                assert load.tally.claims_in(epoch) >= 3, "counters did not resume calling after the restart"
            time.sleep(RUN_SECONDS / 2)
            report = settle_and_check(load, db_url)
            assert report.acknowledged >= 30 and report.calls >= 10, report.summary()
            # Kiosks retry a lost answer with the same request key (as the app's "try again"
            # does): every ticket the server committed reached its citizen in the end.
            assert report.unacknowledged == 0, report.summary()
            display_caught_up(load, display, 10)
    finally:
        server.stop()
