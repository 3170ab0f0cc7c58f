"""Hostile text in every field a person can type into comes back escaped, never as markup;
Vietnamese and emoji come back intact. Every answer carries the security headers, the
session cookie is out of scripts' reach, and manager web actions are audited."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from support import API, COUNTER_A, SITE_TT, Api

from queue_server.app import create_app
from queue_server.seed import demo_device_token
from shared.enums import DeviceKind, Role

HOSTILE = ('Quầy 3 – nghỉ đến 14:00 🙂🇻🇳 <script>alert("x")</script> "><img src=x onerror=alert(1)> '
           "' onmouseover='alert(2)")
SHORT_HOSTILE = '<script>alert(1)</script>"\'🙂 Đặng'  # fits a 64-character username
RAW_MARKUP = ("<script>alert", "<img src=x", "onmouseover='alert")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def web(wiring) -> Iterator[Api]:  # noqa: ANN001
    with TestClient(create_app(wiring), follow_redirects=False) as client:
        yield Api(client)


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def _web_login(client: TestClient, username: str = "quanly", password: str = "motcua-demo"):  # noqa: ANN202
    page = client.get("/manager/login")
    return client.post("/manager/login", data={"csrf": _csrf(page.text), "username": username,
                                               "password": password, "next": "/manager"})


def _assert_escaped(html: str, text: str, where: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, f"{where}: {raw!r} came back as markup"
    assert str(escape(text)) in html, f"{where}: the text is not shown (escaped) at all"


def test_hostile_text_in_every_field_comes_back_escaped(web: Api, wiring) -> None:  # noqa: ANN001
    from queue_server.domain.account_commands import CreateDevice, CreateStaff
    from queue_server.service_layer import accounts

    client = web.client
    # Fields set outside the pages, shown on them: a clerk's full name, a device name, a pause reason.
    accounts.create_staff(CreateStaff("canbo.moi", HOSTILE, "motcua-demo", Role.STAFF, SITE_TT), wiring.uow())
    accounts.create_device(CreateDevice(HOSTILE[:100], DeviceKind.KIOSK, SITE_TT), wiring.uow())
    web.ok(COUNTER_A, "open", user="canbo.moi")
    web.ok(COUNTER_A, "pause", {"reason": HOSTILE[:200]}, user="canbo.moi")

    # The login form shows the username back after a failure, and carries `next` along.
    failed = client.post("/manager/login", data={"csrf": _csrf(client.get("/manager/login").text),
                                                 "username": SHORT_HOSTILE, "password": "sai"})
    assert failed.status_code == 401
    _assert_escaped(failed.text, SHORT_HOSTILE, "login page (username)")
    login_page = client.get("/manager/login", params={"next": "/manager/sites/" + SHORT_HOSTILE})
    for raw in RAW_MARKUP:
        assert raw not in login_page.text

    assert _web_login(client).status_code == 303
    # The notice: typed by a manager, shown on the site page and sent to the displays.
    posted = client.post(f"/manager/sites/{SITE_TT}/notice",
                         data={"csrf": _csrf(client.get(f"/manager/sites/{SITE_TT}").text), "notice": HOSTILE})
    assert posted.status_code == 303
    assert web.snapshot()["site"]["notice"] == " ".join(HOSTILE.split())  # stored as typed

    site_page = client.get(f"/manager/sites/{SITE_TT}").text
    _assert_escaped(site_page, " ".join(HOSTILE.split()), "site page (notice)")
    _assert_escaped(site_page, HOSTILE[:100], "site page (device name)")
    live = client.get(f"/manager/sites/{SITE_TT}/live").text
    _assert_escaped(live, HOSTILE, "site live part (clerk's name)")
    _assert_escaped(live, HOSTILE[:200].strip(), "site live part (pause reason)")
    overview = client.get("/manager/live").text
    for raw in RAW_MARKUP:
        assert raw not in overview

    # An old bookmark with the token is swapped for the pairing cookie, then the clean page.
    display = client.get(f"/display/{SITE_TT}", params={"token": demo_device_token(DeviceKind.DISPLAY, SITE_TT)},
                         follow_redirects=True)
    assert display.status_code == 200 and display.url.path == f"/display/{SITE_TT}"
    for raw in ("</script><", *RAW_MARKUP):  # state reaches the page's script as a JSON block
        assert raw not in display.text

    audit = client.get("/manager/audit", params={"staff": SHORT_HOSTILE})
    assert audit.status_code == 200
    _assert_escaped(audit.text, SHORT_HOSTILE, "audit page (staff filter)")
    everyone = client.get("/manager/audit").text
    _assert_escaped(everyone, SHORT_HOSTILE, "audit page (failed login's username)")

    reports = client.get("/manager/reports", params={"site": SHORT_HOSTILE, "from": SHORT_HOSTILE})
    assert reports.status_code in (200, 400, 422)
    for raw in RAW_MARKUP:
        assert raw not in reports.text


def test_manager_web_actions_are_audited_with_their_outcome(web: Api) -> None:
    client = web.client
    _web_login(client)
    csrf = _csrf(client.get(f"/manager/sites/{SITE_TT}").text)
    client.post(f"/manager/sites/{SITE_TT}/notice", data={"csrf": csrf, "notice": "Nghỉ trưa"})
    client.post(f"/manager/sites/{SITE_TT}/notice", data={"csrf": "forged", "notice": "Giả mạo"})
    for _ in range(2):  # the second time it is already open
        client.post(f"/manager/sites/{SITE_TT}/counters/{COUNTER_A}/open", data={"csrf": csrf})
    items = client.get(f"{API}/audit", headers=web.staff("admin")).json()["items"]
    mine = [(e["action"], e["outcome"], (e["detail"] or {}).get("code")) for e in reversed(items)
            if e["username"] == "quanly"]
    assert mine == [
        ("POST /manager/login", "ok", None),
        ("POST /manager/sites/{code}/notice", "ok", None),
        ("POST /manager/sites/{code}/notice", "refused", None),
        ("POST /manager/sites/{code}/counters/{counter_id}/open", "ok", None),
        ("POST /manager/sites/{code}/counters/{counter_id}/open", "refused", "counter_already_open"),
    ]


def test_a_manager_revokes_a_kiosk_from_the_site_page(web: Api) -> None:
    client = web.client
    _web_login(client)
    page = client.get(f"/manager/sites/{SITE_TT}").text
    kiosk = next(d for d in client.get(f"{API}/devices", params={"site_code": SITE_TT},
                                       headers=web.staff("quanly")).json() if d["kind"] == "kiosk")
    action = f"/manager/sites/{SITE_TT}/devices/{kiosk['id']}/revoke"
    assert f'action="{action}"' in page
    assert client.post(action, data={"csrf": "forged"}).status_code == 403
    web.issue()  # still working after the forged post
    reply = client.post(action, data={"csrf": _csrf(page)})
    assert reply.status_code == 303
    after = client.get(f"/manager/sites/{SITE_TT}").text
    assert "Đã thu hồi mã của thiết bị" in after
    r = client.post(f"{API}/tickets", json={"service_id": 1},
                    headers={"Authorization": f"Bearer {demo_device_token(DeviceKind.KIOSK, SITE_TT)}"})
    assert r.status_code == 401


def _check_common_headers(r, what: str) -> None:  # noqa: ANN001
    assert r.headers.get("x-content-type-options") == "nosniff", what
    assert "frame-ancestors 'none'" in r.headers.get("content-security-policy", ""), what
    assert r.headers.get("referrer-policy") == "no-referrer", what


def test_every_kind_of_answer_carries_the_security_headers(web: Api) -> None:
    client = web.client
    ticket = web.issue()
    answers = {
        "API JSON": client.get(f"{API}/sites"),
        "API error": client.get(f"{API}/counters/1"),
        "unknown path": client.get("/nothing-here"),
        "oversize body": client.post(f"{API}/auth/login", content=b"x" * 2_000_000,
                                     headers={"content-type": "application/json"}),
        "citizen page": client.get(f"/t/{ticket['tracking_token']}"),
        "manager login page": client.get("/manager/login"),
        "health": client.get(f"{API}/health"),
    }
    for what, r in answers.items():
        _check_common_headers(r, what)
    for what in ("API JSON", "API error", "citizen page", "manager login page"):
        assert "no-store" in answers[what].headers.get("cache-control", ""), what
    assert answers["oversize body"].status_code == 413
    strict = answers["API JSON"].headers["content-security-policy"]
    assert "default-src 'none'" in strict  # a JSON answer opened in a browser runs nothing


def test_a_server_bug_still_answers_in_both_languages_with_the_security_headers(wiring) -> None:  # noqa: ANN001
    app = create_app(wiring)

    @app.get(f"{API}/broken-on-purpose")
    async def broken() -> dict:
        raise RuntimeError("a bug no handler knows")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get(f"{API}/broken-on-purpose")
    assert r.status_code == 500
    assert r.json()["code"] == "internal_error"
    assert r.json()["message"].startswith("Lỗi hệ thống") and "help desk" in r.json()["message_en"]
    assert "a bug no handler knows" not in r.text  # no internals to the client
    _check_common_headers(r, "server bug")
    assert "no-store" in r.headers.get("cache-control", "")


def test_the_session_cookie_is_http_only_and_same_site(web: Api) -> None:
    reply = _web_login(web.client)
    cookie = next(v for k, v in reply.headers.multi_items() if k == "set-cookie" and v.startswith("motcua_web="))
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_the_login_form_is_throttled_like_the_api_and_shares_its_count(web: Api, wiring) -> None:  # noqa: ANN001
    client = web.client
    limit = wiring.settings.login_failures_per_account
    for _ in range(limit - 1):
        assert _web_login(client, "quanly", "doan-mo").status_code == 401
    # The last allowed failure comes through the API: one count for both doors.
    assert client.post(f"{API}/auth/login", json={"username": "quanly", "password": "doan-mo"}).status_code == 401
    locked = _web_login(client, "quanly")  # the right password, too late
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.text and "motcua_web=" not in locked.headers.get("set-cookie", "")
    assert client.post(f"{API}/auth/login", json={"username": "quanly", "password": "motcua-demo"}).status_code == 429
    assert _web_login(client, "admin").status_code == 303  # another account is not locked
