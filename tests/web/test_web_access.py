"""Who may see and do what on the web side: citizen pages reveal nothing without the token,
display pages need the site's display token, manager pages and actions refuse other roles,
and every form post needs its CSRF token."""

from __future__ import annotations

import re

import pytest
from support import API, SITE_PX, SITE_TT, Api

from queue_server.seed import demo_device_token
from shared.enums import DeviceKind

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def web_login(client, username: str, password: str = "motcua-demo"):  # noqa: ANN001, ANN201
    page = client.get("/manager/login")
    assert page.status_code == 200
    return client.post("/manager/login", data={"csrf": _csrf(page.text), "username": username,
                                               "password": password, "next": "/manager"})


def manager_csrf(client, path: str = f"/manager/sites/{SITE_TT}") -> str:  # noqa: ANN001
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return _csrf(page.text)


# ---- citizen pages ---------------------------------------------------------------------------------
def test_citizen_page_shows_the_ticket_to_whoever_has_the_token_and_keeps_it_private(web_api: Api) -> None:
    ticket = web_api.issue()
    page = web_api.client.get(f"/t/{ticket['tracking_token']}")
    assert page.status_code == 200
    assert ticket["label"] in page.text and "Trung tâm Phục vụ hành chính công" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"  # the token never leaks to the map site
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert f'"id": {ticket["id"]}' not in page.text and "tracking_token" not in page.text


@pytest.mark.parametrize("path", ["/t/", "/t/not-a-real-token-123456", "/t/x", "/t/" + "y" * 80,
                                  "/t/not-a-real-token-123456/state"])
def test_citizen_pages_reveal_nothing_without_the_right_token(web_api: Api, path: str) -> None:
    ticket = web_api.issue()
    page = web_api.client.get(path)
    assert page.status_code == 404
    assert ticket["label"] not in page.text and "Tư pháp" not in page.text


# ---- display pages ---------------------------------------------------------------------------------
@pytest.mark.parametrize("token", [None, "mcd_forged", demo_device_token(DeviceKind.DISPLAY, SITE_PX),
                                   demo_device_token(DeviceKind.KIOSK, SITE_TT)])
def test_display_page_needs_this_sites_display(web_client, token: str | None) -> None:  # noqa: ANN001
    query = f"?token={token}" if token else ""
    page = web_client.get(f"/display/{SITE_TT}{query}")
    assert page.status_code == 403
    assert "Quầy" not in page.text and "motcua_display" not in page.headers.get("set-cookie", "")
    assert web_client.get(f"/display/{SITE_TT}/phrase", params={"label": "A001", "counter": "5"}).status_code == 403
    assert web_client.get(f"/display/{SITE_TT}/snapshot").status_code == 403


def test_pairing_link_becomes_an_httponly_cookie_once_and_the_url_stays_clean(web_api: Api) -> None:
    client = web_api.client
    link = web_api.display_pairing_path()
    paired = client.get(link)
    assert paired.status_code == 303 and paired.headers["location"] == f"/display/{SITE_TT}"
    cookie = paired.headers["set-cookie"]
    assert cookie.startswith("motcua_display=mcp_") and "HttpOnly" in cookie and "Path=/display" in cookie
    page = client.get(f"/display/{SITE_TT}")
    assert page.status_code == 200 and "mcp_" not in page.text and "mcd_" not in page.text
    phrase = client.get(f"/display/{SITE_TT}/phrase?label=A023&counter=5").json()
    assert phrase == {"vi": "Mời công dân có số thứ tự A, hai mươi ba đến quầy số năm",
                      "en": "Ticket number A, twenty-three, please go to counter five"}
    assert client.get(f"/display/{SITE_TT}/phrase?label=<b>&counter=5").status_code == 422
    assert client.get(f"/display/{SITE_TT}/snapshot").json()["site"]["code"] == SITE_TT
    assert client.get(f"/display/{SITE_PX}").status_code == 403  # paired with one site only
    client.cookies.clear()
    spent = client.get(link)
    assert spent.status_code == 403 and "đã dùng hoặc đã hết hạn" in spent.text


def test_an_old_token_bookmark_is_swapped_for_the_cookie_and_a_clean_url(web_client) -> None:  # noqa: ANN001
    token = demo_device_token(DeviceKind.DISPLAY, SITE_TT)
    swapped = web_client.get(f"/display/{SITE_TT}?token={token}&voice=vi,en")
    assert swapped.status_code == 303 and swapped.headers["location"] == f"/display/{SITE_TT}?voice=vi%2Cen"
    assert "HttpOnly" in swapped.headers["set-cookie"] and token not in swapped.headers["set-cookie"]
    assert web_client.get(swapped.headers["location"]).status_code == 200
    again = web_client.get(f"/display/{SITE_TT}?token={token}")  # the TV boots on its bookmark again
    assert again.status_code == 303
    assert again.headers["set-cookie"].split(";")[0] == swapped.headers["set-cookie"].split(";")[0]  # same pairing


def test_revoking_the_display_device_unpairs_its_browsers(web_api: Api) -> None:
    client = web_api.client
    client.get(web_api.display_pairing_path())
    assert client.get(f"/display/{SITE_TT}").status_code == 200
    devices = client.get(f"{API}/devices", params={"site_code": SITE_TT}, headers=web_api.staff("quanly")).json()
    display = next(d for d in devices if d["kind"] == "display")
    assert client.post(f"{API}/devices/{display['id']}/revoke", headers=web_api.staff("quanly")).status_code == 200
    assert client.get(f"/display/{SITE_TT}").status_code == 403


def test_only_a_display_device_gets_a_pairing_link(web_api: Api) -> None:
    devices = web_api.client.get(f"{API}/devices", params={"site_code": SITE_TT},
                                 headers=web_api.staff("quanly")).json()
    kiosk = next(d for d in devices if d["kind"] == "kiosk")
    r = web_api.client.post(f"{API}/devices/{kiosk['id']}/display-link", headers=web_api.staff("quanly"))
    assert r.status_code == 422 and r.json()["code"] == "not_a_display"


# ---- manager pages ---------------------------------------------------------------------------------
MANAGER_PAGES = ["/manager", "/manager/live", f"/manager/sites/{SITE_TT}", f"/manager/sites/{SITE_TT}/live",
                 f"/manager/sites/{SITE_TT}/counters/1", "/manager/reports", "/manager/reports.csv",
                 "/manager/reports.xlsx"]


def test_manager_pages_send_strangers_to_the_login(web_client) -> None:  # noqa: ANN001
    for path in MANAGER_PAGES:
        page = web_client.get(path)
        assert page.status_code == 303, path
        assert page.headers["location"].startswith("/manager/login?next="), path


def test_a_manager_opens_every_manager_page(web_client) -> None:  # noqa: ANN001
    web_login(web_client, "quanly")
    for path in MANAGER_PAGES:
        page = web_client.get(path)
        assert page.status_code == 200, path
    assert web_client.get("/manager/sites/NOWHERE").status_code == 404
    assert web_client.get(f"/manager/sites/{SITE_TT}/counters/12").status_code == 404  # a HUE-PX counter


def test_clerks_cannot_log_in_to_the_manager_pages(web_client) -> None:  # noqa: ANN001
    refused = web_login(web_client, "canbo.tt")
    assert refused.status_code == 403
    assert "motcua_web" not in refused.headers.get("set-cookie", "")
    assert web_client.get("/manager").status_code == 303


def test_a_clerks_session_is_refused_on_every_manager_page(web_api: Api) -> None:
    web_api.client.cookies.set("motcua_web", web_api.token("canbo.tt"))
    for path in MANAGER_PAGES:
        page = web_api.client.get(path)
        assert page.status_code == 403, path
        assert "Không có quyền" in page.text, path


@pytest.mark.parametrize("action", [f"/manager/sites/{SITE_TT}/notice", f"/manager/sites/{SITE_TT}/move",
                                    f"/manager/sites/{SITE_TT}/counters/1/open"])
def test_a_clerks_session_cannot_act_even_with_a_csrf_token(web_api: Api, action: str) -> None:
    from queue_server.web.session import csrf_for_session

    token = web_api.token("canbo.tt")
    web_api.client.cookies.set("motcua_web", token)
    csrf = csrf_for_session(web_api.client.app.state.wiring, token)
    reply = web_api.client.post(action, data={"csrf": csrf, "notice": "hack", "service_id": "1",
                                              "to_site": SITE_PX})
    assert reply.status_code == 403
    assert web_api.snapshot()["site"]["notice"] == ""
    assert web_api.snapshot()["counters"][0]["state"] == "closed"


def test_manager_logs_in_with_a_session_cookie_scripts_cannot_read(web_client) -> None:  # noqa: ANN001
    reply = web_login(web_client, "quanly")
    assert reply.status_code == 303 and reply.headers["location"] == "/manager"
    cookie = next(c for c in reply.headers.get_list("set-cookie") if c.startswith("motcua_web="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert web_client.get("/manager").status_code == 200


def test_login_refuses_a_wrong_password_and_a_missing_login_token(web_client) -> None:  # noqa: ANN001
    assert web_login(web_client, "quanly", "wrong-password").status_code == 401
    web_client.cookies.clear()
    forged = web_client.post("/manager/login", data={"username": "quanly", "password": "motcua-demo"})
    assert forged.status_code == 403


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_login_never_redirects_to_another_site(web_client, target: str) -> None:  # noqa: ANN001
    page = web_client.get("/manager/login")
    reply = web_client.post("/manager/login", data={"csrf": _csrf(page.text), "username": "quanly",
                                                    "password": "motcua-demo", "next": target})
    assert reply.headers["location"] == "/manager"


@pytest.mark.parametrize("csrf", [None, "", "0" * 40, "forged"])
def test_manager_forms_refuse_a_missing_or_wrong_csrf_token(web_api: Api, csrf: str | None) -> None:
    web_login(web_api.client, "quanly")
    form = {"notice": "Giả mạo"} | ({"csrf": csrf} if csrf is not None else {})
    reply = web_api.client.post(f"/manager/sites/{SITE_TT}/notice", data=form)
    assert reply.status_code == 403
    assert "Yêu cầu bị từ chối" in reply.text
    assert web_api.snapshot()["site"]["notice"] == ""


def test_manager_form_with_its_csrf_token_acts_and_reports_back(web_api: Api) -> None:
    web_login(web_api.client, "quanly")
    reply = web_api.client.post(f"/manager/sites/{SITE_TT}/notice",
                                data={"csrf": manager_csrf(web_api.client), "notice": "Nghỉ trưa 11:30–13:30"})
    assert reply.status_code == 303 and reply.headers["location"] == f"/manager/sites/{SITE_TT}"
    assert web_api.snapshot()["site"]["notice"] == "Nghỉ trưa 11:30–13:30"
    page = web_api.client.get(f"/manager/sites/{SITE_TT}")
    assert "Đã đăng thông báo lên màn hình." in page.text  # the one-line report after the redirect


def test_a_refused_action_reports_why(web_api: Api) -> None:
    web_api.issue(procedure=None, service_id=3)  # agriculture: HUE-PX does not offer it
    web_login(web_api.client, "quanly")
    web_api.client.post(f"/manager/sites/{SITE_TT}/move", data={
        "csrf": manager_csrf(web_api.client), "service_id": "3", "to_site": SITE_PX})
    page = web_api.client.get(f"/manager/sites/{SITE_TT}")
    assert "không có dịch vụ của số C001" in page.text


def test_forms_must_be_url_encoded(web_api: Api) -> None:
    web_login(web_api.client, "quanly")
    reply = web_api.client.post(f"/manager/sites/{SITE_TT}/notice",
                                json={"csrf": manager_csrf(web_api.client), "notice": "x"})
    assert reply.status_code == 415


def test_logout_ends_the_session_everywhere(web_api: Api) -> None:
    web_login(web_api.client, "quanly")
    token = web_api.client.cookies.get("motcua_web")
    reply = web_api.client.post("/manager/logout", data={"csrf": manager_csrf(web_api.client, "/manager")})
    assert reply.status_code == 303
    web_api.client.cookies.set("motcua_web", token)  # a copied cookie is dead too
    assert web_api.client.get("/manager").status_code == 303
    assert web_api.client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def _manager_ws(client, origin: str | None = None):  # noqa: ANN001, ANN202
    headers = {"origin": origin} if origin else {}
    return client.websocket_connect("/manager/ws", headers=headers)


def test_manager_stream_needs_a_manager_session_from_this_site(web_api: Api) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), _manager_ws(web_api.client) as ws:
        ws.receive_json()
    web_api.client.cookies.set("motcua_web", web_api.token("canbo.tt"))
    with pytest.raises(WebSocketDisconnect), _manager_ws(web_api.client) as ws:
        ws.receive_json()
    web_api.client.cookies.set("motcua_web", web_api.token("quanly"))
    with pytest.raises(WebSocketDisconnect), _manager_ws(web_api.client, "http://evil.example") as ws:
        ws.receive_json()
    with _manager_ws(web_api.client, "http://testserver") as ws:
        assert ws.receive_json()["kind"] == "hello"
        web_api.issue(site=SITE_PX)
        event = ws.receive_json()
    assert event["type"] == "TicketIssued" and event["site_id"] == 2


def test_an_administrator_sees_the_manager_pages_too(web_client) -> None:  # noqa: ANN001
    assert web_login(web_client, "admin").status_code == 303
    assert web_client.get("/manager").status_code == 200
