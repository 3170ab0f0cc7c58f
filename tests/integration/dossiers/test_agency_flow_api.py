"""A dossier after the counter, on both databases: forwarded under the 15:00 rule, accepted,
assigned, stopped for a supplement across Tết and restarted, resolved with its digitized
result, sent back, returned; every hand-off one row with on time or late; the apology
(form 04) required once late; and what a processor of another agency may not do."""

from __future__ import annotations

from agency_helpers import (
    HEAD,
    OFFICER,
    OTHER_AGENCY,
    SUPPLEMENT_ITEMS,
    at,
    center_step,
    forward,
    handoff_rows,
    inbox,
    resolve,
    step,
)
from dossier_helpers import pdf_text, receive, serve_one, set_legal_time
from support import API, Api, kiosk_headers

CENTER = "Trung tâm Phục vụ hành chính công thành phố Huế"
WARD = "Ủy ban nhân dân phường Thuận Hóa"


def test_a_dossier_walks_from_the_counter_through_its_agency_back_to_the_citizen(api: Api, wiring, clock) -> None:
    set_legal_time(wiring, 3, "Ngày làm việc")
    at(api, clock, 2027, 1, 28, 15, 20)  # Thursday, after the 15:00 cut-off
    serve_one(api)
    received = receive(api)
    code = received["code"]
    # Birth registration names no agency in the catalog: a commune-level procedure goes to
    # the ward serving the receiving site.
    assert received["processing_agency_name_vi"] == WARD
    assert received["forward_deadline"] == "2027-01-29" and received["due_date"] == "2027-02-02"
    assert received["clock"]["days_left"] == 3 and received["status"] == "received"

    at(api, clock, 2027, 1, 29, 8, 30)  # Friday morning: the next working day is on time
    forwarded = forward(api, code)
    assert forwarded["status"] == "forwarded"
    assert handoff_rows(forwarded) == [("forward", CENTER, WARD, "on_time")]

    box = inbox(api)
    assert [d["code"] for d in box["items"]] == [code] and box["counts"]["incoming"] == 1
    assert box["items"][0]["days_left"] == 2  # Mon 1, Tue 2 February

    clock.advance(minutes=20)
    accepted = step(api, code, "accept")
    assert accepted["status"] == "processing" and accepted["assigned_username"] == OFFICER
    clock.advance(minutes=5)
    assigned = step(api, code, "assign", user=HEAD, assignee=OFFICER, note="Đồng chí Phúc xử lý")
    assert [h["kind"] for h in assigned["handoffs"]] == ["forward", "assign", "assign"]

    # Friday 29 January, two working days before the due day: the clock stops.
    clock.advance(hours=2)
    stopped = step(api, code, "request_supplement", note="Thiếu giấy chứng sinh bản chính", items=SUPPLEMENT_ITEMS)
    assert stopped["status"] == "supplement_requested"
    assert stopped["clock"]["clock_stopped"] is True and stopped["clock"]["stopped_days_left"] == 2
    assert stopped["clock"]["days_left"] is None
    assert inbox(api, view="supplement")["total"] == 1

    # The citizen completes it on Wednesday 3 February 2027, the day before Tết (4-10
    # February): the two days left run from then and skip Tết and the weekend.
    at(api, clock, 2027, 2, 3, 10, 0)
    again = center_step(api, code, "receive_supplement")
    assert again["status"] == "received" and again["due_date"] == "2027-02-12"
    assert again["forward_deadline"] == "2027-02-03"
    again = forward(api, code)
    assert again["status"] == "forwarded"
    step(api, code, "accept")

    at(api, clock, 2027, 2, 11, 14, 0)  # Thursday after Tết: one working day left
    assert inbox(api, view="due_soon")["total"] == 1
    ready_at_agency = resolve(api, code)
    assert ready_at_agency["status"] == "resolved"
    results = [a for a in ready_at_agency["attachments"] if a["file_name"].startswith("ket-qua")]
    assert len(results) == 1
    sent = step(api, code, "send_back", note="Chuyển kết quả")
    assert sent["status"] == "ready"
    assert handoff_rows(sent)[-1] == ("send_back", WARD, CENTER, "early")

    # The citizen scans the slip's QR at the kiosk: a return ticket; the result is returned.
    at(api, clock, 2027, 2, 12, 9, 0)
    r = api.client.post(f"{API}/tickets/for-dossier", json={"dossier_code": code}, headers=kiosk_headers())
    assert r.status_code == 201, r.text
    done = center_step(api, code, "return_result", counter_id=9)
    assert done["status"] == "returned"
    assert [h[0] for h in handoff_rows(done)] == [
        "forward", "assign", "assign", "supplement", "supplement_in", "forward", "send_back", "return"]
    assert [h[3] for h in handoff_rows(done)] == [
        "on_time", "early", "early", "early", None, "on_time", "early", None]
    actions = [h["action"] for h in done["history"]]
    assert actions == ["receive", "forward", "accept", "assign", "request_supplement", "receive_supplement",
                       "forward", "accept", "resolve", "send_back", "return_result"]
    send_back = next(h for h in done["history"] if h["action"] == "send_back")
    # Working days with the administration: Fri 29 Jan, then Thu 11 and Fri 12 Feb... the
    # result came on Thu 11: Fri 29 (the supplement stop began that day, so it is not
    # counted), Wed 3 (the day the complete dossier came back is), Thu 11.
    assert send_back["data"]["on_time"] is True and send_back["data"]["working_days"] == 2
    assert send_back["data"]["legal_days"] == 3

    # Its control slip (form 06) prints the eight hand-offs; the tracking books (form 07)
    # of the site and of the agency list it with its dates, for the site's clerk and the
    # agency's officer alike.
    slip = api.client.get(f"{API}/dossiers/{code}/control-slip.pdf", headers=api.staff(OFFICER))
    assert slip.status_code == 200 and slip.headers["content-type"] == "application/pdf"
    text = pdf_text(slip.content)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and f"Mã hồ sơ: {code}" in text
    assert text.count("Giao:") == 8 and text.count("Trước hạn") == 4 and "Đúng hạn" in text
    for user, params in (("canbo.tt", {}), (OFFICER, {}), ("quanly", {"agency_code": "UBND-THUANHOA"})):
        book = api.client.get(f"{API}/tracking-book.pdf", headers=api.staff(user),
                              params={"from": "2027-01-01", "to": "2027-02-28", **params})
        assert book.status_code == 200, book.text
        assert code in pdf_text(book.content) and "29/01/2027" in pdf_text(book.content)
    assert api.client.get(f"{API}/tracking-book.xlsx", headers=api.staff("canbo.px"),
                          params={"from": "2027-01-01", "to": "2027-02-28", "site_code": "HUE-TT"}).status_code == 403
    assert api.client.get(f"{API}/tracking-book.pdf", headers=api.staff(OFFICER),
                          params={"from": "2027-01-01", "to": "2027-02-28", "agency_code": "STP"}).status_code == 403
    assert api.client.get(f"{API}/tracking-book.pdf", headers=api.staff("quanly"),
                          params={"from": "2027-03-01", "to": "2027-01-01", "site_code": "HUE-TT"}).json()["code"] == "invalid_period"


def test_a_late_agency_must_apologise_with_a_new_date_and_the_dossier_counts_as_late(api: Api, wiring, clock) -> None:
    set_legal_time(wiring, 2, "Ngày làm việc")
    at(api, clock, 2026, 3, 9, 9, 0)  # Monday: due Wednesday 11 March
    serve_one(api)
    code = receive(api)["code"]
    forward(api, code)
    step(api, code, "accept")

    at(api, clock, 2026, 3, 12, 9, 0)  # Thursday: a day late
    late = api.client.get(f"{API}/agency/dossiers/{code}", headers=api.staff(OFFICER)).json()
    assert late["clock"]["days_left"] == -1 and late["clock"]["overdue"] and late["clock"]["late"]
    assert inbox(api, view="overdue")["total"] == 1

    refused = resolve(api, code, expect=409)
    assert refused["code"] == "apology_required" and "mẫu 04" in refused["message"]
    # The new date: never before the receipt, today or the current due day; a working day.
    for bad in ("2026-03-08", "2026-03-11", "2026-03-14"):
        body = step(api, code, "apologize", note="Chờ xác minh", new_due_date=bad, expect=422)
        assert body["code"] == "invalid_new_due_date", bad
    assert step(api, code, "apologize", new_due_date="2026-03-16", expect=422)["code"] == "reason_required"
    sorry = step(api, code, "apologize", note="Cần xác minh thông tin với nơi sinh", new_due_date="2026-03-16")
    assert sorry["clock"]["new_due_date"] == "2026-03-16" and sorry["clock"]["late"] is True
    assert sorry["clock"]["days_left"] == 2 and sorry["clock"]["overdue"] is False  # Fri 13, Mon 16

    resolve(api, code)
    sent = step(api, code, "send_back")
    settled = next(h for h in sent["history"] if h["action"] == "send_back")["data"]
    assert settled["on_time"] is False and settled["apologized"] is True and settled["timeliness"] == "late"
    assert sent["handoffs"][-1]["timeliness"] == "late"
    letter = api.client.get(f"{API}/dossiers/{code}/apology.pdf", headers=api.staff("canbo.tt"))
    assert letter.status_code == 200
    text = pdf_text(letter.content)
    assert "VĂN BẢN XIN LỖI" in text and "thứ Hai, ngày 16 tháng 3 năm 2026" in text
    assert "thứ Tư, ngày 11 tháng 3 năm 2026" in text and "Cần xác minh thông tin với nơi sinh" in text


def test_roles_and_forbidden_steps_are_refused_with_a_reason(api: Api, wiring, clock) -> None:
    set_legal_time(wiring, 3, "Ngày làm việc")
    at(api, clock, 2026, 3, 9, 9, 0)
    serve_one(api)
    code = receive(api)["code"]
    # Only once forwarded does the agency see it; the center cannot take agency steps.
    assert step(api, code, "accept", expect=409)["allowed"] == []
    body = center_step(api, code, "accept", expect=422)
    assert body["code"] == "agency_step"
    forward(api, code)
    assert forward(api, code, expect=409)["code"] == "dossier_cannot_forward_forwarded"

    # Another agency's officer: 403 on every read and step; the site's clerk of another site too.
    for path in (f"/agency/dossiers/{code}", f"/dossiers/{code}/control-slip.pdf"):
        assert api.client.get(f"{API}{path}", headers=api.staff(OTHER_AGENCY)).status_code == 403, path
    assert step(api, code, "accept", user=OTHER_AGENCY, expect=403)["code"] == "forbidden"
    assert resolve(api, code, user=OTHER_AGENCY, expect=403)["code"] == "forbidden"
    assert forward(api, code, user="canbo.px", expect=403)["code"] == "forbidden"
    # A processor is no one-stop clerk: the site-scoped endpoints refuse them.
    assert api.client.get(f"{API}/dossiers", headers=api.staff(OFFICER)).status_code == 403
    assert center_step(api, code, "start_processing", user=OFFICER, expect=403)["code"] == "forbidden"

    # A step the status forbids: 409 naming the allowed ones.
    wrong = step(api, code, "send_back", expect=409)
    assert wrong["code"] == "dossier_cannot_send_back_forwarded"
    assert wrong["allowed"] == ["accept", "assign", "request_supplement", "refuse", "apologize"]
    assert "nhận giải quyết" in wrong["message"] and "accept" in wrong["message_en"]

    assert step(api, code, "refuse", expect=422)["code"] == "reason_required"
    refused = step(api, code, "refuse", reasons=["Thủ tục không thuộc thẩm quyền của phường"])
    assert refused["status"] == "refused"
    form = api.client.get(f"{API}/dossiers/{code}/refusal.pdf", headers=api.staff("canbo.tt"))
    assert form.status_code == 200 and "1. Thủ tục không thuộc thẩm quyền của phường" in pdf_text(form.content)
    assert api.client.get(f"{API}/dossiers/{code}/apology.pdf",
                          headers=api.staff("canbo.tt")).json()["code"] == "no_apology"
    # A refused dossier can never be marked ready, nor sent back.
    assert resolve(api, code, expect=409)["allowed"] == []
    assert step(api, code, "send_back", expect=409)["code"] == "dossier_cannot_send_back_refused"
    assert step(api, code, "assign", assignee="nobody", expect=409)["code"] == "dossier_cannot_assign_refused"


def test_an_officer_is_assigned_only_within_the_agency_and_a_result_needs_its_file(api: Api, wiring, clock) -> None:
    set_legal_time(wiring, 3, "Ngày làm việc")
    at(api, clock, 2026, 3, 9, 9, 0)
    serve_one(api)
    code = receive(api)["code"]
    forward(api, code)
    assert step(api, code, "assign", assignee=OTHER_AGENCY, expect=404)["code"] == "officer_not_found"
    assert step(api, code, "assign", expect=422)["code"] == "assignee_required"
    step(api, code, "accept")
    assert resolve(api, code, files=0, expect=422)["code"] == "result_file_required"
    assert api.client.post(f"{API}/agency/dossiers/{code}/result", json={},
                           headers=api.staff(OFFICER)).status_code == 422
    assert api.client.get(f"{API}/agency/inbox", headers=api.staff("canbo.tt")).status_code == 403
