"""The citizen's dossier page `/d/{code}`: where the receipt slip's QR code leads.

The QR holds only the dossier code; the page asks for the 12-digit PIN printed beside it on
the slip (the second factor), then shows the dossier's status, due date and history — no
more than the slip itself shows. The PIN travels in a POST body, never in the URL, so it
stays out of access logs and browser history. The lookup has no side effect beyond counting
wrong PINs (the same counters the JSON API uses, per client address), so the form needs no CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from queue_server.api.client_address import client_address
from queue_server.bootstrap import Wiring
from queue_server.domain.dossier_commands import LookUpDossier
from queue_server.domain.errors import DomainError, NotFound, TooManyRequests
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer import dossiers as handlers
from queue_server.web.templating import render

router = APIRouter()
MAX_FIELD_CHARS = 300  # a pasted lookup URL is long; anything longer is not a dossier code


def _form_page(request: Request, code: str, *, status: int = 200, error: DomainError | None = None) -> Response:
    response = render(request, "citizen/dossier.html", status=status, code=code[:MAX_FIELD_CHARS], dossier=None,
                      error=error)
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@router.get("/d")
async def lookup_form(request: Request) -> Response:
    return _form_page(request, request.query_params.get("code", ""))


@router.get("/d/{code}")
async def dossier_form(code: str, request: Request) -> Response:
    return _form_page(request, code)


@router.post("/d")
async def lookup_typed_code(request: Request) -> Response:
    form = await request.form()
    return await _lookup(request, str(form.get("code", "")), str(form.get("pin", "")))


@router.post("/d/{code}")
async def lookup(code: str, request: Request) -> Response:
    form = await request.form()
    return await _lookup(request, str(form.get("code") or code), str(form.get("pin", "")))


async def _lookup(request: Request, code: str, pin: str) -> Response:
    wiring: Wiring = request.app.state.wiring
    code, pin = code.strip(), pin.strip()
    if not code or not pin or len(code) > MAX_FIELD_CHARS or len(pin) > 20:
        error = NotFound("Hãy nhập mã hồ sơ và mã PIN in trên giấy tiếp nhận.",
                         "Enter the dossier code and the PIN printed on the receipt slip.", code="pin_required")
        return _form_page(request, code, status=422, error=error)
    try:
        client = client_address(request.scope, wiring.settings.proxy_networks)
        command = LookUpDossier(code=code, pin=pin, client=client)
        dossier = await wiring.run(lambda: views.show_public(handlers.public_lookup(command, wiring.uow()),
                                                             wiring.reader()))
    except DomainError as exc:
        return _form_page(request, code, status=exc.status, error=exc)
    return render(request, "citizen/dossier.html", code=dossier["code"], dossier=dossier, error=None)
