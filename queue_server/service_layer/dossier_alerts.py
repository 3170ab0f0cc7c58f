"""Overdue and due-tomorrow notices for the agencies: the officer holding each dossier and
every head of its agency are told, in their inbox (computed live) and through a notifier
(the server log by default; an SMS or e-mail gateway plugs in behind the same interface).

Sending is idempotent per officer, day and kind (a row in dossier_alerts), so a run every
morning from cron, a second run, or a run from two servers tells each person once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.adapters import tables as t
from queue_server.domain.dossier import CLOCK_RUNNING
from queue_server.domain.dossier_commands import SendNotices
from queue_server.service_layer.dossier_flow import local_day
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import Role

if TYPE_CHECKING:
    from queue_server.service_layer.dossiers import DossierRules

log = logging.getLogger("motcua.notices")
KINDS = {"overdue": ("quá hạn", "overdue"), "due_tomorrow": ("đến hạn ngày làm việc tiếp theo", "due next working day")}


@dataclass(frozen=True)
class Notice:
    staff_id: int
    username: str
    full_name: str
    agency_name: str
    kind: str  # overdue | due_tomorrow
    day: date
    codes: tuple[str, ...]

    @property
    def text_vi(self) -> str:
        return (f"{self.agency_name}: {len(self.codes)} hồ sơ {KINDS[self.kind][0]} ({self.day:%d/%m/%Y}): "
                + ", ".join(self.codes[:20]) + (" …" if len(self.codes) > 20 else ""))

    @property
    def text_en(self) -> str:
        return f"{self.agency_name}: {len(self.codes)} dossiers {KINDS[self.kind][1]} ({self.day.isoformat()})"


class Notifier(Protocol):
    channel: str

    def send(self, notice: Notice) -> None: ...


class LogNotifier:
    """The default: one line per notice in the server log (grep-able, ready to forward)."""

    channel = "log"

    def send(self, notice: Notice) -> None:
        log.info("notice to %s (%s): %s", notice.username, notice.full_name, notice.text_vi)


class SilentNotifier:
    """Inbox only."""

    channel = "none"

    def send(self, notice: Notice) -> None:
        return None


def make_notifier(name: str) -> Notifier:
    return SilentNotifier() if name == "none" else LogNotifier()


def pending_notices(uow: UnitOfWork, rules: DossierRules) -> list[Notice]:
    """Today's notices: per officer and kind, the codes they hold (heads: their agency's)."""
    conn, d, s = uow.conn, t.dossiers.c, t.staff.c
    today = local_day(uow.now, rules)
    tomorrow = rules.calendar.next_working_day(today)
    due = func.coalesce(d.new_due_date, d.due_date)
    rows = conn.execute(
        select(d.code, d.agency_id, d.assigned_staff_id, due.label("due"))
        .where(d.agency_id.is_not(None), d.status.in_([x.value for x in CLOCK_RUNNING]), due.is_not(None),
               (due < today) | (due == tomorrow))
        .order_by(due, d.code)).all()
    if not rows:
        return []
    people = {r.id: r for r in conn.execute(
        select(s.id, s.username, s.full_name, s.agency_id, s.agency_head, t.agencies.c.name_vi.label("agency"))
        .join(t.agencies, t.agencies.c.id == s.agency_id)
        .where(s.role == Role.PROCESSOR.value, s.active))}
    heads: dict[int, list[int]] = defaultdict(list)
    for person in people.values():
        if person.agency_head:
            heads[person.agency_id].append(person.id)
    codes: dict[tuple[int, str], list[str]] = defaultdict(list)
    for r in rows:
        kind = "overdue" if r.due < today else "due_tomorrow"
        told = set(heads[r.agency_id])
        if r.assigned_staff_id in people:
            told.add(r.assigned_staff_id)
        for staff_id in told:
            codes[(staff_id, kind)].append(r.code)
    return [Notice(staff_id, people[staff_id].username, people[staff_id].full_name, people[staff_id].agency, kind,
                   today, tuple(found)) for (staff_id, kind), found in sorted(codes.items())]


def send_notices(c: SendNotices, uow: UnitOfWork) -> dict[str, Any]:
    """Send today's notices not yet sent; returns what was done."""
    rules, notifier = uow.policies.dossiers, c.notifier
    with uow:
        notices = pending_notices(uow, rules)
        sent, already, recipients = [], 0, []
        insert = pg_insert if uow.is_postgres else sqlite_insert
        for notice in notices:
            done = uow.conn.execute(insert(t.dossier_alerts).values(
                staff_id=notice.staff_id, day=notice.day, kind=notice.kind, dossier_codes=list(notice.codes),
                channel=notifier.channel, sent_at=uow.now).on_conflict_do_nothing().returning(t.dossier_alerts.c.id))
            if done.first() is None:
                already += 1
                continue
            sent.append(notice)
            recipients.append(notice.username)
        uow.commit()
    for notice in sent:  # after commit: a notice is never sent for a row that was rolled back
        notifier.send(notice)
    return {"day": local_day(uow.now, rules), "sent": len(sent), "already_sent": already,
            "recipients": sorted(set(recipients))}


def my_notices(uow: UnitOfWork, staff_id: int) -> dict[str, list[str]]:
    """What the inbox banner tells this officer now (live, whether or not sent)."""
    rules = uow.policies.dossiers
    mine: dict[str, list[str]] = {"overdue": [], "due_tomorrow": []}
    for notice in pending_notices(uow, rules):
        if notice.staff_id == staff_id:
            mine[notice.kind] = list(notice.codes)
    return mine

