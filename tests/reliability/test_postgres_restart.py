"""PostgreSQL goes away under load and comes back; the server process is never restarted.

While the database is down every request gets a clean 503 with Retry-After and a message
in Vietnamese then English (no stack trace); once it is back the same server process
serves again by itself, and no ticket a kiosk was given is lost.
"""

from __future__ import annotations

import time

import httpx
import psycopg
import pytest
from drill import display_caught_up, lobby, lobby_running, settle_and_check, wait_for_progress
from private_pg import PrivateCluster
from support import SITE_TT, LiveServer

from queue_server.reliability.soak import prepare_drill_database


@pytest.fixture
def private_pg():  # noqa: ANN201
    cluster = PrivateCluster()
    with psycopg.connect(cluster.admin_url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE motcua")
    prepare_drill_database(cluster.url("motcua"))
    yield cluster
    cluster.destroy()


def assert_clean_503(reply) -> None:  # noqa: ANN001
    assert reply.status_code == 503
    assert int(reply.headers["Retry-After"]) > 0
    body = reply.json()
    assert body["code"] == "database_unavailable"
    assert "thử lại" in body["message"] and "retry" in body["message_en"]
    assert "Traceback" not in reply.text and "psycopg" not in reply.text and "sqlalchemy" not in reply.text


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.load_drill
@pytest.mark.parametrize("mode", ["immediate", "fast"])
def test_postgres_restarted_under_load_gives_503_then_recovers_without_a_server_restart(private_pg, mode) -> None:  # noqa: ANN001
    db_url = private_pg.url("motcua")
    server = LiveServer(db_url)
    pid = server.proc.pid
    try:
        with lobby_running(server.url) as (load, display):
            time.sleep(1.0)
            before = len(load.tally.issued)
            assert before >= 5

            private_pg.stop(mode)  # immediate = PostgreSQL crashes; fast = an operator restarts it
            down = load.next_epoch()
            deadline = time.monotonic() + 10
            while len(load.tally.unavailable) < 10 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)
            assert len(load.tally.unavailable) >= 10, "requests while the database is down get 503"
            for reply in load.tally.unavailable:
                assert_clean_503(reply)
            assert load.tally.issued_in(down) == 0
            # A citizen's tracking page, the display page and the health check say the same.
            token = load.tally.issued[0].tracking_token
            for path in (f"/t/{token}", f"/display/{SITE_TT}?token={lobby().display_token}", "/api/v1/health"):
                assert_clean_503(httpx.get(server.url + path, timeout=10))
            assert not load.tally.unexpected, load.tally.unexpected[:5]

            private_pg.start()
            back = load.next_epoch()
            assert wait_for_progress(load, back, issued=10, claims=3, seconds=20), "the server did not recover"
            assert server.proc.poll() is None and server.proc.pid == pid, "recovered without restarting the server"

            settle_and_check(load, db_url)
            # The display missed events while the database was down; it catches up by itself.
            display_caught_up(load, display, 15)
    finally:
        server.stop()
