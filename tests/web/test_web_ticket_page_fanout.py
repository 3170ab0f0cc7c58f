"""Open ticket pages cost the server the same database work per event however many are
open (one watcher per site reads the changed views in one go), and a ticket or a client
address cannot open pages without end: the extra page is closed with 1013 and a reason."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from sqlalchemy import event
from starlette.websockets import WebSocketDisconnect
from support import COUNTER_A, Api


def _view(ws) -> dict:  # noqa: ANN001
    while True:
        message = ws.receive_json()
        if message["kind"] == "ticket":
            return message["ticket"]


def _statements_to_tell_pages_of_one_call(api: Api, wiring, pages: int) -> int:  # noqa: ANN001
    """Open `pages` ticket pages (one per ticket, all in one line), make one call, and count
    the SQL statements the server runs until every page has shown the change."""
    tickets = [api.issue() for _ in range(pages)]
    executed: list[str] = []

    def count(conn, cursor, statement, *_) -> None:  # noqa: ANN001
        executed.append(statement)

    with ExitStack() as stack:
        sockets = [stack.enter_context(api.client.websocket_connect(f"/t/{t['tracking_token']}/ws")) for t in tickets]
        before = [_view(ws) for ws in sockets]
        event.listen(wiring.engine, "before_cursor_execute", count)
        try:
            called = api.ok(COUNTER_A, "call-next")
            after = [_view(ws) for ws in sockets]
        finally:
            event.remove(wiring.engine, "before_cursor_execute", count)
    assert called["label"] not in {t["label"] for t in tickets}  # someone ahead of all of them was called
    assert [v["people_ahead"] for v in after] == [v["people_ahead"] - 1 for v in before]
    api.ok(COUNTER_A, "start")
    api.ok(COUNTER_A, "finish")
    return len(executed)


def test_one_event_costs_the_same_database_work_for_4_or_24_open_pages(api: Api, wiring) -> None:  # noqa: ANN001
    api.ok(COUNTER_A, "open")
    for _ in range(3):
        api.issue()  # the citizens who will be called
    few = _statements_to_tell_pages_of_one_call(api, wiring, 4)
    many = _statements_to_tell_pages_of_one_call(api, wiring, 24)
    assert many <= few + 2, f"{few} statements for 4 pages, {many} for 24: the work grows with the pages"


def _closed(ws) -> tuple[int, str]:  # noqa: ANN001
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(5):
            ws.receive_json()
    return closed.value.code, closed.value.reason


def test_pages_per_ticket_and_per_address_are_capped_with_a_clear_close(web_api: Api, web_wiring) -> None:  # noqa: ANN001
    web_wiring.settings.ticket_pages_per_ticket = 2
    web_wiring.settings.ticket_pages_per_address = 3
    mine, other, third = web_api.issue(), web_api.issue(), web_api.issue()
    url = "/t/{}/ws".format
    client = web_api.client
    with ExitStack() as stack:
        open_pages = [stack.enter_context(client.websocket_connect(url(mine["tracking_token"]))) for _ in range(2)]
        for ws in open_pages:
            assert _view(ws)["label"] == mine["label"]
        with client.websocket_connect(url(mine["tracking_token"])) as extra:
            assert _closed(extra) == (1013, "too_many_pages_for_ticket")
        page = stack.enter_context(client.websocket_connect(url(other["tracking_token"])))
        assert _view(page)["label"] == other["label"]
        with client.websocket_connect(url(third["tracking_token"])) as extra:
            assert _closed(extra) == (1013, "too_many_pages_from_address")
        clients = web_wiring.bus.subscribers_by_kind()  # what /metrics reports
        assert (clients["citizen"], clients["ticket_page_watcher"]) == (3, 1)  # 3 pages, one subscription
    # All closed: the counts went back down, a page opens again.
    with client.websocket_connect(url(third["tracking_token"])) as ws:
        assert _view(ws)["label"] == third["label"]
