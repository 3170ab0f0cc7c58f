"""Forms after the counter (Circular 03/2025/TT-VPCP): refusal (03), apology with a new date
(04), stop notice (05), control slip (06, A5 with its QR code) and tracking book (07, A4 sideways, and XLSX).
Every field is read back with pdftotext and pypdf, the fonts are embedded, and page 1 of
each is kept as a PNG under test-artifacts/documents/ for a person to look at."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from conftest import poppler
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, A5, landscape

from queue_server.documents import (
    ApologyData,
    BookLine,
    ControlSlipData,
    HandoffLine,
    RefusalData,
    StopNoticeData,
    TrackingBookData,
    render_apology_pdf,
    render_control_slip_pdf,
    render_refusal_pdf,
    render_stop_notice_pdf,
    render_tracking_book_pdf,
    render_tracking_book_xlsx,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "000.00.01.H57-270128-0007"
URL = f"http://127.0.0.1:8000/d/{CODE}"
CENTER = "Trung tâm Phục vụ hành chính công thành phố Huế"
WARD = "Ủy ban nhân dân phường Thuận Hóa"


def _raw(pdf: bytes, write_pdf) -> str:  # noqa: ANN001
    """pdftotext in content-stream order: a table reads cell by cell (the layout order
    interleaves the lines of neighbouring cells)."""
    path = write_pdf(pdf, "raw")
    out = subprocess.run([poppler("pdftotext"), "-raw", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True, timeout=60).stdout.decode()
    return " ".join(out.split())


def _fonts(pdf: bytes, write_pdf) -> str:  # noqa: ANN001
    path = write_pdf(pdf, "fonts")
    return subprocess.run([poppler("pdffonts"), str(path)], check=True, capture_output=True, text=True).stdout


def _check_fonts(pdf: bytes, write_pdf) -> None:  # noqa: ANN001
    lines = _fonts(pdf, write_pdf).splitlines()[2:]
    assert lines and all("DejaVu" in line and " yes " in line for line in lines), lines  # embedded, subset


def _size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width), float(box.height)


@pytest.fixture
def check_a5_form(pypdf_text, poppler_text, rasterize, write_pdf) -> Callable[[bytes, str, Sequence[str]], None]:  # noqa: ANN001
    """What every A5 letter must be: A5, its fonts embedded, page 1 kept as a PNG under
    `keep_as`, and each expected line read back by both pypdf and pdftotext."""

    def check(pdf: bytes, keep_as: str, expected: Sequence[str]) -> None:
        assert _size(pdf) == pytest.approx(A5, abs=1)
        _check_fonts(pdf, write_pdf)
        rasterize(pdf, keep_as=keep_as)
        for text in (pypdf_text(pdf), poppler_text(pdf)):
            for line in expected:
                assert line in text, line

    return check


def test_refusal_form_03_says_every_reason(check_a5_form) -> None:  # noqa: ANN001
    pdf = render_refusal_pdf(RefusalData(
        unit_name=WARD, governing_body="UBND THÀNH PHỐ HUẾ", place_name="Huế", dossier_code=CODE,
        applicant_name="Nguyễn Thị Hường", address="12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
        phone="0912 345 678", email="huong@example.vn", procedure_name="Thủ tục đăng ký khai sinh",
        reasons=["Trẻ đã được đăng ký khai sinh tại UBND xã Phú Vinh ngày 12/01/2027",
                 "Người đi đăng ký không phải cha, mẹ hoặc người được ủy quyền"],
        officer_name="Ngô Văn Phúc", received_at=datetime(2027, 1, 28, 15, 20, tzinfo=VN),
        issued_at=datetime(2027, 1, 29, 10, 5, tzinfo=VN), signer_title="NGƯỜI XỬ LÝ HỒ SƠ"))
    check_a5_form(pdf, "form03-refusal-A5", (
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", f"Mã hồ sơ: {CODE}", "UBND THÀNH PHỐ HUẾ",
        "Huế, ngày 29 tháng 01 năm 2027", "Ông/Bà: Nguyễn Thị Hường",
        "Địa chỉ: 12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
        "Số điện thoại: 0912 345 678 Email: huong@example.vn",
        "Nội dung yêu cầu giải quyết: Thủ tục đăng ký khai sinh",
        "Thời gian tiếp nhận: 15 giờ 20 phút, ngày 28 tháng 01 năm 2027",
        "1. Trẻ đã được đăng ký khai sinh tại UBND xã Phú Vinh ngày 12/01/2027",
        "2. Người đi đăng ký không phải cha, mẹ hoặc người được ủy quyền",
        "Xin thông báo để Ông/Bà được biết và thực hiện./.", "NGƯỜI XỬ LÝ HỒ SƠ", "Ngô Văn Phúc"))
    with pytest.raises(ValueError):
        render_refusal_pdf(RefusalData(WARD, CODE, "A", "B", [" "], "C", datetime(2027, 1, 1, tzinfo=VN),
                                       datetime(2027, 1, 1, tzinfo=VN)))


def test_apology_form_04_gives_the_reason_and_the_new_date(check_a5_form) -> None:  # noqa: ANN001
    data = ApologyData(
        agency_name=WARD, receiving_unit=CENTER, governing_body="UBND THÀNH PHỐ HUẾ", place_name="Huế",
        dossier_code=CODE, applicant_name="Nguyễn Thị Hường", address="12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
        procedure_name="Thủ tục đăng ký khai sinh", received_at=datetime(2027, 3, 8, 9, 0, tzinfo=VN),
        due=date(2027, 3, 10), new_due=date(2027, 3, 15), reason="Cần xác minh thông tin nơi sinh với Bệnh viện "
        "Trung ương Huế", issued_at=datetime(2027, 3, 11, 8, 30, tzinfo=VN), head_name="Hoàng Minh Tuấn",
        lookup_url=URL)
    pdf = render_apology_pdf(data)
    check_a5_form(pdf, "form04-apology-A5", (
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", f"Mã hồ sơ: {CODE}",
        "Kính gửi: Ông/Bà Nguyễn Thị Hường", "Huế, ngày 11 tháng 3 năm 2027",
        f"Vào 09 giờ 00 phút, ngày 08 tháng 3 năm 2027, {CENTER} đã tiếp nhận hồ sơ của Ông/Bà",
        "Nội dung yêu cầu giải quyết: Thủ tục đăng ký khai sinh",
        "Thời hạn trả kết quả đã hẹn: thứ Tư, ngày 10 tháng 3 năm 2027",
        f"Đến nay, {WARD} chưa giải quyết xong hồ sơ của Ông/Bà",
        "Lý do: Cần xác minh thông tin nơi sinh với Bệnh viện Trung ương Huế",
        "trân trọng xin lỗi Ông/Bà", "thứ Hai, ngày 15 tháng 3 năm 2027", URL,
        "THỦ TRƯỞNG CƠ QUAN", "Hoàng Minh Tuấn"))
    with pytest.raises(ValueError):
        render_apology_pdf(ApologyData(**{**data.__dict__, "new_due": date(2027, 3, 10)}))


def test_stop_notice_form_05_gives_the_reason_and_the_legal_basis(check_a5_form) -> None:  # noqa: ANN001
    data = StopNoticeData(
        unit_name=WARD, receiving_unit=CENTER, governing_body="UBND THÀNH PHỐ HUẾ", place_name="Huế",
        dossier_code=CODE, applicant_name="Nguyễn Thị Hường", address="12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
        phone="0912 345 678", email="huong@example.vn", procedure_name="Thủ tục đăng ký khai sinh",
        ground="Dừng giải quyết theo quy định của pháp luật",
        reason="Trẻ đã được đăng ký khai sinh tại UBND xã Phú Vinh ngày 12/01/2027",
        legal_basis="Khoản 1 Điều 16 Luật Hộ tịch 2014", officer_name="Ngô Văn Phúc",
        received_at=datetime(2027, 1, 28, 15, 20, tzinfo=VN), issued_at=datetime(2027, 2, 1, 9, 45, tzinfo=VN),
        signer_title="NGƯỜI XỬ LÝ HỒ SƠ")
    pdf = render_stop_notice_pdf(data)
    check_a5_form(pdf, "form05-stop-notice-A5", (
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", f"Mã hồ sơ: {CODE}", "UBND THÀNH PHỐ HUẾ",
        "Huế, ngày 01 tháng 02 năm 2027", "Kính gửi: Ông/Bà Nguyễn Thị Hường",
        "Địa chỉ: 12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
        "Số điện thoại: 0912 345 678 Email: huong@example.vn",
        f"Vào 15 giờ 20 phút, ngày 28 tháng 01 năm 2027, {CENTER} đã tiếp nhận hồ sơ của Ông/Bà",
        "Nội dung yêu cầu giải quyết: Thủ tục đăng ký khai sinh",
        f"{WARD} thông báo dừng giải quyết hồ sơ nêu trên kể từ 09 giờ 45 phút, ngày 01 tháng 02 "
        "năm 2027", "Căn cứ dừng giải quyết: Dừng giải quyết theo quy định của pháp luật",
        "Lý do: Trẻ đã được đăng ký khai sinh tại UBND xã Phú Vinh ngày 12/01/2027",
        "Căn cứ pháp lý: Khoản 1 Điều 16 Luật Hộ tịch 2014", "Ông/Bà có thể nộp lại hồ sơ",
        "NGƯỜI XỬ LÝ HỒ SƠ", "Ngô Văn Phúc"))
    for missing in ({"reason": " "}, {"legal_basis": ""}):
        with pytest.raises(ValueError):
            render_stop_notice_pdf(StopNoticeData(**{**data.__dict__, **missing}))


def test_control_slip_form_06_lists_every_hand_off_with_its_qr(pypdf_text, poppler_text, rasterize, write_pdf) -> None:
    lines = [
        HandoffLine(f"{CENTER} (Nguyễn Văn An)", WARD, datetime(2027, 1, 29, 8, 30, tzinfo=VN), "Đúng hạn"),
        HandoffLine(WARD, "Ngô Văn Phúc", datetime(2027, 1, 29, 8, 50, tzinfo=VN), "Trước hạn"),
        HandoffLine(f"{WARD} (Ngô Văn Phúc)", CENTER, datetime(2027, 1, 29, 10, 50, tzinfo=VN), "Trước hạn",
                    "Yêu cầu bổ sung: giấy chứng sinh bản chính"),
        HandoffLine("Nguyễn Thị Hường", CENTER, datetime(2027, 2, 3, 10, 0, tzinfo=VN), ""),
        HandoffLine(f"{WARD} (Ngô Văn Phúc)", CENTER, datetime(2027, 2, 11, 14, 0, tzinfo=VN), "Trước hạn"),
        HandoffLine(CENTER, "Nguyễn Thị Hường", datetime(2027, 2, 12, 9, 0, tzinfo=VN), ""),
    ]
    pdf = render_control_slip_pdf(ControlSlipData(
        unit_name=CENTER, governing_body="UBND THÀNH PHỐ HUẾ", place_name="Huế", dossier_code=CODE,
        applicant_name="Nguyễn Thị Hường", procedure_name="Thủ tục đăng ký khai sinh", agency_name=WARD,
        received_at=datetime(2027, 1, 28, 15, 20, tzinfo=VN), due=date(2027, 2, 12), new_due=None, handoffs=lines,
        lookup_url=URL, issued_at=datetime(2027, 2, 12, 9, 5, tzinfo=VN)))
    assert _size(pdf) == pytest.approx(A5, abs=1)
    _check_fonts(pdf, write_pdf)
    page = rasterize(pdf, keep_as="form06-control-slip-A5")[0]
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    for text in (pypdf_text(pdf), _raw(pdf, write_pdf)):
        for expected in ("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", f"Mã hồ sơ: {CODE}",
                         "Kèm theo hồ sơ của: Nguyễn Thị Hường", f"Cơ quan (bộ phận) giải quyết hồ sơ: {WARD}",
                         "Cơ quan phối hợp giải quyết hồ sơ: —",
                         "Thời gian nhận hồ sơ: 15 giờ 20 phút, ngày 28/01/2027",
                         "Thời hạn trả kết quả: thứ Sáu, ngày 12 tháng 02 năm 2027", "TÊN CƠ QUAN",
                         "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ", "GHI CHÚ",
                         "1. Giao:", "Nhận: Ủy ban nhân dân phường Thuận Hóa", "08 giờ 30 phút, ngày 29/01/2027",
                         "Đúng hạn", "Trước hạn", "6. Giao:", "Nhận: Nguyễn Thị Hường", URL):
            assert expected in text, expected
    # The QR code, read from the page at 150 dpi, leads to the dossier's page.
    with Image.open(page) as image:
        assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == [URL]


def _book(lines: int) -> TrackingBookData:
    rows = [BookLine(
        dossier_code=f"000.00.01.H57-270301-{n:04d}", procedure_name="Thủ tục đăng ký khai sinh" if n % 2
        else "Cấp bản sao trích lục hộ tịch", sets=1, applicant_name=f"Trần Văn Khách {n}",
        address_phone=f"{n} Lê Lợi, Huế · 0912 000 {n:03d}", agency_name=WARD, received=date(2027, 3, 1),
        due=date(2027, 3, 4), forwarded=date(2027, 3, 1), result_back=date(2027, 3, 3) if n % 3 else None,
        returned=date(2027, 3, 4) if n % 3 else None, note="Quá hạn, đã xin lỗi" if n == 3 else "")
        for n in range(1, lines + 1)]
    return TrackingBookData(unit_name=CENTER, governing_body="UBND THÀNH PHỐ HUẾ", place_name="Huế",
                            start=date(2027, 3, 1), end=date(2027, 3, 31), lines=rows,
                            issued_at=datetime(2027, 4, 1, 8, 0, tzinfo=VN))


def test_tracking_book_form_07_is_a4_sideways_and_xlsx(pypdf_text, poppler_text, rasterize, write_pdf) -> None:
    data = _book(40)
    pdf = render_tracking_book_pdf(data)
    reader = PdfReader(io.BytesIO(pdf))
    assert _size(pdf) == pytest.approx(landscape(A4), abs=1) and len(reader.pages) >= 2
    _check_fonts(pdf, write_pdf)
    rasterize(pdf, keep_as="form07-tracking-book-A4")
    text = _raw(pdf, write_pdf)
    for expected in ("SỔ THEO DÕI HỒ SƠ", "Từ ngày 01 tháng 3 năm 2027 đến ngày 31 tháng 3 năm 2027", "STT",
                     "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức",
                     "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết", "Ngày, tháng, năm", "Nhận hồ sơ",
                     "Hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết", "Nhận kết quả từ cơ quan giải quyết",
                     "Trả kết quả cho cá nhân, tổ chức", "Ký nhận", "Ghi chú", "000.00.01.H57-270301-0040",
                     "Quá hạn, đã xin lỗi", "Tổng số: 40 hồ sơ."):
        assert expected in text, expected
    # The headings repeat on the second page.
    second = reader.pages[1].extract_text()
    assert "Mã hồ sơ" in second and "Trang 2/" in second

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(render_tracking_book_xlsx(data))).active
    assert sheet["A1"].value == f"SỔ THEO DÕI HỒ SƠ — {CENTER}"
    assert [c.value for c in sheet[3]][:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    first = [c.value for c in sheet[4]]
    assert first[1] == "000.00.01.H57-270301-0001" and first[7].date() == date(2027, 3, 1)
    assert first[10].date() == date(2027, 3, 3) and sheet.max_row == 43
    assert [c.value for c in sheet[6]][10] is None  # dossier 3: no result yet
