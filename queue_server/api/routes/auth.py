from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from queue_server.api import login_guard
from queue_server.api.deps import AnyStaff, WiringDep, bearer
from queue_server.domain.account_commands import LogOut
from queue_server.service_layer import accounts
from shared.protocol import LoginIn, LoginOut, StaffOut

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=LoginOut)
async def login(body: LoginIn, request: Request, wiring: WiringDep) -> dict:
    """Failed logins are counted per account and per address; past the limit the login
    is refused for a while (429) even with the right password, to stop guessing."""
    return await login_guard.login(wiring, request.scope, body.username, body.password)


@router.post("/logout", status_code=204)
async def logout(me: AnyStaff, wiring: WiringDep,
                 credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> None:  # noqa: B008
    await wiring.run(accounts.logout, LogOut(credentials.credentials), wiring.uow())


@router.get("/me", response_model=StaffOut)
async def me(me: AnyStaff) -> dict:
    return accounts.staff_out(me.staff)
