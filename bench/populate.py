"""Direct inserts that set the stage before a server starts: extra services and counters
for the call-next race, a deep queue (including services nobody serves, where a careless
claim query scans past a pile of tickets it can never take), a day of 100,000 tickets,
and the checks that run on the database after the race."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update

from queue_server.adapters import tables as t
from queue_server.adapters.db import analyze, make_engine
from queue_server.domain.business_day import business_day
from shared.enums import CounterState, PriorityClass, TicketStatus

SITE_CODE = "HUE-TT"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CHUNK = 5000


@dataclass
class CallNextWorld:
    counter_ids: list[int]
    served_services: list[int]
    unserved_services: list[int]
    ticket_ids: list[int] = field(default_factory=list)


def _site_and_staff(conn) -> tuple[int, int]:  # noqa: ANN001
    site_id = conn.execute(select(t.sites.c.id).where(t.sites.c.code == SITE_CODE)).scalar_one()
    staff_id = conn.execute(select(t.staff.c.id).where(t.staff.c.username == "canbo.tt")).scalar_one()
    return site_id, staff_id


def _ticket_rows(site_id: int, service_id: int, prefix: str, count: int, now: datetime, rng: random.Random,
                 status: str = TicketStatus.WAITING.value, start: int = 1) -> list[dict]:
    day = business_day(now, TZ)
    rows = []
    for n in range(start, start + count):
        priority = PriorityClass.ELDERLY if rng.random() < 0.08 else PriorityClass.NORMAL
        arrived = now - timedelta(seconds=rng.uniform(0, 4 * 3600))
        row = {
            "site_id": site_id, "service_id": service_id, "business_day": day, "sequence_number": n,
            "label": f"{prefix}{n % 100000:05d}", "priority": priority.value, "rank": 2 if priority != "normal" else 0,
            "status": status, "tracking_token": secrets.token_hex(16), "arrived_at": arrived, "issued_at": arrived,
            "updated_at": arrived,
        }
        if "numbering_service_id" in t.tickets.c:  # the service whose sequence gave the number
            row["numbering_service_id"] = service_id
        if status == TicketStatus.DONE.value:
            row.update(called_at=arrived + timedelta(minutes=5), first_called_at=arrived + timedelta(minutes=5),
                       started_at=arrived + timedelta(minutes=6), finished_at=arrived + timedelta(minutes=12))
        rows.append(row)
    return rows


def _insert_many(conn, table, rows: list[dict]) -> None:  # noqa: ANN001
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[i:i + CHUNK])


def _set_sequence(conn, site_id: int, service_id: int, last: int, now: datetime) -> None:  # noqa: ANN001
    day = business_day(now, TZ)
    seq = t.ticket_sequence.c
    existing = conn.execute(select(seq.last_number).where(
        seq.site_id == site_id, seq.service_id == service_id, seq.business_day == day)).first()
    if existing is None:
        conn.execute(insert(t.ticket_sequence).values(site_id=site_id, service_id=service_id, business_day=day,
                                                      last_number=last))
    else:
        conn.execute(update(t.ticket_sequence).where(
            seq.site_id == site_id, seq.service_id == service_id, seq.business_day == day).values(last_number=last))


def build_call_next_world(db_url: str, *, counters: int, served_services: int = 16, unserved_services: int = 8,
                          served_tickets: int, unserved_tickets: int, seed: int = 7) -> CallNextWorld:
    """`counters` open counters at HUE-TT, each serving three of the served services
    (weights 2, 1, 1), over a deep waiting queue; the unserved services' tickets are
    never claimable and must all still be waiting afterwards."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            site_id, staff_id = _site_and_staff(conn)
            served, unserved = [], []
            for i in range(served_services + unserved_services):
                sid = conn.execute(insert(t.services).values(
                    code=f"X{i:02d}", name_vi=f"Dịch vụ thử {i}", name_en=f"Bench service {i}", prefix="X",
                    digits=5, number_start=0, number_end=99999).returning(t.services.c.id)).scalar_one()
                conn.execute(insert(t.site_services).values(site_id=site_id, service_id=sid))
                (served if i < served_services else unserved).append(sid)
            counter_ids = []
            for i in range(counters):
                cid = conn.execute(insert(t.counters).values(
                    site_id=site_id, number=100 + i, name=f"Quầy thử {100 + i}", state=CounterState.OPEN.value,
                    staff_id=staff_id, updated_at=now).returning(t.counters.c.id)).scalar_one()
                picks = [served[(i + k) % len(served)] for k in (0, 1, 5)]
                conn.execute(insert(t.counter_services), [
                    {"counter_id": cid, "service_id": s, "weight": w} for s, w in zip(picks, (2, 1, 1), strict=True)])
                counter_ids.append(cid)
            for group, total in ((served, served_tickets), (unserved, unserved_tickets)):
                per = max(1, total // len(group))
                for sid in group:
                    _insert_many(conn, t.tickets, _ticket_rows(site_id, sid, "X", per, now, rng))
                    _set_sequence(conn, site_id, sid, per, now)
            world = CallNextWorld(counter_ids, served, unserved)
            world.ticket_ids = list(conn.execute(select(t.tickets.c.id).where(
                t.tickets.c.service_id.in_(served + unserved))).scalars())
        analyze(engine)  # a live database has statistics: measure with them too
        return world
    finally:
        engine.dispose()


def fill_day(db_url: str, tickets: int, *, waiting: int = 200, seed: int = 11) -> None:
    """A day of `tickets` tickets at HUE-TT over services A-F: all served but `waiting`."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            site_id, _ = _site_and_staff(conn)
            services = conn.execute(select(t.services.c.id, t.services.c.prefix)
                                    .where(t.services.c.code.in_(list("ABCDEF")))).all()
            per = tickets // len(services)
            for sid, prefix in services:
                done = _ticket_rows(site_id, sid, prefix, per - waiting // len(services), now, rng,
                                    status=TicketStatus.DONE.value)
                _insert_many(conn, t.tickets, done)
                _insert_many(conn, t.tickets, _ticket_rows(site_id, sid, prefix, waiting // len(services), now, rng,
                                                           start=len(done) + 1))
                _set_sequence(conn, site_id, sid, per, now)
        analyze(engine)  # a live database has statistics: measure with them too
    finally:
        engine.dispose()


@dataclass
class ClaimAudit:
    double_claims: int
    lost_tickets: int
    unserved_touched: int
    claimed: int
    details: list[str]

    @property
    def ok(self) -> bool:
        return self.double_claims == 0 and self.lost_tickets == 0 and self.unserved_touched == 0


def audit_claims(db_url: str, world: CallNextWorld, claimed_by_clients: list[int]) -> ClaimAudit:
    """After the race: no ticket called twice (by the replies, and by the event log), every
    ticket the database moved out of the line was handed to exactly one counter, and no
    ticket vanished or was taken from a service nobody serves."""
    details: list[str] = []
    twice_clients = [tid for tid, n in Counter(claimed_by_clients).items() if n > 1]
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(t.tickets.c.id, t.tickets.c.status, t.tickets.c.service_id).where(
                t.tickets.c.id.in_(world.ticket_ids))).all()
            calls = Counter(conn.execute(select(t.ticket_events.c.ticket_id).where(
                t.ticket_events.c.type == "TicketCalled")).scalars())
    finally:
        engine.dispose()
    twice_log = [tid for tid, n in calls.items() if n > 1]
    claimed = set(claimed_by_clients)
    taken_in_db = {r.id for r in rows if r.status != TicketStatus.WAITING.value}
    missing_rows = len(world.ticket_ids) - len(rows)
    lost = len(taken_in_db - claimed) + len(claimed - taken_in_db) + missing_rows
    unserved = set(world.unserved_services)
    unserved_touched = sum(1 for r in rows if r.service_id in unserved and r.status != TicketStatus.WAITING.value)
    if twice_clients:
        details.append(f"tickets handed to two counters: {twice_clients[:10]}")
    if twice_log:
        details.append(f"tickets called twice in the event log: {twice_log[:10]}")
    if lost:
        details.append(f"taken in the database but not returned: {sorted(taken_in_db - claimed)[:10]}; "
                       f"returned but still waiting: {sorted(claimed - taken_in_db)[:10]}; rows gone: {missing_rows}")
    if unserved_touched:
        details.append(f"{unserved_touched} tickets of unserved services left the line")
    return ClaimAudit(len(set(twice_clients) | set(twice_log)), lost, unserved_touched, len(claimed), details)
