"""A lobby under load, as real clients: kiosks issuing, counters calling, a display following.

Each kiosk and counter is a thread with its own HTTP connection pool, speaking the public
API with a device token or a staff session, exactly as the apps do. Everything the server
acknowledged is written down (`Tally`), so after a crash the database can be checked
against what citizens and clerks were told. Workers never stop on an error: a lost answer
or a 503 is counted and they carry on, trying the next server URL when there are several.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.client import LiveSite, MotcuaClient, StreamState, parse_server_urls

API = "/api/v1"


@dataclass(frozen=True)
class Issued:
    """A ticket the kiosk got a 201 for: the citizen holds this paper."""

    id: int
    label: str
    service_id: int
    tracking_token: str
    epoch: int
    server: str = ""  # the URL that answered


@dataclass(frozen=True)
class Claim:
    """A call-next the clerk got a 200 for: this counter called this ticket."""

    counter_id: int
    ticket_id: int
    label: str
    epoch: int
    server: str = ""


@dataclass
class Tally:
    issued: list[Issued] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    lost_answers: int = 0  # issue requests whose answer never came (then retried with the same key)
    lost_issues: int = 0  # of those, still unanswered when the drill stopped (maybe done)
    retried_issues: int = 0  # retries after a lost answer that got their ticket
    lost_calls: int = 0
    unreachable: int = 0  # requests that could not connect (never sent, surely not done)
    unavailable: list[httpx.Response] = field(default_factory=list)  # 503 replies, kept to inspect
    unexpected: list[str] = field(default_factory=list)  # any other status we did not expect
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, item: Any) -> None:
        with self.lock:
            getattr(self, name).append(item)

    def count(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)

    def issued_in(self, epoch: int) -> int:
        return sum(1 for i in self.issued if i.epoch == epoch)

    def claims_in(self, epoch: int) -> int:
        return sum(1 for c in self.claims if c.epoch == epoch)


# What `Workload._post` returns instead of a response when a request failed.
UNREACHABLE, LOST = object(), object()


class _Endpoints:
    """A worker's view of the server URLs: stays on one until it fails, then moves on."""

    def __init__(self, urls: Sequence[str], start: int = 0) -> None:
        self.urls = list(urls)
        self.index = start % len(self.urls)  # workers spread over the servers

    @property
    def url(self) -> str:
        return self.urls[self.index]

    def fail_over(self) -> None:
        self.index = (self.index + 1) % len(self.urls)


@dataclass
class LobbyConfig:
    site_code: str = "HUE-TT"
    kiosk_token: str = ""
    display_token: str = ""
    staff_user: str = "canbo.tt"
    staff_password: str = ""
    services: tuple[int, ...] = (1, 2, 6)  # A, B, F at the demo center
    counters: tuple[int, ...] = (1, 2, 3)  # A; A+F; B: two counters compete for A
    kiosks: int = 3
    pause: float = 0.02  # between one worker's requests: a busy lobby, not a flood


class Workload:
    """Start, let it run across faults (bump `epoch` at each), stop, then check."""

    def __init__(self, urls: str | Sequence[str], config: LobbyConfig) -> None:
        self.urls = parse_server_urls(urls)
        self.config = config
        self.tally = Tally()
        self.epoch = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.staff_token = ""

    # ---- life cycle --------------------------------------------------------------------------
    def start(self, ready_timeout: float = 30) -> None:
        self.staff_token = self._login(ready_timeout)
        for counter_id in self.config.counters:
            self.until_ok("POST", f"/counters/{counter_id}/open", ready_timeout)
        for n in range(self.config.kiosks):
            self._spawn(self._kiosk, f"kiosk-{n}", n)
        for n, counter_id in enumerate(self.config.counters):
            self._spawn(self._counter, f"counter-{counter_id}", counter_id, n)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def next_epoch(self) -> int:
        self.epoch += 1
        return self.epoch

    def finish_current_tickets(self, timeout: float = 30) -> list[str]:
        """What a clerk does after a crash: finish whatever each counter still holds.
        Returns the labels finished; raises if the server refuses (a stuck ticket). Logs
        in afresh, as a clerk at another machine would."""
        self.staff_token = self._login(timeout)
        finished = []
        for counter_id in self.config.counters:
            counter = self.until_ok("GET", f"/counters/{counter_id}", timeout).json()
            current = counter["counter"]["current_ticket"]
            if current:
                if current["status"] == "called":
                    self.until_ok("POST", f"/counters/{counter_id}/start", timeout)
                finished.append(self.until_ok("POST", f"/counters/{counter_id}/finish", timeout).json()["label"])
        return finished

    # ---- workers -----------------------------------------------------------------------------
    def _spawn(self, target: Any, name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _kiosk(self, n: int) -> None:
        """Like the kiosk app: one request key per citizen request, sent again on "try
        again" until an answer comes, so a lost answer never makes a second ticket."""
        ends = _Endpoints(self.urls, n)
        headers = {"Authorization": f"Bearer {self.config.kiosk_token}"}
        key, service_id, lost = None, 0, False
        with httpx.Client(timeout=5) as http:
            while not self._stop.is_set():
                if key is None:
                    key, service_id, lost = secrets.token_urlsafe(12), random.choice(self.config.services), False
                epoch = self.epoch
                r = self._post(http, ends, "/tickets", {"service_id": service_id, "request_id": key}, headers,
                               lost_as="lost_answers")
                if r is LOST:
                    lost = True
                if not isinstance(r, httpx.Response):
                    continue
                if r.status_code == 201:
                    body = r.json()
                    self.tally.add("issued", Issued(body["id"], body["label"], service_id, body["tracking_token"], epoch,
                                                     ends.url))
                    if lost:
                        self.tally.count("retried_issues")
                    key = None
                else:
                    self._refused(r)
                    if r.status_code < 500:
                        key = None  # refused for good: the citizen starts over
                self._stop.wait(self.config.pause)
        if lost and key is not None:
            self.tally.count("lost_issues")

    def _post(self, http: httpx.Client, ends: _Endpoints, path: str, body: dict, headers: dict,
              *, lost_as: str) -> httpx.Response | object:
        """One request from a kiosk or counter thread. A server that cannot be reached
        (UNREACHABLE) or that took the request and gave no answer (LOST, counted as
        `lost_as`) sends the thread to the next server URL after a short pause."""
        try:
            return http.post(f"{ends.url}{API}{path}", json=body, headers=headers)
        except httpx.ConnectError:
            self.tally.count("unreachable")
            failure = UNREACHABLE
        except httpx.HTTPError:
            self.tally.count(lost_as)
            failure = LOST
        ends.fail_over()
        self._stop.wait(0.05)
        return failure

    def _counter(self, counter_id: int, n: int) -> None:
        ends = _Endpoints(self.urls, n)
        headers = {"Authorization": f"Bearer {self.staff_token}"}
        with httpx.Client(timeout=5) as http:
            while not self._stop.is_set():
                epoch = self.epoch
                r = self._post(http, ends, f"/counters/{counter_id}/call-next", {"finish_current": True}, headers,
                               lost_as="lost_calls")
                if not isinstance(r, httpx.Response):
                    continue
                code = r.json().get("code", "") if r.status_code == 409 else ""
                if r.status_code == 200:
                    body = r.json()
                    self.tally.add("claims", Claim(counter_id, body["id"], body["label"], epoch, ends.url))
                    self._start(http, ends, headers, counter_id)
                elif code.startswith("cannot_finish"):
                    # Our last call's answer was lost: the citizen was called but not yet
                    # started; the clerk sees it on the counter screen and starts it.
                    self._start(http, ends, headers, counter_id)
                elif code in ("no_ticket_waiting", "ticket_changed"):
                    self._stop.wait(0.05)
                else:
                    self._refused(r)
                self._stop.wait(self.config.pause)

    def _start(self, http: httpx.Client, ends: _Endpoints, headers: dict, counter_id: int) -> None:
        """The citizen reached the desk. A lost answer is fine: the next call-next tells."""
        try:
            r = http.post(f"{ends.url}{API}/counters/{counter_id}/start", headers=headers)
        except httpx.HTTPError:
            ends.fail_over()
            return
        if r.status_code != 200 and not (r.status_code == 409 and r.json().get("code", "").startswith("cannot_start")):
            self._refused(r)

    def _refused(self, r: httpx.Response) -> None:
        if r.status_code == 503:
            self.tally.add("unavailable", r)
            retry = float(r.headers.get("Retry-After", "1") or 1)
            self._stop.wait(min(retry, 0.2))  # a real client waits Retry-After; a drill keeps it short
        else:
            self.tally.add("unexpected", f"{r.request.method} {r.request.url.path} -> {r.status_code} {r.text[:300]}")
            self._stop.wait(0.1)

    # ---- set-up helpers ----------------------------------------------------------------------
    def _login(self, timeout: float) -> str:
        body = {"username": self.config.staff_user, "password": self.config.staff_password}
        return self.until_ok("POST", "/auth/login", timeout, json=body, auth=False).json()["token"]

    def until_ok(self, method: str, path: str, timeout: float, *, json: Any = None, auth: bool = True) -> httpx.Response:
        deadline = time.monotonic() + timeout
        ends = _Endpoints(self.urls)
        headers = {"Authorization": f"Bearer {self.staff_token}"} if auth else {}
        last = ""
        with httpx.Client(timeout=5) as http:
            while time.monotonic() < deadline:
                try:
                    r = http.request(method, f"{ends.url}{API}{path}", json=json, headers=headers)
                    if r.status_code == 200:
                        return r
                    last = f"{r.status_code} {r.text[:200]}"
                    if r.status_code < 500:
                        break
                except httpx.HTTPError as exc:
                    last = repr(exc)
                    ends.fail_over()
                time.sleep(0.1)
        raise RuntimeError(f"{method} {path} did not succeed: {last}")


class DisplayFollower:
    """A lobby display's stream client (`shared.client.LiveSite`) on its own thread."""

    def __init__(self, urls: str | Sequence[str], token: str, site_code: str, site_id: int,
                 *, max_backoff: float = 0.5) -> None:
        self.client_urls = parse_server_urls(urls)
        self.token, self.site_code, self.site_id = token, site_code, site_id
        self.max_backoff = max_backoff
        self.states: list[StreamState] = []
        self.urls_used: list[str] = []
        self.live: LiveSite | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name="display", daemon=True)
        self._started = threading.Event()

    @property
    def last_seq(self) -> int:
        return self.live.last_seq if self.live else -1

    @property
    def resyncs(self) -> int:
        return self.live.resyncs if self.live else 0

    @property
    def state(self) -> StreamState | None:
        return self.states[-1] if self.states else None

    def start(self) -> None:
        self._thread.start()
        self._started.wait(10)

    def stop(self) -> None:
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(10)

    def wait_until(self, predicate: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.05)
        return predicate(self)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        client = MotcuaClient(self.client_urls, self.token, timeout=3)

        async def snapshot() -> Any:
            return await client.site_snapshot(self.site_code)

        def on_state(state: StreamState) -> None:
            self.states.append(state)
            if state is StreamState.LIVE:
                self.urls_used.append(client.base_url)

        self.live = LiveSite(client, f"/ws/sites/{self.site_code}", self.site_id, snapshot,
                             lambda s: None, lambda e: None, on_state, max_backoff=self.max_backoff)
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._started.set()
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await self.live.run()
        finally:
            await client.aclose()
