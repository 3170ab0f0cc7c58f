"""The display's feed without a server: HTTP answered by httpx.MockTransport, and a
WebSocket port where nobody listens."""

from __future__ import annotations

import asyncio
import socket
from zoneinfo import ZoneInfo

import httpx
from display_fixtures import RecordingAnnouncer, event, snapshot

from display.feed import SiteFeed
from display.presenter import LobbyPresenter
from shared.client import MotcuaClient, StreamState


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeServer:
    """Answers the snapshot; refuses the device token for the first `refusals` requests."""

    def __init__(self, refusals: int = 0) -> None:
        self.refusals = refusals
        self.requests = 0
        self.seq = 3

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        assert request.url.path == "/api/v1/sites/HUE-TT/snapshot"
        if self.requests <= self.refusals:
            return httpx.Response(401, json={"code": "unauthorized", "message": "Mã thiết bị không hợp lệ.",
                                             "message_en": "Invalid device token."})
        return httpx.Response(200, content=snapshot(self.seq, notice=f"seq {self.seq}").model_dump_json())


def make(server: FakeServer) -> tuple[SiteFeed, LobbyPresenter, list]:
    client = MotcuaClient(f"http://127.0.0.1:{closed_port()}", "mcd_wrong",
                          transport=httpx.MockTransport(server))
    presenter = LobbyPresenter(RecordingAnnouncer(), time_zone=ZoneInfo("Asia/Ho_Chi_Minh"))
    seen: list = []
    presenter.on_change = lambda: seen.append((presenter.view().ready, presenter.problem_en, presenter.stream))
    return SiteFeed(client, "HUE-TT", presenter, max_backoff=0.05), presenter, seen


async def until(predicate, timeout: float = 5.0) -> None:  # noqa: ANN001
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def test_a_refused_token_is_shown_on_screen_until_the_server_accepts_it() -> None:
    server = FakeServer(refusals=2)
    feed, presenter, seen = make(server)

    async def scenario() -> None:
        task = asyncio.create_task(feed.run())
        await until(lambda: presenter.stream is StreamState.RECONNECTING)
        feed.stop()
        await asyncio.wait_for(task, 5)
        await feed.client.aclose()

    asyncio.run(scenario())
    reason = (False, "Invalid device token. Check this display's device token.", StreamState.CONNECTING)
    assert reason in seen, "the reason, and what to check, was on screen"
    assert presenter.view().ready and presenter.problem_en == "", "then the site was shown"
    assert presenter.stream in (StreamState.RECONNECTING, StreamState.STOPPED), \
        "no stream (nobody listens): the marker says so"


def test_an_event_the_display_does_not_understand_reloads_the_snapshot_once() -> None:
    server = FakeServer()
    feed, presenter, _ = make(server)

    async def scenario() -> None:
        presenter.apply_snapshot(await feed.client.site_snapshot("HUE-TT"))
        server.seq = 9
        feed._on_event(event(4, "SomethingNew"))
        feed._on_event(event(5, "SomethingElse"))  # while the first reload runs: no second one
        await until(lambda: presenter.seq == 9)
        server.seq = 2  # a slow, older answer must not roll the picture back
        feed.reload_soon()
        await asyncio.sleep(0.05)
        await feed.client.aclose()

    asyncio.run(scenario())
    assert server.requests == 3
    assert presenter.seq == 9 and presenter.view().notice == "seq 9"
