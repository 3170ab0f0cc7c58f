"""A call made through the API reaches a site's subscribers, in sequence order."""

import pytest
from starlette.websockets import WebSocketDisconnect
from support import API, COUNTER_A, SITE_TT, Api

from queue_server.seed import demo_device_token
from shared.enums import DeviceKind


def _ws(api: Api, path: str, token: str):  # noqa: ANN202
    return api.client.websocket_connect(f"{API}/ws/{path}", headers={"Authorization": f"Bearer {token}"})


def _next_event(ws) -> dict:  # noqa: ANN001
    while True:
        message = ws.receive_json()
        if message["kind"] == "event":
            return message


def test_display_receives_issue_open_and_call_with_consecutive_seqs(api: Api) -> None:
    with _ws(api, f"sites/{SITE_TT}", demo_device_token(DeviceKind.DISPLAY, SITE_TT)) as ws:
        hello = ws.receive_json()
        assert hello["kind"] == "hello"
        start = hello["seqs"]["1"]
        ticket = api.issue()
        api.ok(COUNTER_A, "open")
        called = api.ok(COUNTER_A, "call-next")
        events = [_next_event(ws) for _ in range(3)]
    assert [e["type"] for e in events] == ["TicketIssued", "CounterOpened", "TicketCalled"]
    assert [e["seq"] for e in events] == [start + 1, start + 2, start + 3]
    call = events[2]
    assert call["ticket"]["label"] == ticket["label"] == called["label"]
    assert call["ticket"]["counter_number"] == 1 and call["counter"]["number"] == 1
    assert call["waiting"] == {str(ticket["service_id"]): 0}
    assert "tracking_token" not in call["ticket"]  # displays never see the citizen's link


def test_counter_stream_and_manager_stream_carry_the_same_events(api: Api) -> None:
    with _ws(api, f"counters/{COUNTER_A}", api.token("canbo.tt")) as counter_ws, \
         _ws(api, "all", api.token("quanly")) as all_ws:
        counter_ws.receive_json()
        all_ws.receive_json()
        api.issue()
        got_counter, got_all = _next_event(counter_ws), _next_event(all_ws)
    assert got_counter["type"] == got_all["type"] == "TicketIssued"
    assert got_counter["seq"] == got_all["seq"]


@pytest.mark.parametrize(("path", "who"), [
    (f"sites/{SITE_TT}", "nobody"),
    (f"sites/{SITE_TT}", "mcd_forged-token"),
    ("sites/HUE-PX", demo_device_token(DeviceKind.DISPLAY, SITE_TT)),  # another site's display
    (f"counters/{COUNTER_A}", demo_device_token(DeviceKind.DISPLAY, SITE_TT)),  # devices are not staff
    ("all", "staff"),
])
def test_streams_refuse_who_may_not_listen(api: Api, path: str, who: str) -> None:
    token = api.token("canbo.tt") if who == "staff" else who
    with pytest.raises(WebSocketDisconnect) as closed, _ws(api, path, token) as ws:
        ws.receive_json()
    assert closed.value.code == 1008


def test_quiet_stream_sends_heartbeats_with_the_latest_seq(api: Api, wiring) -> None:  # noqa: ANN001
    wiring.settings.ws_heartbeat_seconds = 0.2
    with _ws(api, f"sites/{SITE_TT}", demo_device_token(DeviceKind.DISPLAY, SITE_TT)) as ws:
        hello = ws.receive_json()
        beat = ws.receive_json()
    assert beat["kind"] == "heartbeat" and beat["seqs"]["1"] == hello["seqs"]["1"]
