"""Call-next follows the ordering policy over everyone waiting, however the line is made
up, on SQLite and PostgreSQL: the field report (appointments checked in early, not yet
due, hid a priority citizen who came after them) through the HTTP API, then generated
lines through the real handler and database (tests/ordering_lines.py)."""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from ordering_lines import ELSEWHERE, HERE, SERVICES, Line, lines
from sqlalchemy import select
from support import API, COUNTER_A, SITE_TT, Api, FakeClock, kiosk_headers

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.domain.ordering import CounterView, choose
from queue_server.service_layer.rules import QueueRules
from queue_server.settings import Settings
from shared.enums import CounterState, TicketStatus

BIRTH = "1.001193"  # Thủ tục đăng ký khai sinh (service A, which counter 1 serves alone)


def local(hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Huế (UTC+7) on Monday 23/11/2026, as UTC."""
    return datetime(2026, 11, 23, hour - 7, minute, tzinfo=UTC)


@pytest.fixture
def settings_overrides() -> dict:
    return {"booking_slot_capacity": 6}


def _policy_pick(wiring, counter_id: int, now: datetime) -> int:  # noqa: ANN001
    """What the policy's sort_key picks over ALL tickets waiting for the counter."""
    with wiring.engine.connect() as conn:
        weights = repo.counter_weights(conn, counter_id)
        c = t.tickets.c
        rows = conn.execute(select(t.tickets).where(
            c.status == TicketStatus.WAITING.value, c.service_id.in_(sorted(weights)))).all()
    candidates = [repo.as_candidate(r, counter_id) for r in rows]
    policy = wiring.rules.policy
    return min(candidates, key=lambda x: policy.sort_key(x, CounterView(counter_id, weights), now)).ticket_id


def test_early_appointments_do_not_hide_an_elderly_citizen(api: Api, clock: FakeClock, wiring) -> None:  # noqa: ANN001
    """The field report: a walk-in, six appointments for 10:00 checked in at 09:35 (not due,
    so they wait like walk-ins), then an elderly citizen. The elderly citizen is called first."""
    codes = []
    for n in range(6):
        r = api.client.post(f"{API}/bookings", json={
            "site_code": SITE_TT, "procedure_code": BIRTH, "slot_start": local(10, 0).isoformat(),
            "full_name": f"Công Dân Hẹn {n}", "phone": f"0912 000 {n:03d}"})
        assert r.status_code == 201, r.text
        codes.append(r.json()["code"])
    clock.now = local(9, 34)
    walk_in = api.issue()["id"]
    clock.now = local(9, 35)
    appointments = []
    for code in codes:
        r = api.client.post(f"{API}/bookings/check-in", json={"code": code}, headers=kiosk_headers())
        assert r.status_code == 201, r.text
        appointments.append(r.json()["id"])
    clock.now = local(9, 36)
    elderly = api.issue(priority="elderly")["id"]

    api.ok(COUNTER_A, "open")
    clock.now = local(9, 37)
    called = []
    for _ in range(len(appointments) + 2):
        expected = _policy_pick(wiring, COUNTER_A, clock.now)
        called.append(api.ok(COUNTER_A, "call-next")["id"])
        assert called[-1] == expected, f"call {len(called)}: the policy over everyone waiting picks {expected}"
        api.ok(COUNTER_A, "start")
        api.ok(COUNTER_A, "finish")
        clock.advance(minutes=2)  # the last calls are past 10:00: the appointments are due by then
    # Priority first, then first come first served while the appointments are not due.
    assert called[:3] == [elderly, walk_in, appointments[0]]
    assert sorted(called) == sorted([walk_in, elderly, *appointments])


# ---- generated lines through the real handler and database --------------------------------
_BASE_RULES = QueueRules.from_settings(Settings(database_url="sqlite://", environment="test"))
START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Huế
STAFF, OTHER_COUNTER = 1, 2  # the demo clerk; a seeded counter that transfers may target


class _Desk:
    """The database a generated line is played on: each example cancels what the last one
    left waiting and opens a counter of its own (fresh caches, its own services)."""

    def __init__(self, db_url: str) -> None:
        from queue_server.adapters.db import make_engine

        self.engine = make_engine(db_url)
        with self.engine.connect() as conn:
            codes = conn.execute(select(t.services.c.code, t.services.c.id).join(
                t.site_services, t.site_services.c.service_id == t.services.c.id)
                .where(t.site_services.c.site_id == 1).order_by(t.services.c.code)).all()
        self.service_ids = [sid for _, sid in codes[:SERVICES]]
        self.numbers = itertools.count(1)

    def lay_out(self, line: Line) -> int:
        """The line in the database: returns the new counter's id."""
        from sqlalchemy import insert, update

        n = next(self.numbers)
        with self.engine.begin() as conn:
            conn.execute(update(t.tickets).where(t.tickets.c.status == TicketStatus.WAITING.value)
                         .values(status=TicketStatus.CANCELLED.value))
            counter_id = conn.execute(insert(t.counters).values(
                site_id=1, number=1000 + n, name=f"Quầy thử {n}", state=CounterState.OPEN.value, staff_id=STAFF,
                updated_at=START).returning(t.counters.c.id)).scalar_one()
            conn.execute(insert(t.counter_services), [
                {"counter_id": counter_id, "service_id": self.service_ids[s], "weight": w}
                for s, w in line.weights.items()])
            for i, w in enumerate(line.tickets):
                c = w.candidate(0, self.service_ids[w.service], START)
                sequence = 10_000 * n + i
                conn.execute(insert(t.tickets).values(
                    site_id=1, service_id=c.service_id, numbering_service_id=c.service_id,
                    business_day=START.date(), sequence_number=sequence, label=f"T{sequence}",
                    priority=c.priority.value, rank=c.rank, status=TicketStatus.WAITING.value,
                    target_counter_id={HERE: counter_id, ELSEWHERE: OTHER_COUNTER}.get(w.sent_to),
                    tracking_token=secrets.token_hex(16), arrived_at=c.arrived_at, issued_at=c.arrived_at,
                    appointment_at=c.appointment_at, updated_at=c.arrived_at))
        return counter_id

    def policy_pick(self, policy, counter_id: int, now: datetime) -> int | None:  # noqa: ANN001
        """sort_key's choice over EVERY waiting ticket the counter may call, read back."""
        with self.engine.connect() as conn:
            weights = repo.counter_weights(conn, counter_id)
            c = t.tickets.c
            rows = conn.execute(select(t.tickets).where(c.status == TicketStatus.WAITING.value)).all()
        mine = [repo.as_candidate(r, counter_id) for r in rows
                if r.target_counter_id == counter_id or (r.target_counter_id is None and r.service_id in weights)]
        best = choose(policy, mine, CounterView(counter_id, weights), now)
        return best.ticket_id if best else None


@pytest.fixture
def desk(db_url: str) -> Iterator[_Desk]:
    desk = _Desk(db_url)
    yield desk
    desk.engine.dispose()


# 60 generated lines per database in the default run (each lays out a line and calls it to
# the end through the real handler: about half a second); the policy alone is searched over
# 300 lines without a database in tests/unit/domain/test_ordering_properties.py. A deep run:
# MOTCUA_ORDERING_EXAMPLES=1000.
@settings(max_examples=int(os.environ.get("MOTCUA_ORDERING_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(line=lines(policies=("default", "fifo"), max_tickets=12))
def test_call_next_calls_what_the_policy_picks_over_everyone_waiting(desk: _Desk, line: Line) -> None:
    """Random lines (priorities, appointments due and early, transfers to this counter and
    to another, tickets past the maximum wait, several services with weights), the clock
    moving between calls: each call-next returns exactly the policy's choice."""
    from queue_server.domain import commands as cmd
    from queue_server.domain.errors import NoTicketWaiting
    from queue_server.service_layer import handlers
    from queue_server.service_layer.unit_of_work import UnitOfWork

    counter_id = desk.lay_out(line)
    rules = replace(_BASE_RULES, policy=line.make_policy())
    now = START
    for step in line.clock_steps:
        now += timedelta(minutes=step)
        expected = desk.policy_pick(rules.policy, counter_id, now)
        def clock(now: datetime = now) -> datetime:
            return now

        try:
            called = handlers.call_next(cmd.CallNext(counter_id, STAFF, finish_current=True),
                                        UnitOfWork(desk.engine, None, clock, rules))["id"]
        except NoTicketWaiting:
            called = None
        assert called == expected, f"at {now:%H:%M} call-next called {called}, the policy picks {expected}"
        if called is None:
            break
        handlers.start_service(cmd.StartService(counter_id, STAFF), UnitOfWork(desk.engine, None, clock, rules))
