"""A dossier's life (each step timestamped with who did it, overdue flagged) and the
citizen's lookup by code and PIN, on both databases."""

from __future__ import annotations

import json

from dossier_helpers import at_local, receive, serve_one, set_legal_time
from sqlalchemy import select
from support import API, Api

from queue_server.adapters import tables as t


def step(api, code: str, action: str, user: str = "canbo.tt", expect: int = 200, **body):
    r = api.client.post(f"{API}/dossiers/{code}/transitions", json={"action": action, **body}, headers=api.staff(user))
    assert r.status_code == expect, r.text
    return r.json()


def lookup(api, code: str, pin: str):
    return api.client.get(f"{API}/public/dossiers/{code}", params={"pin": pin})


def test_a_dossier_goes_through_its_life_and_every_step_says_who_and_when(api, wiring, clock) -> None:
    set_legal_time(wiring, 2, "Ngày làm việc")
    at_local(clock, 2026, 3, 9, 8, 0)  # Monday
    serve_one(api)
    code = receive(api)["code"]
    assert receive(api)["due_date"] == "2026-03-11"

    clock.advance(hours=1)
    processing = step(api, code, "start_processing")
    clock.advance(hours=1)
    asked = step(api, code, "request_supplement", note="Thiếu bản chính giấy chứng sinh",
                 items=[{"what": "Giấy chứng sinh (bản chính)", "reason": "Bản đã nộp là bản chụp"}])
    assert processing["status"] == "processing" and asked["status"] == "supplement_requested"

    # Completed two days later: received afresh, the legal time restarts (Wednesday + 2).
    at_local(clock, 2026, 3, 11, 9, 0)
    api = Api(api.client)
    again = step(api, code, "receive_supplement")
    assert again["status"] == "received" and again["due_date"] == "2026-03-13"
    step(api, code, "start_processing")
    step(api, code, "mark_ready", note="Đã ký")
    clock.advance(hours=2)
    done = step(api, code, "return_result", counter_id=9)
    assert done["status"] == "returned" and done["overdue"] is False

    history = done["history"]
    assert [h["action"] for h in history] == ["receive", "start_processing", "request_supplement",
                                              "receive_supplement", "start_processing", "mark_ready", "return_result"]
    assert [h["to_status"] for h in history][-1] == "returned"
    assert all(h["staff_name"] for h in history)
    assert history[2]["note"] == "Thiếu bản chính giấy chứng sinh"
    assert history[2]["data"]["items"][0]["what"] == "Giấy chứng sinh (bản chính)"
    assert history[-1]["counter_number"] == 9
    times = [h["at"] for h in history]
    assert times == sorted(times) and times[0] != times[-1]
    with wiring.engine.connect() as conn:
        changes = conn.execute(select(t.ticket_events.c.data).where(
            t.ticket_events.c.type == "DossierStatusChanged")).scalars().all()
    assert [c["status"] for c in changes] == ["processing", "supplement_requested", "received", "processing",
                                              "ready", "returned"]


def test_illegal_steps_and_missing_reasons_are_refused(api) -> None:
    serve_one(api)
    code = receive(api)["code"]
    early = step(api, code, "mark_ready", expect=409)
    assert early["code"] == "dossier_cannot_mark_ready_received" and "đã tiếp nhận" in early["message"]
    assert step(api, code, "refuse", expect=422)["code"] == "reason_required"
    assert step(api, code, "request_supplement", expect=422, note="x")["code"] == "invalid_input"  # no items
    assert step(api, code, "start_processing", user="canbo.px", expect=403)["code"] == "forbidden"
    assert step(api, code, "start_processing", user="quanly")["status"] == "processing"  # a manager may
    refused = step(api, code, "refuse", note="Không thuộc thẩm quyền")
    assert refused["status"] == "refused"
    assert step(api, code, "start_processing", expect=409)["code"].startswith("dossier_cannot_")
    assert step(api, "000.00.01.H57-261123-0999", "start_processing", expect=404)["code"] == "dossier_not_found"


def test_a_dossier_past_its_due_date_is_flagged_overdue_until_it_is_ready(api, wiring, clock) -> None:
    set_legal_time(wiring, 1, "Ngày làm việc")
    serve_one(api)  # Monday 23 November 2026 09:00; Tuesday 24 is a holiday: due Wednesday 25
    dossier = receive(api)
    assert dossier["due_date"] == "2026-11-25" and dossier["overdue"] is False
    clock.advance(days=2, hours=8)  # Wednesday 25, 17:00: still on time
    api = Api(api.client)
    assert api.client.get(f"{API}/dossiers/{dossier['code']}", headers=api.staff()).json()["overdue"] is False
    clock.advance(hours=8)  # Thursday 26, 01:00
    api = Api(api.client)
    late = api.client.get(f"{API}/dossiers/{dossier['code']}", headers=api.staff()).json()
    assert late["overdue"] is True
    listed = api.client.get(f"{API}/dossiers", params={"overdue": "true"}, headers=api.staff()).json()
    assert [d["code"] for d in listed["items"]] == [dossier["code"]] and listed["items"][0]["overdue"] is True
    step(api, dossier["code"], "start_processing")
    assert step(api, dossier["code"], "mark_ready")["overdue"] is False  # the result is there: not late
    assert api.client.get(f"{API}/dossiers", params={"overdue": "true"}, headers=api.staff()).json()["total"] == 0


def test_the_citizen_looks_up_with_the_pin_and_a_wrong_pin_looks_like_no_dossier(api, wiring, clock) -> None:
    set_legal_time(wiring, 3, "Ngày làm việc")
    serve_one(api)
    dossier = receive(api)
    code, pin = dossier["code"], dossier["lookup_pin"]
    step(api, code, "start_processing")

    ok = lookup(api, code, f"{pin[:3]} {pin[3:]}")  # as printed, with its space
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["code"] == code and body["status"] == "processing" and body["status_vi"] == "Đang giải quyết"
    assert body["due_date"] == "2026-11-27" and body["overdue"] is False
    assert [h["status"] for h in body["history"]] == ["received", "processing"]
    text = json.dumps(body, ensure_ascii=False)
    for personal in ["Nguyễn Thị Hường", "046186012345", "0912 345 678", "Lê Lợi", dossier["received_by_name"]]:
        assert personal not in text, personal
    # Lowercase codes typed on a phone are forgiven.
    assert lookup(api, code.lower(), pin).status_code == 200

    wrong_pin = lookup(api, code, "0" * 12 if pin != "0" * 12 else "1" * 12)
    unknown = lookup(api, "000.00.01.H57-261123-0777", pin)
    garbage = lookup(api, "HO-SO-CUA-TOI", pin)
    assert wrong_pin.status_code == unknown.status_code == garbage.status_code == 404
    assert wrong_pin.json() == unknown.json() == garbage.json()
    assert lookup(api, code, "").status_code == 422
    # The phone page may send the PIN in a header, which access logs do not keep.
    by_header = api.client.get(f"{API}/public/dossiers/{code}", headers={"X-Lookup-Pin": pin})
    assert by_header.status_code == 200 and by_header.json()["code"] == code
    assert api.client.get(f"{API}/public/dossiers/{code}").json()["code"] == "pin_required"


def test_too_many_wrong_pins_pause_lookups_of_that_code_whether_it_exists_or_not(api, clock) -> None:
    serve_one(api)
    dossier = receive(api)
    code, pin = dossier["code"], dossier["lookup_pin"]
    wrong = "0" * 12 if pin != "0" * 12 else "1" * 12
    ghost = "000.00.01.H57-261123-0555"
    for _ in range(5):  # the test limit
        assert lookup(api, code, wrong).status_code == 404
        assert lookup(api, ghost, wrong).status_code == 404
    paused, paused_ghost = lookup(api, code, pin), lookup(api, ghost, pin)
    assert paused.status_code == paused_ghost.status_code == 429
    assert paused.json() == paused_ghost.json() and "15 phút" in paused.json()["message"]
    assert paused.json()["code"] == "too_many_attempts" and 0 < int(paused.headers["retry-after"]) <= 15 * 60
    assert lookup(api, "000.00.01.H57-261123-0002", wrong).status_code == 404  # other codes unaffected
    clock.advance(minutes=16)
    assert lookup(api, code, pin).status_code == 200


def test_lists_are_per_site_and_by_ticket(api) -> None:
    ticket = serve_one(api)
    first, second = receive(api), receive(api)
    mine = api.client.get(f"{API}/dossiers", headers=api.staff()).json()
    assert mine["total"] == 2 and [d["code"] for d in mine["items"]] == [second["code"], first["code"]]
    by_ticket = api.client.get(f"{API}/dossiers", params={"ticket_id": ticket["id"]}, headers=api.staff()).json()
    assert by_ticket["total"] == 2
    assert api.client.get(f"{API}/dossiers", headers=api.staff("canbo.px")).json()["total"] == 0
    assert api.client.get(f"{API}/dossiers", params={"site_code": "HUE-TT"},
                          headers=api.staff("canbo.px")).status_code == 403
    assert api.client.get(f"{API}/dossiers", params={"status": "received"},
                          headers=api.staff("quanly")).json()["total"] == 2
