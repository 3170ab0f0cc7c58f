"""Scanned files in and out: storing a request's uploads (each content once) and handing
stored bytes back as downloads. Shared by the API's routes and the web pages."""

from __future__ import annotations

import anyio.to_thread
from fastapi import Request
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from queue_server.adapters.file_store import FileStore, clean_name, display_name
from queue_server.bootstrap import Wiring
from queue_server.domain.errors import DomainError, Invalid, NotFound

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def file_store(wiring: Wiring) -> FileStore:
    s = wiring.settings
    return FileStore(s.file_storage_dir, max_file_bytes=s.max_upload_file_bytes)


class UploadsUnavailable(DomainError):
    status = 503
    code = "uploads_unavailable"


def multipart_available() -> bool:
    try:
        import python_multipart  # noqa: F401
    except ImportError:
        return False
    return True


async def store_uploads(request: Request, wiring: Wiring, code: str, *, fields: tuple[str, ...] = (),
                        required: bool = True) -> tuple[list, dict[str, str]]:
    """Store the files of a multipart request (each content once, by its SHA-256, its type
    judged from its bytes) and return them with the named plain fields."""
    settings = wiring.settings
    if not multipart_available():
        raise UploadsUnavailable("Máy chủ thiếu thư viện python-multipart để nhận tệp.",
                                 "The server lacks python-multipart, needed for file uploads.")
    try:
        form = await request.form(max_files=settings.max_upload_files, max_fields=len(fields) + 4)
    except StarletteHTTPException as exc:  # too many parts, or not multipart at all
        raise Invalid(f"Không đọc được tệp gửi lên: tối đa {settings.max_upload_files} tệp mỗi lần, gửi dạng "
                      "multipart/form-data.", f"Unreadable upload ({exc.detail}).", code="bad_upload") from None
    try:
        uploads = [v for key in ("files", "file") for v in form.getlist(key)
                   if isinstance(v, UploadFile) and (v.filename or v.size)]
        if not uploads and required:
            raise Invalid("Chưa chọn tệp nào để đính kèm.", "No file was sent (multipart field `files`).",
                          code="no_files")
        values = {name: v for name in fields if isinstance(v := form.get(name), str)}
        store = file_store(wiring)
        stored = []
        for position, upload in enumerate(uploads, start=1):
            content = await anyio.to_thread.run_sync(
                lambda u=upload: store.put(u.file, shown_name=clean_name(u.filename)))
            stored.append((content, display_name(upload.filename, content.media_type, f"{code}-{position}")))
    finally:
        await form.close()
    return stored, values


async def stored_file_download(wiring: Wiring, sha: str, media_type: str, name: str) -> FileResponse:
    """Stored bytes, always as a download (never rendered inline by the browser)."""
    path = file_store(wiring).path_for(sha)
    if not await anyio.to_thread.run_sync(path.is_file):
        raise NotFound("Tệp không còn trong kho lưu trữ; hãy báo quản trị.",
                       "The file is missing from storage; tell the administrator.", code="file_missing")
    return FileResponse(path, media_type=media_type, filename=name, content_disposition_type="attachment",
                        headers={**NO_STORE, "Content-Security-Policy": "sandbox; default-src 'none'"})
