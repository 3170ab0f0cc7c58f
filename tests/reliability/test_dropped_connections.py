"""PostgreSQL drops every connection of the server's pool (an idle timeout, a failover, an
operator's pg_terminate_backend) while the server stays up. The pool does not ping a
connection before each transaction; the first statement finds it dead, the pool drops
all older ones, and the request runs once more on a fresh connection: the kiosk and the
clerk see a normal answer, not a 503, and nothing is done twice. Sessions that turned out
read-only are dropped the same way, and closed: none is left open for the garbage collector
(psycopg warns from `__del__`, in whatever test happens to be running then)."""

from __future__ import annotations

import contextlib

import psycopg
import pytest
from sqlalchemy import event, func, select, text
from support import API, COUNTER_A, Api, kiosk_headers, pg_admin_url

from queue_server.adapters import tables as t
from queue_server.bootstrap import Wiring


def _drop_server_connections(wiring: Wiring) -> int:
    name = wiring.engine.url.database
    with psycopg.connect(pg_admin_url(), autocommit=True) as admin:
        return len(admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                                 "AND pid <> pg_backend_pid()", (name,)).fetchall())


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_requests_after_postgres_dropped_the_pool_are_answered_normally_and_done_once(api: Api,
                                                                                      wiring: Wiring) -> None:
    api.ok(COUNTER_A, "open")
    api.issue()
    assert _drop_server_connections(wiring) >= 1

    ticket = api.issue(request_id="after-the-drop-1")  # 201, not 503
    assert _drop_server_connections(wiring) >= 1
    called = api.ok(COUNTER_A, "call-next")
    assert called["status"] == "called"
    assert _drop_server_connections(wiring) >= 1
    assert api.ok(COUNTER_A, "start")["status"] == "serving"

    with wiring.engine.connect() as conn:
        issued = conn.execute(select(func.count()).select_from(t.tickets)
                              .where(t.tickets.c.request_key == "after-the-drop-1")).scalar_one()
        calls = conn.execute(select(func.count()).select_from(t.ticket_events)
                             .where(t.ticket_events.c.type == "TicketCalled")).scalar_one()
    assert issued == 1 and ticket["label"] == "A002"
    assert calls == 1  # the call that met a dead connection was not done twice


def _a_while_read_only(api: Api, wiring: Wiring) -> None:
    name = wiring.engine.url.database
    with psycopg.connect(pg_admin_url(), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    _drop_server_connections(wiring)  # the setting applies to new sessions
    assert api.client.post(f"{API}/tickets", json={"service_id": 1},
                           headers=kiosk_headers()).json()["code"] == "database_read_only"
    with contextlib.ExitStack() as held:  # several read-only sessions wait in the pool
        for _ in range(3):
            held.enter_context(wiring.engine.connect()).execute(text("SELECT 1"))
    assert api.client.post(f"{API}/tickets", json={"service_id": 1},
                           headers=kiosk_headers()).json()["code"] == "database_read_only"
    with psycopg.connect(pg_admin_url(), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} RESET default_transaction_read_only")
    assert api.issue()["label"] == "A002"  # the read-only sessions were all replaced


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_read_only_sessions_are_replaced_and_closed_not_left_open_for_the_garbage_collector(api: Api,
                                                                                           wiring: Wiring) -> None:
    api.issue()
    opened: list[psycopg.Connection] = []
    event.listen(wiring.engine, "connect", lambda dbapi_connection, _record: opened.append(dbapi_connection))
    _a_while_read_only(api, wiring)
    wiring.engine.dispose()  # closes what the pool holds: every connection it ever opened
    assert len(opened) >= 4 and [c for c in opened if not c.closed] == []
