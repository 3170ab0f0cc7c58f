"""The lobby display page in Chromium against a real server: calls appear and are said in
Vietnamese (twice, never overlapping), waiting counts follow, a manager's notice shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from support import COUNTER_A, COUNTER_AF, SITE_TT, Api, LiveServer
from web_helpers import DESKTOP, FAKE_DEVICES, PHONE, Shots, collect_errors, login, wait_until

from queue_server.seed import demo_device_token
from shared.enums import DeviceKind

pytestmark = pytest.mark.slow
TOKEN = demo_device_token(DeviceKind.DISPLAY, SITE_TT)


def _spoken(page) -> list[str]:  # noqa: ANN001
    return [u["text"] for u in page.evaluate("window.__spoken") if u["text"].strip()]


def test_display_page_shows_and_says_calls_and_shows_the_managers_notice(
        browser, web_server: LiveServer, server_api: Api, shots: Shots) -> None:  # noqa: ANN001
    api = server_api
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(FAKE_DEVICES)
    tv = context.new_page()
    errors = collect_errors(tv)
    tv.goto(web_server.url + api.display_pairing_path())  # a one-time link, swapped for a cookie
    assert tv.url == f"{web_server.url}/display/{SITE_TT}"
    # This Chromium has no --autoplay-policy flag: the page says sound is off until a tap.
    tv.click("[data-unlock-button]")
    expect(tv.locator("[data-sound-off]")).to_be_hidden()
    tv.wait_for_selector("[data-link=live]")
    assert tv.is_visible("[data-idle]")

    first, second = api.issue(), api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_AF, "open")
    api.ok(COUNTER_A, "call-next")
    api.ok(COUNTER_AF, "call-next")  # right after: the two announcements must queue
    expect(tv.locator("[data-now-label]")).to_have_text(second["label"])
    expect(tv.locator("[data-now-counter]").first).to_have_text("2")
    expect(tv.locator("[data-calls] .l-chip")).to_have_count(1)
    assert tv.inner_text("[data-calls] .l-chip").split() == [first["label"], "Quầy", "1"]
    assert tv.is_hidden("[data-no-calls]")
    # Counters named by their services, the called one framed; the closed ones on one line.
    assert tv.inner_text("[data-counter='1']").split("\n") == ["Quầy 1", first["label"], "Tư pháp, Hướng dẫn"]
    assert tv.inner_text("[data-counter='2']").split("\n") == ["Quầy 2", second["label"], "Tư pháp, Công an"]
    assert tv.inner_text("[data-closed]").split() == ["Quầy", "3,", "4,", "5,", "6,", "7,", "8,", "9", "đóng", "·", "Closed"]
    phrase_one = "Mời công dân có số thứ tự A, một đến quầy số một"
    phrase_two = "Mời công dân có số thứ tự A, hai đến quầy số hai"
    wait_until(lambda: len(_spoken(tv)) >= 4, what="four announcements")
    assert _spoken(tv) == [phrase_one, phrase_one, phrase_two, phrase_two]  # in order, whole, never overlapping
    assert {u["lang"] for u in tv.evaluate("window.__spoken") if u["text"].strip()} == {"vi-VN"}

    api.issue()
    expect(tv.locator("[data-queues] li").first.locator(".q-count")).to_have_text("1")

    manager = browser.new_page(viewport=DESKTOP)
    login(manager, web_server.url)
    manager.goto(f"{web_server.url}/manager/sites/{SITE_TT}")
    manager.fill("textarea[name=notice]", "Quầy 3 tạm nghỉ đến 14:00 · Counter 3 is closed until 14:00")
    manager.click("form[action$='/notice'] button")
    expect(tv.locator("[data-notice]")).to_have_text("Quầy 3 tạm nghỉ đến 14:00 · Counter 3 is closed until 14:00")
    shots(tv, "display", "desktop", full_page=False)

    phone = browser.new_page(viewport=PHONE)
    phone.goto(f"{web_server.url}/display/{SITE_TT}?token={TOKEN}&kiosk=1")  # an old bookmark still works
    assert phone.url == f"{web_server.url}/display/{SITE_TT}"
    phone.wait_for_selector("[data-link=live]")
    expect(phone.locator("[data-now-label]")).to_have_text(second["label"])
    shots(phone, "display", "phone", full_page=False)
    assert errors == []

    refused = phone.goto(f"{web_server.url}/display/{SITE_TT}?token=mcd_demo-kiosk-hue-tt")  # a kiosk is no TV
    assert refused.status == 403
    assert "chưa được ghép" in phone.inner_text("body")
