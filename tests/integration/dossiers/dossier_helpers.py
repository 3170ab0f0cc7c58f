"""Helpers for the dossier API tests (fixtures are in conftest.py): a counter serving a citizen, a reception, legal
times set on the demo procedure, sample scanned files, PDFs read back."""

from __future__ import annotations

import io
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import update
from support import API, BIRTH_REGISTRATION, Api, FakeClock

from queue_server.adapters import tables as t

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SMALL_FILE_LIMIT = 200_000


def at_local(clock: FakeClock, year: int, month: int, day: int, hour: int, minute: int = 0) -> None:
    clock.now = datetime(year, month, day, hour, minute, tzinfo=VN)


def set_legal_time(wiring: Any, value: float | None, unit: str, code: str = BIRTH_REGISTRATION) -> None:
    with wiring.engine.begin() as conn:
        conn.execute(update(t.procedures).where(t.procedures.c.code == code)
                     .values(time_value=value, time_unit_vi=unit))


def serve_one(api: Api, counter_id: int = 1, user: str = "canbo.tt", site: str = "HUE-TT") -> dict[str, Any]:
    """A citizen with a birth-registration ticket, called and being served at the counter
    (whoever it served before is finished first)."""
    api.issue(site=site)
    api.ok(counter_id, "open", user=user)
    ticket = api.ok(counter_id, "call-next", {"finish_current": True}, user=user)
    api.ok(counter_id, "start", user=user)
    return ticket


def applicant(**overrides: Any) -> dict[str, Any]:
    return {"name": "Nguyễn Thị Hường", "id_kind": "citizen_id", "id_number": "046186012345",
            "phone": "0912 345 678", "address": "12 Lê Lợi, phường Thuận Hóa, thành phố Huế", **overrides}


DOCUMENTS = [
    {"name": "Tờ khai đăng ký khai sinh", "copies": 1, "form": "original"},
    {"name": "Giấy chứng sinh", "copies": 1, "form": "original"},
    {"name": "Căn cước của người đi đăng ký", "copies": 1, "form": "copy"},
]


def receive(api: Api, counter_id: int = 1, user: str = "canbo.tt", expect: int = 201, **body: Any) -> dict[str, Any]:
    payload = {"applicant": applicant(), "documents": DOCUMENTS, "notes": "", **body}
    r = api.client.post(f"{API}/counters/{counter_id}/dossiers", json=payload, headers=api.staff(user))
    assert r.status_code == expect, r.text
    return r.json()


# ---- sample files -----------------------------------------------------------------------
def image_bytes(fmt: str, size: tuple[int, int] = (60, 40), color: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
ELF_BYTES = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


# ---- PDFs read back ---------------------------------------------------------------------
def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pdf_pages_png(pdf: bytes, folder: Path, stem: str) -> list[Path]:
    """Pages at 150 dpi, as a phone camera meets the slip."""
    src = folder / f"{stem}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(src), str(folder / stem)], check=True,
                   capture_output=True, timeout=60)
    return sorted(folder.glob(f"{stem}-*.png"))
