"""The receipt slip and the supplement request as the API prints them, read back as text
and as a phone camera sees the QR code. The printing does not depend on the database,
so these run on SQLite only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from dossier_helpers import (
    applicant,
    at_local,
    pdf_pages_png,
    pdf_text,
    receive,
    serve_one,
    set_legal_time,
)
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, A5
from support import API, keep_artifact

from shared.dossier_protocol import format_lookup_pin

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "dossiers"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def dossier(api, wiring, clock) -> dict:
    set_legal_time(wiring, 3, "Ngày làm việc")
    at_local(clock, 2026, 2, 13, 9, 42)  # the Friday before Tết
    serve_one(api)
    return receive(api, applicant=applicant(name="Trần Thị Bích Ngọc", id_number="046190001234"))


def get_pdf(api, path: str, **headers: str):
    r = api.client.get(f"{API}{path}", headers={**api.staff(), **headers})
    return r


def test_the_receipt_shows_applicant_code_due_date_and_pin_and_its_qr_opens_the_lookup(
        api, wiring, dossier, tmp_path) -> None:
    r = get_pdf(api, f"/dossiers/{dossier['code']}/receipt.pdf", **{"X-Lookup-Pin": dossier["lookup_pin"]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.headers["cache-control"] == "no-store"
    text = pdf_text(r.content)
    pin = dossier["lookup_pin"]
    for expected in [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Trung tâm Phục vụ hành chính công thành phố Huế",
        "Trần Thị Bích Ngọc", "046190001234", "0912 345 678",
        f"Mã hồ sơ: {dossier['code']}", "000.00.01.H57-260213-0001",
        "Thủ tục đăng ký khai sinh (mã 1.001193)",
        "1. Tờ khai đăng ký khai sinh (bản chính) — số lượng: 01",
        "3. Căn cước của người đi đăng ký (bản sao) — số lượng: 01",
        "Thời hạn giải quyết theo quy định: 03 ngày làm việc",
        "09 giờ 42 phút, ngày 13 tháng 02 năm 2026",
        # Three working days after Tết: Monday 23, Tuesday 24, Wednesday 25 February.
        "Thời gian hẹn trả kết quả: thứ Tư, ngày 25 tháng 02 năm 2026",
        f"Mã PIN tra cứu: {pin[:4]} {pin[4:8]} {pin[8:]}",  # twelve digits in groups of four
        dossier["received_by_name"],  # the receiving officer signs
    ]:
        assert expected in text, expected
    assert PdfReader(io.BytesIO(r.content)).pages[0].mediabox.width == pytest.approx(A5[0], abs=0.5)

    [page] = pdf_pages_png(r.content, tmp_path, "receipt")
    keep_artifact(page, ARTIFACTS / "receipt-A5-from-api.png")
    with Image.open(page) as image:
        found = [(b.format, b.text) for b in zxingcpp.read_barcodes(image)]
    assert found == [(zxingcpp.BarcodeFormat.QRCode, dossier["lookup_url"])]
    assert dossier["lookup_url"] == f"{wiring.settings.public_base_url.rstrip('/')}/d/{dossier['code']}"


def test_a4_and_reprints_without_the_pin_and_a_wrong_pin(api, dossier) -> None:
    a4 = get_pdf(api, f"/dossiers/{dossier['code']}/receipt.pdf?page=A4")
    assert a4.status_code == 200
    assert PdfReader(io.BytesIO(a4.content)).pages[0].mediabox.height == pytest.approx(A4[1], abs=0.5)
    # Without the PIN the reprint hides it: the PIN exists only on the first slip.
    assert "Mã PIN tra cứu: ******" in pdf_text(a4.content)
    wrong = "0" * 12 if dossier["lookup_pin"] != "0" * 12 else "1" * 12
    refused = get_pdf(api, f"/dossiers/{dossier['code']}/receipt.pdf", **{"X-Lookup-Pin": wrong})
    assert refused.status_code == 422 and refused.json()["code"] == "wrong_pin"
    assert get_pdf(api, f"/dossiers/{dossier['code']}/receipt.pdf?page=Letter").status_code == 422
    other_site = api.client.get(f"{API}/dossiers/{dossier['code']}/receipt.pdf", headers=api.staff("canbo.px"))
    assert other_site.status_code == 403
    # A new PIN for a lost slip: printed on the reprint, and the old one stops working.
    fresh = api.client.post(f"{API}/dossiers/{dossier['code']}/new-pin", headers=api.staff()).json()
    reprint = get_pdf(api, f"/dossiers/{dossier['code']}/receipt.pdf", **{"X-Lookup-Pin": fresh["lookup_pin"]})
    assert reprint.status_code == 200
    assert format_lookup_pin(fresh["lookup_pin"]) in pdf_text(reprint.content)
    stale = get_pdf(api, f"/dossiers/{dossier['code']}/receipt.pdf", **{"X-Lookup-Pin": dossier["lookup_pin"]})
    assert stale.status_code == 422 or fresh["lookup_pin"] == dossier["lookup_pin"]


def test_the_supplement_request_lists_every_missing_item_once_in_writing(api, dossier, tmp_path) -> None:
    code = dossier["code"]
    nothing = get_pdf(api, f"/dossiers/{code}/supplement-request.pdf")
    assert nothing.status_code == 409 and nothing.json()["code"] == "no_supplement_items"
    given = get_pdf(api, f"/dossiers/{code}/supplement-request.pdf?missing=Giấy chứng sinh (bản chính)"
                         "&reason=Bản đã nộp là bản chụp&missing=Giấy xác nhận cư trú")
    assert given.status_code == 200, given.text
    text = pdf_text(given.content)
    for expected in ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", f"Mã hồ sơ: {code}", "Trần Thị Bích Ngọc",
                     "1. Giấy chứng sinh (bản chính)", "Lý do: Bản đã nộp là bản chụp", "2. Giấy xác nhận cư trú",
                     "hướng dẫn một lần"]:
        assert expected in text, expected
    # Recorded with the status change, the same items print again later.
    r = api.client.post(f"{API}/dossiers/{code}/transitions", headers=api.staff(), json={
        "action": "request_supplement", "note": "Thiếu giấy tờ",
        "items": [{"what": "Giấy chứng sinh (bản chính)", "reason": "Bản đã nộp là bản chụp"}]})
    assert r.status_code == 200, r.text
    recorded = get_pdf(api, f"/dossiers/{code}/supplement-request.pdf?page=A4")
    assert "1. Giấy chứng sinh (bản chính)" in pdf_text(recorded.content)
    [page] = pdf_pages_png(recorded.content, tmp_path, "supplement")
    keep_artifact(page, ARTIFACTS / "supplement-A4-from-api.png")
