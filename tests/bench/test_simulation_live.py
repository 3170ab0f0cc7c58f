"""The simulator's citizens played against a real server process: every ticket issued
is called exactly once, with no error response, under real concurrency."""

from __future__ import annotations

import asyncio

import pytest
from support import LiveServer

from queue_server.simulation.live import run_live
from queue_server.simulation.scenarios import hue_province

# A compressed clock makes one kiosk issue far faster than a person can: lift its limit.
FAST_KIOSKS = {"MOTCUA_KIOSK_TICKETS_PER_MINUTE": "100000", "MOTCUA_KIOSK_TICKET_BURST": "100000"}


@pytest.mark.slow
def test_a_compressed_morning_rush_against_a_live_server_loses_no_ticket(sqlite_url: str) -> None:
    server = LiveServer(sqlite_url, extra_env=FAST_KIOSKS)
    try:
        # 07:00-07:20 of a day, 240 times faster: about 5 real seconds of arrivals.
        report = asyncio.run(run_live(server.url, hue_province(), seed=3, speed=240.0, start_minute=7 * 60,
                                      end_minute=7 * 60 + 20))
    finally:
        server.stop()
    assert report.issued > 30
    assert report.errors == []
    assert report.called_twice == [] and report.never_called == []
    assert report.called == report.issued
    assert all(w >= 0 for w in report.waits)
