"""Two counters never get the same ticket; two kiosks never print the same number.

Each racer has its own database connection (its own engine), as separate server threads
or processes would, so the database's locking is what is being proved, on SQLite and on
PostgreSQL alike.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from support import open_race_counters

from queue_server.adapters import tables as t
from queue_server.adapters.clock import utc_now
from queue_server.adapters.db import make_engine
from queue_server.domain import commands as cmd
from queue_server.domain.errors import NoTicketWaiting
from queue_server.service_layer import handlers
from queue_server.service_layer.rules import QueueRules
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.settings import Settings

SITE_ID, SERVICE_A, STAFF_ID, KIOSK_ID = 1, 1, 1, 1
RACERS = 20


# Real time, but on a fixed working day at 10:00 in Huế: a race run across local midnight
# would rightly restart the numbering halfway and look like duplicate numbers.
_STARTED = utc_now()
_MID_MORNING = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def _mid_morning_clock() -> datetime:
    return _MID_MORNING + (utc_now() - _STARTED)


def _rules(db_url: str) -> QueueRules:
    return QueueRules.from_settings(Settings(database_url=db_url, environment="test"))


def _open_counters(db_url: str, n: int) -> list[int]:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        ids = open_race_counters(conn, n, first_number=100, site_id=SITE_ID, service_id=SERVICE_A)
    engine.dispose()
    return ids


def _four_digit_labels(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(t.services).where(t.services.c.id == SERVICE_A).values(digits=4, number_end=9999))
    engine.dispose()


def _issue(db_url: str, count: int, rules: QueueRules) -> list[int]:
    engine = make_engine(db_url, pool_size=1)
    try:
        return [
            handlers.issue_ticket(cmd.IssueTicket(SITE_ID, KIOSK_ID, service_id=SERVICE_A),
                                  UnitOfWork(engine, None, _mid_morning_clock, rules))["id"]
            for _ in range(count)
        ]
    finally:
        engine.dispose()


def _serve_until_empty(db_url: str, counter_id: int, rules: QueueRules, start: threading.Barrier) -> list[int]:

    engine = make_engine(db_url, pool_size=1)
    uow = lambda: UnitOfWork(engine, None, _mid_morning_clock, rules)  # noqa: E731
    served = []
    start.wait()
    try:
        while True:
            try:
                ticket = handlers.call_next(cmd.CallNext(counter_id, STAFF_ID), uow())
            except NoTicketWaiting:
                return served
            served.append(ticket["id"])
            handlers.start_service(cmd.StartService(counter_id, STAFF_ID), uow())
            handlers.finish_service(cmd.FinishService(counter_id, STAFF_ID), uow())
    finally:
        engine.dispose()


@pytest.mark.slow
def test_twenty_counters_racing_call_every_ticket_exactly_once(db_url: str) -> None:
    rules = _rules(db_url)
    waiting = _issue(db_url, 500, rules)
    counters = _open_counters(db_url, RACERS)
    barrier = threading.Barrier(RACERS)
    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(lambda c: _serve_until_empty(db_url, c, rules, barrier), counters))
    called = [tid for served in results for tid in served]
    twice = [tid for tid, n in Counter(called).items() if n > 1]
    assert twice == [], f"tickets called by two counters: {twice[:10]}"
    assert sorted(called) == sorted(waiting), "a ticket was lost or an unknown one appeared"
    assert sum(1 for served in results if served) > 1, "the race did not happen: one counter served everything"
    engine = make_engine(db_url)
    with engine.connect() as conn:
        statuses = Counter(conn.execute(select(t.tickets.c.status).where(t.tickets.c.id.in_(waiting))).scalars())
        called_events = conn.execute(select(t.ticket_events.c.ticket_id).where(t.ticket_events.c.type == "TicketCalled")).scalars().all()
        seqs = conn.execute(select(t.ticket_events.c.seq).where(t.ticket_events.c.site_id == SITE_ID)
                            .order_by(t.ticket_events.c.seq)).scalars().all()
    engine.dispose()
    assert statuses == {"done": 500}
    assert sorted(called_events) == sorted(waiting)  # the event log agrees: one call per ticket
    assert seqs == list(range(1, len(seqs) + 1))  # per-site sequence: no gap, no duplicate


@pytest.mark.slow
def test_twenty_kiosks_racing_get_one_thousand_distinct_consecutive_numbers(db_url: str) -> None:
    _four_digit_labels(db_url)
    rules = _rules(db_url)
    barrier = threading.Barrier(RACERS)

    def kiosk(_: int) -> list[int]:
        barrier.wait()
        return _issue(db_url, 50, rules)

    with ThreadPoolExecutor(RACERS) as pool:
        ids = [tid for batch in pool.map(kiosk, range(RACERS)) for tid in batch]
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(t.tickets.c.sequence_number, t.tickets.c.label).where(t.tickets.c.id.in_(ids))).all()
    engine.dispose()
    assert len(ids) == 1000
    assert sorted(r.sequence_number for r in rows) == list(range(1, 1001))
    labels = [r.label for r in rows]
    assert len(set(labels)) == 1000 and "A0001" in labels and "A1000" in labels
