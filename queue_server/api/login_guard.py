"""Logging in, with the brakes on: failed logins are counted per account and per client
address, and past the limit the login is refused for a while (429) even with the right
password. The API and the manager's login form both come through here, so neither is a
way around the other's limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.types import Scope

from queue_server.api.client_address import client_address
from queue_server.bootstrap import Wiring
from queue_server.domain.errors import TooManyRequests, Unauthorized
from queue_server.service_layer import accounts, audit


async def login(wiring: Wiring, scope: Scope, username: str, password: str) -> dict[str, Any]:
    account = username.lower()
    address = client_address(scope, wiring.settings.proxy_networks)
    audit.login_attempt(username)
    wait = max(wiring.login_by_account.retry_after(account), wiring.login_by_address.retry_after(address))
    if wait:
        raise TooManyRequests(
            f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {int(wait // 60) + 1} phút.",
            f"Too many failed logins. Try again in {int(wait // 60) + 1} minute(s).",
            retry_after=wait, code="login_throttled",
        )
    ttl = timedelta(hours=wiring.settings.staff_session_hours)
    try:
        reply = await wiring.run(accounts.login, wiring.uow(), username, password, ttl)
    except Unauthorized:
        wiring.login_by_account.record_failure(account)
        wiring.login_by_address.record_failure(address)
        raise
    wiring.login_by_account.clear(account)
    return reply
