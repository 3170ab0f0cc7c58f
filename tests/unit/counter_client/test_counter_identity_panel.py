"""The dossier screen's identity and payment panel without Kivy: a card scan fills the
applicant in one step (a malformed one changes nothing and says why in both languages),
stored documents are reused without a scan, the fee is confirmed, then paid once with its
receipt saved."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

from test_counter_dossier import Counter

from counter_client.dossier_presenter import Stage
from counter_client.dossier_viewmodel import dossier_view
from shared.cccd import SAMPLE_CARDS, format_card_qr
from shared.identity_protocol import CitizenDocumentOut, StoredPageOut
from shared.vietqr import read_payload

CARD = SAMPLE_CARDS["elderly"]
LINE = format_card_qr(CARD)
TODAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def stored_card_copy() -> CitizenDocumentOut:
    return CitizenDocumentOut(
        id=7, kind="Bản sao CCCD", issue_date=date(2021, 4, 20), valid_until=None, still_valid=True,
        source_dossier_code="000.00.01.H57-261001-0004", received_at=datetime(2026, 10, 1, 2, 0, tzinfo=UTC),
        site_name_vi="Trung tâm", expires_at=None,
        pages=[StoredPageOut(attachment_id=3, sha256="a" * 64, file_name="cccd.png", media_type="image/png", size=9)])


def test_a_card_scan_fills_the_applicant_in_one_step_and_offers_stored_documents(tmp_path: Path):
    async def scenario() -> None:
        c = Counter(tmp_path)
        c.fake.citizen_store[CARD.id_number] = [stored_card_copy()]
        d = await c.serving()
        d.set_field("phone", "0912 345 678")
        version = d.state.form_version
        assert d.identity.scanned(LINE + "\r\n", today=TODAY) is True
        await d.idle()
        form = d.state.form
        assert (form.name, form.id_number, form.birth_date, form.sex) == (
            "Nguyễn Văn Mẫu", "046060012345", date(1960, 5, 12), "Nam")
        assert form.address == CARD.address and form.phone == "0912 345 678"  # the phone is kept
        assert d.state.form_version == version + 1  # the screen reloads its fields
        assert d.state.notice.startswith("Đã điền thông tin từ CCCD của Nguyễn Văn Mẫu.")
        assert ("GET citizen documents", (1, "046060012345", "reception")) in c.fake.calls
        view = dossier_view(d).identity
        assert view.card_lines[1] == "Ngày sinh: 12/05/1960 · Giới tính: Nam"
        assert view.documents[0]["title"] == "Bản sao CCCD"
        assert view.documents[0]["detail"].startswith("từ hồ sơ 000.00.01.H57-261001-0004 (01/10/2026) · cấp 20/04/2021")
        d.set_field("name", "Nguyễn Văn Mẫu Sửa")  # the clerk corrects
        assert d.state.form.name == "Nguyễn Văn Mẫu Sửa"
    asyncio.run(scenario())


def test_a_malformed_scan_changes_nothing_and_says_why_in_both_languages(tmp_path: Path):
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        d.set_field("name", "Đã gõ tay")
        before = (d.state.form.name, d.state.form.id_number, d.state.form.address, d.state.form_version)
        for bad in (LINE.replace("12051960", "31021960"), LINE[:40], "ABCD-2345", "x" * 5000):
            assert d.identity.scanned(bad, today=TODAY) is False
            assert (d.state.form.name, d.state.form.id_number, d.state.form.address,
                    d.state.form_version) == before
            assert d.state.notice_error and "Không đọc được mã QR trên CCCD" in d.state.notice
            assert "Unreadable ID card QR" in d.state.notice
        assert not any(name == "GET citizen documents" for name, _ in c.fake.calls)
    asyncio.run(scenario())


def test_a_reused_document_is_received_by_reference_and_the_fee_confirmed_then_paid(tmp_path: Path):
    async def scenario() -> None:
        c = Counter(tmp_path)
        c.fake.citizen_store[CARD.id_number] = [stored_card_copy()]
        d = await c.serving()
        d.identity.open()
        await d.idle()
        assert d.identity.state.fee_text == "50000"  # the procedure's fee, to confirm
        d.identity.scanned(LINE, today=TODAY)
        await d.idle()
        assert d.identity.reuse(0) is True and d.identity.reuse(0) is False
        d.add_document("Tờ khai theo mẫu")
        (tmp_path / "to-khai.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 40)
        d.add_files([tmp_path / "to-khai.png"])
        assert d.state.form.file_lines == {tmp_path / "to-khai.png": 1}  # the scan goes with the new line
        d.identity.set_fee_text("abc")
        assert d.identity.confirm_fee() is False and "số đồng" in d.identity.state.fee_problem
        d.identity.set_fee_text("50.000")
        assert d.identity.confirm_fee() is True
        await c.key("ctrl+enter")
        assert d.state.stage is Stage.RECEIVED
        sent = next(body for name, body in c.fake.calls if name == "POST dossier")
        assert sent.fee_vnd == 50000 and sent.applicant.birth_date == date(1960, 5, 12)
        assert [(doc.name, doc.citizen_document_id) for doc in sent.documents] == [("Bản sao CCCD", 7),
                                                                                   ("Tờ khai theo mẫu", None)]
        view = dossier_view(d).identity
        assert view.can_pay and read_payload(view.vietqr).amount_vnd == 50000
        assert view.payment_lines[1] == f"Nội dung: {d.state.dossier.code}"
        d.identity.pay("cash")
        await d.idle()
        assert d.identity.state.fee.receipt_number == "BL26-HUETT/0000001"
        assert (tmp_path / "receipts" / f"bien-lai-{d.state.dossier.code}.pdf").exists()
        assert d.state.notice.startswith("Đã thu lệ phí 50.000 đồng (tiền mặt), biên lai số BL26-HUETT/0000001")
        view = dossier_view(d).identity
        assert view.paid and not view.can_pay and view.vietqr == ""
        assert d.identity.pay("cash") is None  # nothing to pay twice
    asyncio.run(scenario())


def test_a_fee_paid_meanwhile_at_another_counter_is_shown_as_paid(tmp_path: Path):
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        d.set_field("name", "Nguyễn Văn Bình")
        d.set_field("id_number", "046090001234")
        d.add_document("Tờ khai theo mẫu")
        await c.key("ctrl+enter")
        code = d.state.dossier.code
        await c.fake.pay_fee(code, "transfer")  # the statement import got there first
        d.identity.pay("cash")
        await d.idle()
        assert d.state.notice_error and d.state.notice == "Lệ phí đã được thu."
        assert d.identity.state.fee.status == "paid" and d.identity.state.fee.method == "transfer"
    asyncio.run(scenario())
