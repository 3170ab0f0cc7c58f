"""The booking pages without a browser (SQLite, a controlled clock: Monday 23/11/2026,
09:00 in Huế): every step renders, form posts need the CSRF token of this browser's cookie,
mistakes come back on the form with the reason, and the confirmation page is private."""

from __future__ import annotations

import re

from support import API, SITE_TT

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SLOT_PAGE = f"/book?site={SITE_TT}&procedure=1.001193&day=2026-11-25"
FORM = {"site": SITE_TT, "procedure": "1.001193", "day": "2026-11-25", "slot": "2026-11-25T02:00:00+00:00",
        "full_name": "Nguyễn Thị Hoa", "phone": "0912 345 678", "id_number": ""}


def _csrf(client, path: str = SLOT_PAGE) -> str:  # noqa: ANN001
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return CSRF.search(page.text).group(1)


def test_each_step_renders_in_vietnamese_with_english_alongside(web_client) -> None:  # noqa: ANN001
    sites = web_client.get("/book")
    assert sites.status_code == 200 and "Bạn muốn làm thủ tục ở đâu?" in sites.text
    assert "Where do you want to go?" in sites.text and f"/book?site={SITE_TT}" in sites.text
    found = web_client.get(f"/book?site={SITE_TT}&q=DANG KY KHAI SINH")  # accents and case do not matter
    assert "Thủ tục đăng ký khai sinh" in found.text and "procedure=1.001193" in found.text
    days = web_client.get(f"/book?site={SITE_TT}&procedure=1.001193")
    assert "Thứ Hai, 23/11/2026" in days.text and "24/11/2026" not in days.text  # a public holiday
    slots = web_client.get(SLOT_PAGE)
    assert 'value="2026-11-25T00:00:00+00:00"' in slots.text  # 07:00 local
    assert slots.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in slots.headers["Content-Security-Policy"]
    sunday = web_client.get(f"/book?site={SITE_TT}&procedure=1.001193&day=2026-11-29")
    assert sunday.status_code == 422 and "chỉ nhận ngày điểm phục vụ mở cửa" in sunday.text
    nowhere = web_client.get("/book?site=NOWHERE&procedure=1.001193")
    assert nowhere.status_code == 404


def test_booking_needs_the_csrf_token_of_this_browser(web_client) -> None:  # noqa: ANN001
    token = _csrf(web_client)
    assert web_client.post("/book", data=FORM).status_code == 403  # no token
    assert web_client.post("/book", data={**FORM, "csrf": "x" * 40}).status_code == 403
    web_client.cookies.clear()  # a token from another browser's cookie is worthless here
    assert web_client.post("/book", data={**FORM, "csrf": token}).status_code == 403
    booked = web_client.post("/book", data={**FORM, "csrf": _csrf(web_client)})
    assert booked.status_code == 303 and booked.headers["location"].startswith("/b/")
    page = web_client.get(booked.headers["location"])
    assert page.status_code == 200 and "Mã lịch hẹn" in page.text and "<svg" in page.text
    assert "09:00 – 09:15" in page.text and "0912 *** 678" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the URL is the key


def test_mistakes_come_back_on_the_form_with_what_was_typed(web_client) -> None:  # noqa: ANN001
    bad = web_client.post("/book", data={**FORM, "phone": "12345", "csrf": _csrf(web_client)})
    assert bad.status_code == 422
    assert "Số điện thoại không hợp lệ" in bad.text and 'value="Nguyễn Thị Hoa"' in bad.text
    no_slot = web_client.post("/book", data={**FORM, "slot": "", "csrf": _csrf(web_client)})
    assert no_slot.status_code == 422 and "Vui lòng chọn một khung giờ" in no_slot.text


def test_cancel_page_needs_code_and_phone(web_client) -> None:  # noqa: ANN001
    booked = web_client.post("/book", data={**FORM, "csrf": _csrf(web_client)})
    token = booked.headers["location"].rsplit("/", 1)[1]
    code = web_client.get(f"{API}/public/bookings/{token}").json()["code"]
    form = _csrf(web_client, f"/book/cancel?code={code}")
    wrong = web_client.post("/book/cancel", data={"csrf": form, "code": code, "phone": "0999 999 999"})
    assert wrong.status_code == 404 and "Không tìm thấy lịch hẹn" in wrong.text
    assert web_client.post("/book/cancel", data={"code": code, "phone": "0912345678"}).status_code == 403
    done = web_client.post("/book/cancel", data={"csrf": form, "code": code, "phone": "+84 912 345 678"})
    assert done.status_code == 200 and f"Lịch hẹn {code} đã được hủy." in done.text
    assert "Đã hủy" in web_client.get(f"/b/{token}").text


def test_unknown_booking_pages_say_so(web_client) -> None:  # noqa: ANN001
    assert web_client.get("/b/not-a-token").status_code == 404
    page = web_client.get(f"/b/{'A' * 24}")
    assert page.status_code == 404 and "Không tìm thấy lịch hẹn" in page.text
