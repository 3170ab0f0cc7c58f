"""Receiving a dossier at the counter: its code, due date, PIN and history, on both databases."""

from __future__ import annotations

import re
from datetime import datetime

from dossier_helpers import DOCUMENTS, VN, applicant, at_local, receive, serve_one, set_legal_time
from sqlalchemy import select
from support import API, SITE_PX, Api, kiosk_headers

from queue_server.adapters import tables as t


def _events(wiring, type_: str) -> list:
    with wiring.engine.connect() as conn:
        return conn.execute(select(t.ticket_events).where(t.ticket_events.c.type == type_)).all()


def test_a_received_dossier_gets_a_code_a_due_date_and_a_pin_stored_only_as_a_digest(api, wiring, clock) -> None:
    set_legal_time(wiring, 3, "Ngày làm việc")
    at_local(clock, 2026, 3, 10, 9, 42)  # Tuesday
    ticket = serve_one(api)
    first = receive(api, notes="Người nộp là mẹ của trẻ")
    second = receive(api)

    assert first["code"] == "000.00.01.H57-260310-0001"
    assert second["code"] == "000.00.01.H57-260310-0002"
    assert first["status"] == "received" and first["status_vi"] == "Đã tiếp nhận"
    assert first["procedure_code"] == "1.001193"  # pre-filled from the ticket
    assert first["legal_time_vi"] == "03 ngày làm việc"
    assert first["due_date"] == "2026-03-13" and first["due_at"] is None and first["overdue"] is False
    assert first["applicant"]["name"] == "Nguyễn Thị Hường"
    assert [d["name"] for d in first["documents"]] == [d["name"] for d in DOCUMENTS]
    assert first["intake_ticket_id"] == ticket["id"] and first["counter_number"] == 1
    assert first["lookup_url"].endswith("/d/000.00.01.H57-260310-0001")
    assert re.fullmatch(r"[0-9]{12}", first["lookup_pin"])
    assert [h["action"] for h in first["history"]] == ["receive"]
    assert first["history"][0]["staff_name"] and first["history"][0]["to_status"] == "received"

    with wiring.engine.connect() as conn:
        stored = conn.execute(select(t.dossiers.c.lookup_pin_digest).where(
            t.dossiers.c.code == first["code"])).scalar_one()
    assert first["lookup_pin"] not in stored and len(stored) == 64

    # The PIN is told once: reading the dossier again does not show it.
    again = api.client.get(f"{API}/dossiers/{first['code']}", headers=api.staff()).json()
    assert again["lookup_pin"] is None and again["code"] == first["code"]
    events = _events(wiring, "DossierReceived")
    assert len(events) == 2 and events[0].ticket_id == ticket["id"]
    assert "Hường" not in str(events[0].data)  # the lobby's stream never carries personal data


def test_the_clerk_may_change_the_procedure_and_errors_say_what_to_fix(api, wiring, clock) -> None:
    serve_one(api)
    other = receive(api, procedure_code="1.000593")  # Đăng ký kết hôn lưu động, 5 working days
    assert other["procedure_code"] == "1.000593" and other["legal_time_vi"] == "05 ngày làm việc"

    r = api.client.post(f"{API}/counters/1/dossiers", headers=api.staff(),
                        json={"applicant": applicant(id_number="12345"), "documents": []})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    wrong_ticket = receive(api, expect=409, ticket_id=999)
    assert wrong_ticket["code"] == "ticket_changed"
    unknown = receive(api, expect=404, procedure_code="9.999999")
    assert "9.999999" in unknown["message"]
    tax = receive(api, applicant=applicant(id_kind="tax_code", id_number="3301234567-001"))
    assert tax["applicant"]["id_number"] == "3301234567-001"


def test_no_dossier_without_a_citizen_at_the_counter_nor_from_another_site(api) -> None:
    api.ok(1, "open")
    idle = receive(api, expect=409)
    assert idle["code"] == "no_current_ticket" and "gọi số" in idle["message"]
    serve_one(api)
    other_site = receive(api, user="canbo.px", expect=403)
    assert other_site["code"] == "forbidden"


def test_a_site_without_an_agency_code_refuses_clearly(api, wiring) -> None:
    from sqlalchemy import update

    with wiring.engine.begin() as conn:
        conn.execute(update(t.sites).where(t.sites.c.code == SITE_PX).values(agency_code=""))
    px_counter = _counter_id(wiring, SITE_PX, 1)
    r = api.client.post(f"{API}/tickets", json={"procedure_code": "1.001193"}, headers=kiosk_headers(SITE_PX))
    assert r.status_code == 201
    api.ok(px_counter, "open", user="canbo.px")
    api.ok(px_counter, "call-next", user="canbo.px")
    refused = receive(api, counter_id=px_counter, user="canbo.px", expect=409)
    assert refused["code"] == "agency_code_missing"


def _counter_id(wiring, site_code: str, number: int) -> int:
    with wiring.engine.connect() as conn:
        return conn.execute(
            select(t.counters.c.id).join(t.sites, t.sites.c.id == t.counters.c.site_id)
            .where(t.sites.c.code == site_code, t.counters.c.number == number)).scalar_one()


# ---- due dates through the API ----------------------------------------------------------
def _due_for(api, wiring, clock, when: tuple, value, unit) -> dict:
    """Receive at a local time; a new day logs in again (sessions last hours, not days)."""
    set_legal_time(wiring, value, unit)
    if clock.now.date() != datetime(*when, tzinfo=VN).date():
        api = Api(api.client)
    at_local(clock, *when)
    serve_one(api)
    return receive(api)


def test_working_days_skip_tet_2026_and_the_weekend(api, wiring, clock) -> None:
    # Tết Bính Ngọ: Monday 16 to Friday 20 February 2026 are days off, with the weekends
    # around them. Five working days from Wednesday 11 February: 12, 13, 23, 24, 25.
    before_tet = _due_for(api, wiring, clock, (2026, 2, 11, 9, 0), 5, "Ngày làm việc")
    assert before_tet["due_date"] == "2026-02-25"
    # Friday 13 February, three working days: 23, 24, 25 February.
    friday = _due_for(api, wiring, clock, (2026, 2, 13, 10, 0), 3, "Ngày làm việc")
    assert friday["due_date"] == "2026-02-25"
    assert friday["code"].split("-")[1] == "260213"


def test_a_weekend_and_the_cultural_day_holiday_are_not_counted(api, wiring, clock) -> None:
    # Friday 20 November 2026, two working days: Monday 23, then Wednesday 25, because
    # Tuesday 24 November (Vietnam Cultural Day) is a public holiday from 2026.
    due = _due_for(api, wiring, clock, (2026, 11, 20, 10, 0), 2, "Ngày làm việc")
    assert due["due_date"] == "2026-11-25"
    # Calendar days ("Ngày") that end on a Sunday move to Monday.
    calendar = _due_for(api, wiring, clock, (2026, 11, 20, 10, 30), 2, "Ngày")
    assert calendar["due_date"] == "2026-11-23"


def test_the_15_00_rule_for_same_day_procedures(api, wiring, clock) -> None:
    # A 2-hour procedure before the cut-off is due two working hours later, the lunch
    # break not counted: 10:00-11:30, then 13:30-14:00...
    morning = _due_for(api, wiring, clock, (2026, 3, 13, 10, 0), 2, "Giờ")
    assert morning["due_at"].startswith("2026-03-13T07:00:00")  # 14:00 local, in UTC
    assert morning["due_date"] == "2026-03-13"
    # Received at 15:00 sharp (as the slip prints it): a same-day one is due that day.
    on_time = _due_for(api, wiring, clock, (2026, 3, 13, 15, 0), 0, "Ngày làm việc")
    assert on_time["due_date"] == "2026-03-13"
    # At 15:01 on a Friday: the next working day, Monday.
    late = _due_for(api, wiring, clock, (2026, 3, 13, 15, 1), 0, "Ngày làm việc")
    assert late["due_date"] == "2026-03-16"
    # ...and after it, by the end of the next working day.
    evening = _due_for(api, wiring, clock, (2026, 3, 13, 15, 30), 2, "Giờ")
    assert evening["due_at"].startswith("2026-03-16T10:00:00")  # Monday 17:00 local
    assert evening["due_date"] == "2026-03-16"


def test_a_procedure_without_a_legal_time_leaves_the_date_to_the_clerk(api, wiring, clock) -> None:
    no_time = _due_for(api, wiring, clock, (2026, 3, 10, 9, 0), 1, "")  # as 1.001193 is in the catalog
    assert no_time["due_date"] is None and no_time["legal_time_vi"] == "" and no_time["overdue"] is False
