"""Every client mistake becomes a clear 4xx with a code and a message (never a 500)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from queue_server.domain.errors import DomainError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message_vi: str, message_en: str, errors=None,  # noqa: ANN001
                   headers: dict | None = None) -> JSONResponse:
    body = {"code": code, "message": message_vi, "message_en": message_en}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


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
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else None
        return error_response(exc.status, exc.code, exc.message_vi, exc.message_en, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
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

    @app.exception_handler(OperationalError)
    async def _db_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc.orig)
        return error_response(503, "database_unavailable", "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít giây.",
                              "The service is briefly unavailable; please retry in a few seconds.",
                              headers={"Retry-After": "2"})
