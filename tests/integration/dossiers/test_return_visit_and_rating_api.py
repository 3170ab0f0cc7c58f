"""The return-of-results visit from the slip's QR code, and satisfaction ratings (once,
after the visit), on both databases."""

from __future__ import annotations

from dossier_helpers import receive, serve_one
from sqlalchemy import select
from support import API, SITE_PX, display_headers, kiosk_headers

from queue_server.adapters import tables as t

RETURN_DESK = 9  # HUE-TT counter 9 serves R (return of results)


def ticket_for(api, dossier_code: str, site: str = "HUE-TT", headers: dict | None = None):
    return api.client.post(f"{API}/tickets/for-dossier", json={"dossier_code": dossier_code},
                           headers=headers or kiosk_headers(site))


def step(api, code: str, action: str, **body) -> None:
    r = api.client.post(f"{API}/dossiers/{code}/transitions", json={"action": action, **body}, headers=api.staff())
    assert r.status_code == 200, r.text


def test_scanning_the_slip_gives_a_return_ticket_once_the_result_is_ready(api, wiring) -> None:
    serve_one(api)
    dossier = receive(api)
    code, url = dossier["code"], dossier["lookup_url"]

    early = ticket_for(api, url)
    assert early.status_code == 409 and early.json()["code"] == "dossier_not_ready"
    assert "ngày hẹn" in early.json()["message"]
    step(api, code, "start_processing")
    step(api, code, "mark_ready")

    first = ticket_for(api, url)  # the QR code holds the lookup URL
    assert first.status_code == 201, first.text
    ticket = first.json()
    assert ticket["service_code"] == "R" and ticket["label"] == "R001" and ticket["status"] == "waiting"
    assert ticket["dossier_code"] == code and ticket["reused"] is False
    assert ticket["tracking_url"] and ticket["procedure_code"] == "1.001193"
    # A double scan (or typing the code) while it is waiting gives the same ticket back.
    again = ticket_for(api, f"  {code.lower()} ")
    assert again.status_code == 200 and again.json()["id"] == ticket["id"] and again.json()["reused"] is True

    with wiring.engine.connect() as conn:
        links = conn.execute(select(t.dossier_tickets.c.purpose, t.dossier_tickets.c.ticket_id)
                             .order_by(t.dossier_tickets.c.purpose)).all()
        issued = conn.execute(select(t.ticket_events.c.data).where(
            t.ticket_events.c.type == "TicketIssued", t.ticket_events.c.ticket_id == ticket["id"])).scalar_one()
    assert ("return", ticket["id"]) in [tuple(x) for x in links]
    assert issued["dossier_code"] == code and issued["purpose"] == "return"
    listed = api.client.get(f"{API}/dossiers", params={"ticket_id": ticket["id"]}, headers=api.staff()).json()
    assert [d["code"] for d in listed["items"]] == [code]

    # The return desk calls it, hands over the result, and the dossier is returned.
    api.ok(RETURN_DESK, "open")
    assert api.ok(RETURN_DESK, "call-next")["id"] == ticket["id"]
    api.ok(RETURN_DESK, "start")
    step(api, code, "return_result", counter_id=RETURN_DESK)
    api.ok(RETURN_DESK, "finish")
    returned = ticket_for(api, code)
    assert returned.status_code == 409 and returned.json()["code"] == "dossier_returned"


def test_return_tickets_only_at_the_receiving_site_for_a_kiosk_and_a_known_dossier(api) -> None:
    serve_one(api)
    code = receive(api)["code"]
    step(api, code, "start_processing")
    step(api, code, "mark_ready")
    elsewhere = ticket_for(api, code, site=SITE_PX)
    assert elsewhere.status_code == 409 and elsewhere.json()["code"] == "dossier_other_site"
    assert "Trung tâm Phục vụ hành chính công thành phố Huế" in elsewhere.json()["message"]
    assert ticket_for(api, code, headers=display_headers()).status_code == 403
    assert ticket_for(api, code, headers=api.staff()).status_code == 403
    assert ticket_for(api, "000.00.01.H57-261123-0404").status_code == 404
    assert ticket_for(api, "không phải mã").status_code == 404


def test_the_citizen_rates_a_finished_visit_once_from_the_phone(api, wiring) -> None:
    ticket = api.issue()
    token = ticket["tracking_token"]
    rate = lambda body: api.client.post(f"{API}/public/tickets/{token}/rating", json=body)  # noqa: E731
    assert rate({"level": "very_satisfied"}).json()["code"] == "not_finished"
    api.ok(1, "open")
    api.ok(1, "call-next")
    api.ok(1, "start")
    api.ok(1, "finish")

    page = lambda: api.client.get(f"/t/{token}/state").json()["ticket"]  # noqa: E731
    assert page()["rated"] is False
    r = rate({"level": "unsatisfied", "reason": "Phải chờ lâu"})
    assert r.status_code == 201, r.text
    assert r.json()["level_vi"] == "Không hài lòng" and r.json()["source"] == "citizen"
    assert page()["rated"] is True and page()["final"] is True  # the page stops offering the rating
    second = rate({"level": "very_satisfied"})
    assert second.status_code == 409 and second.json()["code"] == "already_rated"
    assert rate({"level": "5 stars"}).status_code == 422
    assert api.client.post(f"{API}/public/tickets/{'x' * 24}/rating", json={"level": "satisfied"}).status_code == 404

    with wiring.engine.connect() as conn:
        stored = conn.execute(select(t.ticket_ratings)).one()
        event = conn.execute(select(t.ticket_events).where(t.ticket_events.c.type == "TicketRated")).one()
        staff_id = conn.execute(select(t.staff.c.id).where(t.staff.c.username == "canbo.tt")).scalar_one()
    assert (stored.ticket_id, stored.counter_id, stored.staff_id, stored.level) == (ticket["id"], 1, staff_id, "unsatisfied")
    assert (event.counter_id, event.staff_id, event.data["level"]) == (1, staff_id, "unsatisfied")
    assert "Phải chờ lâu" not in str(event.data)  # the free text stays off the lobby's stream

    summary = api.client.get(f"{API}/ratings", headers=api.staff()).json()
    assert summary["total"] == 1 and summary["by_level"]["unsatisfied"] == 1 and summary["satisfied_percent"] == 0
    assert summary["items"][0]["reason"] == "Phải chờ lâu" and summary["items"][0]["counter_number"] == 1


def test_the_counter_screen_rates_its_last_finished_visit(api) -> None:
    rate = lambda body, user="canbo.tt": api.client.post(  # noqa: E731
        f"{API}/counters/1/rating", json=body, headers=api.staff(user))
    api.ok(1, "open")
    assert rate({"level": "satisfied"}).json()["code"] == "nothing_to_rate"
    first = serve_one(api)
    api.ok(1, "finish")
    second = serve_one(api)
    api.ok(1, "finish")
    r = rate({"level": "very_satisfied"})
    assert r.status_code == 201 and r.json()["ticket_label"] == second["label"] and r.json()["source"] == "counter"
    assert rate({"level": "satisfied"}).json()["code"] == "already_rated"
    assert rate({"level": "satisfied", "ticket_id": first["id"]}).status_code == 201
    assert rate({"level": "satisfied"}, user="canbo.px").status_code == 403
    summary = api.client.get(f"{API}/ratings", params={"site_code": "HUE-TT"}, headers=api.staff("quanly")).json()
    assert summary["total"] == 2 and summary["satisfied_percent"] == 100.0
