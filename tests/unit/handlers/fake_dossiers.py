"""An in-memory `uow.dossiers` and a minimal unit of work, so the dossier handlers run
without a database (the cosmicpython way). The fake keeps what the handlers write (dossier
fields, log lines, hand-offs, milestones, ticket links, fees) for a test to read back.

Rows the handlers read (sites, counters, tickets, procedures, agencies, officers) are
`SimpleNamespace`s with the columns they use; `FakeDossiers.world()` builds one site with a
counter serving a ticket, one procedure and one agency with two officers.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from fake_uow import FakeClock
from fake_uow import FakeUnitOfWork as SharedFakeUnitOfWork

from queue_server.domain.dossier_record import Dossier
from queue_server.service_layer.rules import Policies, QueueRules
from queue_server.settings import Settings

MONDAY_9AM = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
SITE, COUNTER, TICKET, PROCEDURE, AGENCY, OFFICER, HEAD = 1, 10, 100, 7, 3, 31, 30


def row(**columns: Any) -> SimpleNamespace:  # noqa: ANN401
    return SimpleNamespace(**columns)


@dataclass
class FakeAgencies:
    """`uow.dossiers.agencies`: the agencies by id, and the admin's choice for the procedure."""

    rows: dict[int, SimpleNamespace] = field(default_factory=dict)

    def by_id(self, agency_id: int) -> SimpleNamespace:
        return self.rows[agency_id]

    def by_code(self, code: str) -> SimpleNamespace | None:
        return next((a for a in self.rows.values() if a.code == code), None)

    def chosen(self, procedure_id: int) -> SimpleNamespace | None:
        return self.rows.get(AGENCY) if procedure_id == PROCEDURE else None


@dataclass
class FakeFees:
    """`uow.dossiers.fees`: no manager's fee; the dossiers' fees kept in a list."""

    added: list[dict[str, Any]] = field(default_factory=list)

    def override(self, procedure_id: int) -> None:
        return None

    def add(self, **values: Any) -> None:  # noqa: ANN401
        self.added.append(values)


@dataclass
class FakeDossiers:
    """The methods of adapters/dossier_repository.py the handlers call, over dicts."""

    sites: dict[int, SimpleNamespace] = field(default_factory=dict)
    counters: dict[int, SimpleNamespace] = field(default_factory=dict)
    tickets: dict[int, SimpleNamespace] = field(default_factory=dict)
    procedures: dict[int, SimpleNamespace] = field(default_factory=dict)
    agencies: FakeAgencies = field(default_factory=FakeAgencies)
    fees: FakeFees = field(default_factory=FakeFees)
    officers: list[SimpleNamespace] = field(default_factory=list)
    offered: set[tuple[int, int]] = field(default_factory=set)  # (site, field) received there
    saved: dict[int, Dossier] = field(default_factory=dict)  # what a fresh load would see
    log: list[Any] = field(default_factory=list)  # the DossierStepped lines saved, in order
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    ticket_links: list[tuple[int, int, str]] = field(default_factory=list)
    attachments: list[tuple[int, str]] = field(default_factory=list)
    numbers: dict[tuple[str, date], int] = field(default_factory=dict)

    @classmethod
    def world(cls) -> FakeDossiers:
        fake = cls()
        fake.sites[SITE] = row(id=SITE, code="HN-TT", name_vi="Trung tâm Phục vụ hành chính công",
                               name_en="Public Service Center", agency_code="000.00.01.H01", address="1 Tràng Tiền")
        fake.tickets[TICKET] = row(id=TICKET, label="A001", status="serving", procedure_id=PROCEDURE, site_id=SITE)
        fake.counters[COUNTER] = row(id=COUNTER, number=1, site_id=SITE, current_ticket_id=TICKET)
        fake.procedures[PROCEDURE] = row(id=PROCEDURE, code="1.001", field_id=5, time_value=5.0,
                                         time_unit_vi="Ngày làm việc", fee_vi="Không", agency_vi="Sở Tư pháp",
                                         provincial=True, commune=False, field_name="Hộ tịch")
        fake.agencies.rows[AGENCY] = row(id=AGENCY, code="STP", name_vi="Sở Tư pháp", active=True)
        fake.officers = [row(id=HEAD, username="truongphong", full_name="Trần Văn Trưởng", agency_id=AGENCY),
                         row(id=OFFICER, username="chuyenvien", full_name="Lê Thị Viên", agency_id=AGENCY)]
        fake.offered.add((SITE, 5))
        return fake

    # ---- the dossier itself -----------------------------------------------------------------
    def get(self, code: str, *, for_update: bool = False) -> Dossier | None:
        found = [d for d in self.saved.values() if d.code == code]
        return self._fresh(found[0]) if found else None

    def by_id(self, dossier_id: int) -> Dossier:
        return self._fresh(self.saved[dossier_id])

    def take_number(self, agency_code: str, day: date) -> int:
        self.numbers[(agency_code, day)] = self.numbers.get((agency_code, day), 0) + 1
        return self.numbers[(agency_code, day)]

    def add(self, values: dict[str, Any]) -> Dossier:
        dossier = Dossier(id=len(self.saved) + 1, **values)
        self.saved[dossier.id] = dossier
        return self._fresh(dossier)

    def save(self, dossier: Dossier, at: datetime) -> None:
        self.log.extend(dossier.events)
        stored = self.saved[dossier.id]
        for name, value in dossier.changes().items():
            setattr(stored, name, copy.deepcopy(value))
        dossier.mark_saved()

    def codes_to_forward(self, site_id: int | None, agency_id: int | None) -> list[str]:
        return [d.code for d in self.saved.values() if d.status == "received" and d.agency_id is not None
                and site_id in (None, d.site_id) and agency_id in (None, d.agency_id)]

    # ---- what hangs on it -------------------------------------------------------------------
    def link_ticket(self, dossier_id: int, ticket_id: int, purpose: str, at: datetime) -> None:
        self.ticket_links.append((dossier_id, ticket_id, purpose))

    def link_files(self, dossier_id: int, files: list[tuple[Any, str]], staff_id: int, at: datetime,
                   document_index: int | None = None) -> list[int]:
        for _, name in files:
            self.attachments.append((dossier_id, name))
        return list(range(len(self.attachments) - len(files) + 1, len(self.attachments) + 1))

    def add_handoff(self, **values: Any) -> None:  # noqa: ANN401
        self.handoffs.append(values)

    def add_milestone(self, **values: Any) -> None:  # noqa: ANN401
        self.milestones.append(values)

    def has_milestone(self, dossier_id: int, kind: str) -> bool:
        return any(m["dossier_id"] == dossier_id and m["kind"] == kind for m in self.milestones)

    def counted_receptions(self, dossier_id: int, kinds: tuple[str, ...]) -> list[tuple[str, int | None]]:
        counted: dict[tuple[str, int | None], int] = {}
        for m in self.milestones:
            if m["dossier_id"] == dossier_id and m["kind"] in kinds:
                key = (m["kind"], m["agency_id"])
                counted[key] = counted.get(key, 0) + m["weight"]
        return [key for key, weight in counted.items() if weight > 0]

    def supplement_log(self, dossier_id: int) -> list[tuple[str, datetime]]:
        return []  # the fake's log lines carry no moment: no supplement stops are counted

    def active_return_ticket(self, dossier_id: int, statuses: tuple[str, ...]) -> int | None:
        return None

    # ---- the rows around it -------------------------------------------------------------------
    def site(self, site_id: int) -> SimpleNamespace:
        return self.sites[site_id]

    def center_name(self, site_id: int) -> str:
        return self.sites[site_id].name_vi

    def counter_for_update(self, counter_id: int) -> SimpleNamespace | None:
        return self.counters.get(counter_id)

    def counter_site(self, counter_id: int) -> int | None:
        counter = self.counters.get(counter_id)
        return counter.site_id if counter else None

    def ticket_for_update(self, ticket_id: int) -> SimpleNamespace | None:
        return self.tickets.get(ticket_id)

    def procedure_by_code(self, code: str) -> SimpleNamespace | None:
        return next((p for p in self.procedures.values() if p.code == code), None)

    def procedure_by_id(self, procedure_id: int) -> SimpleNamespace:
        return self.procedures[procedure_id]

    def offers_procedure(self, site_id: int, field_id: int) -> bool:
        return (site_id, field_id) in self.offered

    def agency(self, agency_id: int) -> SimpleNamespace:
        return self.agencies.by_id(agency_id)

    def agency_by_code(self, code: str) -> SimpleNamespace | None:
        return self.agencies.by_code(code)

    def officer(self, agency_id: int, *, username: str | None = None,
                staff_id: int | None = None) -> SimpleNamespace | None:
        return next((o for o in self.officers if o.agency_id == agency_id
                     and (o.username == username if username else o.id == staff_id)), None)

    def ticket_brief(self, ticket_id: int) -> SimpleNamespace:
        ticket = self.tickets[ticket_id]
        return row(id=ticket.id, label=ticket.label, status=ticket.status, priority="normal", site_id=ticket.site_id,
                   service_id=1, service_code="HT", counter_id=COUNTER, counter_number=1, target_counter_id=None,
                   recall_count=0, called_at=None)

    def _fresh(self, stored: Dossier) -> Dossier:
        """A copy as a load would give it: the handler's changes reach the store only by `save`."""
        loaded = copy.deepcopy(stored)
        loaded.mark_saved()
        return loaded


class FakeUnitOfWork(SharedFakeUnitOfWork):
    """The shared fake unit of work with `uow.dossiers` attached and the rule sets read
    from `settings`."""

    def __init__(self, dossiers: FakeDossiers | None = None, *, now: datetime = MONDAY_9AM,
                 settings: Settings | None = None) -> None:
        settings = settings or Settings()
        rules = QueueRules.from_settings(settings)
        super().__init__(rules, FakeClock(now), Policies.from_settings(settings, rules))
        self.attach("dossiers", dossiers or FakeDossiers.world())
