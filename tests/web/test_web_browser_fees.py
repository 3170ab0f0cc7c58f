"""Fees and the document store in the manager's pages, in Chromium against a real server:
a day with a reused document and fees paid in cash and by a bank statement; the report
shows the digitization, reuse and fee figures; the fee page imports a statement, lists
every line and sets a procedure's fee; the CSV export adds up."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import API, BIRTH_REGISTRATION, Api, LiveServer
from web_helpers import DESKTOP, ROOT, Shots, collect_errors, login

pytestmark = pytest.mark.slow
BANK = {"MOTCUA_PAYMENT_BANK_BIN": "970436", "MOTCUA_PAYMENT_ACCOUNT_NUMBER": "0071000123456",
        "MOTCUA_PAYMENT_ACCOUNT_NAME": "TT PHUC VU HANH CHINH CONG HUE", "MOTCUA_PAYMENT_BANK_NAME": "Vietcombank"}
DOCS = ROOT / "docs" / "screenshots" / "web"
ID = "046060012345"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def server(sqlite_url: str) -> Iterator[LiveServer]:
    live = LiveServer(sqlite_url, extra_env=BANK)
    yield live
    live.stop()


def a_day_at_the_counter(api: Api) -> tuple[str, str, str]:
    """Three dossiers of one citizen: the first digitized, the second reusing its ID card
    copy and paid in cash, the third left to pay by transfer."""
    api.issue()
    for action in ("open", "call-next", "start"):
        api.ok(1, action)
    applicant = {"name": "Nguyễn Văn Mẫu", "id_number": ID, "birth_date": "1960-05-12", "sex": "Nam"}

    def receive(documents: list[dict], fee: int) -> dict:
        r = api.client.post(f"{API}/counters/1/dossiers", headers=api.staff(),
                            json={"applicant": applicant, "documents": documents, "fee_vnd": fee})
        assert r.status_code == 201, r.text
        return r.json()

    first = receive([{"name": "Bản sao CCCD", "form": "copy"}, {"name": "Tờ khai"}], 0)
    r = api.client.post(f"{API}/dossiers/{first['code']}/files", headers=api.staff(), data={"document_index": "0"},
                        files=[("files", ("cccd.png", PNG, "image/png"))])
    assert r.status_code == 201, r.text
    docs = api.client.get(f"{API}/counters/1/citizen-documents", headers=api.staff(),
                          params={"id_number": ID, "purpose": "reception"}).json()["items"]
    second = receive([{"name": "Bản sao CCCD", "form": "copy", "citizen_document_id": docs[0]["id"]},
                      {"name": "Tờ khai"}], 50000)
    api.client.post(f"{API}/dossiers/{second['code']}/fee/payment", headers=api.staff(), json={"method": "cash"})
    third = receive([{"name": "Tờ khai"}], 70000)
    return first["code"], second["code"], third["code"]


def test_fees_and_reuse_in_the_manager_pages(server: LiveServer, browser, shots: Shots, tmp_path: Path) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        api = Api(http)
        _, _, third = a_day_at_the_counter(api)
        today = api.client.get(f"{API}/fees/report", headers=api.staff("quanly")).json()["day"]

    page = browser.new_page(viewport=DESKTOP)
    errors = collect_errors(page)
    login(page, server.url)

    # The report: 3 dossiers, 2 digitized (one by reuse), 1 of 5 documents reused, 50.000 collected
    page.goto(f"{server.url}/manager/reports?by=site&site=HUE-TT")
    row = page.locator("table.report tbody tr").first.inner_text().split("\t")
    assert row[-4:] == ["3", "67% (2)", "20% (1/5)", "50.000 (1)"]
    shots(page, "manager-reports-dossier-rates", "desktop")

    # A bank statement: one transfer for the third dossier, one unknown line
    statement = tmp_path / "sao-ke.csv"
    statement.write_text("Ngày giao dịch,Số tiền,Nội dung,Số tham chiếu\n"
                         f"{today[8:10]}/{today[5:7]}/{today[:4]},\"70,000\",NOP LE PHI {third},FT9001\n"
                         f"{today[8:10]}/{today[5:7]}/{today[:4]},\"20,000\",chuyen nham,FT9002\n",
                         encoding="utf-8-sig")
    page.goto(f"{server.url}/manager/fees")
    page.set_input_files("input[name=file]", str(statement))
    page.click("form[action^='/manager/fees/statement'] button[type=submit]")
    page.wait_for_load_state()
    assert "Đã ghi nhận 1 khoản, tổng 70.000 đồng." in page.inner_text("#import-summary")
    lines = page.locator("#import-lines tbody tr")
    assert lines.count() == 2
    assert third in lines.nth(0).inner_text() and "Đã ghi nhận nộp lệ phí" in lines.nth(0).inner_text()
    assert "Không tìm thấy mã hồ sơ" in lines.nth(1).inner_text()
    report_total = page.locator("#fee-report tbody tr.total").inner_text().split("\t")
    assert report_total[2:] == ["2", "120.000", "2", "50.000", "70.000", "120.000", "0", "0"]
    shots(page, "manager-fees-statement", "desktop")

    # A procedure's fee, set by the manager
    page.goto(f"{server.url}/manager/fees?procedure={BIRTH_REGISTRATION}")
    page.fill("input[name=amount]", "8.000")
    page.fill("input[name=note]", "Nghị quyết HĐND tỉnh")
    page.click("form[action='/manager/fees/procedure'] button[type=submit]")
    page.wait_for_load_state()
    assert "8.000 đồng" in page.inner_text("#procedure-fee")
    assert "Đã lưu lệ phí thủ tục" in page.inner_text(".flash")
    shots(page, "manager-fees-procedure", "desktop")

    csv_text = page.request.get(f"{server.url}/manager/fees.csv").text()
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert rows[0][0] == "Điểm phục vụ / Site" and rows[-1][7] == "120000"
    assert errors == []
    page.close()
    if os.environ.get("MOTCUA_UPDATE_SCREENSHOTS"):
        for name in ("manager-reports-dossier-rates", "manager-fees-statement", "manager-fees-procedure"):
            shutil.copy(shots.taken[0].parent / f"{name}-desktop.png", DOCS / f"{name}-desktop.png")

