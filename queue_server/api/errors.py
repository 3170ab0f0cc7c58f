"""Every client mistake becomes a clear 4xx with a code and a message (never a 500)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from queue_server.adapters.db_faults import DbFault, classify
from queue_server.domain.errors import DomainError
from queue_server.service_layer import audit

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message_vi: str, message_en: str, errors=None,  # noqa: ANN001
                   headers: dict | None = None, allowed: list[str] | None = None,
                   extra: dict | None = None) -> JSONResponse:
    body = {"code": code, "message": message_vi, "message_en": message_en, **(extra or {})}
    if errors is not None:
        body["errors"] = errors
    if allowed is not None:  # a forbidden state transition names the ones allowed now
        body["allowed"] = allowed
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


def internal_error_response() -> JSONResponse:
    return error_response(500, "internal_error", "Lỗi hệ thống, vui lòng thử lại hoặc báo cán bộ hỗ trợ.",
                          "Internal error; please retry or tell the help desk.")


def _brief_errors(exc: RequestValidationError) -> list[dict]:
    # Echo where and why, never the (possibly huge) input itself.
    return [{"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in exc.errors()]


_HTTP_TEXT = {
    400: ("invalid_input", "Dữ liệu gửi lên không đọc được (JSON không hợp lệ).", "The request body could not be read."),
    401: ("unauthorized", "Cần đăng nhập hoặc mã thiết bị hợp lệ.", "A valid login or device token is needed."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this."),
    404: ("not_found", "Không tìm thấy.", "Not found."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
    413: ("too_large", "Dữ liệu gửi lên quá lớn.", "The request body is too large."),
}


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        audit.note_refusal(exc.code)
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else None
        return error_response(exc.status, exc.code, exc.message_vi, exc.message_en, headers=headers,
                              allowed=getattr(exc, "allowed", None), extra=getattr(exc, "extra", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        audit.note_refusal("invalid_input")
        return error_response(422, "invalid_input", "Dữ liệu gửi lên không hợp lệ.", "The request is not valid.",
                              _brief_errors(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, vi, en = _HTTP_TEXT.get(exc.status_code, ("http_error", str(exc.detail), str(exc.detail)))
        return error_response(exc.status_code, code, vi, en, headers=getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def _bad_value(_: Request, exc: DataError) -> JSONResponse:
        # The database refused a value validation let through (e.g. out of its range).
        log.warning("database refused a value: %s", exc.orig)
        return error_response(422, "invalid_input", "Dữ liệu gửi lên không hợp lệ.", "A value is not valid.")

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(_: Request, exc: PoolTimeout) -> JSONResponse:
        # Every database connection stayed busy for the whole wait: a burst larger than the
        # pool. The request never reached the database; the client may simply retry.
        log.warning("no database connection free: %s", exc)
        return error_response(503, "server_busy", "Hệ thống đang quá tải, vui lòng thử lại sau ít giây.",
                              "The server is busy; please retry in a few seconds.", headers={"Retry-After": "2"})

    @app.exception_handler(OperationalError)
    @app.exception_handler(InternalError)
    async def _db_fault(_: Request, exc: OperationalError | InternalError) -> JSONResponse:
        fault = classify(exc)
        if fault is None and isinstance(exc, OperationalError):
            fault = DbFault.UNAVAILABLE  # an operational error we do not recognise: retry later
        if fault is None:
            log.error("database error: %s", exc.orig)
            return internal_error_response()
        log.error("%s: %s", fault.value, exc.orig)
        vi, en, retry = _DB_FAULT_TEXT[fault]
        return error_response(503, fault.value, vi, en, headers={"Retry-After": retry})


# Every one says that nothing was saved: the transaction was rolled back whole.
_DB_FAULT_TEXT = {
    DbFault.UNAVAILABLE: ("Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít giây.",
                          "The service is briefly unavailable; please retry in a few seconds.", "2"),
    DbFault.READ_ONLY: ("Hệ thống đang tạm ngừng ghi dữ liệu, chưa có gì được lưu. Vui lòng thử lại sau "
                        "hoặc báo cán bộ hỗ trợ.",
                        "The database accepts no changes right now; nothing was saved. Please retry later "
                        "or tell the help desk.", "30"),
    DbFault.STORAGE_FULL: ("Máy chủ đã hết chỗ lưu trữ, chưa có gì được lưu. Vui lòng báo cán bộ hỗ trợ.",
                           "The server's storage is full; nothing was saved. Please tell the help desk.", "30"),
}
