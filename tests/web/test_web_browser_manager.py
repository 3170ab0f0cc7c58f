"""The manager dashboard in Chromium against a real server: live figures, moving waiting
tickets to another site (and the citizen's page showing where to go), counter actions."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from support import SITE_PX, SITE_TT, Api, LiveServer
from web_helpers import DESKTOP, FAKE_DEVICES, PHONE, Shots, collect_errors, login

pytestmark = pytest.mark.slow


def _waiting_figure(page, site: str) -> str:  # noqa: ANN001
    return page.inner_text(f"[data-site='{site}'] .figures div:first-child dd")


def test_manager_moves_tickets_to_another_site_and_the_citizen_page_shows_where_to_go(
        browser, web_server: LiveServer, server_api: Api, shots: Shots) -> None:  # noqa: ANN001
    api = server_api
    tickets = [api.issue() for _ in range(3)]
    api.issue(site=SITE_PX)  # HUE-PX has given A001 already: the moved ticket becomes A002
    mine = tickets[2]

    citizen_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    citizen_context.add_init_script(FAKE_DEVICES)
    citizen = citizen_context.new_page()
    citizen_errors = collect_errors(citizen)
    citizen.goto(f"{web_server.url}/t/{mine['tracking_token']}")
    citizen.wait_for_selector("[data-live=live]")
    assert citizen.is_hidden("[data-show=moved]")

    manager = browser.new_page(viewport=DESKTOP)
    manager_errors = collect_errors(manager)
    login(manager, web_server.url)
    assert manager.url.endswith("/manager")
    manager.wait_for_selector("[data-live-state=live]")
    assert _waiting_figure(manager, SITE_TT) == "3"
    # The busiest site comes first.
    assert manager.locator(".sites .site").first.get_attribute("data-site") == SITE_TT
    api.issue()  # a citizen takes a ticket: the dashboard follows by itself
    expect(manager.locator(f"[data-site='{SITE_TT}'] .figures div:first-child dd")).to_have_text("4")
    shots(manager, "manager-dashboard", "desktop")

    manager.click(f"a[href='/manager/sites/{SITE_TT}'] >> nth=0")
    manager.wait_for_selector("[data-live-state=live]")
    manager.locator("label", has_text=mine["label"]).locator("input").check()
    shots(manager, "manager-site", "desktop")
    manager.select_option("select[name=to_site]", SITE_PX)
    manager.fill("input[name=reason]", "Cân bằng tải")
    manager.click("#move-form button[type=submit]")
    flash = manager.inner_text(".flash.ok")
    assert f"{mine['label']}→A002" in flash and "HUE-PX" in flash
    assert manager.locator("label", has_text=mine["label"]).count() == 0
    assert "A003 → HUE-PX" in manager.inner_text("table.events")  # the audit line, with who did it
    assert "Nguyễn Thị Quản Lý" in manager.inner_text("table.events")
    shots(manager, "manager-site-after-move", "desktop")

    citizen.wait_for_selector("[data-show=moved]:not([hidden])")
    assert citizen.inner_text(".label") == "A002"
    moved = citizen.inner_text("[data-show=moved]")
    assert mine["label"] in moved and "Trung tâm Phục vụ hành chính công thành phố Huế" in moved
    assert "Chi nhánh Phú Xuân" in citizen.inner_text(".site")
    assert "10 Đinh Tiên Hoàng" in citizen.inner_text(".site")
    assert citizen.inner_text("[data-show=ahead] [data-f=people_ahead]") == "1"  # behind HUE-PX's A001
    shots(citizen, "citizen-moved", "phone")

    # Counter actions on the same page: open a counter, then change what it serves.
    manager.click("tr[data-counter='2'] form[action$='/open'] button")
    assert "Đã mở quầy 2." in manager.inner_text(".flash.ok")
    manager.click("tr[data-counter='2'] a.button")
    shots(manager, "manager-counter", "desktop")
    manager.select_option("select[name=w_1]", "3")
    manager.click("form[action$='/services'] button")
    assert "Đã cập nhật dịch vụ của quầy 2." in manager.inner_text(".flash.ok")
    assert "A3" in manager.inner_text("tr[data-counter='2']").replace("\n", "")
    assert citizen_errors == [] and manager_errors == []


def test_manager_pages_at_phone_width(browser, web_server: LiveServer, server_api: Api, shots: Shots) -> None:  # noqa: ANN001
    for _ in range(2):
        server_api.issue()
    page = browser.new_page(viewport=PHONE)
    errors = collect_errors(page)
    page.goto(f"{web_server.url}/manager")
    assert "/manager/login" in page.url
    shots(page, "manager-login", "phone")
    login(page, web_server.url)
    page.wait_for_selector("[data-live-state=live]")
    shots(page, "manager-dashboard", "phone")
    page.goto(f"{web_server.url}/manager/sites/{SITE_TT}")
    shots(page, "manager-site", "phone")
    page.goto(f"{web_server.url}/manager/sites/{SITE_TT}/counters/1")
    shots(page, "manager-counter", "phone")
    desktop = browser.new_page(viewport=DESKTOP)
    desktop.goto(f"{web_server.url}/manager/login")
    shots(desktop, "manager-login", "desktop")
    assert errors == []
