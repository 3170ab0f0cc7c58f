"""The content-addressed file store on its own: sniffing, digests as the only paths,
dedup, limits, and names made safe to show."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

import pytest

from queue_server.adapters.file_store import (
    EmptyFile,
    FileStore,
    FileTooLarge,
    UnsupportedFileType,
    clean_name,
    display_name,
    sniff_media_type,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize(("head", "media_type"), [
    (b"%PDF-1.4", "application/pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
    (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
    (b"MZ\x90\x00", None),  # Windows executable
    (b"\x7fELF\x02", None),  # Linux executable
    (b"#!/bin/sh\n", None),
    (b"GIF89a", None),
    (b"PK\x03\x04", None),  # zip, docx
    (b"II+\x00", None),  # BigTIFF: not accepted
    (b" %PDF-1.4", None),  # the signature must start the file
    (b"", None),
])
def test_the_type_comes_from_the_first_bytes(head: bytes, media_type: str | None) -> None:
    assert sniff_media_type(head) == media_type


def test_the_same_bytes_are_stored_once_under_their_digest(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_file_bytes=1000)
    first = store.put(io.BytesIO(PDF))
    second = store.put(io.BytesIO(PDF))
    sha = hashlib.sha256(PDF).hexdigest()
    assert (first.sha256, first.size, first.media_type, first.already_stored) == (sha, len(PDF), "application/pdf", False)
    assert second.already_stored is True
    assert files_in(tmp_path) == [tmp_path / sha[:2] / sha[2:4] / sha]
    with store.open(sha) as f:
        assert f.read() == PDF


def test_concurrent_writers_of_the_same_scan_leave_one_intact_file(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_file_bytes=10_000_000)
    content = PDF + bytes(range(256)) * 4000
    barrier = threading.Barrier(8)
    results = []

    def writer() -> None:
        barrier.wait()
        results.append(store.put(io.BytesIO(content)))

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    sha = hashlib.sha256(content).hexdigest()
    assert {r.sha256 for r in results} == {sha}
    assert files_in(tmp_path) == [store.path_for(sha)]
    assert store.path_for(sha).read_bytes() == content


def test_refused_content_leaves_nothing_behind(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_file_bytes=100)
    with pytest.raises(FileTooLarge) as too_large:
        store.put(io.BytesIO(PDF + b"x" * 100), shown_name="ho-so.pdf")
    assert too_large.value.status == 413 and "“ho-so.pdf”" in too_large.value.message_vi
    with pytest.raises(UnsupportedFileType) as wrong_type:
        store.put(io.BytesIO(b"MZ" + b"\x00" * 50), shown_name="giay-to.pdf")
    assert wrong_type.value.status == 415 and "PDF, JPEG, PNG hoặc TIFF" in wrong_type.value.message_vi
    with pytest.raises(EmptyFile):
        store.put(io.BytesIO(b""))
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("digest", [
    "../../etc/passwd", "..", "", "A" * 64, "g" * 64, "a" * 63, "a" * 65, "ab/../" + "a" * 58, "a" * 64 + "\n",
])
def test_only_a_sha256_hex_digest_names_a_stored_file(tmp_path: Path, digest: str) -> None:
    store = FileStore(tmp_path, max_file_bytes=100)
    with pytest.raises(ValueError):
        store.path_for(digest)


def test_a_digest_path_stays_inside_the_store(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files", max_file_bytes=100)
    path = store.path_for("ab" * 32)
    assert path.resolve().is_relative_to((tmp_path / "files").resolve())


@pytest.mark.parametrize(("client_name", "cleaned"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
    ("C:\\Scans\\Trang 1.pdf", "Trang 1.pdf"),
    ("trang\x00\x07\x1b 1.pdf", "trang 1.pdf"),
    ("a<b>c:d\"e|f?g*h.pdf", "abcdefgh.pdf"),
    ("  ...hidden.pdf  ", "hidden.pdf"),
    ("..", ""),
    (None, ""),
    ("Gia\u0301y khai sinh.pdf", "Giáy khai sinh.pdf"),  # decomposed accents composed (NFC)
    ("x" * 300 + ".pdf", "x" * 160),
])
def test_client_names_are_cleaned_to_a_single_harmless_name(client_name: str | None, cleaned: str) -> None:
    assert clean_name(client_name) == cleaned


@pytest.mark.parametrize(("client_name", "media_type", "shown"), [
    ("ho-so.pdf", "application/pdf", "ho-so.pdf"),
    ("photo.pdf", "image/jpeg", "photo.jpg"),  # named as PDF, really a JPEG
    ("scan.TIFF", "image/tiff", "scan.tif"),
    ("noextension", "image/png", "noextension.png"),
    ("../..", "image/png", "fallback.png"),
    ("", "application/pdf", "fallback.pdf"),
])
def test_the_shown_name_takes_the_extension_of_the_real_type(client_name: str, media_type: str, shown: str) -> None:
    assert display_name(client_name, media_type, "fallback") == shown
