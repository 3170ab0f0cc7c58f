"""Content-addressed storage of digitized documents (số hóa hồ sơ).

Every distinct content is stored once, at a path built only from its SHA-256 hex digest
(`ab/cd/abcd…`): a name sent by a client never becomes part of a path, so no file name can
escape the storage folder. The type is sniffed from the first bytes (PDF, JPEG, PNG, TIFF
only); neither the name nor the client's Content-Type is trusted. Files are written to a
temporary file in the same folder and renamed into place, so a reader never sees half a
file and two writers of the same bytes cannot corrupt each other.

Blocking file I/O: call these from a worker thread in async code.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from queue_server.domain.errors import DomainError, Invalid

CHUNK = 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")

# (magic prefix, media type, extension). TIFF has two byte orders; BigTIFF is left out on
# purpose (scanners do not produce it and viewers often cannot open it).
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"II*\x00", "image/tiff", "tif"),
    (b"MM\x00*", "image/tiff", "tif"),
)
EXTENSION = {media: ext for _, media, ext in _SIGNATURES}
ALLOWED_TYPES_VI = "PDF, JPEG, PNG hoặc TIFF"


class FileTooLarge(DomainError):
    status = 413
    code = "file_too_large"


class UnsupportedFileType(Invalid):
    status = 415
    code = "unsupported_file_type"


class EmptyFile(Invalid):
    code = "empty_file"


def sniff_media_type(head: bytes) -> str | None:
    """The media type the bytes themselves declare, or None for anything not accepted."""
    for magic, media, _ in _SIGNATURES:
        if head.startswith(magic):
            return media
    return None


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    media_type: str
    already_stored: bool


class FileStore:
    def __init__(self, root: Path | str, *, max_file_bytes: int) -> None:
        self.root = Path(root).resolve()
        self.max_file_bytes = max_file_bytes

    def path_for(self, sha256: str) -> Path:
        """Where a digest lives. Anything but 64 lowercase hex characters is refused, so
        this can never name a path outside the store."""
        if not isinstance(sha256, str) or not _HEX64.fullmatch(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, source: BinaryIO, *, shown_name: str = "") -> StoredFile:
        """Store the content of `source` (read to its end) and return its digest. Too large,
        empty or of a refused type: a DomainError, and nothing is kept."""
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        media_type: str | None = None
        fd, tmp_name = tempfile.mkstemp(dir=incoming, prefix="up-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                head = b""
                while chunk := source.read(CHUNK):
                    if media_type is None and len(head) < 16:
                        head += chunk[: 16 - len(head)]
                    size += len(chunk)
                    if size > self.max_file_bytes:
                        raise _too_large(shown_name, self.max_file_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                if size == 0:
                    raise EmptyFile(f"Tệp {_quoted(shown_name)}rỗng.", f"File {_quoted(shown_name)}is empty.")
                media_type = sniff_media_type(head)
                if media_type is None:
                    raise UnsupportedFileType(
                        f"Tệp {_quoted(shown_name)}không phải {ALLOWED_TYPES_VI}. Chỉ nhận bản quét "
                        "hoặc ảnh chụp ở các định dạng này.",
                        f"File {_quoted(shown_name)}is not a PDF, JPEG, PNG or TIFF file (judged by its "
                        "content, not its name).",
                    )
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path_for(sha)
            if target.exists():
                return StoredFile(sha, size, media_type, already_stored=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o440)  # stored content never changes; nobody executes it
            os.replace(tmp, target)
            return StoredFile(sha, size, media_type, already_stored=False)
        finally:
            tmp.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()


def _too_large(shown_name: str, limit: int) -> FileTooLarge:
    mb = limit / 1_000_000
    return FileTooLarge(
        f"Tệp {_quoted(shown_name)}quá lớn: tối đa {mb:g} MB mỗi tệp. Hãy quét ở độ phân giải thấp hơn "
        "hoặc chia thành nhiều tệp.",
        f"File {_quoted(shown_name)}is too large: at most {mb:g} MB per file.",
    )


def _quoted(name: str) -> str:
    return f"“{name}” " if name else ""


def clean_name(client_name: str | None) -> str:
    """A client's file name made safe to show: its last path component (whatever the
    sender's OS), NFC, without control or reserved characters, at most 160 characters.
    It is never used to build a path."""
    raw = unicodedata.normalize("NFC", client_name or "")
    raw = re.split(r"[\\/]", raw)[-1]
    cleaned = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*')
    return " ".join(cleaned.split()).strip(" .")[:160]


def display_name(client_name: str | None, media_type: str, fallback_stem: str) -> str:
    """The name shown and offered on download: the cleaned client name with the extension
    of the sniffed type (a "photo.pdf" that is a JPEG downloads as "photo.jpg")."""
    cleaned = clean_name(client_name)
    stem = cleaned.rsplit(".", 1)[0] if "." in cleaned else cleaned
    stem = stem.strip(" .")[:120] or fallback_stem
    return f"{stem}.{EXTENSION[media_type]}"
