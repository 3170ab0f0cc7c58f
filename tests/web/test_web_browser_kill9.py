"""kill -9 of the server under a lobby display page and a citizen's ticket page (Chromium):
both show that the link is lost, find the restarted server by themselves and show the call
made meanwhile. (The fault suite is tests/reliability; this one needs the browser fixture.)"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from support import COUNTER_A, Api, LiveServer
from web_helpers import DESKTOP, FAKE_DEVICES, PHONE

from shared.lobby_layout import RECONNECTING

pytestmark = pytest.mark.slow


def test_display_and_ticket_pages_come_back_by_themselves_after_kill_9(browser, sqlite_url: str) -> None:  # noqa: ANN001
    server = LiveServer(sqlite_url)
    port = server.port
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(FAKE_DEVICES)
    phone_context = browser.new_context(viewport=PHONE)
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            api = Api(http)
            ticket = api.issue()
            api.ok(COUNTER_A, "open")
            pairing = api.display_pairing_path()
        tv = context.new_page()
        tv.goto(server.url + pairing)
        tv.click("[data-unlock-button]")
        tv.wait_for_selector("[data-link=live]")
        phone = phone_context.new_page()
        phone.goto(ticket["tracking_url"])
        phone.wait_for_selector("[data-live=live]")

        server.proc.kill()
        server.proc.wait()
        server.stop()
        tv.wait_for_selector("[data-link=offline]", timeout=10_000)
        phone.wait_for_selector("[data-live=offline]", timeout=10_000)
        assert RECONNECTING.vi in tv.inner_text("[data-link-text]")  # the Kivy display's words

        server = LiveServer(sqlite_url, port=port)
        with httpx.Client(base_url=server.url, timeout=10) as http:
            Api(http).ok(COUNTER_A, "call-next")
        tv.wait_for_selector("[data-link=live]", timeout=20_000)
        expect(tv.locator("[data-now-label]")).to_have_text(ticket["label"], timeout=20_000)
        phone.wait_for_selector("[data-live=live]", timeout=35_000)
        phone.wait_for_selector("[data-show=called]:not([hidden])", timeout=10_000)
        assert "đến quầy 1" in phone.inner_text("[data-show=called]")  # "Mời công dân có số … đến quầy 1"
    finally:
        context.close()
        phone_context.close()
        server.stop()
