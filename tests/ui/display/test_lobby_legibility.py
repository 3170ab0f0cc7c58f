"""The Kivy lobby display read from 8 m: at 1920×1080 every text is at least 32 px (service
names 40, counter numbers 64, the called number 200) and at least 4.5:1 against what is
really drawn behind it, idle, with an empty recent-calls panel, and in every phase of the
call flash. Measured on real offscreen renders of the real display against a real server.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from legibility import Report, TextBox, keep_for_docs, measure
from support import Api, LiveServer
from test_lobby_display_ui import SHOTS, DisplayProcess, displays, servers  # noqa: F401  (fixtures)

FLASH_PHASES = (0.0, 0.25, 0.5, 0.75, 1.0)


def _measure(display: DisplayProcess, name: str, report: Report) -> Path:
    shot = display.shot(name)
    boxes = [TextBox(**t) for t in display.ask("texts")["texts"]]
    measure(shot, boxes, name.removesuffix(".png"), report)
    return shot


@pytest.mark.slow
def test_every_text_of_the_lobby_is_large_and_contrasted_idle_and_through_the_call_flash(
    sqlite_url: str, servers: list[LiveServer], displays: Callable[..., DisplayProcess]  # noqa: F811
) -> None:
    server = LiveServer(sqlite_url)
    servers.append(server)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        api = Api(http)
        for service_id, count in ((1, 4), (2, 2), (4, 3), (6, 1)):
            for _ in range(count):
                api.issue(procedure=None, service_id=service_id)
        for counter_id in (1, 2, 5):  # six of nine counters stay closed
            api.ok(counter_id, "open")

    display = displays(server, "legible", layout="landscape", size="1920x1080")
    display.wait_for(lambda s: s["ready"] and s["stream"] == "live", "the lobby, live")
    report = Report()
    keep_for_docs(_measure(display, "landscape-idle-no-calls.png", report), "display")
    state = display.ask("state")
    assert state["recent"] == [] and state["featured"] == ["", ""]

    with httpx.Client(base_url=server.url, timeout=10) as http:
        api = Api(http)
        for counter_id in (1, 2, 5):
            api.ok(counter_id, "call-next")
    display.wait_for(lambda s: s["featured"][1] == "5" and len(s["recent"]) == 2, "three calls, the last large")
    for phase in FLASH_PHASES:
        display.ask("flash", value=phase)
        shot = _measure(display, f"landscape-call-flash-{int(phase * 100):03d}.png", report)
        if phase == 1.0:
            keep_for_docs(shot, "display")

    print(report.summary())  # the figures issue 14's closing note asks for
    assert report.failures() == []
    called = report.smallest_of("called_number")
    assert called is not None and called.box.text == state_featured(display)
    assert report.smallest_of("service_name") is not None, "the waiting lines name their services"
    assert report.smallest_of("counter_number") is not None, "open counters show their numbers"


def state_featured(display: DisplayProcess) -> str:
    return display.ask("state")["featured"][0]
