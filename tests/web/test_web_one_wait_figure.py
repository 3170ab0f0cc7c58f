"""One wait figure everywhere (issue 14): one state on a real server, read from every
surface this process can reach, and every surface says the same words.

Surfaces: the API (ticket, public ticket, snapshot line, estimate), the phone page and the
manager pages in Chromium, the web lobby display in Chromium, the display's feed (the
snapshot through the apps' client and the site stream's events), and the printed ticket as
the kiosk builds it (its printout and the ESC/POS bytes it sends).

State 1: 5 citizens wait for line A, one counter serving it is open and free. A ticket taken
now waits for 5 turns of 6 minutes at one desk: "khoảng 30 phút" for the line, and for the
sixth ticket, which the kiosk then prints. State 2: the counter closes: no counter serving
the line is open, and every surface says "Chưa có quầy mở" — never a time, never "next".
"""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect
from support import COUNTER_A, SITE_TT, Api, LiveServer
from web_helpers import DESKTOP, PHONE, Shots, collect_errors, login, open_page
from websockets.sync.client import connect

from kiosk.presenter import KioskPresenter
from kiosk.printing import FakeTicketPrinter
from kiosk.printing.job import render_escpos_bytes
from kiosk.printing.settings import PrinterSettings
from kiosk.settings import KioskSettings
from kiosk.state import Target
from queue_server.seed import demo_device_token
from shared.client import MotcuaClient
from shared.enums import DeviceKind
from shared.protocol import TicketOut

pytestmark = pytest.mark.slow
API = "/api/v1"
DISPLAY_TOKEN = demo_device_token(DeviceKind.DISPLAY, SITE_TT)
LINE_A = 1


def _line(snapshot: dict, service_id: int = LINE_A) -> dict:
    return next(q for q in snapshot["queues"] if q["service_id"] == service_id)


def _printed(server: LiveServer, ticket: dict) -> tuple[str, str, bytes]:
    """The kiosk's own ticket builder on the API's ticket: the wait words it prints, and
    the ESC/POS bytes of that ticket."""
    settings = KioskSettings(server_url=server.url, device_token="x", site_code=SITE_TT)
    kiosk = KioskPresenter(settings, api_factory=lambda s: None, printer_factory=lambda s: FakeTicketPrinter())
    printout = kiosk.printout_of(TicketOut.model_validate(ticket), Target(title_vi=""))
    return printout.wait_text_vi, printout.wait_text_en, render_escpos_bytes(printout, PrinterSettings())


def _display_feed(server: LiveServer) -> dict:
    """What a lobby display's feed reads: the snapshot through the apps' client."""
    async def read() -> dict:
        async with MotcuaClient(server.url, DISPLAY_TOKEN) as client:
            return (await client.site_snapshot(SITE_TT)).model_dump(mode="json")
    with ThreadPoolExecutor(1) as pool:  # Playwright's loop owns this thread
        return pool.submit(asyncio.run, read()).result()


def _manager_words(page, base: str) -> tuple[str, str]:  # noqa: ANN001
    """The expected wait of line A on the overview and on the site's page."""
    page.goto(f"{base}/manager")
    row = page.locator(f"[data-site={SITE_TT}] table.queues tr", has_text="Tư pháp").first
    overview = row.locator(".wait .vi").inner_text()
    page.goto(f"{base}/manager/sites/{SITE_TT}")
    detail = page.locator(".queue h3", has_text="Tư pháp").first.locator(".wait .vi").inner_text()
    return overview, detail


def test_every_surface_states_the_same_wait(browser, web_server: LiveServer, server_api: Api,  # noqa: ANN001
                                            shots: Shots) -> None:
    api, base = server_api, web_server.url
    api.ok(COUNTER_A, "open")
    tickets = [api.issue() for _ in range(5)]

    # ---- state 1: 5 waiting, one desk open and free ---------------------------------------
    line = _line(api.snapshot())["wait"]
    assert (line["state"], line["text_vi"], line["text_en"]) == ("minutes", "khoảng 30 phút", "about 30 min")
    estimate = api.client.get(f"{API}/sites/{SITE_TT}/estimate", params={"service_id": LINE_A}).json()
    assert estimate["wait"] == line
    assert _line(_display_feed(web_server))["wait"] == line

    tv, tv_errors = open_page(browser, f"{base}/display/{SITE_TT}?token={DISPLAY_TOKEN}", DESKTOP)
    tv.click("[data-unlock-button]")
    tv.wait_for_selector("[data-link=live]")
    tv_line = tv.locator("[data-queues] li", has_text="Tư pháp").first
    expect(tv_line.locator(".q-wait")).to_have_text("khoảng 30 phút")

    manager = browser.new_page(viewport=DESKTOP)
    login(manager, base)
    assert _manager_words(manager, base) == ("khoảng 30 phút", "khoảng 30 phút")

    # The kiosk's home shows the line's figure; the ticket it issues now gets that figure,
    # on the API, on paper and on the phone. The display follows the stream: one more waits.
    with connect(f"{web_server.ws_url}{API}/ws/sites/{SITE_TT}?token={DISPLAY_TOKEN}") as stream:
        stream.recv(timeout=10)  # hello
        sixth = api.issue()
        event = _next_event(stream)
    assert sixth["wait"]["text_vi"] == "khoảng 30 phút" and sixth["people_ahead"] == 5
    public = api.client.get(f"{API}/public/tickets/{sixth['tracking_token']}").json()
    assert public["wait"] == sixth["wait"]
    printed_vi, printed_en, escpos = _printed(web_server, sixth)
    assert (printed_vi, printed_en) == ("khoảng 30 phút", "about 30 min")
    assert escpos != _printed(web_server, {**sixth, "wait": tickets[0]["wait"]})[2]  # the words are on paper

    phone = browser.new_page(viewport=PHONE)
    phone_errors = collect_errors(phone)
    phone.goto(f"{base}/t/{sixth['tracking_token']}")
    assert phone.inner_text(".estimate") == "Dự kiến chờ: khoảng 30 phút"
    assert phone.inner_text("[data-show=ahead] [data-f=people_ahead]") == "5"
    shots(phone, "wait-figure-phone-open", "phone")

    after = api.snapshot()
    assert event["waits"][str(LINE_A)] == _line(after)["wait"]  # the stream carries the new figure
    assert _line(after)["wait"]["text_vi"] == "khoảng 35 phút"  # 6 turns: 36 minutes, rounded
    expect(tv_line.locator(".q-wait")).to_have_text("khoảng 35 phút")
    shots(tv, "wait-figure-display-open", "desktop", full_page=False)
    assert _manager_words(manager, base) == ("khoảng 35 phút", "khoảng 35 phút")
    shots(manager, "wait-figure-manager-open", "desktop")

    # ---- state 2: the only counter serving line A closes ------------------------------------
    api.ok(COUNTER_A, "close")
    closed = _line(api.snapshot())["wait"]
    assert (closed["state"], closed["text_vi"], closed["minutes"]) == ("no_counter_open", "Chưa có quầy mở", None)
    assert _line(_display_feed(web_server))["wait"] == closed
    expect(tv_line.locator(".q-wait")).to_have_text("Chưa có quầy mở")
    assert _manager_words(manager, base) == ("Chưa có quầy mở", "Chưa có quầy mở")

    first = tickets[0]  # nobody ahead, but nobody can call it either: not "next in line"
    again = api.client.get(f"{API}/public/tickets/{first['tracking_token']}").json()
    assert (again["people_ahead"], again["wait"]["text_vi"]) == (0, "Chưa có quầy mở")
    phone.goto(f"{base}/t/{first['tracking_token']}")
    assert phone.inner_text(".estimate") == "Dự kiến chờ: Chưa có quầy mở"
    assert phone.is_hidden("[data-show=next]")
    assert "kế tiếp" not in phone.inner_text("main")
    shots(phone, "wait-figure-phone-closed", "phone")
    seventh = api.issue()
    assert _printed(web_server, seventh)[:2] == ("Chưa có quầy mở", "No counter open yet")
    for page in (tv, phone, manager):
        assert not re.search(r"~\s*\d|(?<!\d)0 phút", page.inner_text("body"))  # no "~0 phút"
    assert tv_errors == [] and phone_errors == []


def _next_event(stream) -> dict:  # noqa: ANN001
    while True:
        message = json.loads(stream.recv(timeout=10))
        if message.get("kind") == "event":
            return message
