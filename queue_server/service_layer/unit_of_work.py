"""The unit of work: one transaction per command, and the events it produced.

Handlers record events with `emit`; `commit` numbers them per site (the site row is
locked for that, last, in site-id order so two transactions never wait on each other in
a cycle), appends them to the event log, and, on PostgreSQL, queues a NOTIFY that leaves
with the commit. After commit the local bus delivers them (SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, text, update

from queue_server.adapters import tables as t
from queue_server.adapters.clock import Clock
from queue_server.adapters.db import READ_ONLY
from queue_server.adapters.eventbus import PG_CHANNEL, EventBus
from queue_server.service_layer.rules import QueueRules
from shared.enums import EventType


@dataclass
class PendingEvent:
    type: EventType
    site_id: int
    ticket: dict[str, Any] | None = None
    counter: dict[str, Any] | None = None
    counter_id: int | None = None
    staff_id: int | None = None
    device_id: int | None = None
    services: tuple[int, ...] = ()  # services whose waiting counts the event changed
    data: dict[str, Any] = field(default_factory=dict)


class UnitOfWork:
    def __init__(self, engine: Engine, bus: EventBus | None, clock: Clock, rules: QueueRules,
                 *, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        self.rules = rules
        self.bus = bus
        self.clock = clock
        self.is_postgres = engine.dialect.name == "postgresql"
        self.conn: Connection
        self.events: list[PendingEvent] = []
        self.published: list[dict[str, Any]] = []
        self.now: datetime

    def __enter__(self) -> UnitOfWork:
        self.conn = self.engine.connect()
        if self.read_only:
            # One consistent snapshot: the seq a client gets matches the state it sees.
            options = {"isolation_level": "REPEATABLE READ"} if self.is_postgres else READ_ONLY
            self.conn = self.conn.execution_options(**options)
        self.conn.begin()
        self.events = []
        self.now = self.clock()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.close()

    def emit(self, event: PendingEvent) -> None:
        self.events.append(event)

    def commit(self) -> list[dict[str, Any]]:
        published = [self._record(e) for e in sorted(self.events, key=lambda e: e.site_id)]
        self.conn.commit()
        self.events = []
        self.published = published
        if self.bus is not None and not self.is_postgres:
            self.bus.publish(published)
        return published

    def _record(self, event: PendingEvent) -> dict[str, Any]:
        seq = self.conn.execute(
            update(t.sites)
            .where(t.sites.c.id == event.site_id)
            .values(event_seq=t.sites.c.event_seq + 1)
            .returning(t.sites.c.event_seq)
        ).scalar_one()
        waiting = {str(sid): self._waiting_count(event.site_id, sid) for sid in event.services}
        ticket_id = event.ticket["id"] if event.ticket else None
        data = dict(event.data)
        if event.ticket:
            data.setdefault("label", event.ticket.get("label"))
            data.setdefault("service_id", event.ticket.get("service_id"))
        self.conn.execute(
            insert(t.ticket_events).values(
                site_id=event.site_id,
                seq=seq,
                type=event.type.value,
                at=self.now,
                ticket_id=ticket_id,
                counter_id=event.counter_id,
                staff_id=event.staff_id,
                device_id=event.device_id,
                data=data,
            )
        )
        message = {
            "kind": "event",
            "type": event.type.value,
            "site_id": event.site_id,
            "seq": seq,
            "at": self.now.isoformat(),
            "ticket": event.ticket,
            "counter": event.counter,
            "waiting": waiting,
            "data": event.data,
        }
        if self.is_postgres:
            payload = json.dumps(message, default=str, ensure_ascii=False)
            self.conn.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": PG_CHANNEL, "payload": payload})
        return message

    def _waiting_count(self, site_id: int, service_id: int) -> int:
        return self.conn.execute(
            select(func.count())
            .select_from(t.tickets)
            .where(
                and_(
                    t.tickets.c.site_id == site_id,
                    t.tickets.c.service_id == service_id,
                    t.TICKET_IS_WAITING,
                )
            )
        ).scalar_one()


def events_of(published: Iterable[dict[str, Any]], type_: EventType) -> list[dict[str, Any]]:
    return [e for e in published if e["type"] == type_.value]
