"""The citizen's live stream `/t/{token}/ws`: their own ticket's view, updated when it
changes, following the ticket to another site, and nothing about anyone else."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect
from support import COUNTER_A, SITE_PX, SITE_TT, Api

from queue_server.adapters import tables as t
from queue_server.service_layer import manager as m
from queue_server.web.ticket_pages import touched
from shared.web_protocol import CitizenTicket

PUBLIC_FIELDS = set(CitizenTicket.model_fields)


def _ticket_message(ws) -> dict:  # noqa: ANN001
    while True:
        message = ws.receive_json()
        if message["kind"] == "ticket":
            return message["ticket"]


def _until(ws, check, limit: int = 5) -> dict:  # noqa: ANN001
    """The first view that passes `check`; views in between (a counter opening changes the
    estimate) may come or not, depending on timing."""
    for _ in range(limit):
        ticket = _ticket_message(ws)
        if check(ticket):
            return ticket
    raise AssertionError("the expected view never came")


def test_stream_sends_the_ticket_then_people_ahead_then_the_call(api: Api) -> None:
    web_api = api  # on SQLite and PostgreSQL (LISTEN/NOTIFY)
    web_api.issue()
    mine = web_api.issue()
    with web_api.client.websocket_connect(f"/t/{mine['tracking_token']}/ws") as ws:
        first = _ticket_message(ws)
        assert (first["label"], first["status"], first["people_ahead"]) == (mine["label"], "waiting", 1)
        web_api.ok(COUNTER_A, "open")
        web_api.ok(COUNTER_A, "call-next")  # the citizen ahead
        moved_up = _until(ws, lambda ticket: ticket["people_ahead"] == 0)
        # The live update carries the one wait figure, the same the ticket's API gives now.
        public = web_api.client.get(f"/api/v1/public/tickets/{mine['tracking_token']}").json()
        assert moved_up["wait"] == public["wait"] and moved_up["wait"]["people_ahead"] == 0
        web_api.ok(COUNTER_A, "start")
        web_api.ok(COUNTER_A, "finish")
        web_api.ok(COUNTER_A, "call-next")  # now mine
        called = _until(ws, lambda ticket: ticket["status"] == "called")
    assert called["counter_number"] == 1


def test_a_called_ticket_s_page_follows_from_the_event_and_matches_a_fresh_read(api: Api, client) -> None:  # noqa: ANN001
    """Called, started, finished: the page's view is worked out from each event, with no
    read of the database, and is exactly what reading the ticket afresh gives."""
    mine = api.issue()
    token = mine["tracking_token"]
    api.ok(COUNTER_A, "open")
    with api.client.websocket_connect(f"/t/{token}/ws") as ws:
        assert _ticket_message(ws)["status"] == "waiting"
        hub = client.app.state.ticket_pages
        reads_before = hub.reads
        seen = []
        for action, status in (("call-next", "called"), ("start", "serving"), ("finish", "done")):
            api.ok(COUNTER_A, action)
            view = _until(ws, lambda ticket, status=status: ticket["status"] == status)
            fresh = api.client.get(f"/t/{token}/state").json()["ticket"]
            assert view == fresh, action
            seen.append(view)
        assert hub.reads == reads_before, "a page of a ticket the events named was read from the database"
    assert [v["counter_number"] for v in seen] == [1, 1, None]
    assert seen[-1]["final"] and seen[0]["wait"]["state"] == "called"


def test_stream_messages_carry_only_the_public_view_of_this_ticket(web_api: Api) -> None:
    other = web_api.issue()
    mine = web_api.issue()
    with web_api.client.websocket_connect(f"/t/{mine['tracking_token']}/ws") as ws:
        ticket = _ticket_message(ws)
        web_api.ok(COUNTER_A, "open")
        web_api.ok(COUNTER_A, "call-next")
        update = _until(ws, lambda ticket: ticket["people_ahead"] == 0)
    for message in (ticket, update):
        assert set(message) == PUBLIC_FIELDS
        assert message["label"] == mine["label"]
        text = repr(message)
        assert other["label"] not in text and other["tracking_token"] not in text
        assert mine["tracking_token"] not in text  # not even its own token


def test_stream_follows_the_ticket_to_the_site_it_is_moved_to(api: Api, wiring) -> None:  # noqa: ANN001
    web_api, web_wiring = api, wiring  # on SQLite and PostgreSQL
    mine = web_api.issue()
    with web_wiring.reader() as uow:
        boss = uow.conn.execute(select(t.staff.c.id).where(t.staff.c.username == "quanly")).scalar_one()
    with web_api.client.websocket_connect(f"/t/{mine['tracking_token']}/ws") as ws:
        assert _ticket_message(ws)["site_code"] == SITE_TT
        m.move_tickets(m.MoveTickets(SITE_TT, SITE_PX, boss, ticket_ids=(mine["id"],)), web_wiring.uow())
        moved = _until(ws, lambda ticket: ticket["site_code"] == SITE_PX)
        assert moved["label"] == "A001"
        assert moved["moved_from"]["label"] == mine["label"]
        assert moved["moved_from"]["site_name_vi"].startswith("Trung tâm")
        # Now it listens to HUE-PX: a call there reaches the citizen.
        web_api.ok(10, "open", user="canbo.px")
        web_api.ok(10, "call-next", user="canbo.px")
        called = _until(ws, lambda ticket: ticket["status"] == "called")
    assert (called["counter_number"], called["site_code"]) == (1, SITE_PX)


@pytest.mark.parametrize("token", ["short", "x" * 24, "x" * 70, "abc$def$ghi$jkl$mno"])
def test_stream_refuses_an_unknown_token(web_api: Api, token: str) -> None:
    with pytest.raises(WebSocketDisconnect) as closed, web_api.client.websocket_connect(f"/t/{token}/ws") as ws:
        ws.receive_json()
    assert closed.value.code == 1008


@pytest.mark.parametrize(("event", "named", "lines"), [
    ({"type": "TicketCalled", "ticket": {"id": 7, "service_id": 1}}, {7}, {1}),
    ({"type": "TicketCalled", "ticket": {"id": 3, "service_id": 1}, "waiting": {"1": 4}}, set(), {1}),
    ({"type": "TicketIssued", "ticket": {"id": 9, "service_id": 2}, "waiting": {"2": 1}}, set(), set()),
    ({"type": "CounterOpened", "counter": {"id": 4}}, set(), None),
    ({"type": "NoticePosted", "data": {"notice": "x"}}, set(), set()),
])
def test_only_events_that_can_change_a_watched_view_wake_the_site_watcher(event: dict, named: set,
                                                                           lines: set | None) -> None:
    """Ticket 7 is watched, in line 1; line 2 has no open page."""
    assert touched([json.dumps(event)], {7}, {1}) == (named, lines)
