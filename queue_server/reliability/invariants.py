"""What a crash must never break, checked against the database and what clients were told.

The promises (docs/operations.md, "Faults and what motcua promises"):

1. Every ticket a kiosk got a 201 for exists exactly once, with the label and tracking
   token it was given.
2. Numbers per (site, numbering service, business day) are exactly 1..N: no duplicate,
   and no gap at all. The number is taken in the same transaction that inserts the ticket,
   so a request that died before commit leaves no trace and the number is reused; a gap
   in the database is therefore always a bug. What a crash can leave is a ticket that
   was committed but whose 201 never reached the kiosk. The kiosk sends one request key
   per citizen request and sends it again on "try again", and the server answers a repeated
   key with the ticket already issued, so such a ticket reaches its citizen after all; only
   a request never retried (the citizen walked away) can leave one, and the check allows
   no more of those than requests left unanswered. Such a ticket is called like any other
   and ends as a no-show; the numbers citizens hold never skip or repeat.
3. No double claim: in the event log no ticket is called while a counter still holds it,
   and no two counters were told (200) they called the same ticket.
4. Nothing is stuck: each ticket called or being served is the current ticket of the
   counter named on it, and each counter's current ticket is called or served there, so
   the clerk (or whoever takes the counter) can finish, no-show or transfer it.
5. The event log of each site is 1..event_seq with no hole (displays resync from it).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from queue_server.adapters import tables as t
from queue_server.adapters.db import make_engine
from queue_server.reliability.workload import Tally
from shared.enums import EventType, TicketStatus

# Events after which no counter holds the ticket any more.
_RELEASES = {EventType.TICKET_SERVED, EventType.TICKET_NO_SHOW, EventType.TICKET_REQUEUED,
             EventType.TICKET_TRANSFERRED, EventType.TICKET_HELD, EventType.TICKET_CANCELLED}
_TAKES = {EventType.TICKET_CALLED, EventType.TICKET_RESUMED}


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    tickets: int = 0
    acknowledged: int = 0
    unacknowledged: int = 0  # committed, but the kiosk never got the answer
    calls: int = 0
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return (f"{self.tickets} tickets in the database, {self.acknowledged} acknowledged to kiosks, "
                f"{self.unacknowledged} committed without an answer; {self.calls} calls; {self.events} events; "
                + ("all invariants hold" if self.ok else f"{len(self.problems)} PROBLEM(S)"))


def check(db_url: str, tally: Tally) -> Report:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            tickets = conn.execute(select(t.tickets)).all()
            sequences = conn.execute(select(t.ticket_sequence)).all()
            counters = conn.execute(select(t.counters)).all()
            events = conn.execute(select(t.ticket_events).order_by(t.ticket_events.c.site_id,
                                                                   t.ticket_events.c.seq)).all()
            sites = conn.execute(select(t.sites.c.id, t.sites.c.event_seq)).all()
    finally:
        engine.dispose()
    report = Report(tickets=len(tickets), events=len(events))
    _acknowledged_exist(report, tickets, tally)
    _numbering(report, tickets, sequences)
    _claims(report, events, tally)
    _nothing_stuck(report, tickets, counters)
    _event_log(report, events, sites)
    return report


def _acknowledged_exist(report: Report, tickets: list, tally: Tally) -> None:
    by_id = {row.id: row for row in tickets}
    tokens = Counter(row.tracking_token for row in tickets)
    acknowledged_ids = set()
    for issued in tally.issued:
        row = by_id.get(issued.id)
        if row is None:
            report.problems.append(f"acknowledged ticket {issued.label} (id {issued.id}) is missing")
            continue
        if (row.label, row.tracking_token) != (issued.label, issued.tracking_token):
            report.problems.append(f"ticket id {issued.id}: kiosk was told {issued.label}, database has {row.label}")
        if tokens[issued.tracking_token] != 1:
            report.problems.append(f"ticket {issued.label} exists {tokens[issued.tracking_token]} times")
        acknowledged_ids.add(issued.id)
    if len(acknowledged_ids) != len(tally.issued):
        report.problems.append("the server acknowledged the same ticket id to two kiosk requests")
    kiosk_tickets = [row for row in tickets if row.device_id is not None]
    report.acknowledged = len(acknowledged_ids)
    report.unacknowledged = len([row for row in kiosk_tickets if row.id not in acknowledged_ids])
    if report.unacknowledged > tally.lost_issues:
        report.problems.append(f"{report.unacknowledged} tickets were committed without a 201, but only "
                               f"{tally.lost_issues} issue requests were left without an answer")


def _numbering(report: Report, tickets: list, sequences: list) -> None:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in tickets:
        groups[(row.site_id, row.numbering_service_id, row.business_day)].append(row.sequence_number)
    last = {(s.site_id, s.service_id, s.business_day): s.last_number for s in sequences}
    for key, numbers in groups.items():
        duplicates = sorted(n for n, k in Counter(numbers).items() if k > 1)
        if duplicates:
            report.problems.append(f"numbers {duplicates} given twice in {key}")
        expected = list(range(1, max(numbers) + 1))
        missing = sorted(set(expected) - set(numbers))
        if missing:
            report.problems.append(f"numbers {missing[:10]} missing in {key} (a gap a citizen would see)")
        if last.get(key) != max(numbers):
            report.problems.append(f"sequence of {key} says {last.get(key)} but the highest ticket is {max(numbers)}")


def _claims(report: Report, events: list, tally: Tally) -> None:
    holder: dict[int, int | None] = {}
    called_by: dict[int, set[int]] = defaultdict(set)
    for e in events:
        if e.ticket_id is None:
            continue
        kind = EventType(e.type)
        if kind in _TAKES:
            if holder.get(e.ticket_id) is not None:
                report.problems.append(f"double claim: ticket {e.data.get('label')} called by counter {e.counter_id} "
                                       f"while counter {holder[e.ticket_id]} held it (seq {e.seq})")
            holder[e.ticket_id] = e.counter_id
            if kind is EventType.TICKET_CALLED:
                called_by[e.ticket_id].add(e.counter_id)
                report.calls += 1
        elif kind in _RELEASES:
            holder[e.ticket_id] = None
    told: dict[int, set[int]] = defaultdict(set)
    for claim in tally.claims:
        told[claim.ticket_id].add(claim.counter_id)
        if claim.counter_id not in called_by.get(claim.ticket_id, set()):
            report.problems.append(f"counter {claim.counter_id} was told it called {claim.label}, "
                                   f"but the event log has no such call")
    for ticket_id, counter_ids in told.items():
        if len(counter_ids) > 1:
            report.problems.append(f"double claim: counters {sorted(counter_ids)} were all told they called ticket {ticket_id}")


def _nothing_stuck(report: Report, tickets: list, counters: list) -> None:
    at_counter = {TicketStatus.CALLED.value, TicketStatus.SERVING.value}
    by_id = {row.id: row for row in tickets}
    current = {c.id: c.current_ticket_id for c in counters}
    for row in tickets:
        if row.status in at_counter and (row.counter_id is None or current.get(row.counter_id) != row.id):
            report.problems.append(f"ticket {row.label} is {row.status} at counter {row.counter_id}, "
                                   f"which does not hold it: nobody can finish it")
    for counter in counters:
        ticket = by_id.get(counter.current_ticket_id) if counter.current_ticket_id else None
        if counter.current_ticket_id and (ticket is None or ticket.status not in at_counter
                                          or ticket.counter_id != counter.id):
            report.problems.append(f"counter {counter.id} points at ticket {counter.current_ticket_id}, "
                                   f"which is not called or served there")


def _event_log(report: Report, events: list, sites: list) -> None:
    seqs: dict[int, list[int]] = defaultdict(list)
    for e in events:
        seqs[e.site_id].append(e.seq)
    for site_id, event_seq in sites:
        if seqs.get(site_id, []) != list(range(1, event_seq + 1)):
            report.problems.append(f"event log of site {site_id} is not 1..{event_seq} without holes")
