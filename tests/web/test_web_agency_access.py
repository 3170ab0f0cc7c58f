"""Who may see and do what after the counter, on the web side: processors land in their
agency's inbox and nowhere else, managers in the control room and not in an inbox, every
post needs its CSRF token, only an admin edits the agencies."""

from __future__ import annotations

import sys
from pathlib import Path

from support import API, Api
from test_web_access import _csrf, web_login

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "dossiers"))
from dossier_helpers import receive, serve_one, set_legal_time  # noqa: E402


def _forwarded(web_api: Api, web_wiring) -> str:  # noqa: ANN001
    set_legal_time(web_wiring, 3, "Ngày làm việc", code="1.004837")
    serve_one(web_api)
    code = receive(web_api, procedure_code="1.004837")["code"]
    r = web_api.client.post(f"{API}/dossiers/{code}/forward", json={}, headers=web_api.staff())
    assert r.status_code == 200, r.text
    return code


def test_a_processor_lands_in_the_inbox_and_is_kept_out_of_the_manager_pages(web_client, web_api: Api,
                                                                             web_wiring) -> None:  # noqa: ANN001
    code = _forwarded(web_api, web_wiring)
    assert web_client.get("/agency").headers["location"].startswith("/manager/login?next=%2Fagency")
    login = web_login(web_client, "thuanhoa.canbo")
    assert login.status_code == 303 and login.headers["location"] == "/agency"
    inbox = web_client.get("/agency")
    assert inbox.status_code == 200 and code in inbox.text
    assert "script-src 'self'" in inbox.headers["content-security-policy"]
    assert inbox.headers["cache-control"] == "no-store"
    for path in ("/manager", "/manager/control", "/manager/reports", f"/manager/dossiers/{code}"):
        assert web_client.get(path).status_code == 403, path
    page = web_client.get(f"/agency/dossiers/{code}")
    # A post without the CSRF token is refused and changes nothing.
    assert web_client.post(f"/agency/dossiers/{code}/steps", data={"step": "accept"}).status_code == 403
    assert "Đã chuyển cơ quan giải quyết" in web_client.get(f"/agency/dossiers/{code}").text
    done = web_client.post(f"/agency/dossiers/{code}/steps", data={"step": "accept", "csrf": _csrf(page.text)})
    assert done.status_code == 303
    after = web_client.get(f"/agency/dossiers/{code}")
    assert "Đã nhận giải quyết" in after.text and "Đang giải quyết" in after.text
    # A step the status forbids comes back as a message naming what is allowed.
    wrong = web_client.post(f"/agency/dossiers/{code}/steps", data={"step": "send_back", "csrf": _csrf(page.text)})
    assert wrong.status_code == 303
    assert "Có thể: phân công, yêu cầu bổ sung" in web_client.get(f"/agency/dossiers/{code}").text
    # A result upload without the token stores nothing against the dossier.
    files = [("files", ("ket-qua.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))]
    assert web_client.post(f"/agency/dossiers/{code}/result", data={"csrf": "forged"},
                           files=files).status_code == 403
    assert "ket-qua.pdf" not in web_client.get(f"/agency/dossiers/{code}").text


def test_another_agency_and_the_one_stop_clerk_are_refused(web_client, web_api: Api, web_wiring) -> None:  # noqa: ANN001
    code = _forwarded(web_api, web_wiring)
    web_login(web_client, "stp.canbo")
    assert web_client.get(f"/agency/dossiers/{code}").status_code == 403
    assert web_client.get(f"/agency/dossiers/{code}/control-slip.pdf").status_code == 403
    assert code not in web_client.get("/agency").text
    web_client.cookies.clear()
    assert web_login(web_client, "canbo.tt").status_code == 403  # a clerk has the counter app, not these pages
    web_client.cookies.clear()
    web_login(web_client, "quanly")
    assert web_client.get("/agency").status_code == 403  # a manager watches, in the control room


def test_only_an_admin_edits_the_agencies(web_client) -> None:  # noqa: ANN001
    web_login(web_client, "quanly")
    page = web_client.get("/manager/agencies")
    assert page.status_code == 200 and "Sở Tư pháp thành phố Huế" in page.text
    assert 'name="catalog_terms"' not in page.text  # no edit forms for a manager
    refused = web_client.post("/manager/agencies", data={"csrf": _csrf(page.text), "code": "X", "name_vi": "X",
                                                         "kind": "department"})
    assert refused.status_code == 303 and "quản trị viên" in web_client.get("/manager/agencies").text
    web_client.cookies.clear()
    web_login(web_client, "admin")
    page = web_client.get("/manager/agencies")
    saved = web_client.post("/manager/agencies", data={
        "csrf": _csrf(page.text), "code": "bqlkkt", "name_vi": "Ban Quản lý Khu kinh tế, công nghiệp tỉnh",
        "kind": "department", "catalog_terms": "Ban quản lý khu công nghiệp\nBan Quản lý Khu chế xuất",
        "active": "1"})
    assert saved.status_code == 303
    after = web_client.get("/manager/agencies").text
    assert "Đã lưu cơ quan Ban Quản lý Khu kinh tế" in after and "BQLKKT" in after
    bad = web_client.post("/manager/agencies", data={"csrf": _csrf(page.text), "code": "Y", "name_vi": "Y",
                                                     "kind": "nonsense"})
    assert bad.status_code == 303 and "Loại cơ quan không hợp lệ" in web_client.get("/manager/agencies").text
