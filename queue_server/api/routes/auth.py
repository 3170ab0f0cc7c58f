from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from queue_server.api.deps import CurrentStaff, WiringDep, bearer
from queue_server.domain.errors import TooManyRequests, Unauthorized
from queue_server.service_layer import accounts
from shared.protocol import LoginIn, LoginOut, StaffOut

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=LoginOut)
async def login(body: LoginIn, request: Request, wiring: WiringDep) -> dict:
    """Failed logins are counted per account and per address; past the limit the login
    is refused for a while (429) even with the right password, to stop guessing."""
    account = body.username.lower()
    address = request.client.host if request.client else "unknown"
    wait = max(wiring.login_by_account.retry_after(account), wiring.login_by_address.retry_after(address))
    if wait:
        raise TooManyRequests(
            f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {int(wait // 60) + 1} phút.",
            f"Too many failed logins. Try again in {int(wait // 60) + 1} minute(s).",
            retry_after=wait, code="login_throttled",
        )
    ttl = timedelta(hours=wiring.settings.staff_session_hours)
    try:
        reply = await wiring.run(accounts.login, wiring.uow(), body.username, body.password, ttl)
    except Unauthorized:
        wiring.login_by_account.record_failure(account)
        wiring.login_by_address.record_failure(address)
        raise
    wiring.login_by_account.clear(account)
    return reply


@router.post("/logout", status_code=204)
async def logout(me: CurrentStaff, wiring: WiringDep,
                 credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> None:  # noqa: B008
    await wiring.run(accounts.logout, wiring.uow(), credentials.credentials)


@router.get("/me", response_model=StaffOut)
async def me(me: CurrentStaff) -> dict:
    return accounts.staff_out(me.staff)
