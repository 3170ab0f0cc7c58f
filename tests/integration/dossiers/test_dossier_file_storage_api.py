"""Digitized files through the API: stored once by SHA-256, type judged by content, size
limits, names that try to escape the storage folder, and safe downloads.

Storage does not depend on the database, so these run on SQLite only."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from dossier_helpers import (
    ELF_BYTES,
    EXE_BYTES,
    PDF_BYTES,
    SMALL_FILE_LIMIT,
    image_bytes,
    receive,
    serve_one,
)
from sqlalchemy import func, select
from support import API

from queue_server.adapters import tables as t


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def dossier(api) -> dict:
    serve_one(api)
    return receive(api)


def upload(api, code: str, files: list[tuple[str, bytes, str]], user: str = "canbo.tt", **form: str):
    return api.client.post(
        f"{API}/dossiers/{code}/files", headers=api.staff(user), data=form,
        files=[("files", (name, content, ctype)) for name, content, ctype in files],
    )


def stored_paths(storage: Path) -> list[Path]:
    return sorted(p for p in storage.rglob("*") if p.is_file())


def test_the_same_scan_twice_is_stored_once_and_linked_twice(api, wiring, dossier, storage) -> None:
    page = image_bytes("PNG")
    first = upload(api, dossier["code"], [("trang-1.png", page, "image/png")], document_index="1")
    assert first.status_code == 201, first.text
    second = upload(api, dossier["code"], [("trang-1 (bản 2).png", page, "image/png"),
                                           ("to-khai.pdf", PDF_BYTES, "application/pdf")])
    assert second.status_code == 201, second.text

    digest = hashlib.sha256(page).hexdigest()
    [a] = first.json()
    assert (a["sha256"], a["media_type"], a["size"], a["already_stored"]) == (digest, "image/png", len(page), False)
    assert a["document_index"] == 1 and a["file_name"] == "trang-1.png"
    again, pdf = second.json()
    assert again["sha256"] == digest and again["already_stored"] is True and again["id"] != a["id"]
    assert pdf["media_type"] == "application/pdf"
    # On disk: one file per distinct content, named by its digest only.
    assert [p.name for p in stored_paths(storage) if "incoming" not in p.parts] == sorted(
        [digest, hashlib.sha256(PDF_BYTES).hexdigest()])
    assert (storage / digest[:2] / digest[2:4] / digest).read_bytes() == page
    assert not any((storage / "incoming").iterdir())  # no half-written leftovers
    with wiring.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.stored_files)).scalar_one() == 2
        assert conn.execute(select(func.count()).select_from(t.dossier_attachments)).scalar_one() == 3

    dossier_now = api.client.get(f"{API}/dossiers/{dossier['code']}", headers=api.staff()).json()
    assert [x["file_name"] for x in dossier_now["attachments"]] == ["trang-1.png", "trang-1 (bản 2).png", "to-khai.pdf"]
    assert dossier_now["history"][-1]["action"] == "digitize"


ACCEPTED = [
    (image_bytes("JPEG"), "image/jpeg", "jpg"), (image_bytes("TIFF"), "image/tiff", "tif"),
    (image_bytes("PNG"), "image/png", "png"), (PDF_BYTES, "application/pdf", "pdf"),
]
REFUSED = [
    ("ho-so.pdf", EXE_BYTES),  # a Windows program named as a PDF
    ("giay-to.pdf", ELF_BYTES),  # a Linux program
    ("anh.png", image_bytes("GIF")),  # a real image, of a type not accepted
    ("ghi-chu.pdf", "Tờ khai đăng ký khai sinh".encode()),
    ("script.jpg", b"<script>alert(1)</script>"),
]


def test_each_accepted_type_is_recognised_by_its_bytes_whatever_its_name(api, dossier) -> None:
    for content, media_type, extension in ACCEPTED:
        r = upload(api, dossier["code"], [("scan.bin", content, "application/octet-stream")])
        assert r.status_code == 201, r.text
        assert (r.json()[0]["media_type"], r.json()[0]["file_name"]) == (media_type, f"scan.{extension}")


def test_programs_and_other_types_are_refused_whatever_they_are_called(api, dossier, storage) -> None:
    for name, content in REFUSED:
        r = upload(api, dossier["code"], [(name, content, "application/pdf")])
        assert r.status_code == 415, (name, r.text)
        assert r.json()["code"] == "unsupported_file_type" and "PDF, JPEG, PNG" in r.json()["message"]
    assert stored_paths(storage) == []


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(api, dossier, storage) -> None:
    big = PDF_BYTES + b"0" * SMALL_FILE_LIMIT
    r = upload(api, dossier["code"], [("day-du.pdf", big, "application/pdf")])
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"
    assert "MB" in r.json()["message"]
    assert stored_paths(storage) == []
    empty = upload(api, dossier["code"], [("rong.pdf", b"", "application/pdf")])
    assert empty.status_code == 422 and empty.json()["code"] == "empty_file"


def test_a_request_over_the_upload_limit_is_refused_before_it_is_read(api, dossier) -> None:
    parts = [(f"p{i}.pdf", PDF_BYTES + b" " * (SMALL_FILE_LIMIT - 200), "application/pdf") for i in range(5)]
    r = upload(api, dossier["code"], parts)
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_one_bad_file_in_a_batch_attaches_none_of_them(api, dossier) -> None:
    r = upload(api, dossier["code"], [("1.pdf", PDF_BYTES, "application/pdf"), ("2.pdf", EXE_BYTES, "application/pdf")])
    assert r.status_code == 415
    assert api.client.get(f"{API}/dossiers/{dossier['code']}", headers=api.staff()).json()["attachments"] == []


NAMES = [
    ("../../etc/passwd", "passwd.png"),
    ("..\\..\\x.pdf", "x.png"),
    ("/var/lib/motcua/files/ab/cd/evil.png", "evil.png"),
    ("C:\\Users\\canbo\\Scan 01.PNG", "Scan 01.png"),
    ("..", "{code}-1.png"),
    ("Giấy khai sinh – bản chính.png", "Giấy khai sinh – bản chính.png"),
]


def test_file_names_never_become_paths(api, dossier, storage, tmp_path) -> None:
    page = image_bytes("PNG", color="white")
    digest = hashlib.sha256(page).hexdigest()
    for client_name, shown in NAMES:
        r = upload(api, dossier["code"], [(client_name, page, "image/png")])
        assert r.status_code == 201, r.text
        assert r.json()[0]["file_name"] == shown.format(code=dossier["code"]), client_name
    # The only file written is the content under its digest, inside the storage folder.
    assert stored_paths(storage) == [storage / digest[:2] / digest[2:4] / digest]
    assert not (tmp_path / "etc").exists() and not (tmp_path / "x.pdf").exists()


def test_staff_download_an_attachment_as_a_file_with_a_safe_type(api, dossier) -> None:
    page = image_bytes("JPEG")
    [a] = upload(api, dossier["code"], [("Ảnh CCCD.jpg", page, "text/html")]).json()
    r = api.client.get(f"{API}{a['download_path']}", headers=api.staff())
    assert r.status_code == 200
    assert r.content == page
    assert r.headers["content-type"] == "image/jpeg"  # sniffed, not what the client claimed
    assert r.headers["content-disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E1%BA%A2nh%20CCCD.jpg" in r.headers["content-disposition"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    # Other sites' staff and citizens cannot fetch it; unknown ids are 404.
    assert api.client.get(f"{API}{a['download_path']}", headers=api.staff("canbo.px")).status_code == 403
    assert api.client.get(f"{API}{a['download_path']}").status_code == 401
    assert api.client.get(f"{API}/dossiers/{dossier['code']}/files/999", headers=api.staff()).status_code == 404


def test_uploads_need_a_file_a_known_dossier_and_the_right_site(api, dossier) -> None:
    page = [("a.png", image_bytes("PNG"), "image/png")]
    assert upload(api, "000.00.01.H57-261123-9999", page).status_code == 404
    assert upload(api, dossier["code"], page, user="canbo.px").status_code == 403
    none = api.client.post(f"{API}/dossiers/{dossier['code']}/files", headers=api.staff(), data={"x": "1"})
    assert none.status_code == 422 and none.json()["code"] == "no_files"
    bad_index = upload(api, dossier["code"], page, document_index="7")
    assert bad_index.status_code == 422 and bad_index.json()["code"] == "no_such_document"
    assert upload(api, dossier["code"], page, document_index="9" * 5000).status_code == 422
    too_many = upload(api, dossier["code"], page * 6)  # the test limit is 5 a request
    assert too_many.status_code == 422 and too_many.json()["code"] == "bad_upload"
    not_multipart = api.client.post(f"{API}/dossiers/{dossier['code']}/files", headers=api.staff(), json={"a": 1})
    assert not_multipart.status_code == 422 and not_multipart.json()["code"] in ("no_files", "bad_upload")
