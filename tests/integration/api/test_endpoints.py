"""Every endpoint's success path and its main failure paths (beyond test_ticket_flow.py),
as the clerk, the kiosk, the manager or the citizen's phone would notice them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from api_helpers import QuickLoginApi, assert_refused, site_state
from support import (
    API,
    BIRTH_REGISTRATION,
    COUNTER_A,
    COUNTER_AF,
    SITE_PX,
    SITE_TT,
    Api,
    FakeClock,
    kiosk_headers,
)

SITE_PV = "HUE-PV"
BUILDING_PERMIT_LICENCE = "1.013217"  # construction (service E)


@pytest.fixture
def api(client: Any, wiring: Any) -> Api:
    return QuickLoginApi(client, wiring)


def waiting(api: Api, site: str = SITE_TT) -> dict[str, int]:
    return site_state(api, site)[1]


def services(api: Api, site: str = SITE_TT) -> dict[str, int]:
    return {s["code"]: s["id"] for s in api.client.get(f"{API}/sites/{site}/services").json()}


def counter_id(api: Api, site: str, number: int) -> int:
    return next(c["id"] for c in api.snapshot(site)["counters"] if c["number"] == number)


def ticket(api: Api, ticket_id: int, user: str = "canbo.tt") -> dict[str, Any]:
    r = api.client.get(f"{API}/tickets/{ticket_id}", headers=api.staff(user))
    assert r.status_code == 200, r.text
    return r.json()


def issue_for_service(api: Api, service_id: int, site: str = SITE_TT) -> dict[str, Any]:
    r = api.client.post(f"{API}/tickets", json={"service_id": service_id}, headers=kiosk_headers(site))
    assert r.status_code == 201, r.text
    return r.json()


def at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# ---- auth ----------------------------------------------------------------------------------
def test_a_wrong_password_and_an_unknown_user_are_refused_with_the_same_message(api: Api) -> None:
    wrong_password = api.client.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "sai-mat-khau"})
    unknown_user = api.client.post(f"{API}/auth/login", json={"username": "khong.co", "password": "motcua-demo"})
    first = assert_refused(wrong_password, 401, "bad_credentials")
    second = assert_refused(unknown_user, 401, "bad_credentials")
    assert first == second  # nothing tells which usernames exist
    assert "token" not in first


def test_login_gives_a_twelve_hour_token_that_auth_me_recognises(api: Api, clock: FakeClock) -> None:
    r = api.client.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"})
    assert r.status_code == 200, r.text
    login = r.json()
    assert login["token"].startswith("mcs_")
    assert at(login["expires_at"]) == clock.now + timedelta(hours=12)
    me = api.client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {login['token']}"}).json()
    assert me == login["staff"]
    assert (me["username"], me["role"]) == ("canbo.tt", "staff")
    assert me["site_id"] == api.client.get(f"{API}/sites/{SITE_TT}").json()["id"]
    manager = api.client.get(f"{API}/auth/me", headers=api.staff("quanly")).json()
    assert (manager["role"], manager["site_id"]) == ("manager", None)


def test_logout_revokes_only_that_token(api: Api) -> None:
    other_session = api.staff()
    r = api.client.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"})
    session = {"Authorization": f"Bearer {r.json()['token']}"}
    assert api.client.get(f"{API}/auth/me", headers=session).status_code == 200
    r = api.client.post(f"{API}/auth/logout", headers=session)
    assert r.status_code == 204 and r.content == b""
    assert_refused(api.client.get(f"{API}/auth/me", headers=session), 401, "invalid_token")
    assert_refused(api.client.post(f"{API}/counters/{COUNTER_A}/open", headers=session), 401, "invalid_token")
    assert api.client.get(f"{API}/auth/me", headers=other_session).status_code == 200
    assert_refused(api.client.post(f"{API}/auth/logout", headers=kiosk_headers()), 403, "forbidden")


# ---- sites and catalog ---------------------------------------------------------------------
def test_sites_are_listed_and_each_one_tells_its_services(api: Api) -> None:
    sites = api.client.get(f"{API}/sites").json()
    assert [s["code"] for s in sites] == ["HUE-TT", "HUE-PX", "HUE-TH", "HUE-PV"]
    assert all(s["name_vi"] and s["address"] and s["opening_hours"] for s in sites)
    commune = api.client.get(f"{API}/sites/{SITE_PV}").json()
    assert commune == next(s for s in sites if s["code"] == SITE_PV)
    assert commune["kind"] == "commune" and commune["name_vi"] == "Điểm tiếp nhận xã Phú Vinh"
    assert list(services(api, SITE_PV)) == ["A", "B", "F", "H", "R"]  # H: the help line (Không rõ thủ tục)
    assert list(services(api, SITE_TT)) == ["A", "B", "C", "D", "E", "F", "H", "R"]
    assert_refused(api.client.get(f"{API}/sites/hue-tt"), 404, "not_found")  # codes are exact


def test_fields_come_most_used_first_and_can_be_narrowed_to_what_a_site_receives(api: Api) -> None:
    everywhere = api.client.get(f"{API}/fields").json()
    counts = [f["procedure_count"] for f in everywhere]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1] > 0
    at_commune = api.client.get(f"{API}/fields", params={"site": SITE_PV}).json()
    assert 0 < len(at_commune) < len(everywhere)
    assert {f["id"] for f in at_commune} <= {f["id"] for f in everywhere}
    assert [f["procedure_count"] for f in at_commune] == sorted((f["procedure_count"] for f in at_commune),
                                                                 reverse=True)
    assert "Hộ tịch" in {f["name_vi"] for f in at_commune}


def test_procedures_page_through_with_limit_and_offset_under_a_stable_total(api: Api) -> None:
    def page(**params: Any) -> dict[str, Any]:
        r = api.client.get(f"{API}/procedures", params=params)
        assert r.status_code == 200, r.text
        return r.json()

    first, second = page(limit=5, offset=0), page(limit=5, offset=5)
    total = first["total"]
    assert total > 1000 and second["total"] == total
    assert len(first["items"]) == len(second["items"]) == 5
    assert not {p["code"] for p in first["items"]} & {p["code"] for p in second["items"]}
    assert [p["code"] for p in page(limit=10)["items"]] == [p["code"] for p in first["items"] + second["items"]]
    assert len(page(limit=5, offset=total - 2)["items"]) == 2
    beyond = page(limit=5, offset=total + 10)
    assert beyond == {"total": total, "items": []}
    assert len(page()["items"]) == 20  # the default page size


def test_procedures_filter_by_field_and_by_site(api: Api) -> None:
    everything = api.client.get(f"{API}/procedures", params={"limit": 1}).json()["total"]
    field = api.client.get(f"{API}/fields").json()[0]
    in_field = api.client.get(f"{API}/procedures", params={"field_id": field["id"], "limit": 200}).json()
    assert in_field["total"] == field["procedure_count"]
    assert all(p["field_id"] == field["id"] and p["field_vi"] == field["name_vi"] for p in in_field["items"])
    assert all(p["service_id"] is None for p in in_field["items"])  # no site asked about

    commune_services = set(services(api, SITE_PV).values())
    at_commune = api.client.get(f"{API}/procedures", params={"site": SITE_PV, "limit": 200}).json()
    assert 0 < at_commune["total"] < everything
    assert all(p["service_id"] in commune_services for p in at_commune["items"])
    found = api.client.get(f"{API}/procedures", params={"site": SITE_PV, "q": "xây dựng", "limit": 200}).json()
    assert BUILDING_PERMIT_LICENCE not in {p["code"] for p in found["items"]}


def test_procedure_detail_names_the_queue_that_serves_it_at_a_site(api: Api) -> None:
    tt = services(api, SITE_TT)
    plain = api.client.get(f"{API}/procedures/{BIRTH_REGISTRATION}").json()
    assert plain["name_vi"] == "Thủ tục đăng ký khai sinh" and plain["service_id"] is None
    assert plain["source_url"]
    here = api.client.get(f"{API}/procedures/{BIRTH_REGISTRATION}", params={"site": SITE_TT}).json()
    assert here["service_id"] == tt["A"]
    assert {k: v for k, v in here.items() if k != "service_id"} == {k: v for k, v in plain.items() if k != "service_id"}
    permit = api.client.get(f"{API}/procedures/{BUILDING_PERMIT_LICENCE}", params={"site": SITE_TT}).json()
    assert permit["service_id"] == tt["E"]
    not_here = api.client.get(f"{API}/procedures/{BUILDING_PERMIT_LICENCE}", params={"site": SITE_PV})
    assert not_here.status_code == 200 and not_here.json()["service_id"] is None


def test_nearby_sites_come_nearest_first_and_say_sooner_when_the_line_here_is_long(api: Api) -> None:
    def nearby() -> dict[str, Any]:
        r = api.client.get(f"{API}/procedures/{BIRTH_REGISTRATION}/nearby", params={"site": SITE_PX})
        assert r.status_code == 200, r.text
        return r.json()

    calm = nearby()
    assert calm["here"]["site_code"] == SITE_PX and calm["here"]["people_waiting"] == 0
    codes = [s["site_code"] for s in calm["sites"]]
    assert SITE_TT in codes and SITE_PX not in codes
    distances = [s["distance_km"] for s in calm["sites"]]
    assert distances == sorted(distances) and all(d > 0 for d in distances)
    assert all(s["travel_minutes"] >= 0 and s["people_waiting"] == 0 for s in calm["sites"])
    assert not any(s["sooner"] for s in calm["sites"])  # nobody waits here: stay

    for _ in range(30):
        api.issue(site=SITE_PX)
    busy = nearby()
    assert busy["here"]["people_waiting"] == 30 and busy["here"]["estimated_wait_minutes"] > 30
    center = next(s for s in busy["sites"] if s["site_code"] == SITE_TT)
    assert center["sooner"] is True and center["people_waiting"] == 0
    assert center["service_id"] == services(api, SITE_TT)["A"]


def test_estimate_counts_the_people_waiting_and_the_counters_serving(api: Api) -> None:
    service_a = services(api)["A"]

    def estimate() -> dict[str, Any]:
        r = api.client.get(f"{API}/sites/{SITE_TT}/estimate", params={"service_id": service_a})
        assert r.status_code == 200, r.text
        return r.json()

    empty = estimate()
    assert (empty["site_code"], empty["service_id"], empty["people_waiting"]) == (SITE_TT, service_a, 0)
    assert empty["serving_counters"] == 3  # counters 1, 2 and 9 serve A; none open: all count
    # Nobody waits, but no desk is open: the first comes after one handling time (6 min by
    # default) shared by the 3 desks once they open.
    assert empty["estimated_wait_minutes"] == 2
    for _ in range(3):
        api.issue()
    all_configured = estimate()
    assert all_configured["people_waiting"] == 3 and all_configured["estimated_wait_minutes"] > 0
    api.ok(COUNTER_A, "open")
    one_open = estimate()
    assert one_open["serving_counters"] == 1
    assert one_open["estimated_wait_minutes"] > all_configured["estimated_wait_minutes"]
    r = api.client.get(f"{API}/sites/{SITE_PV}/estimate", params={"service_id": services(api)["E"]})
    assert_refused(r, 404, "not_found")


def test_a_shared_desk_busy_with_its_preferred_line_lengthens_the_estimate(api: Api) -> None:
    ids = services(api)
    shared = counter_id(api, SITE_TT, 9)  # serves R first (weight 2), then A (weight 1)
    api.ok(shared, "open")

    def printed_for_a_newcomer() -> int:
        r = api.client.get(f"{API}/sites/{SITE_TT}/estimate", params={"service_id": ids["A"]})
        assert r.status_code == 200, r.text
        return r.json()["estimated_wait_minutes"]

    assert printed_for_a_newcomer() == 0  # the desk is free
    first, second = api.issue(), api.issue()
    assert (first["estimated_wait_minutes"], second["estimated_wait_minutes"]) == (0, 6)
    assert printed_for_a_newcomer() == 12  # two ahead, one free desk, 6 minutes each
    r = api.client.post(f"{API}/tickets", json={"service_id": ids["R"]}, headers=kiosk_headers(SITE_TT))
    assert r.status_code == 201, r.text
    # Now the desk calls R first: it serves A at half its pace at best.
    assert printed_for_a_newcomer() == 24
    # The citizen's phone page says so too: one ahead, the desk free, but R goes first.
    phone = api.client.get(f"{API}/public/tickets/{second['tracking_token']}").json()
    assert (phone["people_ahead"], phone["estimated_wait_minutes"]) == (1, 12)


# ---- counters ------------------------------------------------------------------------------
def test_a_counter_opens_pauses_with_a_reason_and_closes(api: Api) -> None:
    me = api.client.get(f"{API}/auth/me", headers=api.staff()).json()
    seq = site_state(api)[0]
    opened = api.ok(COUNTER_A, "open")
    assert (opened["state"], opened["staff_id"], opened["staff_name"]) == ("open", me["id"], me["full_name"])
    paused = api.ok(COUNTER_A, "pause", {"reason": "  Nghỉ trưa  "})
    assert (paused["state"], paused["pause_reason"]) == ("paused", "Nghỉ trưa")
    api.issue()
    assert_refused(api.counter(COUNTER_A, "call-next"), 409, "counter_not_open")
    staff_view = api.client.get(f"{API}/sites/{SITE_TT}/snapshot", headers=api.staff()).json()
    shown = next(c for c in staff_view["counters"] if c["id"] == COUNTER_A)
    assert (shown["state"], shown["pause_reason"]) == ("paused", "Nghỉ trưa")
    # The lobby display sees the state but never the words staff typed (a public screen).
    on_display = next(c for c in api.snapshot()["counters"] if c["id"] == COUNTER_A)
    assert (on_display["state"], on_display["pause_reason"]) == ("paused", "")
    reopened = api.ok(COUNTER_A, "open")
    assert (reopened["state"], reopened["pause_reason"]) == ("open", "")
    closed = api.ok(COUNTER_A, "close")
    assert (closed["state"], closed["staff_id"]) == ("closed", None)
    assert site_state(api)[0] == seq + 5  # open, pause, issue, open, close: the refusal recorded nothing


def test_pause_and_cancel_work_without_a_body_since_the_reason_is_optional(api: Api) -> None:
    waiting_ticket = api.issue()
    api.ok(COUNTER_A, "open")
    r = api.client.post(f"{API}/counters/{COUNTER_A}/pause", headers=api.staff())
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "paused"
    r = api.client.post(f"{API}/tickets/{waiting_ticket['id']}/cancel", headers=api.staff())
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"


def test_call_next_is_refused_when_the_counter_is_closed_nobody_waits_or_it_is_busy(api: Api) -> None:
    before = site_state(api)
    assert_refused(api.counter(COUNTER_A, "call-next"), 409, "counter_not_open")
    assert site_state(api) == before
    api.ok(COUNTER_A, "open")
    before = site_state(api)
    body = assert_refused(api.counter(COUNTER_A, "call-next"), 409, "no_ticket_waiting")
    assert "chờ" in body["message"]
    assert site_state(api) == before
    first, second = api.issue(), api.issue()
    assert api.ok(COUNTER_A, "call-next")["id"] == first["id"]
    before = site_state(api)
    busy = assert_refused(api.counter(COUNTER_A, "call-next"), 409, "counter_busy")
    assert "Quầy 1" in busy["message"]
    assert site_state(api) == before
    assert ticket(api, second["id"])["status"] == "waiting"


def test_call_next_with_finish_current_finishes_the_served_ticket_then_calls_the_next(api: Api) -> None:
    first, second = api.issue(), api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    api.ok(COUNTER_A, "start")
    called = api.ok(COUNTER_A, "call-next", {"finish_current": True})
    assert (called["id"], called["status"], called["counter_number"]) == (second["id"], "called", 1)
    done = ticket(api, first["id"])
    assert done["status"] == "done" and done["finished_at"] is not None
    snap = api.client.get(f"{API}/counters/{COUNTER_A}", headers=api.staff()).json()
    assert snap["figures"]["served_today"] == 1
    assert snap["counter"]["current_ticket"]["id"] == second["id"]


def test_a_clerk_can_call_a_specific_ticket_out_of_order_with_a_reason(api: Api) -> None:
    first, _, third = api.issue(), api.issue(), api.issue()
    api.ok(COUNTER_A, "open")
    called = api.ok(COUNTER_A, "call", {"ticket_id": third["id"], "reason": "Công dân khuyết tật đi cùng"})
    assert (called["id"], called["label"], called["status"]) == (third["id"], "A003", "called")
    assert api.snapshot()["recent_calls"][0]["label"] == "A003"
    api.ok(COUNTER_A, "start")
    api.ok(COUNTER_A, "finish")
    assert api.ok(COUNTER_A, "call-next")["id"] == first["id"]  # the others keep their order
    api.ok(COUNTER_A, "start")
    api.ok(COUNTER_A, "finish")
    assert_refused(api.counter(COUNTER_A, "call", {"ticket_id": third["id"]}), 409, "cannot_call_done")
    elsewhere = api.issue(site=SITE_PX)
    assert_refused(api.counter(COUNTER_A, "call", {"ticket_id": elsewhere["id"]}), 409, "ticket_other_site")


def test_recall_counts_and_a_no_show_needs_one_recall_first(api: Api) -> None:
    issued = api.issue()
    api.ok(COUNTER_A, "open")
    assert api.ok(COUNTER_A, "call-next")["recall_count"] == 0
    before = site_state(api)
    refused = assert_refused(api.counter(COUNTER_A, "no-show"), 409, "recall_first")
    assert "A001" in refused["message"]
    assert site_state(api) == before and ticket(api, issued["id"])["status"] == "called"
    assert api.ok(COUNTER_A, "recall")["recall_count"] == 1
    assert api.snapshot()["recent_calls"][0]["recall_count"] == 1
    assert api.ok(COUNTER_A, "recall")["recall_count"] == 2
    gone = api.ok(COUNTER_A, "no-show")
    assert gone["status"] == "no_show" and gone["finished_at"] is not None
    snap = api.client.get(f"{API}/counters/{COUNTER_A}", headers=api.staff()).json()
    assert snap["counter"]["current_ticket"] is None and snap["figures"]["no_show_today"] == 1
    assert_refused(api.counter(COUNTER_A, "recall"), 409, "no_current_ticket")


def test_a_held_ticket_waits_aside_and_resumes_at_the_same_counter(api: Api) -> None:
    first, second = api.issue(), api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    api.ok(COUNTER_A, "start")
    held = api.ok(COUNTER_A, "hold")
    assert held["status"] == "held"
    snap = api.client.get(f"{API}/counters/{COUNTER_A}", headers=api.staff()).json()
    assert snap["counter"]["current_ticket"] is None
    assert [t["id"] for t in snap["held_tickets"]] == [first["id"]]
    public = api.client.get(f"{API}/public/tickets/{first['tracking_token']}").json()
    assert (public["status"], public["counter_number"]) == ("held", 1)

    assert api.ok(COUNTER_A, "call-next")["id"] == second["id"]  # meanwhile, the next citizen
    assert_refused(api.counter(COUNTER_A, "resume", {"ticket_id": first["id"]}), 409, "counter_busy")
    api.ok(COUNTER_A, "start")
    api.ok(COUNTER_A, "finish")
    api.ok(COUNTER_AF, "open")
    assert_refused(api.counter(COUNTER_AF, "resume", {"ticket_id": first["id"]}), 409, "not_held_here")
    resumed = api.ok(COUNTER_A, "resume", {"ticket_id": first["id"]})
    assert (resumed["id"], resumed["status"], resumed["counter_id"]) == (first["id"], "serving", COUNTER_A)
    assert api.ok(COUNTER_A, "finish")["status"] == "done"


def test_transfer_to_another_service_keeps_the_label_and_the_place_in_line(api: Api, clock: FakeClock) -> None:
    ids = services(api)
    api.issue()
    issued = api.issue()  # A002
    clock.advance(minutes=20)
    already_in_f = issue_for_service(api, ids["F"])  # F001, arrived 20 minutes later
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next", {"finish_current": False})
    api.ok(COUNTER_A, "start")
    assert api.ok(COUNTER_A, "call-next", {"finish_current": True})["id"] == issued["id"]
    moved = api.ok(COUNTER_A, "transfer", {"target": "service", "service_id": ids["F"], "reason": "Cần làm căn cước"})
    assert (moved["id"], moved["label"], moved["status"]) == (issued["id"], "A002", "waiting")
    assert (moved["service_id"], moved["service_code"], moved["counter_id"]) == (ids["F"], "F", None)
    assert moved["arrived_at"] == issued["arrived_at"]
    assert waiting(api)["A"] == 0 and waiting(api)["F"] == 2
    counter_f = counter_id(api, SITE_TT, 8)  # serves F only
    api.ok(counter_f, "open")
    assert api.ok(counter_f, "call-next")["id"] == issued["id"]  # its earlier arrival counts
    assert ticket(api, already_in_f["id"])["status"] == "waiting"
    assert_refused(api.counter(counter_f, "transfer", {"target": "service", "service_id": 999999}), 404, "not_found")


def test_a_service_keeps_issuing_after_a_ticket_was_transferred_into_it(lenient: Api) -> None:
    """A transferred ticket keeps its label (A001) but joins another service's line: its
    number must not collide with that service's own numbers (F001, F002, ...)."""
    api = lenient
    f = services(api)["F"]
    api.issue()  # A001
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    assert api.ok(COUNTER_A, "transfer", {"target": "service", "service_id": f})["label"] == "A001"
    r = api.client.post(f"{API}/tickets", json={"service_id": f}, headers=kiosk_headers())
    assert r.status_code == 201, f"the first F ticket after the transfer: {r.status_code} {r.text[:200]}"
    assert r.json()["label"] == "F001"
    # And the other way round: A002 sent to F where F002 is already taken.
    issue_for_service(api, f)  # F002
    api.issue()  # A002
    api.ok(COUNTER_A, "call-next")
    r = api.counter(COUNTER_A, "transfer", {"target": "service", "service_id": f})
    assert r.status_code == 200, f"transferring A002 into F: {r.status_code} {r.text[:200]}"
    assert waiting(api)["F"] == 4


def test_transfer_to_a_counter_only_that_counter_gets_the_ticket(api: Api) -> None:
    issued = api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    moved = api.ok(COUNTER_A, "transfer", {"target": "counter", "counter_id": COUNTER_AF})
    assert (moved["status"], moved["target_counter_id"]) == ("waiting", COUNTER_AF)
    counter_a_too = counter_id(api, SITE_TT, 9)  # also serves A
    api.ok(counter_a_too, "open")
    before = site_state(api)
    assert_refused(api.counter(counter_a_too, "call-next"), 409, "no_ticket_waiting")
    assert_refused(api.counter(COUNTER_A, "call-next"), 409, "no_ticket_waiting")
    assert site_state(api) == before
    api.ok(COUNTER_AF, "open")
    waiting_there = api.client.get(f"{API}/counters/{COUNTER_AF}", headers=api.staff()).json()["waiting"]
    assert [(w["id"], w["target_counter_id"]) for w in waiting_there] == [(issued["id"], COUNTER_AF)]
    called = api.ok(COUNTER_AF, "call-next")
    assert (called["id"], called["counter_number"], called["target_counter_id"]) == (issued["id"], 2, None)
    assert_refused(api.counter(COUNTER_AF, "transfer", {"target": "counter", "counter_id": COUNTER_AF}),
                   409, "same_counter")


def test_transfer_to_another_site_gives_a_new_label_there_and_keeps_the_tracking_link(
    api: Api, clock: FakeClock
) -> None:
    issued = api.issue()
    clock.advance(minutes=10)
    api.issue(site=SITE_PX)  # A001 at Phú Xuân, arrived later
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    before_px = waiting(api, SITE_PX)["A"]
    moved = api.ok(COUNTER_A, "transfer", {"target": "site", "site_code": SITE_PX, "reason": "Hồ sơ thuộc Phú Xuân"})
    assert (moved["id"], moved["site_code"], moved["label"], moved["status"]) == (issued["id"], SITE_PX, "A002",
                                                                                   "waiting")
    assert moved["arrived_at"] == issued["arrived_at"]
    assert waiting(api, SITE_PX)["A"] == before_px + 1 and waiting(api)["A"] == 0
    public = api.client.get(f"{API}/public/tickets/{issued['tracking_token']}").json()
    assert (public["site_code"], public["label"], public["status"]) == (SITE_PX, "A002", "waiting")
    assert public["site_name_vi"] == "Chi nhánh Phú Xuân"
    counter_px = counter_id(api, SITE_PX, 1)
    api.ok(counter_px, "open", user="canbo.px")
    # It arrived (at the center) before Phú Xuân's own A001, so it is called first there.
    assert api.ok(counter_px, "call-next", user="canbo.px")["id"] == issued["id"]
    assert_refused(api.client.get(f"{API}/tickets/{issued['id']}", headers=api.staff()), 403, "forbidden")


def test_a_waiting_ticket_can_be_cancelled_once_and_leaves_the_line(api: Api) -> None:
    issued, called = api.issue(), api.issue()
    api.ok(COUNTER_AF, "open")
    api.ok(COUNTER_AF, "call", {"ticket_id": called["id"]})
    assert waiting(api)["A"] == 1
    r = api.client.post(f"{API}/tickets/{issued['id']}/cancel", json={"reason": "Công dân về trước"},
                        headers=api.staff())
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["finished_at"] is not None
    assert waiting(api)["A"] == 0
    public = api.client.get(f"{API}/public/tickets/{issued['tracking_token']}").json()
    assert public["status"] == "cancelled"
    before = site_state(api)
    again = api.client.post(f"{API}/tickets/{issued['id']}/cancel", json={}, headers=api.staff())
    assert_refused(again, 409, "cannot_cancel_cancelled")
    at_counter = api.client.post(f"{API}/tickets/{called['id']}/cancel", json={}, headers=api.staff("quanly"))
    assert_refused(at_counter, 409, "cannot_cancel_called")
    assert site_state(api) == before


# ---- ordering ------------------------------------------------------------------------------
def test_an_elderly_citizen_issued_after_two_others_is_called_first(api: Api) -> None:
    normal_1, normal_2 = api.issue(), api.issue()
    elderly = api.issue(priority="elderly")
    assert (elderly["priority"], elderly["people_ahead"]) == ("elderly", 0)
    normal_3 = api.issue()
    # The count printed on the new ticket is the one its page and the staff show later.
    assert normal_3["people_ahead"] == 3 == ticket(api, normal_3["id"])["people_ahead"]
    assert ticket(api, elderly["id"])["people_ahead"] == 0
    api.ok(COUNTER_A, "open")
    order = []
    for _ in range(4):
        order.append(api.ok(COUNTER_A, "call-next")["id"])
        api.ok(COUNTER_A, "start")
        api.ok(COUNTER_A, "finish")
    assert order == [elderly["id"], normal_1["id"], normal_2["id"], normal_3["id"]]


def test_after_the_max_wait_the_oldest_ticket_beats_a_newer_priority_one(api: Api, clock: FakeClock) -> None:
    oldest = api.issue()
    clock.advance(minutes=61)
    pregnant = api.issue(priority="pregnancy")
    newer = api.issue()
    api.ok(COUNTER_A, "open")
    order = []
    for _ in range(3):
        order.append(api.ok(COUNTER_A, "call-next")["id"])
        api.ok(COUNTER_A, "start")
        api.ok(COUNTER_A, "finish")
    assert order == [oldest["id"], pregnant["id"], newer["id"]]


def test_a_staff_member_reads_a_ticket_of_their_site_with_its_place_in_line(api: Api) -> None:
    api.issue()
    second = api.issue()
    shown = ticket(api, second["id"])
    assert (shown["label"], shown["status"], shown["people_ahead"]) == ("A002", "waiting", 1)
    assert shown["procedure_code"] == BIRTH_REGISTRATION and shown["site_code"] == SITE_TT
    assert shown["estimated_wait_minutes"] is not None
