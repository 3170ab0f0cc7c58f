"""PostgreSQL drops every connection of the server's pool (an idle timeout, a failover, an
operator's pg_terminate_backend) while the server stays up. The pool does not ping a
connection before each transaction; the first statement finds it dead, the pool drops
all older ones, and the request runs once more on a fresh connection: the kiosk and the
clerk see a normal answer, not a 503, and nothing is done twice."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select
from support import COUNTER_A, Api, pg_admin_url

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
