"""Stopping a dossier before its result (form 05 of Circular 03/2025/TT-VPCP, "Thông báo
dừng giải quyết hồ sơ"), on both databases: the citizen withdraws it at the center, or the
agency holding it stops it under the law; who may, what the notice says (read back with
pdftotext), what the citizen's page shows, and the control room's count."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from agency_helpers import OFFICER, OTHER_AGENCY, at, center_step, forward, handoff_rows, step
from dossier_helpers import receive, serve_one, set_legal_time
from support import API, Api

CENTER = "Trung tâm Phục vụ hành chính công thành phố Huế"
WARD = "Ủy ban nhân dân phường Thuận Hóa"
WITHDRAWAL = "Văn bản đề nghị dừng giải quyết, rút hồ sơ của người nộp hồ sơ"


def stop(api: Api, code: str, user: str = "canbo.tt", expect: int = 200, **body: Any) -> dict[str, Any]:
    r = api.client.post(f"{API}/dossiers/{code}/stop", json=body, headers=api.staff(user))
    assert r.status_code == expect, r.text
    return r.json()


def notice_text(api: Api, code: str, tmp_path, user: str = "canbo.tt") -> str:  # noqa: ANN001
    r = api.client.get(f"{API}/dossiers/{code}/stop-notice.pdf", headers=api.staff(user))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    path = tmp_path / f"{code}.pdf"
    path.write_bytes(r.content)
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext not found: install poppler-utils"  # fail, not skip
    out = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                         timeout=60).stdout.decode()
    return " ".join(out.split())


def test_a_citizen_withdraws_a_dossier_at_the_center(api: Api, wiring, clock, tmp_path) -> None:
    set_legal_time(wiring, 3, "Ngày làm việc")
    at(api, clock, 2027, 3, 2, 9, 0)  # Tuesday
    serve_one(api)
    received = receive(api)
    code, pin = received["code"], received["lookup_pin"]

    # The general step endpoint does not stop a dossier: the reason and basis are needed.
    assert center_step(api, code, "stop", note="Rút", expect=422)["code"] == "stop_step"
    assert stop(api, code, expect=422, ground="withdrawn", reason="  ")["code"] == "invalid_input"
    assert stop(api, code, expect=422, ground="maybe", reason="Rút")["code"] == "invalid_input"
    # Another site's clerk may not.
    assert stop(api, code, user="canbo.px", expect=403, ground="withdrawn", reason="Rút")["code"] == "forbidden"

    clock.advance(hours=2)
    stopped = stop(api, code, ground="withdrawn", reason="Công dân xin rút hồ sơ để bổ sung giấy tờ khác")
    assert stopped["status"] == "stopped" and stopped["status_vi"] == "Đã dừng giải quyết"
    assert handoff_rows(stopped)[-1] == ("stop", CENTER, "Nguyễn Thị Hường", None)
    last = stopped["history"][-1]
    assert (last["action"], last["from_status"], last["to_status"]) == ("stop", "received", "stopped")
    assert last["data"]["legal_basis"] == WITHDRAWAL and last["data"]["ground"] == "withdrawn"
    assert stopped["clock"]["overdue"] is False and stopped["clock"]["days_left"] is None

    # Form 05, read back as a person reads it.
    text = notice_text(api, code, tmp_path)
    for shown in ("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", f"Mã hồ sơ: {code}", "Kính gửi: Ông/Bà Nguyễn Thị Hường",
                  "Thủ tục đăng ký khai sinh", "Theo đề nghị dừng giải quyết, rút hồ sơ của người nộp hồ sơ",
                  "Lý do: Công dân xin rút hồ sơ để bổ sung giấy tờ khác", f"Căn cứ pháp lý: {WITHDRAWAL}",
                  f"{CENTER} thông báo dừng giải quyết hồ sơ nêu trên kể từ 11 giờ 00",
                  "NGƯỜI TIẾP NHẬN HỒ SƠ", "Nguyễn Văn An"):
        assert shown in text, (shown, text)
    # The other forms of a stopped dossier do not exist.
    assert api.client.get(f"{API}/dossiers/{code}/refusal.pdf", headers=api.staff()).json()["code"] == "not_refused"

    # Closed: nothing more happens to it, and the 409 says so.
    assert forward(api, code, expect=409)["code"] == "dossier_cannot_forward_stopped"
    again = stop(api, code, expect=409, ground="withdrawn", reason="Lần nữa")
    assert again["code"] == "dossier_cannot_stop_stopped" and "đã kết thúc" in again["message"]

    # The citizen's page (the receipt's QR) shows the step, the reason and the basis.
    public = api.client.get(f"{API}/public/dossiers/{code}", headers={"X-Lookup-Pin": pin}).json()
    assert public["status"] == "stopped" and public["status_en"] == "Processing stopped"
    assert public["steps"][-1]["text_vi"] == f"{CENTER} dừng giải quyết hồ sơ"
    assert public["stop"]["reason"] == "Công dân xin rút hồ sơ để bổ sung giấy tờ khác"
    assert public["stop"]["legal_basis"] == WITHDRAWAL and public["result_ready"] is False
    page = api.client.post(f"/d/{code}", data={"pin": pin})
    assert page.status_code == 200 and 'data-f="stop"' in page.text, page.text[:300]
    assert "Công dân xin rút hồ sơ để bổ sung giấy tờ khác" in page.text and WITHDRAWAL in page.text

    # The control room counts it in the month it stopped, apart from results and refusals.
    month = api.client.get(f"{API}/control-room", params={"month": "2027-03"}, headers=api.staff("quanly")).json()
    ward = next(x for x in month["month"]["by_agency"] if x["key"] == WARD)
    assert (ward["stopped"], ward["refused"], ward["results"], ward["received"]) == (1, 0, 0, 1)
    assert month["month"]["total"]["stopped"] == 1
    assert month["month"]["total"]["refusal_rate"] is None


def test_the_agency_holding_a_dossier_stops_it_under_the_law(api: Api, wiring, clock, tmp_path) -> None:
    set_legal_time(wiring, 3, "Ngày làm việc")
    at(api, clock, 2027, 3, 2, 9, 0)
    serve_one(api)
    code = receive(api)["code"]
    serve_one(api)
    at_center = receive(api)["code"]

    # Still at the center: the agency's officer may read it but not stop it.
    assert stop(api, at_center, user=OFFICER, expect=409, ground="withdrawn",
                reason="Rút")["code"] == "dossier_not_at_agency"
    forward(api, code)
    step(api, code, "accept")
    assert stop(api, code, user=OTHER_AGENCY, expect=403, ground="by_law", reason="x", legal_basis="y")["code"] \
        == "forbidden"
    assert stop(api, code, user=OFFICER, expect=422, ground="by_law",
                reason="Việc hộ tịch đã được đăng ký tại nơi khác")["code"] == "legal_basis_required"

    at(api, clock, 2027, 3, 3, 10, 0)  # the next day
    basis = "Khoản 1 Điều 12 Luật Hộ tịch 2014"
    stopped = stop(api, code, user=OFFICER, ground="by_law", reason="Việc hộ tịch đã được đăng ký tại nơi khác",
                   legal_basis=basis)
    assert stopped["status"] == "stopped"
    assert handoff_rows(stopped)[-1] == ("stop", WARD, "Nguyễn Thị Hường", None)
    text = notice_text(api, code, tmp_path, user=OFFICER)
    for shown in (f"{WARD} thông báo dừng giải quyết hồ sơ nêu trên", "Dừng giải quyết theo quy định của pháp luật",
                  f"Căn cứ pháp lý: {basis}", "NGƯỜI XỬ LÝ HỒ SƠ"):
        assert shown in text, (shown, text)
    # The agency's inbox files it with the settled dossiers; the center's clerk reads the notice too.
    done = api.client.get(f"{API}/agency/inbox", params={"view": "done"}, headers=api.staff(OFFICER)).json()
    assert code in [d["code"] for d in done["items"]]
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in notice_text(api, code, tmp_path, user="canbo.tt")
    assert api.client.get(f"{API}/dossiers/{code}/stop-notice.pdf",
                          headers=api.staff(OTHER_AGENCY)).status_code == 403
    assert api.client.get(f"{API}/dossiers/{at_center}/stop-notice.pdf",
                          headers=api.staff()).json()["code"] == "not_stopped"


def test_a_dossier_with_its_result_cannot_be_stopped(api: Api, wiring, clock) -> None:
    set_legal_time(wiring, 3, "Ngày làm việc")
    at(api, clock, 2027, 3, 2, 9, 0)
    serve_one(api)
    code = receive(api)["code"]
    center_step(api, code, "start_processing")
    center_step(api, code, "mark_ready")
    ready = stop(api, code, user="quanly", expect=409, ground="withdrawn", reason="Rút")
    assert ready["code"] == "dossier_cannot_stop_ready"
    assert ready["allowed"] == ["return_result"] and "trả kết quả" in ready["message"]
