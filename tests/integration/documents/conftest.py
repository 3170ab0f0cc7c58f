"""Helpers to read rendered PDFs back as a person would: text (pypdf and poppler), word
positions, and pages rasterized at a phone-camera-like 150 dpi."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from support import keep_artifact

from queue_server.documents import ReceiptData, ReceivedDocument

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "documents"
LOOKUP_URL = "https://dichvucong.bacninh.gov.vn/tra-cuu/ho-so?ma=000.00.01.H29-260310-0420"



def poppler(tool: str) -> str:
    # Fail, not skip: a skipped check of the printed slip would go unnoticed.
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: install poppler-utils (apt-get install poppler-utils)")
    return path


def squash(text: str) -> str:
    """NFC, whitespace folded: wrapped lines read as one sentence."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def pypdf_text() -> Callable[[bytes], str]:
    def extract(pdf: bytes) -> str:
        reader = PdfReader(io.BytesIO(pdf))
        return squash(" ".join(page.extract_text() for page in reader.pages))

    return extract


@pytest.fixture
def write_pdf(tmp_path: Path) -> Callable[[bytes, str], Path]:
    def write(pdf: bytes, name: str = "doc") -> Path:
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        return path

    return write


@pytest.fixture
def poppler_text(write_pdf: Callable[[bytes, str], Path]) -> Callable[[bytes], str]:
    def extract(pdf: bytes) -> str:
        path = write_pdf(pdf, "text")
        out = subprocess.run(
            [poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"],
            check=True, capture_output=True, timeout=60,
        ).stdout.decode()
        return squash(out)

    return extract


@pytest.fixture
def word_boxes(write_pdf: Callable[[bytes, str], Path]) -> Callable[[bytes], list[dict]]:
    """Every word with its page size and bounding box, in points."""

    def boxes(pdf: bytes) -> list[dict]:
        path = write_pdf(pdf, "bbox")
        html = subprocess.run(
            [poppler("pdftotext"), "-bbox", "-enc", "UTF-8", str(path), "-"],
            check=True, capture_output=True, timeout=60,
        ).stdout.decode()
        words = []
        pages = re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)
        for page in pages:
            width, height = float(page[1]), float(page[2])
            for word in re.finditer(
                r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" '
                r'yMax="([\d.-]+)">(.*?)</word>',
                page[3],
            ):
                x0, y0, x1, y1 = map(float, word.groups()[:4])
                words.append(
                    {"w": width, "h": height, "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                     "text": word[5]}
                )
        return words

    return boxes


@pytest.fixture
def rasterize(tmp_path: Path) -> Callable[..., list[Path]]:
    """PNG pages at 150 dpi; with `keep_as`, also copied to test-artifacts/documents/
    for a person to look at."""

    def run(pdf: bytes, keep_as: str | None = None) -> list[Path]:
        stem = keep_as or "page"
        src = tmp_path / f"{stem}.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            [poppler("pdftoppm"), "-r", "150", "-png", str(src), str(tmp_path / stem)],
            check=True, capture_output=True, timeout=120,
        )
        pages = sorted(tmp_path.glob(f"{stem}-*.png"))
        if keep_as:
            for old in ARTIFACTS.glob(f"{stem}-*.png"):
                old.unlink(missing_ok=True)  # the other database's run may have just removed it
            for page in pages:
                keep_artifact(page, ARTIFACTS / page.name)
        return pages

    return run


# The one-stop desk and the citizen every form test of this folder writes to.
BAC_NINH_BIRTH_REGISTRATION = {
    "governing_body": "UBND tỉnh Bắc Ninh",
    "unit_name": "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh",
    "place_name": "Bắc Ninh",
    "applicant_name": "Nguyễn Thị Hường",
    "phone": "0912 345 678",
    "address": "Số 12, ngõ 34 phố Nguyễn Trãi, phường Thanh Xuân, thành phố Hà Nội",
    "procedure_name": "Thủ tục đăng ký khai sinh",
    "officer_name": "Trần Văn Bình",
}


@pytest.fixture
def receipt() -> ReceiptData:
    return ReceiptData(
        **BAC_NINH_BIRTH_REGISTRATION,
        dossier_code="000.00.01.H29-260310-0420",
        applicant_id="001186012345",
        procedure_code="1.001193",
        documents=[
            ReceivedDocument("Tờ khai đăng ký khai sinh", 1, "Bản chính"),
            ReceivedDocument("Giấy chứng sinh", 1, "Bản chính"),
            ReceivedDocument("Giấy tờ tùy thân của người đi đăng ký", 1, "Bản sao"),
        ],
        received_at=datetime(2026, 3, 10, 9, 42, tzinfo=VN),
        due=date(2026, 3, 13),
        legal_time="03 ngày làm việc",
        result_delivery="Tại Bộ phận Một cửa",
        lookup_pin="482913750264",
        lookup_url=LOOKUP_URL,
    )
