"""Two people racing for the last place in a slot: exactly one gets it. Two requests for the
same phone at once: exactly one booking. Each racer has its own engine (its own database
connection), as separate server threads or processes would, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from queue_server.adapters import tables as t
from queue_server.adapters.db import make_engine
from queue_server.domain.booking_commands import CreateBooking
from queue_server.domain.errors import Conflict
from queue_server.service_layer import bookings
from queue_server.service_layer.rules import Policies
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.settings import Settings

RACERS = 8
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 in Huế
FIRST_SLOT = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # Wednesday 07:00 in Huế


def _race(db_url: str, commands: list[CreateBooking]) -> list[str]:
    """Run the commands at once, one engine each; 'ok' or the refusal's code per command."""
    settings = Settings(database_url=db_url, environment="test", booking_slot_capacity=1)
    policies = Policies.from_settings(settings)
    barrier = threading.Barrier(len(commands))

    def racer(command: CreateBooking) -> str:
        engine = make_engine(db_url, pool_size=1)
        try:
            with engine.connect():
                pass  # connected before the start, so the race is the transactions'
            barrier.wait()
            bookings.create_booking(command, UnitOfWork(engine, None, lambda: NOW, policies.queue, policies=policies))
            return "ok"
        except Conflict as refusal:
            return refusal.code
        finally:
            engine.dispose()

    with ThreadPoolExecutor(len(commands)) as pool:
        return list(pool.map(racer, commands))


def _command(slot: datetime, phone: str) -> CreateBooking:
    return CreateBooking(site_code="HUE-TT", procedure_code="1.001193", slot_start=slot,
                                  full_name="Người Đặt Lịch", phone=phone)


def test_racers_for_the_last_place_in_a_slot_exactly_one_wins(db_url: str) -> None:
    slots = [FIRST_SLOT + timedelta(minutes=15 * i) for i in range(5)]
    for round_, slot in enumerate(slots):
        outcomes = _race(db_url, [_command(slot, f"09{round_}{i:07d}") for i in range(RACERS)])
        assert Counter(outcomes) == {"ok": 1, "slot_full": RACERS - 1}, outcomes
    engine = make_engine(db_url)
    with engine.connect() as conn:
        per_slot = dict(conn.execute(select(t.bookings.c.slot_start, func.count()).group_by(t.bookings.c.slot_start)).all())
        counted = dict(conn.execute(select(t.booking_slots.c.slot_start, t.booking_slots.c.booked)).all())
    engine.dispose()
    assert per_slot == dict.fromkeys(slots, 1)
    assert counted == dict.fromkeys(slots, 1)  # the capacity counter agrees with the bookings


def test_one_phone_racing_for_many_slots_gets_one_booking(db_url: str) -> None:
    slots = [FIRST_SLOT + timedelta(minutes=15 * i) for i in range(RACERS)]
    outcomes = _race(db_url, [_command(slot, "0912 345 678") for slot in slots])
    assert Counter(outcomes) == {"ok": 1, "already_booked": RACERS - 1}, outcomes
    engine = make_engine(db_url)
    with engine.connect() as conn:
        active = conn.execute(select(func.count()).select_from(t.bookings)
                              .where(t.bookings.c.phone == "+84912345678", t.bookings.c.status == "booked")).scalar()
        places = conn.execute(select(func.coalesce(func.sum(t.booking_slots.c.booked), 0))).scalar()
    engine.dispose()
    assert active == 1
    assert places == 1  # the losers' places went back with their rolled-back transactions
