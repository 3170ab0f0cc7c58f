"""The province scenario's world, written straight into a fresh database before the server
starts: N sites shaped like the demo's central site (services A-F and R, its first eight
counters with their services and weights, all open), a clerk, a kiosk and a display per
site; and the checks that run on the database after the load."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from queue_server.adapters import tables as t
from queue_server.adapters.db import analyze, make_engine
from queue_server.adapters.secrets import hash_password, token_digest
from queue_server.seed import DEMO_PASSWORD, SITES
from shared.enums import CounterState, DeviceKind, EventType, Role, TicketStatus

TEMPLATE_SITE = SITES[0]  # HUE-TT: the demo's central site
MANAGER = "quanly"  # the demo's manager: sees every site


@dataclass
class ProvinceSite:
    id: int
    code: str
    clerk: str
    kiosk_token: str
    display_token: str
    counter_ids: list[int]
    service_ids: list[int]  # the services a citizen can take a number for (A-F)


@dataclass
class Province:
    sites: list[ProvinceSite] = field(default_factory=list)

    @property
    def counters(self) -> int:
        return sum(len(s.counter_ids) for s in self.sites)


def build_province(db_url: str, *, sites: int, counters_per_site: int = 8) -> Province:
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    province = Province()
    try:
        with engine.begin() as conn:
            template = conn.execute(select(t.sites).where(t.sites.c.code == TEMPLATE_SITE[0])).one()._asdict()
            services = dict(conn.execute(select(t.services.c.code, t.services.c.id)).all())
            password = hash_password(DEMO_PASSWORD)  # once: every clerk has the demo password
            for n in range(1, sites + 1):
                code = f"PRV-{n:02d}"
                values = {k: v for k, v in template.items() if k not in ("id", "code", "event_seq")}
                values.update(code=code, name_vi=f"Điểm thử tỉnh {n:02d}", name_en=f"Province bench site {n:02d}")
                site_id = conn.execute(insert(t.sites).values(**values).returning(t.sites.c.id)).scalar_one()
                conn.execute(insert(t.site_services), [{"site_id": site_id, "service_id": services[s]}
                                                        for s in TEMPLATE_SITE[7]])
                clerk = f"canbo.prv{n:02d}"
                staff_id = conn.execute(insert(t.staff).values(
                    username=clerk, full_name=f"Cán bộ thử {n:02d}", password_hash=password, role=Role.STAFF.value,
                    site_id=site_id, active=True, created_at=now).returning(t.staff.c.id)).scalar_one()
                counter_ids = []
                for number, spec in TEMPLATE_SITE[8][:counters_per_site]:
                    cid = conn.execute(insert(t.counters).values(
                        site_id=site_id, number=number, name=f"Quầy {number}", state=CounterState.OPEN.value,
                        staff_id=staff_id, updated_at=now).returning(t.counters.c.id)).scalar_one()
                    conn.execute(insert(t.counter_services), [
                        {"counter_id": cid, "service_id": services[item[0]], "weight": int(item[1:])}
                        for item in spec.split()])
                    counter_ids.append(cid)
                tokens = {}
                for kind in (DeviceKind.KIOSK, DeviceKind.DISPLAY):
                    tokens[kind] = f"mcd_province-{kind.value}-{code.lower()}"
                    conn.execute(insert(t.devices).values(name=f"{kind.value} {code}", kind=kind.value, site_id=site_id,
                                                          token_hash=token_digest(tokens[kind]), created_at=now))
                province.sites.append(ProvinceSite(site_id, code, clerk, tokens[DeviceKind.KIOSK],
                                                   tokens[DeviceKind.DISPLAY], counter_ids,
                                                   [services[s] for s in "ABCDEF"]))
        analyze(engine)
        return province
    finally:
        engine.dispose()


@dataclass
class Audit:
    tickets: int = 0
    double_claims: int = 0
    lost_tickets: int = 0
    details: list[str] = field(default_factory=list)
    last_seq: dict[int, int] = field(default_factory=dict)  # site id -> its last event number


def audit_province(db_url: str, province: Province, issued: set[int], claimed: list[int]) -> Audit:
    """No ticket called twice (replies and event log), every issued ticket still there and
    either waiting or claimed by exactly one counter, nothing claimed that was not issued."""
    audit = Audit()
    engine = make_engine(db_url)
    site_ids = [s.id for s in province.sites]
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(t.tickets.c.id, t.tickets.c.status)
                                .where(t.tickets.c.site_id.in_(site_ids))).all()
            calls = Counter(conn.execute(select(t.ticket_events.c.ticket_id).where(
                t.ticket_events.c.site_id.in_(site_ids),
                t.ticket_events.c.type == EventType.TICKET_CALLED.value)).scalars())
            audit.last_seq = dict(conn.execute(select(t.sites.c.id, t.sites.c.event_seq)
                                               .where(t.sites.c.id.in_(site_ids))).all())
            unknown = conn.execute(select(func.count()).select_from(t.tickets).where(
                t.tickets.c.site_id.in_(site_ids), t.tickets.c.id.not_in(issued or {0}))).scalar_one()
    finally:
        engine.dispose()
    status = dict(rows)
    audit.tickets = len(status)
    replies = Counter(claimed)
    audit.double_claims = sum(1 for n in replies.values() if n > 1) + sum(1 for n in calls.values() if n > 1)
    missing = [tid for tid in issued if tid not in status]
    unclaimed_moved = [tid for tid, s in status.items() if s != TicketStatus.WAITING.value and tid not in replies]
    claimed_unknown = [tid for tid in replies if tid not in issued]
    audit.lost_tickets = len(missing) + len(unclaimed_moved)
    if audit.double_claims:
        audit.details.append(f"{audit.double_claims} tickets handed to two counters")
    if missing:
        audit.details.append(f"{len(missing)} issued tickets are not in the database, e.g. {missing[:5]}")
    if unclaimed_moved:
        audit.details.append(f"{len(unclaimed_moved)} tickets left the line without a counter's reply")
    if claimed_unknown or unknown:
        audit.details.append(f"{len(claimed_unknown)} claimed and {unknown} stored tickets that no kiosk was given")
    return audit
