"""Online booking in Chromium against a real server process: the citizen books on a phone,
the kiosk checks the code in through the same HTTP API the Kivy kiosk uses, a counter calls
next and gets the appointment ahead of an earlier walk-in, and the citizen's ticket page
shows the call. Also: the cancel page, and the pages at desktop width.

The server runs on the real clock, so `open_for_booking_now` makes "now" bookable whatever
the hour (opening hours, working days and the check-in window are all settings).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
import zxingcpp
from PIL import Image
from support import API, COUNTER_A, SITE_TT, Api, LiveServer, kiosk_headers, open_for_booking_now
from web_helpers import FAKE_DEVICES, WIDTHS, Shots, collect_errors

pytestmark = pytest.mark.slow


@pytest.fixture
def booking_server(sqlite_url: str) -> Iterator[LiveServer]:
    server = LiveServer(sqlite_url, extra_env=open_for_booking_now(sqlite_url))
    yield server
    server.stop()


@pytest.fixture
def booking_api(booking_server: LiveServer) -> Iterator[Api]:
    with httpx.Client(base_url=booking_server.url, timeout=10) as http:
        yield Api(http)


def _context(browser, width: str):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport=WIDTHS[width], is_mobile=width == "phone", has_touch=width == "phone")
    context.add_init_script(FAKE_DEVICES)
    return context


def _book_on(page, base: str, shots: Shots, width: str, phone: str, name: str) -> str:  # noqa: ANN001
    """Walk the four steps like a citizen; returns the confirmation page's URL."""
    page.goto(f"{base}/book")
    assert "Bạn muốn làm thủ tục ở đâu?" in page.inner_text("h1")
    shots(page, "booking-1-site", width)
    page.click(f"a.choice[href='/book?site={SITE_TT}']")

    page.fill("#q", "dang ky khai sinh")  # no accents, as people type on a phone
    page.click("form.search button[type=submit]")
    page.wait_for_selector("a.choice[href*='procedure=1.001193']")
    shots(page, "booking-2-procedure", width)
    page.click("a.choice[href*='procedure=1.001193']")

    page.wait_for_selector("ul.days a.choice[href]")
    shots(page, "booking-3-day", width)
    page.click("ul.days a.choice[href] >> nth=0")

    page.wait_for_selector("fieldset.slots")
    page.click("label.slot:not(.full) >> nth=0")
    page.fill("#full_name", name)
    page.fill("#phone", phone)
    page.fill("#id_number", "")
    shots(page, "booking-4-slot", width)
    page.click("form.book-form button[type=submit]")
    page.wait_for_selector(".confirm .code")
    return page.url


def test_book_on_a_phone_check_in_at_the_kiosk_and_get_called_first(
        browser, booking_server: LiveServer, booking_api: Api, shots: Shots) -> None:  # noqa: ANN001
    base, api = booking_server.url, booking_api
    phone_ctx = _context(browser, "phone")
    page = phone_ctx.new_page()
    errors = collect_errors(page)

    confirmation = _book_on(page, base, shots, "phone", "0912 345 678", "Nguyễn Thị Hoa")
    code = page.inner_text(".confirm .code").strip()
    assert len(code) == 9 and code[4] == "-"
    qr_png = page.locator(".qr-box svg.qr").screenshot()
    read = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png)).convert("L"))
    assert [r.text for r in read] == [confirmation]  # the QR a kiosk scanner reads is this page
    assert "Đã đặt lịch" in page.inner_text(".confirm .pill")
    assert "Nguyễn Thị Hoa" in page.inner_text("main") and "0912 *** 678" in page.inner_text("main")
    shots(page, "booking-confirmed", "phone")
    page.click("[data-lang-switch]")
    assert page.is_visible("text=Booking code")
    shots(page, "booking-confirmed-english", "phone")
    page.click("[data-lang-switch]")

    walk_in = api.issue()  # someone took a normal ticket before the citizen arrives
    r = api.client.post(f"{API}/bookings/check-in", json={"code": code}, headers=kiosk_headers(SITE_TT))
    assert r.status_code == 201, r.text
    appointment = r.json()
    assert appointment["priority"] == "appointment" and appointment["booking_code"] == code
    again = api.client.post(f"{API}/bookings/check-in", json={"code": code}, headers=kiosk_headers(SITE_TT))
    assert again.status_code == 409 and again.json()["code"] == "booking_used"

    page.goto(confirmation)  # the confirmation now leads to the ticket
    assert "Đã xác nhận tại ki-ốt" in page.inner_text(".confirm .pill")
    assert page.inner_text(".status .label") == appointment["label"]
    page.click("[data-ticket-link]")
    page.wait_for_selector("[data-live=live]")
    assert page.inner_text(".ticket .label") == appointment["label"]
    shots(page, "booking-ticket-waiting", "phone")

    api.ok(COUNTER_A, "open")
    called = api.ok(COUNTER_A, "call-next")
    assert called["label"] == appointment["label"], "the appointment goes ahead of the earlier walk-in"
    assert called["label"] != walk_in["label"]
    page.wait_for_selector("[data-overlay]:not([hidden])")
    assert page.inner_text(".called-overlay .o-counter") == "1"
    assert f"Mời công dân có số {appointment['label']} đến quầy" in page.inner_text(".called-overlay")
    shots(page, "booking-ticket-called", "phone", full_page=False)
    assert errors == []
    phone_ctx.close()


def test_booking_pages_at_desktop_width_and_cancelling(browser, booking_server: LiveServer,  # noqa: ANN001
                                                       shots: Shots) -> None:
    base = booking_server.url
    ctx = _context(browser, "desktop")
    page = ctx.new_page()
    errors = collect_errors(page)
    _book_on(page, base, shots, "desktop", "0988.000.111", "Trần Văn Minh")
    code = page.inner_text(".confirm .code").strip()
    shots(page, "booking-confirmed", "desktop")

    # The same phone cannot hold a second booking: the form says so and keeps what was typed.
    page.goto(f"{base}/book")
    page.click(f"a.choice[href='/book?site={SITE_TT}']")
    page.fill("#q", "khai sinh")
    page.click("form.search button[type=submit]")
    page.click("a.choice[href*='procedure=1.001193']")
    # The last day offered: late in the evening today may have a single slot left.
    page.click("ul.days a.choice[href] >> nth=-1")
    page.click("label.slot:not(.full) >> nth=0")
    page.fill("#full_name", "Trần Văn Minh")
    page.fill("#phone", "+84 988 000 111")
    page.click("form.book-form button[type=submit]")
    page.wait_for_selector(".error-box")
    assert "đã có một lịch hẹn chưa sử dụng" in page.inner_text(".error-box")
    assert page.input_value("#phone") == "+84 988 000 111"
    shots(page, "booking-refused-second", "desktop")

    page.click("[data-lang-switch]")  # back to Vietnamese happens below; the cancel page in English too
    page.goto(f"{base}/book/cancel?code={code}")
    page.fill("#phone", "0999 999 999")
    page.click("form.book-form button[type=submit]")
    page.wait_for_selector(".error-box")
    assert "No booking with this code and phone number" in page.inner_text(".error-box")
    page.click("[data-lang-switch]")
    page.fill("#phone", "0988 000 111")
    page.click("form.book-form button[type=submit]")
    page.wait_for_selector(".confirm .pill")
    assert f"Lịch hẹn {code} đã được hủy." in page.inner_text(".confirm")
    shots(page, "booking-cancelled", "desktop")

    phone_ctx = _context(browser, "phone")
    small = phone_ctx.new_page()
    small.goto(f"{base}/book/cancel?code={code}")
    shots(small, "booking-cancel-form", "phone")
    assert errors == []
    ctx.close()
    phone_ctx.close()
