"""The receipt slip read back the way a citizen, a phone camera and a printer meet it."""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, A5

from queue_server.documents import ReceiptData, ReceivedDocument, render_receipt_pdf

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MM = 72 / 25.4
LONG_NAME = (
    "Đăng ký biến động đối với trường hợp thay đổi quyền sử dụng đất, quyền sở hữu tài sản "
    "gắn liền với đất theo thỏa thuận của các thành viên hộ gia đình hoặc của vợ và chồng; "
    "chuyển nhượng, thừa kế, tặng cho quyền sử dụng đất và tài sản gắn liền với đất; "
    "đính chính Giấy chứng nhận đã cấp do có sai sót thông tin; "
) * 4


@pytest.mark.parametrize("extract", ["pypdf", "pdftotext"])
def test_receipt_shows_applicant_code_times_and_pin(
    receipt: ReceiptData, extract: str, pypdf_text, poppler_text
) -> None:
    pdf = render_receipt_pdf(receipt)
    text = pypdf_text(pdf) if extract == "pypdf" else poppler_text(pdf)
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Nguyễn Thị Hường",
        "000.00.01.H29-260310-0420",
        "001186012345",
        "Thủ tục đăng ký khai sinh",
        "1. Tờ khai đăng ký khai sinh (bản chính) — số lượng: 01",
        "3. Giấy tờ tùy thân của người đi đăng ký (bản sao) — số lượng: 01",
        "09 giờ 42 phút, ngày 10 tháng 3 năm 2026",
        "Thời gian hẹn trả kết quả: thứ Sáu, ngày 13 tháng 3 năm 2026",
        "Mã PIN tra cứu: 4829 1375 0264",
        "Trần Văn Bình",
    ]:
        assert expected in text, expected


@pytest.mark.parametrize("page", ["A5", "A4"])
def test_receipt_qr_code_scans_to_the_lookup_url(
    receipt: ReceiptData, page: str, rasterize
) -> None:
    pages = rasterize(render_receipt_pdf(receipt, page=page), keep_as=f"receipt-{page}")
    assert len(pages) == 1
    with Image.open(pages[0]) as image:
        results = zxingcpp.read_barcodes(image)
    assert [(r.format, r.text) for r in results] == [
        (zxingcpp.BarcodeFormat.QRCode, receipt.lookup_url)
    ]


@pytest.mark.parametrize(("page", "size"), [("A5", A5), ("A4", A4)])
def test_receipt_has_the_requested_paper_size(receipt: ReceiptData, page: str, size) -> None:
    reader = PdfReader(io.BytesIO(render_receipt_pdf(receipt, page=page)))
    for pdf_page in reader.pages:
        box = pdf_page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(size, abs=0.5)


def test_every_font_is_embedded_so_accents_print_anywhere(receipt: ReceiptData) -> None:
    reader = PdfReader(io.BytesIO(render_receipt_pdf(receipt)))
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            seen.add(str(font["/BaseFont"]))
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
    assert any(name.endswith("+DejaVuSans") for name in seen)
    assert any(name.endswith("+DejaVuSans-Bold") for name in seen)


def test_an_1100_character_procedure_name_wraps_inside_the_page(
    receipt: ReceiptData, word_boxes, rasterize, pypdf_text
) -> None:
    name = LONG_NAME[:1100]
    long_url = "https://dichvucong.bacninh.gov.vn/tra-cuu/" + "a1b2c3d4" * 15
    data = dataclasses.replace(
        receipt,
        procedure_name=name,
        lookup_url=long_url,
        documents=[
            ReceivedDocument(f"Giấy tờ kèm theo số {i}", 2, "Bản sao") for i in range(1, 13)
        ],
    )
    pdf = render_receipt_pdf(data, page="A5")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    text = pypdf_text(pdf)
    assert " ".join(name.split()) in text
    assert "12. Giấy tờ kèm theo số 12 (bản sao) — số lượng: 02" in text

    # Side margins are 10 mm; nothing, not even the footer, comes within 5 mm of an edge,
    # where office printers cannot print.
    side, printable = 10 * MM - 1, 5 * MM
    boxes = word_boxes(pdf)
    assert boxes
    for word in boxes:
        assert (word["w"], word["h"]) == pytest.approx(A5, abs=0.5)
        assert side <= word["x0"] and word["x1"] <= word["w"] - side, word
        assert printable <= word["y0"] and word["y1"] <= word["h"] - printable, word

    pages = rasterize(pdf, keep_as="receipt-long-A5")
    qr_pages = []
    for png in pages:
        with Image.open(png) as image:
            qr_pages += [r.text for r in zxingcpp.read_barcodes(image)]
    assert qr_pages == [long_url]


def test_user_text_is_printed_literally_and_in_composed_form(
    receipt: ReceiptData, pypdf_text
) -> None:
    decomposed = unicodedata.normalize("NFD", "Công ty TNHH Hải Đăng & Cộng sự <Việt Nam>")
    data = dataclasses.replace(receipt, applicant_name=decomposed)
    text = pypdf_text(render_receipt_pdf(data))
    assert "Công ty TNHH Hải Đăng & Cộng sự <Việt Nam>" in text


def test_an_hour_based_appointment_shows_its_hour(receipt: ReceiptData, pypdf_text) -> None:
    data = dataclasses.replace(receipt, due=datetime(2026, 3, 10, 3, 0, tzinfo=ZoneInfo("UTC")))
    text = pypdf_text(render_receipt_pdf(data))
    assert "10 giờ 00 phút, thứ Ba, ngày 10 tháng 3 năm 2026" in text


def test_without_a_legal_time_the_appointment_is_left_for_the_clerk_to_write(
    receipt: ReceiptData, pypdf_text
) -> None:
    text = pypdf_text(render_receipt_pdf(dataclasses.replace(receipt, due=None)))
    assert "Thời gian hẹn trả kết quả: giờ ...... phút ......, ngày ......" in text


def test_bad_arguments_are_refused(receipt: ReceiptData) -> None:
    with pytest.raises(ValueError, match="page"):
        render_receipt_pdf(receipt, page="Letter")
    with pytest.raises(ValueError, match="aware"):
        render_receipt_pdf(dataclasses.replace(receipt, received_at=datetime(2026, 3, 10, 9)))
    with pytest.raises(ValueError, match="lookup URL"):
        render_receipt_pdf(dataclasses.replace(receipt, lookup_url=" "))
