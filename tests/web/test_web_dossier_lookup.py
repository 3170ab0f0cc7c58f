"""The page the receipt slip's QR code opens: `/d/{code}` asks for the slip's PIN, then shows
the dossier's status, due date and history, and nothing personal."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from support import API, BIRTH_REGISTRATION, COUNTER_A, Api, LiveServer
from web_helpers import WIDTHS, Shots, collect_errors

from queue_server.adapters import tables as t
from shared.dossier_protocol import format_lookup_pin

APPLICANT = {"name": "Nguyễn Thị Hường", "id_kind": "citizen_id", "id_number": "046186012345",
             "phone": "0912 345 678", "address": "12 Lê Lợi, phường Thuận Hóa, thành phố Huế"}
DOCUMENTS = [{"name": "Tờ khai đăng ký khai sinh", "copies": 1, "form": "original"}]


def receive_dossier(api: Api) -> dict[str, Any]:
    """A citizen served at counter 1 hands in a birth-registration dossier."""
    api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next", {"finish_current": True})
    api.ok(COUNTER_A, "start")
    r = api.client.post(f"{API}/counters/{COUNTER_A}/dossiers", headers=api.staff(),
                        json={"applicant": APPLICANT, "documents": DOCUMENTS, "notes": ""})
    assert r.status_code == 201, r.text
    return r.json()


def test_the_slip_qr_opens_a_form_that_asks_for_the_pin(web_client, web_api: Api) -> None:  # noqa: ANN001
    dossier = receive_dossier(web_api)
    path = dossier["lookup_url"].split("://", 1)[1].split("/", 1)[1]
    r = web_client.get("/" + path)
    assert r.status_code == 200
    assert f'value="{dossier["code"]}"' in r.text and 'name="pin"' in r.text
    assert "Tra cứu hồ sơ" in r.text and APPLICANT["name"] not in r.text


def test_the_right_pin_shows_status_due_date_and_history_without_personal_data(
        web_client, web_api: Api, web_wiring) -> None:  # noqa: ANN001
    with web_wiring.engine.begin() as conn:  # a procedure settled in 3 working days
        conn.execute(update(t.procedures).where(t.procedures.c.code == BIRTH_REGISTRATION)
                     .values(time_value=3, time_unit_vi="Ngày làm việc"))
    dossier = receive_dossier(web_api)
    r = web_client.post(f"/d/{dossier['code']}", data={"pin": dossier["lookup_pin"]})
    assert r.status_code == 200, r.text
    page = r.text
    assert dossier["code"] in page and "Đã tiếp nhận" in page
    assert "khai sinh" in page  # the procedure's name
    due = dossier["due_date"]  # yyyy-mm-dd
    assert f"{due[8:10]}/{due[5:7]}/{due[0:4]}" in page, "the due date as Vietnamese write it"
    for personal in (APPLICANT["name"], APPLICANT["id_number"], "0912", "Lê Lợi"):
        assert personal not in page
    assert dossier["lookup_pin"] not in page
    assert r.headers["Cache-Control"] == "no-store"


def test_a_wrong_pin_and_an_unknown_code_get_the_same_answer(web_client, web_api: Api) -> None:  # noqa: ANN001
    dossier = receive_dossier(web_api)
    wrong = "0" * 12 if dossier["lookup_pin"] != "0" * 12 else "1" * 12
    bad_pin = web_client.post(f"/d/{dossier['code']}", data={"pin": wrong})
    unknown = web_client.post("/d", data={"code": "XYZ-991231-9999", "pin": "1234 5678 9012"})
    assert bad_pin.status_code == unknown.status_code == 404
    assert "mã PIN không đúng" in bad_pin.text and "mã PIN không đúng" in unknown.text
    assert "Đã tiếp nhận" not in bad_pin.text
    missing = web_client.post("/d", data={"code": dossier["code"]})
    assert missing.status_code == 422 and "Hãy nhập mã hồ sơ và mã PIN" in missing.text


def test_an_old_slips_six_digit_pin_is_told_to_get_a_new_one_at_the_center(web_client, web_api: Api) -> None:  # noqa: ANN001
    dossier = receive_dossier(web_api)
    old = web_client.post(f"/d/{dossier['code']}", data={"pin": "482 913"})
    assert old.status_code == 404 and "in mã PIN mới (12 số)" in old.text and "12-digit PIN" in old.text
    assert "Đã tiếp nhận" not in old.text


def test_guessing_pins_is_stopped_with_a_wait(web_client, web_api: Api, web_wiring) -> None:  # noqa: ANN001
    dossier = receive_dossier(web_api)
    right = dossier["lookup_pin"]
    wrong = [f"{n:012d}" for n in range(1000) if f"{n:012d}" != right]
    limit = web_wiring.settings.dossier_lookup_max_failures
    for pin in wrong[:limit]:
        assert web_client.post(f"/d/{dossier['code']}", data={"pin": pin}).status_code == 404
    blocked = web_client.post(f"/d/{dossier['code']}", data={"pin": right})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "quá nhiều lần" in blocked.text and "Đã tiếp nhận" not in blocked.text


def test_injected_markup_in_the_code_is_shown_as_text(web_client) -> None:  # noqa: ANN001
    r = web_client.get("/d", params={"code": '"><script>alert(1)</script>Đăng ký 😀'})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text


@pytest.mark.slow
def test_a_citizen_looks_up_the_dossier_on_a_phone(browser, web_server: LiveServer, server_api: Api,  # noqa: ANN001
                                                   shots: Shots) -> None:
    dossier = receive_dossier(server_api)
    url = web_server.url + "/d/" + dossier["code"]
    for width in WIDTHS:
        context = browser.new_context(viewport=WIDTHS[width], is_mobile=width == "phone", has_touch=width == "phone")
        page = context.new_page()
        errors = collect_errors(page)
        page.goto(url)
        assert page.input_value("#code") == dossier["code"]
        shots(page, "dossier-lookup-form", width)
        page.fill("#pin", format_lookup_pin(dossier["lookup_pin"]))  # typed as printed, in groups
        page.click("button[type=submit]")
        page.wait_for_selector("[data-f=status]")
        assert page.inner_text("[data-f=code]") == dossier["code"]
        assert "Đã tiếp nhận" in page.inner_text("[data-f=status]")
        assert dossier["lookup_pin"] not in page.url
        shots(page, "dossier-lookup-status", width)
        if width == "phone":
            page.click("[data-lang-switch]")
            assert page.is_visible("text=History") and page.is_hidden("text=Quá trình xử lý")
            shots(page, "dossier-lookup-status-english", width)
        assert errors == []
        context.close()
