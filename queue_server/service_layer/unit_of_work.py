"""The unit of work: one transaction per command, and the events it produced.

Handlers record events with `emit`; `commit` numbers them per site (the site row is
locked for that, last, in site-id order so two transactions never wait on each other in
a cycle), appends them to the event log, and, on PostgreSQL, queues a NOTIFY that leaves
with the commit. After commit the local bus delivers them (SQLite), and the process's
caches drop what the events made stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from queue_server.adapters import repository as repo
from queue_server.adapters.account_repository import AccountRepository
from queue_server.adapters.attempt_counters import AttemptCounters
from queue_server.adapters.booking_repository import BookingRepository
from queue_server.adapters.cache import StaticCache
from queue_server.adapters.clock import Clock
from queue_server.adapters.db import READ_ONLY
from queue_server.adapters.db_faults import note_commit_sent
from queue_server.adapters.dossier_repository import DossierRepository
from queue_server.adapters.eventbus import PG_CHANNEL, EventBus
from queue_server.adapters.menu_repository import MenuRepository
from queue_server.adapters.ticket_repository import CounterRepository, TicketRepository
from queue_server.service_layer import audit
from queue_server.service_layer.rules import Policies, QueueRules
from queue_server.service_layer.static_rows import Catalog
from queue_server.service_layer.wait_estimates import LineWaits
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
    # The waiting counts of `services`, when the handler already read them in this
    # transaction (saves the count at commit).
    waiting: dict[int, int] | None = None


class UnitOfWork:
    def __init__(self, engine: Engine, bus: EventBus | None, clock: Clock, rules: QueueRules,
                 *, read_only: bool = False, cache: StaticCache | None = None,
                 on_commit: Callable[[list[dict[str, Any]]], None] | None = None,
                 policies: Policies | None = None) -> None:
        self.engine = engine
        # Every rule set (the wiring's); `rules` is the queue's, kept apart for the hot paths.
        self.policies = policies
        # Shared by the process's units of work (see bootstrap); a fresh one caches only
        # within this unit of work.
        self.cache = cache if cache is not None else StaticCache()
        self.on_commit = on_commit  # sees the published events (metrics)
        self.signals: list[dict[str, Any]] = []
        self.read_only = read_only
        self.rules = rules
        self.bus = bus
        self.clock = clock
        self.is_postgres = engine.dialect.name == "postgresql"
        self.conn: Connection
        self.events: list[PendingEvent] = []
        self.published: list[dict[str, Any]] = []
        self.now: datetime
        # The repositories, one per area, opened over this transaction's connection.
        self.tickets: TicketRepository
        self.counters: CounterRepository
        self.catalog: Catalog
        self.dossiers: DossierRepository
        self.bookings: BookingRepository
        self.accounts: AccountRepository
        self.attempts: AttemptCounters
        self.menus: MenuRepository

    def __enter__(self) -> UnitOfWork:
        self.conn = self.engine.connect()
        if self.read_only:
            # One consistent snapshot: the seq a client gets matches the state it sees.
            options = {"isolation_level": "REPEATABLE READ"} if self.is_postgres else READ_ONLY
            self.conn = self.conn.execution_options(**options)
        try:
            self.conn.begin()
        except BaseException:  # e.g. SQLite's write lock taken: the connection goes back
            self.conn.close()
            raise
        self.events = []
        self.signals = []
        self.now = self.clock()
        self._open_repositories()
        return self

    def _open_repositories(self) -> None:
        # Plain objects over this transaction's connection, no import and no query: every
        # unit of work opens them all, the ticket hot paths too (a few microseconds).
        self.tickets = TicketRepository(self.conn)
        self.counters = CounterRepository(self.conn, self.tickets)
        self.catalog = Catalog(self)
        self.dossiers = DossierRepository(self.conn)
        self.bookings = BookingRepository(self.conn, self.is_postgres, lines_of=self._scope_lines)
        self.accounts = AccountRepository(self.conn)
        self.attempts = AttemptCounters(self.conn)
        self.menus = MenuRepository(self.conn)

    def _scope_lines(self, site: Any) -> dict[int, int]:  # noqa: ANN401 - a sites row
        from queue_server.service_layer.menu_scope import site_scope  # it imports this module

        return site_scope(self, site.id, site.code).lines

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            # (A read-only session was already dropped: adapters/db.py.)
            if self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.close()

    def emit(self, event: PendingEvent) -> None:
        self.events.append(event)

    def signal(self, message: dict[str, Any]) -> None:
        """A control message for every server process, sent only if the transaction
        commits (e.g. `{"kind": "revoke", "credential": …}` closes that token's streams)."""
        self.signals.append(message)

    def commit(self) -> list[dict[str, Any]]:
        published, rows = self._number_events() if self.events else ([], [])
        # The audit entry of the request (if any) commits with the change it describes.
        entry = audit.current()
        already = entry.written if entry is not None else True
        entry_row = None if self.read_only else audit.row_for_commit(self.now, published)
        if self.is_postgres:
            # Events, audit row and notifications (in event order, then the signals) in one
            # round trip.
            payloads = [json.dumps(m, default=str, ensure_ascii=False) for m in (*published, *self.signals)]
            repo.append_log_and_notify(self.conn, rows, entry_row, PG_CHANNEL, payloads)
        else:
            if rows:
                repo.insert_events(self.conn, rows)
            if entry_row is not None:
                audit.insert_row(self.conn, entry_row)
        if entry_row is not None:
            audit.written()
        if not self.read_only:
            note_commit_sent()
        try:
            self.conn.commit()
        except Exception:
            if entry is not None:
                entry.written = already
            raise
        self.events = []
        self.published = published
        for message in published:
            self.cache.on_event(message["type"])
        if self.bus is not None and not self.is_postgres:
            self.bus.publish(published)
            for message in self.signals:
                self.bus.signal(message)
        self.signals = []
        if self.on_commit is not None and published:
            self.on_commit(published)
        return published

    def _number_events(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Number the events per site (one UPDATE per site takes all its numbers and reads
        the waiting counts they carry in its RETURNING); returns the messages to publish
        and the event log's rows, which `commit` writes."""
        by_site: dict[int, list[PendingEvent]] = {}
        for event in self.events:
            by_site.setdefault(event.site_id, []).append(event)
        messages: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        at = self.now.isoformat()
        # What the lines' wait figures need besides the counts is read first: from the
        # UPDATE that takes a site's numbers to the commit, every other commit of that
        # site waits, so only the statements that must be there are (numbers and counts,
        # then the log and notifications in one, then COMMIT).
        touched = {site_id: {sid for e in events for sid in e.services} for site_id, events in by_site.items()}
        inputs = {site_id: LineWaits(self.conn, site_id) for site_id, services in touched.items() if services}
        for site_id in sorted(by_site):  # site rows locked in id order: no waiting in a cycle
            events = by_site[site_id]
            needed = {sid for e in events if e.waiting is None for sid in e.services}
            last, counts = repo.take_event_seqs_and_counts(self.conn, site_id, len(events), needed)
            latest = {sid: n for e in events if e.waiting is not None for sid, n in e.waiting.items()}
            latest.update(counts)
            lines = touched[site_id]
            waits = inputs[site_id].of({sid: latest[sid] for sid in lines}) if lines else {}
            for offset, event in enumerate(events):
                seq = last - len(events) + 1 + offset
                if event.waiting is not None:
                    waiting = {str(sid): event.waiting[sid] for sid in event.services}
                else:
                    waiting = {str(sid): counts[sid] for sid in event.services}
                data = dict(event.data)
                if event.ticket:
                    data.setdefault("label", event.ticket.get("label"))
                    data.setdefault("service_id", event.ticket.get("service_id"))
                rows.append({
                    "site_id": site_id, "seq": seq, "type": event.type.value, "at": self.now,
                    "ticket_id": event.ticket["id"] if event.ticket else None, "counter_id": event.counter_id,
                    "staff_id": event.staff_id, "device_id": event.device_id, "data": data,
                })
                messages.append({
                    "kind": "event",
                    "type": event.type.value,
                    "site_id": site_id,
                    "seq": seq,
                    "at": at,
                    "ticket": event.ticket,
                    "counter": event.counter,
                    "waiting": waiting,
                    "waits": {sid: waits[int(sid)] for sid in waiting},
                    "data": event.data,
                })
        return messages, rows

    def notify_invalidate(self, what: str) -> None:
        """Tell every server process to drop a cache (PostgreSQL: leaves with the commit)."""
        if self.is_postgres:
            payload = json.dumps({"kind": "invalidate", "what": what})
            self.conn.execute(_NOTIFY, {"channel": PG_CHANNEL, "payload": payload})


_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


def events_of(published: Iterable[dict[str, Any]], type_: EventType) -> list[dict[str, Any]]:
    return [e for e in published if e["type"] == type_.value]
