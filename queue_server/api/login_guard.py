"""Logging in, with the brakes on. The API and the manager's login form both come through
here, so neither is a way around the other's limit.

1. A turn to hash: a few argon2 checks run at once (in low-priority threads, off the
   event loop); a few more wait, the rest are answered 503 "retry in a moment" at once.
2. The attempt is counted in the database, per account and per client address, before
   the password is checked; past the limit it is refused (429), even with the right
   password. Every server process shares the count, so a parallel burst gets at most
   `login_failures_per_account` password checks per account per window.
3. The password is checked; a right one forgets the account's failures and gives the
   address its attempt back, in the transaction that opens the session.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.types import Scope

from queue_server.api.client_address import client_address
from queue_server.bootstrap import Wiring
from queue_server.domain.account_commands import FindAccount, OpenSession
from queue_server.domain.attempts import Limit
from queue_server.service_layer import accounts, attempt_limits, audit
from queue_server.settings import Settings

TOO_MANY_VI = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
TOO_MANY_EN = "Too many failed logins. Try again in {minutes} minutes."


def login_limits(settings: Settings, account: str, address: str) -> tuple[Limit, Limit]:
    window = timedelta(minutes=settings.login_failure_window_minutes)
    return (Limit(f"login:user:{account}"[:200], settings.login_failures_per_account, window,
                  TOO_MANY_VI, TOO_MANY_EN, code="login_throttled"),
            Limit(f"login:addr:{address}"[:200], settings.login_failures_per_address, window,
                  TOO_MANY_VI, TOO_MANY_EN, code="login_throttled"))


async def login(wiring: Wiring, scope: Scope, username: str, password: str) -> dict[str, Any]:
    audit.login_attempt(username)
    by_account, by_address = limits = login_limits(wiring.settings, username.lower(),
                                                   client_address(scope, wiring.settings.proxy_networks))
    async with wiring.password_checks.turn():
        await wiring.run(_reserve, wiring, limits)
        row = await wiring.run(accounts.find_account, FindAccount(username), wiring.reader())
        ok = await wiring.password_checks.run_slow(accounts.password_matches, row, password)
    row = accounts.checked_account(row, ok)  # 401 for a wrong password: the attempt stays counted
    ttl = timedelta(hours=wiring.settings.staff_session_hours)
    # The account's failures start afresh and the address gets its attempt back, with the session.
    session = OpenSession(row, ttl, forget=(by_account.key,), give_back=(by_address,))
    return await wiring.run(accounts.open_session, session, wiring.uow())


def _reserve(wiring: Wiring, limits: tuple[Limit, ...]) -> None:
    # Committed on its own (not in a unit of work: the audit entry waits for the outcome).
    with wiring.engine.begin() as conn:
        attempt_limits.reserve(conn, wiring.clock(), limits)
