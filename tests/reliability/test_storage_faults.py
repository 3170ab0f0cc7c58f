"""The database stops taking writes (read-only) or its disk fills up.

Every write gets a clear 503 (`database_read_only` / `storage_full`, Retry-After, Vietnamese
then English) and nothing is half-written: no ticket without its event, no number taken
and lost. Reads keep working, and once writes are possible again the same server process
carries on, numbering where it left off.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from drill import lobby, settle_and_check, wait_for_progress
from private_pg import PrivateCluster
from support import API, COUNTER_A, SITE_TT, Api, LiveServer, kiosk_headers
from tmpfs import set_size, small_tmpfs, used_bytes

from queue_server.adapters import tables as t
from queue_server.adapters.db import make_engine
from queue_server.reliability.soak import prepare_drill_database
from queue_server.reliability.workload import Workload


def state_of(db_url: str) -> tuple:
    """Everything a half-done write could touch."""
    engine = make_engine(db_url)
    with engine.connect() as conn:
        out = (
            conn.execute(t.tickets.select().order_by(t.tickets.c.id)).all(),
            conn.execute(t.ticket_sequence.select()).all(),
            conn.execute(t.ticket_events.select().order_by(t.ticket_events.c.id)).all(),
            conn.execute(t.sites.select().order_by(t.sites.c.id)).all(),
            conn.execute(t.counters.select().order_by(t.counters.c.id)).all(),
        )
    engine.dispose()
    return out


def assert_refused(reply: httpx.Response, code: str) -> None:
    assert reply.status_code == 503, reply.text
    assert reply.json()["code"] == code
    assert int(reply.headers["Retry-After"]) > 0
    assert "chưa có gì được lưu" in reply.json()["message"] and "nothing was saved" in reply.json()["message_en"]
    assert "Traceback" not in reply.text


def try_writes(api: Api, code: str) -> None:
    """A kiosk issuing, a clerk calling, a clerk logging in: all refused the same way."""
    for _ in range(3):  # more than once: the first attempt must not leave the next one worse off
        assert_refused(api.client.post(f"{API}/tickets", json={"service_id": 1}, headers=kiosk_headers()), code)
        assert_refused(api.counter(COUNTER_A, "call-next"), code)
    assert_refused(api.client.post(f"{API}/auth/login", json={"username": "canbo.px", "password": "motcua-demo"}),
                   code)


def read_still_works(api: Api, tracking_token: str) -> None:
    assert api.snapshot()["site"]["code"] == SITE_TT
    assert api.client.get(f"{API}/public/tickets/{tracking_token}").status_code == 200


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.load_drill
def test_a_postgres_database_turned_read_only_refuses_writes_cleanly_and_recovers(pg_templates) -> None:  # noqa: ANN001
    db_url = pg_templates.new()
    name = db_url.rpartition("/")[2]
    server = LiveServer(db_url)
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            api = Api(http)
            first = api.issue()
            api.issue()
            api.ok(COUNTER_A, "open")
            api.ok(COUNTER_A, "call-next")
            with psycopg.connect(pg_templates.admin, autocommit=True) as admin:
                admin.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
                # The setting applies to new sessions: end the server's current ones.
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            before = state_of(db_url)
            try_writes(api, "database_read_only")
            read_still_works(api, first["tracking_token"])
            assert state_of(db_url) == before, "nothing was written"

            with psycopg.connect(pg_templates.admin, autocommit=True) as admin:
                admin.execute(f"ALTER DATABASE {name} RESET default_transaction_read_only")
            # The same server process takes writes again, numbering where it stopped. (A
            # session opened while read-only may refuse one write more; then it is replaced.)
            retried = 0
            while (r := http.post(f"{API}/tickets", json={"service_id": 1}, headers=kiosk_headers())).status_code == 503:
                retried += 1
                assert retried <= 2, r.text
            assert r.status_code == 201 and r.json()["label"] == "A003"
            assert api.ok(COUNTER_A, "start")["label"] == "A001"
            assert server.proc.poll() is None
    finally:
        server.stop()
        pg_templates.drop(db_url)


@pytest.mark.slow
@pytest.mark.load_drill
def test_a_sqlite_database_the_server_can_only_read_refuses_writes_cleanly(sqlite_url: str) -> None:
    path = sqlite_url.removeprefix("sqlite:///")
    server = LiveServer(sqlite_url)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        api = Api(http)
        first = api.issue()
        api.ok(COUNTER_A, "open")
        staff_token = api.token("canbo.tt")  # logging in writes a session: do it while we can
    server.stop()
    # The file system or its permissions let this process read only: SQLite opens it O_RDONLY.
    read_only = LiveServer(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        before = state_of(sqlite_url)
        with httpx.Client(base_url=read_only.url, timeout=10) as http:
            api = Api(http)
            api._tokens["canbo.tt"] = staff_token
            try_writes(api, "database_read_only")
            read_still_works(api, first["tracking_token"])
        assert state_of(sqlite_url) == before, "nothing was written"
    finally:
        read_only.stop()


@pytest.mark.slow
@pytest.mark.load_drill
def test_sqlite_disk_full_under_load_refuses_cleanly_and_carries_on_once_there_is_room(
        sqlite_url: str, tmp_path: Path) -> None:
    template = Path(sqlite_url.removeprefix("sqlite:///"))
    # A few hundred tickets' worth of WAL beyond what logging in and opening the counters
    # writes (SQLite reuses its WAL after a checkpoint: the disk must be small from the start).
    room = template.stat().st_size + 400 * 1024
    with small_tmpfs(tmp_path / "disk", f"{room // 1024}k") as disk:
        shutil.copy(template, disk / "motcua.db")
        db_url = f"sqlite:///{disk / 'motcua.db'}"
        server = LiveServer(db_url)
        load = Workload(server.url, lobby())
        try:
            load.start()
            refuses_cleanly_while_full(load)

            set_size(disk, "64m")  # the operator frees space
            back = load.next_epoch()
            assert wait_for_progress(load, back, issued=10, claims=3, seconds=20), \
                "the server did not carry on once there was room"
            assert server.proc.poll() is None
            settle_and_check(load, db_url)
            with contextlib.closing(sqlite3.connect(disk / "motcua.db")) as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            load.stop()
            server.stop()


def refuses_cleanly_while_full(load: Workload) -> None:
    """The lobby's writes start to be refused as `storage_full`, and keep being refused
    cleanly while the disk stays full (a write that happens to fit may still pass)."""
    deadline = time.monotonic() + 30
    while not any(r.json()["code"] == "storage_full" for r in load.tally.unavailable):
        assert time.monotonic() < deadline, f"the disk never filled up {load.tally.unexpected[:3]}"
        time.sleep(0.1)
    refused_before = len(load.tally.unavailable)
    time.sleep(0.5)
    assert len(load.tally.unavailable) - refused_before >= 3
    for reply in load.tally.unavailable:
        assert_refused(reply, "storage_full")
    assert not load.tally.unexpected, load.tally.unexpected[:5]


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.load_drill
def test_postgres_out_of_disk_under_load_refuses_cleanly_and_carries_on_once_there_is_room() -> None:
    cluster = PrivateCluster()  # the machine's shared PostgreSQL is never filled up
    try:
        with small_tmpfs(cluster.root / "small", "64m") as disk:
            shutil.chown(disk, "postgres")
            with psycopg.connect(cluster.admin_url, autocommit=True) as admin:
                admin.execute(f"CREATE TABLESPACE small LOCATION '{disk}'")
                admin.execute("CREATE DATABASE motcua TABLESPACE small")
            db_url = cluster.url("motcua")
            prepare_drill_database(db_url)
            server = LiveServer(db_url)
            load = Workload(server.url, lobby())
            try:
                load.start()  # staff logged in and counters open (audited) while there is room
                set_size(disk, f"{(used_bytes(disk) + 96 * 1024) // 1024}k")  # the tables' disk is nearly full
                refuses_cleanly_while_full(load)

                set_size(disk, "64m")
                back = load.next_epoch()
                assert wait_for_progress(load, back, issued=10, claims=3, seconds=20), \
                    "the server did not carry on once there was room"
                assert server.proc.poll() is None
                settle_and_check(load, db_url)
            finally:
                load.stop()
                server.stop()
    finally:
        cluster.destroy()
