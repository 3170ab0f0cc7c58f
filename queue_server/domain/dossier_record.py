"""A received dossier as an object: its state, and the steps that move it (hồ sơ).

Every step goes through the transition table of `domain.dossier`, changes the fields it
must, and records one `DossierStepped` (a line of the dossier's log). The repository
loads a `Dossier` from its row, and saves the changed fields and the recorded lines in the
step's transaction. Pure: no database here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from .dossier import DossierAction, DossierStatus, next_dossier_status

_A = DossierAction


@dataclass(frozen=True)
class DossierStepped:
    """A line of the dossier's log: a step taken, or a note (digitized, new PIN, assigned,
    apology) that leaves the status as it is."""

    action: str
    from_status: str | None  # None: the receipt, the first line
    to_status: str
    staff_id: int | None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    counter_id: int | None = None


@dataclass(eq=False)
class Dossier:
    """The fields are the columns of `dossiers` (adapters/tables.py), one for one."""

    id: int
    code: str
    site_id: int
    status: str
    received_at: datetime
    updated_at: datetime
    procedure_id: int = 0
    agency_code: str = ""
    business_day: date | None = None
    sequence_number: int = 0
    legal_time_value: float | None = None
    legal_time_unit_vi: str = ""
    applicant_name: str = ""
    applicant_id_kind: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""
    applicant_address: str = ""
    applicant_email: str = ""
    applicant_birth_date: date | None = None
    applicant_sex: str = ""
    documents: list[dict[str, Any]] = field(default_factory=list)
    notes: str = ""
    received_by: int | None = None
    counter_id: int | None = None
    due_date: date | None = None
    due_at: datetime | None = None
    lookup_pin_digest: str = ""
    agency_id: int | None = None
    assigned_staff_id: int | None = None
    forward_deadline: date | None = None
    forwarded_at: datetime | None = None
    clock_days_left: int | None = None
    new_due_date: date | None = None
    apologized_at: datetime | None = None
    # Not columns: the log lines recorded since the last save, and the fields as saved.
    events: list[DossierStepped] = field(default_factory=list, repr=False)
    _saved: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.mark_saved()

    # ---- what the repository needs ----------------------------------------------------------
    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return _COLUMNS

    def changes(self) -> dict[str, Any]:
        """The fields changed since the last save (or load)."""
        return {name: getattr(self, name) for name in _COLUMNS if getattr(self, name) != self._saved.get(name)}

    def mark_saved(self) -> None:
        # A copy: the checklist (a list of dicts) may be changed in place.
        self._saved = copy.deepcopy({name: getattr(self, name) for name in _COLUMNS})
        self.events = []

    # ---- reading --------------------------------------------------------------------------
    @property
    def current(self) -> DossierStatus:
        return DossierStatus(self.status)

    @property
    def effective_due(self) -> date | None:
        """The day the citizen now expects: the apology's new date (form 04) over the slip's."""
        return self.new_due_date or self.due_date

    # ---- steps ----------------------------------------------------------------------------
    def take(self, action: DossierAction, staff_id: int | None, *, at: datetime, note: str = "",
             data: dict[str, Any] | None = None, counter_id: int | None = None) -> DossierStatus:
        """Any step of the table: refused (IllegalDossierTransition) when the status does
        not allow it."""
        current = self.current
        new = next_dossier_status(action, current, self.code)
        self.status, self.updated_at = new.value, at
        self.events.append(DossierStepped(action.value, current.value, new.value, staff_id, note, dict(data or {}),
                                          counter_id))
        return new

    def record_receipt(self, staff_id: int, *, counter_id: int | None, data: dict[str, Any]) -> None:
        """The first line of the log: received at the counter."""
        self.events.append(DossierStepped("receive", None, self.status, staff_id, "", dict(data), counter_id))

    def log(self, action: str, staff_id: int | None, *, note: str = "", data: dict[str, Any] | None = None) -> None:
        """A line that leaves the status as it is."""
        self.events.append(DossierStepped(action, self.status, self.status, staff_id, note, dict(data or {})))

    def forward(self, agency_id: int, staff_id: int, *, at: datetime, deadline: date, note: str = "",
                data: dict[str, Any] | None = None) -> DossierStatus:
        new = self.take(_A.FORWARD, staff_id, at=at, note=note, data=data)
        self.agency_id, self.forwarded_at, self.forward_deadline = agency_id, at, deadline
        return new

    def accept(self, staff_id: int, *, at: datetime, note: str = "") -> DossierStatus:
        return self.take(_A.ACCEPT, staff_id, at=at, note=note)

    def assign(self, officer_id: int) -> None:
        """The officer who holds the dossier now (logged by the caller when it is a step of its own)."""
        self.assigned_staff_id = officer_id

    def request_supplement(self, staff_id: int, *, at: datetime, note: str, clock_days_left: int | None,
                           data: dict[str, Any] | None = None, counter_id: int | None = None) -> DossierStatus:
        """The legal clock stops: the working days still to run are kept."""
        new = self.take(_A.REQUEST_SUPPLEMENT, staff_id, at=at, note=note, data=data, counter_id=counter_id)
        self.clock_days_left = clock_days_left
        return new

    def receive_supplement(self, staff_id: int, *, at: datetime, due: tuple[date | None, datetime | None],
                           forward_deadline: date, note: str = "", data: dict[str, Any] | None = None,
                           counter_id: int | None = None) -> DossierStatus:
        """The complete dossier is received again: the clock runs to its new due date."""
        new = self.take(_A.RECEIVE_SUPPLEMENT, staff_id, at=at, note=note, data=data, counter_id=counter_id)
        self.due_date, self.due_at = due
        self.clock_days_left, self.forward_deadline = None, forward_deadline
        return new

    def refuse(self, staff_id: int, *, at: datetime, note: str = "", data: dict[str, Any] | None = None,
               counter_id: int | None = None) -> DossierStatus:
        return self.take(_A.REFUSE, staff_id, at=at, note=note, data=data, counter_id=counter_id)

    def resolve(self, staff_id: int, *, at: datetime, result_files: list[int], note: str = "") -> DossierStatus:
        return self.take(_A.RESOLVE, staff_id, at=at, note=note, data={"result_files": result_files})

    def send_back(self, staff_id: int, *, at: datetime, note: str = "",
                  data: dict[str, Any] | None = None) -> DossierStatus:
        return self.take(_A.SEND_BACK, staff_id, at=at, note=note, data=data)

    def mark_ready(self, staff_id: int, *, at: datetime, note: str = "", data: dict[str, Any] | None = None,
                   counter_id: int | None = None) -> DossierStatus:
        return self.take(_A.MARK_READY, staff_id, at=at, note=note, data=data, counter_id=counter_id)

    def return_result(self, staff_id: int, *, at: datetime, note: str = "",
                      counter_id: int | None = None) -> DossierStatus:
        return self.take(_A.RETURN_RESULT, staff_id, at=at, note=note, counter_id=counter_id)

    def stop(self, staff_id: int, *, at: datetime, reason: str, data: dict[str, Any]) -> DossierStatus:
        return self.take(_A.STOP, staff_id, at=at, note=reason, data=data)

    def apologize(self, staff_id: int, *, at: datetime, new_due_date: date, note: str) -> None:
        """Form 04: a new appointment; the dossier counts as late from the first apology on."""
        previous = self.effective_due
        self.new_due_date, self.updated_at = new_due_date, at
        self.apologized_at = self.apologized_at or at
        self.log("apologize", staff_id, note=note,
                 data={"new_due_date": new_due_date.isoformat(),
                       "previous_due": previous.isoformat() if previous else None})

    def replace_pin(self, digest: str, staff_id: int, *, at: datetime) -> None:
        """A lost or reprinted slip: the old PIN stops working."""
        self.lookup_pin_digest, self.updated_at = digest, at
        self.log("new_pin", staff_id)


_COLUMNS = tuple(f.name for f in fields(Dossier) if f.name not in ("events", "_saved"))
