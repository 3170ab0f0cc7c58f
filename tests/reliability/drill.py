"""The demo lobby the fault tests drive (HUE-TT: its kiosk, display and clerk), and the
steps every drill ends with."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from support import SITE_TT, display_headers, kiosk_headers

from queue_server.reliability.invariants import Report, check
from queue_server.reliability.workload import DisplayFollower, LobbyConfig, Workload
from queue_server.seed import DEMO_PASSWORD
from shared.client import StreamState


def lobby() -> LobbyConfig:
    return LobbyConfig(site_code=SITE_TT, kiosk_token=kiosk_headers()["Authorization"][7:],
                       display_token=display_headers()["Authorization"][7:], staff_password=DEMO_PASSWORD)


@contextmanager
def lobby_running(server_url: str) -> Iterator[tuple[Workload, DisplayFollower]]:
    """The lobby's kiosks and counters under load and its display following the site,
    live before the drill starts; both stopped at the end, whatever happened."""
    load = Workload(server_url, lobby())
    display = DisplayFollower(server_url, lobby().display_token, SITE_TT, 1)
    try:
        load.start()
        display.start()
        assert display.wait_until(lambda d: d.state is StreamState.LIVE, 10)
        yield load, display
    finally:
        load.stop()
        display.stop()


def wait_for_progress(load: Workload, epoch: int, *, issued: int, claims: int, seconds: float) -> bool:
    """Whether, within `seconds`, kiosks issued and counters claimed that many since `epoch`."""
    deadline = time.monotonic() + seconds
    while load.tally.issued_in(epoch) < issued or load.tally.claims_in(epoch) < claims:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def settle_and_check(load: Workload, db_url: str) -> Report:
    """Stop the lobby, let a clerk finish what each counter holds (nothing may stay stuck),
    and check every invariant against the database."""
    load.stop()
    load.finish_current_tickets()
    report = check(db_url, load.tally)
    print(report.summary())
    assert report.ok, "\n".join(report.problems)
    assert not load.tally.unexpected, load.tally.unexpected[:5]
    return report


def display_caught_up(load: Workload, display: DisplayFollower, seconds: float) -> None:
    """The display has every event the site has had, those it missed while away included."""
    event_seq = load.until_ok("GET", f"/sites/{SITE_TT}/snapshot", 10).json()["seq"]
    assert display.wait_until(lambda d: d.last_seq == event_seq, seconds), (display.last_seq, event_seq)
