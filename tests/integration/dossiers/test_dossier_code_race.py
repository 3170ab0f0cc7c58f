"""Ten counters receiving dossiers at the same moment never share a code: each racer has
its own engine (as separate server threads or processes would), so the database's lock on
the agency's sequence row is what is proved, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from dossier_helpers import DOCUMENTS, applicant
from sqlalchemy import select
from support import BIRTH_REGISTRATION, FakeClock, open_race_counters

from queue_server.adapters import tables as t
from queue_server.adapters.db import make_engine
from queue_server.domain import commands as cmd
from queue_server.domain.dossier_commands import ReceiveDossier
from queue_server.service_layer import dossiers, handlers
from queue_server.service_layer.rules import Policies, QueueRules
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.settings import Settings

SITE_TT, SERVICE_A, STAFF_TT, KIOSK_TT = 1, 1, 1, 1
COUNTERS, RECEPTIONS_EACH = 10, 20


def _counters_serving_one_citizen_each(db_url: str, rules: QueueRules, clock: FakeClock) -> list[int]:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            ids = open_race_counters(conn, COUNTERS, first_number=200, site_id=SITE_TT, service_id=SERVICE_A)
        uow = lambda: UnitOfWork(engine, None, clock, rules)  # noqa: E731
        for cid in ids:
            handlers.issue_ticket(cmd.IssueTicket(SITE_TT, KIOSK_TT, procedure_code=BIRTH_REGISTRATION), uow())
            handlers.call_next(cmd.CallNext(cid, STAFF_TT), uow())
        return ids
    finally:
        engine.dispose()


@pytest.mark.slow
def test_ten_counters_receiving_at_once_get_unique_consecutive_dossier_codes(db_url: str) -> None:
    settings = Settings(database_url=db_url, environment="test")
    rules = QueueRules.from_settings(settings)
    policies = Policies.from_settings(settings, rules)
    clock = FakeClock()  # Monday 23 November 2026, 09:00 local: every code shares one day
    counters = _counters_serving_one_citizen_each(db_url, rules, clock)
    barrier = threading.Barrier(COUNTERS)

    def counter_desk(counter_id: int) -> list[str]:
        engine = make_engine(db_url, pool_size=1)
        try:
            barrier.wait()
            return [
                dossiers.receive_dossier(
                    ReceiveDossier(counter_id=counter_id, staff_id=STAFF_TT, applicant=applicant(),
                                   documents=DOCUMENTS),
                    UnitOfWork(engine, None, clock, rules, policies=policies))["code"]
                for _ in range(RECEPTIONS_EACH)
            ]
        finally:
            engine.dispose()

    with ThreadPoolExecutor(COUNTERS) as pool:
        per_counter = list(pool.map(counter_desk, counters))
    codes = [code for batch in per_counter for code in batch]
    twice = [code for code, n in Counter(codes).items() if n > 1]
    assert twice == [], f"codes given twice: {twice[:5]}"
    assert all(re.fullmatch(r"000\.00\.01\.H57-261123-[0-9]{4}", code) for code in codes)
    assert sorted(int(code.rsplit("-", 1)[1]) for code in codes) == list(range(1, COUNTERS * RECEPTIONS_EACH + 1))
    # Each desk saw its own numbers rise: no desk was handed an older number later.
    for batch in per_counter:
        numbers = [int(code.rsplit("-", 1)[1]) for code in batch]
        assert numbers == sorted(numbers)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(select(t.dossiers.c.code)).scalars().all()
        last = conn.execute(select(t.dossier_sequence.c.last_number)).scalars().all()
        received_events = conn.execute(select(t.ticket_events.c.seq).where(
            t.ticket_events.c.type == "DossierReceived")).scalars().all()
    engine.dispose()
    assert sorted(stored) == sorted(codes)
    assert last == [COUNTERS * RECEPTIONS_EACH]
    assert len(received_events) == COUNTERS * RECEPTIONS_EACH
