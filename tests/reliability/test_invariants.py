"""The crash checks themselves: each broken promise is reported (so the fault tests can fail)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, update
from support import COUNTER_A, COUNTER_AF, Api

from queue_server.adapters import tables as t
from queue_server.adapters.db import make_engine
from queue_server.app import create_app
from queue_server.bootstrap import bootstrap
from queue_server.reliability.invariants import check
from queue_server.reliability.workload import Claim, Issued, Tally
from queue_server.settings import Settings


@pytest.fixture
def lobby_day(sqlite_url: str, tmp_path) -> tuple[str, Tally]:  # noqa: ANN001
    """Four tickets issued and one called, through the API, with what clients were told."""
    wiring = bootstrap(Settings(database_url=sqlite_url, environment="test", kiosk_ticket_burst=1000,
                                file_storage_dir=tmp_path / "files"))
    tally = Tally()
    with TestClient(create_app(wiring)) as client:
        api = Api(client)
        for _ in range(4):
            body = api.issue()
            tally.issued.append(Issued(body["id"], body["label"], body["service_id"], body["tracking_token"], 0))
        api.ok(COUNTER_A, "open")
        called = api.ok(COUNTER_A, "call-next")
        tally.claims.append(Claim(COUNTER_A, called["id"], called["label"], 0))
    wiring.engine.dispose()
    return sqlite_url, tally


def tamper(db_url: str, *statements) -> None:  # noqa: ANN002
    engine = make_engine(db_url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)
    engine.dispose()


def problems(db_url: str, tally: Tally) -> str:
    report = check(db_url, tally)
    return "\n".join(report.problems)


def test_an_untouched_day_passes(lobby_day) -> None:  # noqa: ANN001
    db_url, tally = lobby_day
    report = check(db_url, tally)
    assert report.ok, report.problems
    assert (report.tickets, report.acknowledged, report.calls) == (4, 4, 1)


def test_a_lost_acknowledged_ticket_is_reported(lobby_day) -> None:  # noqa: ANN001
    db_url, tally = lobby_day
    last = tally.issued[-1]
    tamper(db_url, t.ticket_events.delete().where(t.ticket_events.c.ticket_id == last.id),
           t.tickets.delete().where(t.tickets.c.id == last.id))
    assert f"acknowledged ticket {last.label} (id {last.id}) is missing" in problems(db_url, tally)


def test_a_gap_or_a_repeated_number_is_reported(lobby_day) -> None:  # noqa: ANN001
    db_url, tally = lobby_day
    tamper(db_url, update(t.tickets).where(t.tickets.c.id == tally.issued[2].id).values(sequence_number=9))
    found = problems(db_url, tally)
    assert "numbers [3, 5, 6, 7, 8] missing" in found and "says 4 but the highest ticket is 9" in found


def test_a_double_claim_is_reported_from_the_event_log_and_from_the_replies(lobby_day) -> None:  # noqa: ANN001
    db_url, tally = lobby_day
    claim = tally.claims[0]
    engine = make_engine(db_url)
    with engine.begin() as conn:  # a second counter calls the same ticket while the first holds it
        called = conn.execute(t.ticket_events.select().where(t.ticket_events.c.ticket_id == claim.ticket_id,
                                                             t.ticket_events.c.type == "TicketCalled")).one()
        seq = conn.execute(update(t.sites).where(t.sites.c.id == called.site_id)
                           .values(event_seq=t.sites.c.event_seq + 1).returning(t.sites.c.event_seq)).scalar_one()
        conn.execute(insert(t.ticket_events).values(site_id=called.site_id, seq=seq, type="TicketCalled", at=called.at,
                                                    ticket_id=claim.ticket_id, counter_id=COUNTER_AF, data=called.data))
    engine.dispose()
    assert "double claim" in problems(db_url, tally)
    db_only = problems(db_url, Tally(issued=tally.issued, claims=[*tally.claims, replace(claim, counter_id=COUNTER_AF)]))
    assert f"counters [{COUNTER_A}, {COUNTER_AF}] were all told" in db_only


def test_a_ticket_stuck_at_a_counter_that_does_not_hold_it_is_reported(lobby_day) -> None:  # noqa: ANN001
    db_url, tally = lobby_day
    tamper(db_url, update(t.counters).where(t.counters.c.id == COUNTER_A).values(current_ticket_id=None))
    assert "which does not hold it" in problems(db_url, tally)


def test_more_unacknowledged_tickets_than_lost_answers_is_reported(lobby_day) -> None:  # noqa: ANN001
    db_url, tally = lobby_day
    told_less = Tally(issued=tally.issued[:-1], claims=tally.claims, lost_issues=0)
    assert "committed without a 201" in problems(db_url, told_less)
    told_less.lost_issues = 1
    assert check(db_url, told_less).ok
