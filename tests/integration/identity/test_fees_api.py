"""Fees through the API, on both databases: the procedure's structured fee (catalog, then a
manager's, audit-logged), the fee confirmed at reception, the VietQR code on the receipt slip
read back from the printed page by zxing-cpp, paying once, the fee receipt (biên lai), the
bank statement import and the daily report."""

from __future__ import annotations

import subprocess
from pathlib import Path

import zxingcpp
from dossier_helpers import pdf_pages_png, pdf_text, receive, serve_one
from PIL import Image
from sqlalchemy import select
from support import API, BIRTH_REGISTRATION

from queue_server.adapters import tables as t
from shared.vietqr import crc_ok, parse_tlv, read_payload


def set_fee(api, amount: int | None, user: str = "quanly", code: str = BIRTH_REGISTRATION, **body):
    return api.client.put(f"{API}/procedures/{code}/fee", headers=api.staff(user),
                          json={"amount_vnd": amount, **body})


def pay(api, code: str, method: str = "cash", user: str = "canbo.tt", **body):
    return api.client.post(f"{API}/dossiers/{code}/fee/payment", headers=api.staff(user),
                           json={"method": method, **body})


def test_a_procedure_fee_comes_from_the_catalog_until_a_manager_sets_it(api, wiring):
    catalog = api.client.get(f"{API}/procedures/{BIRTH_REGISTRATION}/fee").json()
    assert catalog["source"] == "catalog" and catalog["kind"] in ("free", "unknown", "amount")
    assert set_fee(api, 50000, user="canbo.tt").status_code == 403  # clerks do not set fees
    r = set_fee(api, 50000, note="Nghị quyết HĐND tỉnh")
    assert r.status_code == 200, r.text
    assert r.json() | {"catalog_text": ""} == {
        "procedure_code": BIRTH_REGISTRATION, "kind": "amount", "amount_vnd": 50000, "amount_text": "50.000 đồng",
        "source": "manager", "catalog_text": "", "note": "Nghị quyết HĐND tỉnh"}
    assert set_fee(api, 0).status_code == 422
    none = set_fee(api, None).json()
    assert (none["kind"], none["amount_text"]) == ("free", "Miễn phí")
    with wiring.engine.connect() as conn:
        logged = conn.execute(select(t.audit_log).where(t.audit_log.c.action == "PUT /api/v1/procedures/{code}/fee")
                              .order_by(t.audit_log.c.id)).all()
    assert [(e.username, e.outcome) for e in logged] == [("canbo.tt", "refused"), ("quanly", "ok"),
                                                        ("quanly", "refused"), ("quanly", "ok")]
    assert (logged[1].detail["fee_after"], logged[3].detail["fee_before"], logged[3].detail["fee_after"]) == (
        50000, 50000, None)


def test_the_receipt_slip_carries_a_vietqr_code_a_bank_app_reads(api, tmp_path: Path):
    set_fee(api, 50000)
    serve_one(api)
    dossier = receive(api)  # no fee_vnd: the procedure's structured fee
    fee = dossier["fee"]
    assert (fee["amount_vnd"], fee["status"], fee["payment_purpose"]) == (50000, "unpaid", dossier["code"])
    slip = api.client.get(f"{API}/dossiers/{dossier['code']}/receipt.pdf", headers=api.staff()).content
    text = pdf_text(slip)
    assert "Phí, lệ phí: 50.000 đồng (chưa nộp)" in text and "NỘP LỆ PHÍ BẰNG VIETQR" in text
    payloads = [r.text for png in pdf_pages_png(slip, tmp_path, "slip")
                for r in zxingcpp.read_barcodes(Image.open(png).convert("L")) if r.text.startswith("000201")]
    assert payloads == [fee["vietqr"]]
    scanned = payloads[0]
    root = parse_tlv(scanned)
    assert (root["00"], root["01"], root["53"], root["54"], root["58"]) == ("01", "12", "704", "50000", "VN")
    merchant = parse_tlv(root["38"])
    assert merchant["00"] == "A000000727" and merchant["02"] == "QRIBFTTA"
    assert parse_tlv(merchant["01"]) == {"00": "970436", "01": "0071000123456"}
    assert parse_tlv(root["62"]) == {"08": dossier["code"]} and crc_ok(scanned)
    assert read_payload(scanned).amount_vnd == 50000


def test_the_clerk_confirms_another_fee_or_none_and_can_correct_it_until_paid(api):
    serve_one(api)
    free = receive(api, fee_vnd=0)
    assert free["fee"] is None
    dossier = receive(api, fee_vnd=120000)
    assert dossier["fee"]["amount_text"] == "120.000 đồng"
    r = api.client.put(f"{API}/dossiers/{dossier['code']}/fee", headers=api.staff(), json={"amount_vnd": 100000})
    assert r.json()["amount_vnd"] == 100000
    assert pay(api, dossier["code"]).status_code == 200
    late = api.client.put(f"{API}/dossiers/{dossier['code']}/fee", headers=api.staff(), json={"amount_vnd": 1})
    assert late.status_code == 409 and late.json()["code"] == "fee_paid"
    assert pay(api, free["code"]).status_code == 404


def test_a_fee_is_paid_once_and_gets_a_numbered_receipt_in_vietnamese(api, tmp_path: Path):
    serve_one(api)
    first, second = receive(api, fee_vnd=50000), receive(api, fee_vnd=70000)
    r = pay(api, first["code"], "cash")
    assert r.status_code == 200, r.text
    paid = r.json()
    assert (paid["status"], paid["method"], paid["receipt_number"], paid["vietqr"]) == (
        "paid", "cash", "BL26-HUETT/0000001", None)
    again = pay(api, first["code"], "transfer", user="canbo.tt")
    assert again.status_code == 409 and again.json()["code"] == "fee_already_paid"
    assert "đã được thu lúc" in again.json()["message"] and "Nguyễn Văn An" in again.json()["message"]
    assert pay(api, second["code"], "transfer", bank_ref="FT26327001").json()["receipt_number"] == "BL26-HUETT/0000002"
    assert pay(api, second["code"], user="canbo.px").status_code == 403  # another site's dossier

    receipt = api.client.get(f"{API}/dossiers/{first['code']}/fee-receipt.pdf", headers=api.staff())
    assert receipt.status_code == 200
    pdf = tmp_path / "bien-lai.pdf"
    pdf.write_bytes(receipt.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text and "Ký hiệu: BL26-HUETT · Số: 0000001" in text
    assert "Số tiền: 50.000 đồng" in text and "Viết bằng chữ: Năm mươi nghìn đồng" in text
    assert "Hình thức thanh toán: Tiền mặt" in text and first["code"] in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVu" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])  # embedded
    slip = api.client.get(f"{API}/dossiers/{first['code']}/receipt.pdf", headers=api.staff()).content
    assert "Phí, lệ phí: 50.000 đồng (đã nộp, biên lai số BL26-HUETT/0000001)" in pdf_text(slip)


STATEMENT = """Ngày giao dịch;Số tham chiếu;Số tiền ghi có;Nội dung giao dịch
23/11/2026;FT001;50.000;HS {a} NOP LE PHI
23/11/2026;FT002;30.000;{b_compact} chuyen thieu
23/11/2026;FT003;90.000;Chuyen tien an uong
23/11/2026;FT004;-15.000;Phi SMS
23/11/2026;FT005;abc;{c}
"""


def test_a_bank_statement_marks_matching_transfers_paid_and_lists_the_rest(api, wiring):
    serve_one(api)
    a, b, c = receive(api, fee_vnd=50000), receive(api, fee_vnd=70000), receive(api, fee_vnd=20000)
    compact = "".join(ch for ch in b["code"] if ch.isalnum())
    csv_text = STATEMENT.format(a=a["code"], b_compact=compact, c=c["code"])

    def upload(content: str, user: str = "quanly"):
        return api.client.post(f"{API}/fees/statement", headers=api.staff(user),
                               files={"file": ("saoke.csv", content.encode("utf-8-sig"), "text/csv")})

    assert upload(csv_text, user="canbo.tt").status_code == 403
    r = upload(csv_text)
    assert r.status_code == 200, r.text
    result = r.json()
    outcomes = [(line["line"], line["outcome"], line["dossier_code"]) for line in result["lines"]]
    assert outcomes == [(2, "paid", a["code"]), (3, "partial", b["code"]), (4, "unknown", None),
                        (5, "skipped", None), (6, "invalid", None)]
    assert result["lines"][1]["message_vi"] == "Chuyển thiếu: 30.000 đồng trên 70.000 đồng."
    assert result["counts"] == {"paid": 1, "partial": 1, "unknown": 1, "skipped": 1, "invalid": 1}
    assert result["paid_vnd"] == 50000
    fee_a = api.client.get(f"{API}/dossiers/{a['code']}", headers=api.staff()).json()["fee"]
    assert (fee_a["status"], fee_a["method"]) == ("paid", "transfer")
    assert api.client.get(f"{API}/dossiers/{b['code']}", headers=api.staff()).json()["fee"]["status"] == "unpaid"

    again = upload(csv_text).json()  # the same statement twice marks nothing twice
    assert [line["outcome"] for line in again["lines"]][:2] == ["duplicate", "partial"]
    bad = upload("a,b\n1,2\n")
    assert bad.status_code == 422 and bad.json()["code"] == "statement_columns"

    report = api.client.get(f"{API}/fees/report", headers=api.staff("quanly"), params={"day": "2026-11-23"}).json()
    total = report["rows"][-1]
    assert total[:2] == ["Tổng · Total", ""]
    assert total[2:] == [3, 140000, 1, 0, 50000, 50000, 2, 90000]
    assert report["rows"][0][0] == "HUE-TT"
