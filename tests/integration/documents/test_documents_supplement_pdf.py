"""The supplement request (form 02): everything missing, each with its reason, on one form."""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import BAC_NINH_BIRTH_REGISTRATION
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, A5

from queue_server.documents import (
    SupplementItem,
    SupplementRequestData,
    render_supplement_request_pdf,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def request_data() -> SupplementRequestData:
    return SupplementRequestData(
        **BAC_NINH_BIRTH_REGISTRATION,
        items=[
            SupplementItem(
                "Giấy chứng sinh (bản chính)",
                "Hồ sơ mới có bản chụp; theo quy định phải nộp bản chính.",
            ),
            SupplementItem(
                "Văn bản ủy quyền có chứng thực",
                "Người đi đăng ký không phải cha, mẹ của trẻ.",
            ),
        ],
        issued_at=datetime(2026, 3, 10, 9, 50, tzinfo=VN),
        contact="Bộ phận Một cửa, số điện thoại 0222 3822 222",
    )


def test_supplement_request_lists_every_item_with_its_reason(
    request_data: SupplementRequestData, pypdf_text, poppler_text, rasterize
) -> None:
    pdf = render_supplement_request_pdf(request_data)
    rasterize(pdf, keep_as="supplement-A5")
    for text in (pypdf_text(pdf), poppler_text(pdf)):
        for expected in [
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Bắc Ninh, ngày 10 tháng 3 năm 2026",
            "Hồ sơ của: Nguyễn Thị Hường",
            "1. Giấy chứng sinh (bản chính) Lý do: Hồ sơ mới có bản chụp; theo quy định phải "
            "nộp bản chính.",
            "2. Văn bản ủy quyền có chứng thực Lý do: Người đi đăng ký không phải cha, mẹ của trẻ.",
            "liên hệ Bộ phận Một cửa, số điện thoại 0222 3822 222",
            "NGƯỜI HƯỚNG DẪN",
            "Trần Văn Bình",
        ]:
            assert expected in text, expected


@pytest.mark.parametrize(("page", "size"), [("A5", A5), ("A4", A4)])
def test_supplement_request_size_and_embedded_fonts(
    request_data: SupplementRequestData, page: str, size
) -> None:
    reader = PdfReader(io.BytesIO(render_supplement_request_pdf(request_data, page=page)))
    for pdf_page in reader.pages:
        assert (float(pdf_page.mediabox.width), float(pdf_page.mediabox.height)) == pytest.approx(
            size, abs=0.5
        )
        for font in pdf_page["/Resources"]["/Font"].values():
            assert "/FontFile2" in font.get_object()["/FontDescriptor"]


def test_a_dossier_code_is_shown_when_the_dossier_was_already_received(
    request_data: SupplementRequestData, pypdf_text
) -> None:
    without = pypdf_text(render_supplement_request_pdf(request_data))
    assert "Mã hồ sơ" not in without
    data = dataclasses.replace(request_data, dossier_code="000.00.01.H29-260310-0420")
    assert "Mã hồ sơ: 000.00.01.H29-260310-0420" in pypdf_text(render_supplement_request_pdf(data))


def test_a_request_with_nothing_missing_is_refused(request_data: SupplementRequestData) -> None:
    with pytest.raises(ValueError, match="missing"):
        render_supplement_request_pdf(dataclasses.replace(request_data, items=[]))
