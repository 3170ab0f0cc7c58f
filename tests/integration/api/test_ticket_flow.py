"""A ticket's whole life through the HTTP API, on SQLite and PostgreSQL."""

from support import API, BIRTH_REGISTRATION, COUNTER_A, COUNTER_AF, SITE_TT, Api


def test_kiosk_ticket_gets_label_place_in_line_and_tracking_url(api: Api) -> None:
    first = api.issue()
    second = api.issue()
    assert (first["label"], second["label"]) == ("A001", "A002")
    assert first["service_code"] == "A" and first["procedure_name_vi"] == "Thủ tục đăng ký khai sinh"
    assert (first["people_ahead"], second["people_ahead"]) == (0, 1)
    assert second["estimated_wait_minutes"] is not None
    assert second["tracking_url"].endswith("/t/" + second["tracking_token"])
    assert len(second["tracking_token"]) >= 22  # >= 128 random bits in url-safe base64


def test_full_service_of_one_ticket(api: Api) -> None:
    ticket = api.issue()
    api.ok(COUNTER_A, "open")
    called = api.ok(COUNTER_A, "call-next")
    assert called["id"] == ticket["id"] and called["status"] == "called" and called["counter_number"] == 1
    assert api.ok(COUNTER_A, "recall")["recall_count"] == 1
    assert api.ok(COUNTER_A, "start")["status"] == "serving"
    done = api.ok(COUNTER_A, "finish")
    assert done["status"] == "done" and done["finished_at"] is not None
    snap = api.client.get(f"{API}/counters/{COUNTER_A}", headers=api.staff()).json()
    assert snap["figures"]["served_today"] == 1
    assert snap["counter"]["current_ticket"] is None


def test_public_page_shows_the_counter_once_called(api: Api) -> None:
    ticket = api.issue()
    page = api.client.get(f"{API}/public/tickets/{ticket['tracking_token']}").json()
    assert page["status"] == "waiting" and page["counter_number"] is None and page["people_ahead"] == 0
    assert "id" not in page and "tracking_token" not in page
    api.ok(COUNTER_AF, "open")
    api.ok(COUNTER_AF, "call-next")
    page = api.client.get(f"{API}/public/tickets/{ticket['tracking_token']}").json()
    assert (page["status"], page["counter_number"]) == ("called", 2)


def test_snapshot_reflects_calls_and_waiting_counts(api: Api) -> None:
    for _ in range(3):
        api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    snap = api.snapshot(SITE_TT)
    queue_a = next(q for q in snap["queues"] if q["service_code"] == "A")
    assert queue_a["waiting"] == 2
    assert snap["recent_calls"][0]["label"] == "A001" and snap["recent_calls"][0]["counter_number"] == 1
    counter = next(c for c in snap["counters"] if c["id"] == COUNTER_A)
    assert counter["state"] == "open" and counter["current_ticket"]["label"] == "A001"
    assert snap["seq"] >= 5  # issued x3, opened, called


def test_search_ignores_accents_and_ranks_the_exact_phrase_first(api: Api) -> None:
    r = api.client.get(f"{API}/procedures", params={"q": "dang ky khai sinh", "site": SITE_TT})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 1
    assert body["items"][0]["code"] == BIRTH_REGISTRATION
    assert body["items"][0]["service_id"] is not None


def test_kiosk_reports_a_failed_print_and_staff_streams_get_an_alert(api: Api) -> None:
    from support import kiosk_headers

    ticket = api.issue()
    with api.client.websocket_connect(f"{API}/ws/counters/{COUNTER_A}", headers=api.staff()) as ws:
        ws.receive_json()
        r = api.client.post(f"{API}/tickets/{ticket['id']}/print-result", headers=kiosk_headers(),
                            json={"printed": False, "error_kind": "paper_out", "message": "Hết giấy"})
        assert r.status_code == 200 and r.json()["printed"] is False
        event = ws.receive_json()
    assert event["type"] == "TicketPrintFailed" and event["data"]["error_kind"] == "paper_out"
    assert event["ticket"]["label"] == ticket["label"]
    # the ticket stays in line: the citizen still has it on screen
    assert api.client.get(f"{API}/public/tickets/{ticket['tracking_token']}").json()["status"] == "waiting"


def test_only_the_issuing_kiosk_may_report_its_print(api: Api) -> None:
    from support import kiosk_headers

    ticket = api.issue()
    r = api.client.post(f"{API}/tickets/{ticket['id']}/print-result", headers=kiosk_headers("HUE-PX"),
                        json={"printed": True})
    assert r.status_code == 403
