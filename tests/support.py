"""Helpers for tests: a controllable clock, an API client with demo logins, live servers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.reliability.server_process import die_with_parent, free_port, wait_until_healthy
from queue_server.seed import DEMO_PASSWORD, demo_device_token
from shared.enums import DeviceKind

ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"
BIRTH_REGISTRATION = "1.001193"  # Thủ tục đăng ký khai sinh (service A, justice)
SITE_TT, SITE_PX = "HUE-TT", "HUE-PX"
# Demo counters of HUE-TT (ids follow seed order): 1 serves A, 2 serves A and F, 3 serves B ...
COUNTER_A, COUNTER_AF, COUNTER_B = 1, 2, 3


def pg_admin_url() -> str:
    url = os.environ.get("MOTCUA_TEST_PG_URL")
    if url:
        return url
    try:
        return subprocess.run([str(ROOT / "scripts/ensure-postgres.sh")], check=True, capture_output=True,
                              text=True, timeout=300).stdout.strip()
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.fail(f"PostgreSQL is needed for these tests and none could be started ({exc}); run `make test`.")


def keep_artifact(source: Path, target: Path) -> None:
    """Copy a picture under test-artifacts/ for a person to look at. Written aside, then
    renamed over the old one: the SQLite and PostgreSQL runs of one test keep the same
    picture and may do so at the same moment on two xdist workers; nobody sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.copyfile(source, aside)
    os.replace(aside, target)


@dataclass
class FakeClock:
    """Starts on a Monday, 09:00 in Hà Nội (02:00 UTC)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def bearer(token: str) -> dict[str, str]:
    """Streams take the token in a header (never in the URL: URLs are logged)."""
    return {"Authorization": f"Bearer {token}"}


def kiosk_headers(site: str = SITE_TT) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_device_token(DeviceKind.KIOSK, site)}"}


def display_headers(site: str = SITE_TT) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_device_token(DeviceKind.DISPLAY, site)}"}


class Api:
    """Thin sugar over an httpx-compatible client (TestClient or httpx.Client)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            r = self.client.post(f"{API}/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["token"]
        return self._tokens[username]

    def staff(self, username: str = "canbo.tt") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def issue(self, procedure: str = BIRTH_REGISTRATION, site: str = SITE_TT, **body: Any) -> dict[str, Any]:
        r = self.client.post(f"{API}/tickets", json={"procedure_code": procedure, **body}, headers=kiosk_headers(site))
        assert r.status_code == 201, r.text
        return r.json()

    def counter(self, counter_id: int, action: str, body: dict | None = None, user: str = "canbo.tt") -> httpx.Response:
        return self.client.post(f"{API}/counters/{counter_id}/{action}", json=body, headers=self.staff(user))

    def ok(self, counter_id: int, action: str, body: dict | None = None, user: str = "canbo.tt") -> dict[str, Any]:
        r = self.counter(counter_id, action, body, user)
        assert r.status_code == 200, r.text
        return r.json()

    def display_pairing_path(self, site: str = SITE_TT) -> str:
        """A one-time link (path) that pairs a browser with the site's display, made by its manager."""
        devices = self.client.get(f"{API}/devices", params={"site_code": site}, headers=self.staff("quanly")).json()
        device = next(d for d in devices if d["kind"] == "display" and d["revoked_at"] is None)
        r = self.client.post(f"{API}/devices/{device['id']}/display-link", headers=self.staff("quanly"))
        assert r.status_code == 201, r.text
        return r.json()["path"]

    def snapshot(self, site: str = SITE_TT) -> dict[str, Any]:
        r = self.client.get(f"{API}/sites/{site}/snapshot", headers=display_headers(site))
        assert r.status_code == 200, r.text
        return r.json()



class LiveServer:
    """A real `motcua server` process on 127.0.0.1."""

    def __init__(self, db_url: str, port: int | None = None, extra_env: dict[str, str] | None = None,
                 workers: int = 1, log_level: str = "warning", ready_timeout: float = 90) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        files = Path(tempfile.mkdtemp(prefix="motcua-files-"))
        env = {**os.environ, "MOTCUA_DATABASE_URL": db_url, "MOTCUA_ENVIRONMENT": "test",
               "MOTCUA_FILE_STORAGE_DIR": str(files),
               "MOTCUA_PUBLIC_BASE_URL": self.url, "MOTCUA_KIOSK_TICKET_BURST": "100000", **(extra_env or {})}
        self.log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"motcua-live-{self.port}.log", "w+")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "server", "--port", str(self.port), "--log-level", log_level,
             "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
        )
        self.wait_ready(ready_timeout)

    def wait_ready(self, timeout: float = 90) -> None:  # a busy 2-core machine starts slowly
        wait_until_healthy(self.proc, self.url, timeout, self._log_tail)

    def _log_tail(self) -> str:
        return self.log_text()[-3000:]

    def log_text(self) -> str:
        """Everything the server process has written (stdout and stderr) so far. Read
        through a file of its own: seeking the shared one would move the server's writes."""
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def business_day_far_from_now() -> dict[str, str]:
    """Environment for a server on the real clock whose business day turns over twelve hours
    from now, so a test that counts numbers is not split by a rollover halfway through."""
    from zoneinfo import ZoneInfo

    far = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(hours=12)
    return {"MOTCUA_BUSINESS_DAY_ROLLOVER": f"{far.hour:02d}:00"}


def open_for_booking_now(db_url: str, site: str = SITE_TT) -> dict[str, str]:
    """Make "now" bookable on a server that runs on the real clock, whatever the hour: the
    site opens all day every day, today and tomorrow are working days (the calendar's own
    setting), and an appointment may be checked in and served up to an hour early.
    Returns the environment for `LiveServer(extra_env=...)`."""
    import json
    from zoneinfo import ZoneInfo

    from sqlalchemy import update

    from queue_server.adapters import tables as t
    from queue_server.adapters.db import make_engine

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(t.sites).where(t.sites.c.code == site).values(opening_hours={"mon-sun": ["00:00-24:00"]}))
    engine.dispose()
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    return {"MOTCUA_CALENDAR_EXTRA_WORKING_DAYS": json.dumps([str(today), str(today + timedelta(days=1))]),
            "MOTCUA_BOOKING_CHECKIN_BEFORE_MINUTES": "60", "MOTCUA_APPOINTMENT_EARLY_MINUTES": "60"}


def book_first_free_slot(api: Api, phone: str, site: str = SITE_TT,
                         procedure: str = BIRTH_REGISTRATION) -> dict[str, Any]:
    """A booking in the first slot still free (see `open_for_booking_now`)."""
    days = api.client.get(f"{API}/bookings/days", params={"site": site, "procedure": procedure}).json()["days"]
    for day in days:
        slots = api.client.get(f"{API}/bookings/slots",
                               params={"site": site, "procedure": procedure, "day": day["day"]}).json()["slots"]
        for slot in slots:
            if slot["free"]:
                r = api.client.post(f"{API}/bookings", json={
                    "site_code": site, "procedure_code": procedure, "slot_start": slot["start"],
                    "full_name": "Công Dân Đặt Lịch", "phone": phone})
                assert r.status_code == 201, r.text
                return r.json()
    raise AssertionError("no free slot to book")


def open_race_counters(conn: Any, count: int, *, first_number: int, site_id: int = 1,
                       service_id: int = 1) -> list[int]:
    """`count` extra open counters, numbered from `first_number` (clear of the demo ones),
    each serving one service: the racers of a race test. Ids, in number order."""
    from sqlalchemy import insert

    from queue_server.adapters import tables as t
    from shared.enums import CounterState

    ids = []
    for i in range(count):
        cid = conn.execute(insert(t.counters).values(
            site_id=site_id, number=first_number + i, name=f"Race {i}", state=CounterState.OPEN.value,
        ).returning(t.counters.c.id)).scalar_one()
        conn.execute(insert(t.counter_services).values(counter_id=cid, service_id=service_id, weight=1))
        ids.append(cid)
    return ids
