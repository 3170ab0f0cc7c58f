"""The citizen's phone page in Chromium against a real server: it follows the ticket live,
and when a counter calls it the whole screen says where to go and the phone vibrates."""

from __future__ import annotations

import pytest
from support import COUNTER_A, Api, LiveServer
from web_helpers import WIDTHS, Shots, open_page

pytestmark = pytest.mark.slow


def _open(browser, url: str, width: str):  # noqa: ANN001, ANN202
    page, errors = open_page(browser, url, WIDTHS[width], touch=width == "phone")
    page.wait_for_selector("[data-live=live]")
    return page, errors


def test_citizen_page_updates_live_when_a_counter_calls_the_ticket(
        browser, web_server: LiveServer, server_api: Api, shots: Shots) -> None:  # noqa: ANN001
    api = server_api
    api.issue()
    mine = api.issue()
    url = f"{web_server.url}/t/{mine['tracking_token']}"
    pages = {width: _open(browser, url, width) for width in WIDTHS}
    phone, _ = pages["phone"]

    for width, (page, _) in pages.items():
        assert page.inner_text(".label") == mine["label"]
        assert page.inner_text("[data-show=ahead] [data-f=people_ahead]") == "1"
        # no counter open yet: the page says so, never a time or "next in line"
        assert page.inner_text(".estimate") == "Dự kiến chờ: Chưa có quầy mở"
        assert page.is_hidden("[data-show=next]")
        shots(page, "citizen-waiting", width)
    phone.click("[data-lang-switch]")
    assert phone.is_visible("text=people ahead of you")
    shots(phone, "citizen-waiting-english", "phone")
    phone.click("[data-lang-switch]")
    phone.click("[data-bell]")  # the tap that lets the phone vibrate later

    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")  # the citizen ahead of us
    for page, _ in pages.values():
        page.wait_for_selector("[data-show=next]:not([hidden])")
        assert page.inner_text("[data-show=next]") == "Ông/Bà là người kế tiếp"
        assert page.inner_text(".estimate") == "Dự kiến chờ: khoảng 6 phút"  # one citizen at the one desk
        assert page.is_hidden("[data-overlay]")
    shots(phone, "citizen-next", "phone")

    api.ok(COUNTER_A, "start")
    api.ok(COUNTER_A, "finish")
    api.ok(COUNTER_A, "call-next")  # our turn
    for width, (page, _) in pages.items():
        page.wait_for_selector("[data-overlay]:not([hidden])")
        assert page.inner_text(".called-overlay .o-counter") == "1"
        assert f"Mời công dân có số {mine['label']} đến quầy" in page.inner_text(".called-overlay")
        shots(page, "citizen-called", width, full_page=False)
    assert phone.evaluate("window.__vibrations") == [60, [400, 150, 400, 150, 800]]

    phone.click("[data-overlay-ok]")
    assert phone.is_hidden("[data-overlay]")
    assert f"Mời công dân có số {mine['label']} đến quầy 1" in phone.inner_text("[data-show=called]")

    api.ok(COUNTER_A, "recall")  # called again: the alert comes back
    phone.wait_for_selector("[data-overlay]:not([hidden])")
    phone.click("[data-overlay-ok]")

    api.ok(COUNTER_A, "start")
    api.ok(COUNTER_A, "finish")
    for width, (page, _) in pages.items():
        page.wait_for_selector("[data-show=done]:not([hidden])")
        assert page.is_visible("[data-show=rate]")  # the satisfaction question follows the visit
        shots(page, "citizen-done", width)

    phone.click("[data-rate=unsatisfied]")
    phone.fill("#reason", "Chờ hơi lâu")
    shots(phone, "citizen-rating-reason", "phone")
    phone.click("[data-rate-send]")
    phone.wait_for_selector("[data-show=rated]:not([hidden])")
    assert phone.is_hidden("[data-show=rate]")
    phone.reload()  # the page remembers: it is in the event log
    phone.wait_for_selector("[data-show=rated]:not([hidden])")
    assert phone.is_hidden("[data-show=rate]")
    shots(phone, "citizen-rated", "phone")
    for _, errors in pages.values():
        assert errors == []

    # A wrong link says so, and nothing else (same server: one process start saved).
    for width, (page, _) in pages.items():
        response = page.goto(f"{web_server.url}/t/no-such-ticket-0000000000")
        assert response.status == 404
        assert "Không tìm thấy phiếu số thứ tự" in page.inner_text("main")
        assert mine["label"] not in page.content()
        shots(page, "citizen-not-found", width)
