"""The account handlers on the fake unit of work: logging in with its attempt counts (as
api/login_guard.py applies them), logging out, staff and device accounts, and pairing a
browser TV with a display. No database: tests/security covers the SQL and HTTP side."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_bookings import MONDAY_9, PASSWORD, SITE_PX, SITE_TT, FakeUnitOfWork

from queue_server.adapters.secrets import token_digest
from queue_server.api.login_guard import login_limits
from queue_server.domain import account_commands as ac
from queue_server.domain.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthorized
from queue_server.service_layer import accounts, display_pairing
from queue_server.service_layer.attempt_limits import count_attempts
from queue_server.settings import Settings
from shared.enums import DeviceKind, Role

HOUR = timedelta(hours=1)
SETTINGS = Settings(environment="test")  # 5 failures per account, 20 per address, in 15 minutes


def try_login(uow: FakeUnitOfWork, username: str, right_password: bool, address: str = "203.0.113.7") -> dict:
    """What api/login_guard.login does, without the event loop: count the attempt, check
    the password, open the session settling the counts. The password check itself
    (argon2, most of a second) is `right_password`: test_passwords_are_checked_... checks
    the real one."""
    by_account, by_address = limits = login_limits(SETTINGS, username.lower(), address)
    with uow:
        count_attempts(uow.attempts, uow.now, limits)
        uow.commit()
    row = accounts.checked_account(accounts.find_account(ac.FindAccount(username), uow), right_password)
    return accounts.open_session(ac.OpenSession(row, HOUR, forget=(by_account.key,), give_back=(by_address,)), uow)


def code_of(exc_type: type[Exception], fn, *args) -> str:  # noqa: ANN001
    with pytest.raises(exc_type) as caught:
        fn(*args)
    return caught.value.code


# ---- logging in and out ----------------------------------------------------------------------
def test_a_right_password_opens_a_session_stored_only_as_a_digest() -> None:
    uow = FakeUnitOfWork()
    staff = uow.accounts.put_staff("canbo.tt")
    out = accounts.login(ac.LogIn("canbo.tt", PASSWORD, HOUR), uow)
    assert out["token"].startswith("mcs_") and out["expires_at"] == MONDAY_9 + HOUR
    assert out["staff"] == accounts.staff_out(staff)
    assert list(uow.accounts.sessions) == [token_digest(out["token"])]


def test_passwords_are_checked_and_an_unknown_user_costs_a_check_too() -> None:
    uow = FakeUnitOfWork()
    staff = uow.accounts.put_staff("canbo.tt")
    assert accounts.password_matches(staff, PASSWORD)
    assert not accounts.password_matches(staff, PASSWORD + "x")
    assert not accounts.password_matches(None, PASSWORD)


@pytest.mark.parametrize(("username", "password", "active"), [
    ("canbo.tt", "wrong-password", True), ("no.such.user", PASSWORD, True), ("canbo.tt", PASSWORD, False)])
def test_wrong_password_unknown_user_and_inactive_account_get_one_answer(username: str, password: str,
                                                                          active: bool) -> None:
    uow = FakeUnitOfWork()
    uow.accounts.put_staff("canbo.tt", active=active)
    assert code_of(Unauthorized, accounts.login, ac.LogIn(username, password, HOUR), uow) == "bad_credentials"
    assert uow.accounts.sessions == {}


def test_failed_logins_lock_the_account_even_for_the_right_password_until_the_window_passes() -> None:
    uow = FakeUnitOfWork()
    uow.accounts.put_staff("canbo.tt")
    for _ in range(5):
        code_of(Unauthorized, try_login, uow, "canbo.tt", False)
    with pytest.raises(TooManyRequests) as locked:
        try_login(uow, "canbo.tt", True)
    assert locked.value.code == "login_throttled" and locked.value.retry_after == 15 * 60
    assert uow.accounts.sessions == {}
    uow.now += timedelta(minutes=15)
    assert try_login(uow, "canbo.tt", True)["staff"]["username"] == "canbo.tt"


def test_a_successful_login_forgets_the_accounts_failures_and_gives_the_address_its_try_back() -> None:
    uow = FakeUnitOfWork()
    uow.accounts.put_staff("canbo.tt")
    for _ in range(3):
        code_of(Unauthorized, try_login, uow, "canbo.tt", False)
    try_login(uow, "canbo.tt", True)
    assert uow.attempts.attempts("login:user:canbo.tt") == 0
    assert uow.attempts.attempts("login:addr:203.0.113.7") == 3  # the failures stay, the success does not


def test_one_address_guessing_many_accounts_is_stopped_at_its_own_limit() -> None:
    uow = FakeUnitOfWork()
    for i in range(20):
        code_of(Unauthorized, try_login, uow, f"user{i}", False)
    assert code_of(TooManyRequests, try_login, uow, "user99", False) == "login_throttled"
    assert code_of(Unauthorized, try_login, uow, "user99", False, "198.51.100.1") == "bad_credentials"


def test_logging_out_revokes_the_session_everywhere() -> None:
    uow = FakeUnitOfWork()
    uow.accounts.put_staff("canbo.tt")
    token = accounts.login(ac.LogIn("canbo.tt", PASSWORD, HOUR), uow)["token"]
    accounts.logout(ac.LogOut(token), uow)
    assert uow.accounts.sessions[token_digest(token)]["revoked_at"] == MONDAY_9
    assert uow.invalidated == ["auth"]
    assert uow.signals == [{"kind": "revoke", "credential": token_digest(token)}]


# ---- staff and devices -----------------------------------------------------------------------
@pytest.mark.parametrize(("command", "error"), [
    (ac.CreateStaff("a.b", "A B", "short", Role.STAFF, SITE_TT), Invalid),
    (ac.CreateStaff("a.b", "A B", PASSWORD, Role.STAFF, None), Invalid),
    (ac.CreateStaff("a.b", "A B", PASSWORD, Role.PROCESSOR, SITE_TT, "000.00.01.H57"), Invalid),
    (ac.CreateStaff("a.b", "A B", PASSWORD, Role.MANAGER, SITE_TT, "000.00.01.H57"), Invalid),
    (ac.CreateStaff("a.b", "A B", PASSWORD, Role.STAFF, "NOWHERE"), NotFound),
    (ac.CreateStaff("a.b", "A B", PASSWORD, Role.PROCESSOR, None, "999.99.99.H57"), NotFound),
])
def test_a_staff_account_needs_a_long_password_and_the_right_home(command: ac.CreateStaff,
                                                                   error: type[Exception]) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(error):
        accounts.create_staff(command, uow)
    assert uow.accounts.staff == {}


def test_staff_accounts_are_created_once_per_username() -> None:
    uow = FakeUnitOfWork()
    made = accounts.create_staff(ac.CreateStaff("xuly.01", "Xử Lý", PASSWORD, Role.PROCESSOR, None,
                                                "000.00.01.H57", agency_head=True), uow)
    assert made["agency_id"] == 7 and made["site_id"] is None
    assert uow.accounts.staff[made["id"]].password_hash != PASSWORD
    taken = ac.CreateStaff("xuly.01", "Khác", PASSWORD, Role.STAFF, SITE_TT)
    assert code_of(Conflict, accounts.create_staff, taken, uow) == "username_taken"


def test_a_device_token_is_shown_once_and_revoking_it_is_scoped_to_the_managers_site() -> None:
    uow = FakeUnitOfWork()
    token = accounts.create_device(ac.CreateDevice("Ki-ốt 1", DeviceKind.KIOSK, SITE_TT), uow)
    assert token.startswith("mcd_") and uow.accounts.device(1).token_hash == token_digest(token)
    assert code_of(Invalid, accounts.create_device, ac.CreateDevice("x", DeviceKind.KIOSK, SITE_TT, "abc"), uow) \
        == "invalid_input"
    assert [d["name"] for d in accounts.list_devices(ac.ListDevices(2), uow)] == []
    assert code_of(NotFound, accounts.revoke_device, ac.RevokeDevice(1, allowed_site=2), uow) == "not_found"
    revoked = accounts.revoke_device(ac.RevokeDevice(1, allowed_site=1), uow)
    assert revoked["revoked_at"] == MONDAY_9
    assert uow.signals == [{"kind": "revoke", "credential": token_digest(token)}]
    assert code_of(Conflict, accounts.revoke_device, ac.RevokeDevice(1), uow) == "already_revoked"


# ---- pairing a browser TV --------------------------------------------------------------------
def _display(uow: FakeUnitOfWork, site: str = SITE_TT) -> int:
    accounts.create_device(ac.CreateDevice("Màn hình sảnh", DeviceKind.DISPLAY, site), uow)
    return len(uow.accounts.device_rows)


def _code(link: dict) -> str:
    return link["path"].removeprefix(display_pairing.PAIR_PATH)


def test_a_pairing_link_opens_one_browser_once() -> None:
    uow = FakeUnitOfWork()
    display = _display(uow)
    link = display_pairing.create_link(ac.CreatePairingLink(display, allowed_site=1, staff_id=4), uow)
    assert link["url"].endswith(link["path"]) and link["site_code"] == SITE_TT
    secret, site = display_pairing.redeem(ac.RedeemPairingLink(_code(link)), uow)
    assert secret.startswith(display_pairing.PAIRED_DISPLAY_PREFIX) and site == SITE_TT
    assert display_pairing.redeem(ac.RedeemPairingLink(_code(link)), uow) is None  # spent
    assert display_pairing.redeem(ac.RedeemPairingLink("short"), uow) is None


def test_a_pairing_link_expires_and_dies_with_its_device() -> None:
    uow = FakeUnitOfWork()
    display = _display(uow)
    late = display_pairing.create_link(ac.CreatePairingLink(display), uow)
    uow.now += timedelta(minutes=display_pairing.PAIRING_MINUTES)
    assert display_pairing.redeem(ac.RedeemPairingLink(_code(late)), uow) is None
    link = display_pairing.create_link(ac.CreatePairingLink(display), uow)
    accounts.revoke_device(ac.RevokeDevice(display), uow)
    assert display_pairing.redeem(ac.RedeemPairingLink(_code(link)), uow) is None
    assert all(p["paired_at"] is None for p in uow.accounts.pairings)  # nothing was committed


def test_only_a_live_display_of_the_callers_site_gets_a_link() -> None:
    uow = FakeUnitOfWork()
    accounts.create_device(ac.CreateDevice("Ki-ốt", DeviceKind.KIOSK, SITE_TT), uow)
    assert code_of(Invalid, display_pairing.create_link, ac.CreatePairingLink(1), uow) == "not_a_display"
    other = _display(uow, SITE_PX)
    assert code_of(NotFound, display_pairing.create_link, ac.CreatePairingLink(other, allowed_site=1), uow) \
        == "not_found"
    accounts.revoke_device(ac.RevokeDevice(other), uow)
    assert code_of(NotFound, display_pairing.create_link, ac.CreatePairingLink(other), uow) == "not_found"


def test_a_display_that_proved_itself_with_its_token_gets_a_cookie_secret_at_once() -> None:
    uow = FakeUnitOfWork()
    display = _display(uow)
    secret = display_pairing.pair_device_token(ac.PairWithDeviceToken(display), uow)
    assert [p["session_hash"] for p in uow.accounts.pairings] == [token_digest(secret)]
