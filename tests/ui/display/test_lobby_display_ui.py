"""The lobby display, headless, against a real `motcua server` process.

Each display runs in its own process (lobby_driver.py; one Kivy window per process) and
is asked what it shows; screenshots land in test-artifacts/ui/display/.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from support import API, ROOT, SITE_TT, Api, LiveServer

from queue_server.seed import demo_device_token
from shared.enums import DeviceKind
from shared.lobby_layout import RECENT_SLOTS

DRIVER = Path(__file__).with_name("lobby_driver.py")
SHOTS = ROOT / "test-artifacts" / "ui" / "display"
TOKEN = demo_device_token(DeviceKind.DISPLAY, SITE_TT)
NOTICE = ("Từ ngày 01/12, tiếp nhận hồ sơ đất đai tại quầy 3 và quầy 4. "
          "·  From 1 December, land dossiers are received at counters 3 and 4.")

State = dict[str, Any]


class DisplayProcess:
    """One lobby display (a real Kivy window, offscreen) driven over stdin/stdout."""

    def __init__(self, home: Path, server_url: str, *, layout: str, size: str, voice: str = "record",
                 token: str = TOKEN) -> None:
        home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ, "PYTHONPATH": str(ROOT), "SDL_VIDEODRIVER": "offscreen", "SDL_AUDIODRIVER": "dummy",
            "KIVY_NO_ARGS": "1", "KIVY_HOME": str(home / "kivy"), "KIVY_NO_FILELOG": "1",
            "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"), "XDG_RUNTIME_DIR": str(home / "run"),
            # Mesa's software renderer draws in the calling thread: with its worker threads,
            # a busy 2-core test machine stalled the UI thread for tens of seconds.
            "LP_NUM_THREADS": "0",
        }
        (home / "run").mkdir(exist_ok=True, mode=0o700)
        self.log_path = home / "display.log"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, str(DRIVER), "--server", server_url, "--token", token, "--layout", layout,
             "--size", size, "--voice", voice],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
        )
        self.replies: queue.Queue[State] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("@@"):
                self.replies.put(json.loads(line[2:]))

    def ask(self, command: str, timeout: float = 30, **fields: Any) -> State:
        assert self.proc.stdin is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"the display exited ({self.proc.returncode}):\n{self._log_tail()}")
        self.proc.stdin.write(json.dumps({"cmd": command, **fields}) + "\n")
        self.proc.stdin.flush()
        try:
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no reply to {command}:\n{self._log_tail()}") from None
        assert "error" not in reply, reply["error"]
        return reply

    def wait_for(self, predicate: Callable[[State], bool], what: str, timeout: float = 45) -> State:
        deadline = time.monotonic() + timeout
        state = self.ask("state")
        while not predicate(state):
            if time.monotonic() > deadline:
                raise AssertionError(f"display never showed: {what}\nlast state: {state}\n{self._log_tail()}")
            time.sleep(0.2)
            state = self.ask("state")
        return state

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / name
        path.unlink(missing_ok=True)
        self.ask("shot", path=str(path))
        assert path.stat().st_size > 20_000, f"{name} looks empty"
        return path

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.ask("quit", timeout=10)
                self.proc.wait(15)
            except (AssertionError, subprocess.TimeoutExpired, BrokenPipeError, OSError):
                self.proc.kill()
                self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None and not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()
        self.log.close()

    def _log_tail(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]


@pytest.fixture
def displays(tmp_path: Path) -> Iterator[Callable[..., DisplayProcess]]:
    started: list[DisplayProcess] = []

    def start(server: LiveServer, name: str, **kwargs: Any) -> DisplayProcess:
        display = DisplayProcess(tmp_path / name, server.url, **kwargs)
        started.append(display)
        return display

    yield start
    for display in started:
        display.close()


@pytest.fixture
def servers() -> Iterator[list[LiveServer]]:
    running: list[LiveServer] = []
    yield running
    for server in running:
        server.stop()


def tile(state: State, number: int) -> dict[str, Any]:
    return next(t for t in state["counters"] if t["number"] == number)


def times_announced(state: State, label: str) -> int:
    return sum(1 for item in state["announced"] if item[0] == label)


def agrees_with_server(state: State, snapshot: dict[str, Any]) -> bool:
    """Every counter tile shows the server's ticket in the server's step, and every queue its count."""
    def shown(ticket: dict[str, Any] | None) -> tuple[str, str]:
        return (ticket["label"], ticket["status"]) if ticket else ("", "")
    tiles = {c["number"]: shown(c["current_ticket"]) for c in snapshot["counters"]}
    waiting = {q["service_code"]: q["waiting"] for q in snapshot["queues"]}
    return ({t["number"]: (t["label"], t["status"] if t["label"] else "") for t in state["counters"]} == tiles
            and {s["code"]: s["waiting"] for s in state["services"]} == waiting)


@pytest.mark.slow
def test_a_call_is_shown_and_said_and_the_display_resyncs_after_the_server_restarts(
    sqlite_url: str, servers: list[LiveServer], displays: Callable[..., DisplayProcess]
) -> None:
    server = LiveServer(sqlite_url)
    servers.append(server)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        api = Api(http)
        for _ in range(3):
            api.issue()
        api.issue(service_id=2, procedure=None)  # service B
        for counter_id in (1, 2, 3):
            api.ok(counter_id, "open")

    display = displays(server, "landscape", layout="landscape", size="1920x1080", voice="real")
    display.wait_for(lambda s: s["ready"] and s["stream"] == "live", "the lobby, live")

    with httpx.Client(base_url=server.url, timeout=10) as http:
        first = Api(http).ok(1, "call-next")
    assert first["label"] == "A001"
    state = display.wait_for(
        lambda s: s["featured"] == ["A001", "1"] and tile(s, 1)["label"] == "A001" and tile(s, 1)["status"] == "called",
        "A001 large and on counter 1")
    assert state["recent"] == []
    display.wait_for(lambda s: times_announced(s, "A001") == 1, "A001 queued for speech")
    # Real synthesis (espeak-ng, muted player): the voice really started saying it.
    state = display.wait_for(lambda s: s["spoken"], "the announcement started", timeout=40)
    assert state["spoken"][0] == ["Mời công dân có số thứ tự A, một đến quầy số một"]

    with httpx.Client(base_url=server.url, timeout=10) as http:
        Api(http).ok(1, "recall")
    display.wait_for(lambda s: times_announced(s, "A001") == 2, "the recall said again")
    display.shot("landscape-call.png")

    port = server.port
    server.stop()
    display.wait_for(lambda s: s["reconnecting"] and s["stream"] == "reconnecting", "the reconnecting marker")
    state = display.ask("state")
    assert state["featured"] == ["A001", "1"], "the last picture stays on screen meanwhile"
    display.shot("landscape-reconnecting.png")

    server = LiveServer(sqlite_url, port=port)
    servers.append(server)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        api = Api(http)
        api.issue()
        second = api.ok(2, "call-next")
        third = api.ok(3, "call-next")
        api.ok(1, "start")
        snapshot = api.snapshot()
    assert (second["label"], third["label"]) == ("A002", "B001")
    state = display.wait_for(
        lambda s: not s["reconnecting"] and agrees_with_server(s, snapshot) and s["featured"][0] in ("A002", "B001"),
        "the calls made while it was away, after the resync")
    assert tile(state, 1)["status"] == "serving" and tile(state, 3)["label"] == "B001"
    display.wait_for(lambda s: times_announced(s, "A002") == 1 and times_announced(s, "B001") == 1,
                     "the new calls queued for speech")
    state = display.ask("state")
    assert times_announced(state, "A001") == 2, "A001 was not said again after the resync"
    assert [item[0] for item in state["announced"]] == ["A001", "A001", "A002", "B001"]
    assert state["resyncs"] >= 2
    display.shot("landscape-after-restart.png")


@pytest.mark.slow
def test_portrait_display_shows_the_notice_every_counter_and_a_burst_of_calls_in_order(
    sqlite_url: str, servers: list[LiveServer], displays: Callable[..., DisplayProcess]
) -> None:
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE sites SET notice = :notice WHERE code = :code"), {"notice": NOTICE, "code": SITE_TT})
    engine.dispose()
    server = LiveServer(sqlite_url)
    servers.append(server)

    refused = displays(server, "refused", layout="portrait", size="1080x1920", token="mcd_not-a-display")
    state = refused.wait_for(lambda s: s["problem_vi"], "why it cannot show the lobby")
    assert state["screen"] == "connecting" and not state["ready"]
    refused.shot("portrait-refused-token.png")
    refused.close()

    with httpx.Client(base_url=server.url, timeout=10) as http:
        api = Api(http)
        for service_id, count in ((1, 5), (2, 3), (3, 2), (4, 4), (5, 2), (6, 3), (7, 1)):  # A..F, R
            for _ in range(count):
                r = http.post(f"{API}/tickets", json={"service_id": service_id},
                              headers={"Authorization": f"Bearer {demo_device_token(DeviceKind.KIOSK, SITE_TT)}"})
                assert r.status_code == 201, r.text
        for counter_id in range(1, 9):
            api.ok(counter_id, "open")
        api.ok(8, "pause", {"reason": "nghỉ giữa giờ"})

    display = displays(server, "portrait", layout="portrait", size="1080x1920")
    display.wait_for(lambda s: s["ready"] and s["stream"] == "live", "the lobby, live")
    state = display.ask("state")
    assert state["portrait"] and state["notice"] == NOTICE
    assert [t["status"] for t in state["counters"]][-2:] == ["paused", "closed"]

    with httpx.Client(base_url=server.url, timeout=10) as http:
        api = Api(http)
        started = time.monotonic()
        burst = [api.ok(counter_id, "call-next")["label"] for counter_id in range(1, 8)]
        assert time.monotonic() - started < 3, "a burst: seven calls within moments"
        api.ok(3, "start")
        api.ok(4, "start")
        snapshot = api.snapshot()
    state = display.wait_for(lambda s: len(s["announced"]) == 7 and agrees_with_server(s, snapshot),
                             "the burst of calls")
    assert [item[0] for item in state["announced"]] == burst, "queued for speech in the order they were made"
    assert state["featured"][0] == burst[-1]
    assert [row["label"] for row in state["recent"]] == burst[-2::-1][:RECENT_SLOTS]
    display.shot("portrait-burst.png")
