"""What every step after the counter shares: the hand-off rows (form 06), the legal clock
stopped and restarted around a supplement, and the judgement written on a dossier's
result (on time or late, working days used), so the control room can rebuild its
figures from the log alone. Rows go through `uow.dossiers`: no SQL here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row

from queue_server.domain.calendar import TimeUnit, parse_time_value
from queue_server.domain.dossier_record import Dossier
from queue_server.domain.legal_clock import (
    Timeliness,
    days_left_when_stopped,
    due_after_restart,
    timeliness,
    working_days_used,
)
from queue_server.service_layer.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from queue_server.service_layer.dossiers import DossierRules

CENTER, AGENCY, OFFICER, CITIZEN = "center", "agency", "officer", "citizen"
# The steps whose moment settles a dossier with a result: it reaches the place of return.
RESULT_ACTIONS = ("mark_ready", "send_back")


# ---- days ------------------------------------------------------------------------------------
def effective_due(row: Row | Dossier) -> date | None:
    """The day the citizen now expects: the apology's new date (form 04) over the one on
    the slip."""
    return row.new_due_date or row.due_date


def local_day(moment: datetime, rules: DossierRules) -> date:
    return moment.astimezone(rules.tz).date()


def legal_working_days(row: Row) -> int | None:
    """The legal time in working days, when the procedure counts in them."""
    try:
        amount, unit = parse_time_value(row.legal_time_value), TimeUnit.parse(row.legal_time_unit_vi)
    except ValueError:
        return None
    return amount if unit is TimeUnit.WORKING_DAYS else None


# ---- parties -------------------------------------------------------------------------------
def center_name(uow: UnitOfWork, dossier: Dossier) -> str:
    return uow.dossiers.center_name(dossier.site_id)


def record_handoff(uow: UnitOfWork, dossier: Dossier, kind: str, *, from_kind: str, from_name: str, to_kind: str,
                   to_name: str, from_staff_id: int | None = None, to_staff_id: int | None = None,
                   deadline: date | None = None, done_day: date | None = None, note: str = "",
                   agency_id: int | None = None) -> Timeliness | None:
    """One row of the control slip: who gave the dossier to whom, when, and whether by
    its deadline (judged on the local day of the hand-off)."""
    judged = timeliness(done_day, deadline) if done_day is not None else None
    uow.dossiers.add_handoff(
        dossier_id=dossier.id, at=uow.now, kind=kind, from_kind=from_kind, from_name=from_name[:200],
        from_staff_id=from_staff_id, to_kind=to_kind, to_name=to_name[:200], to_staff_id=to_staff_id,
        agency_id=agency_id if agency_id is not None else dossier.agency_id, site_id=dossier.site_id,
        deadline=deadline, timeliness=judged.value if judged else None, note=note[:2000],
    )
    return judged


# ---- the clock around a supplement ---------------------------------------------------------
def days_left(dossier: Dossier, rules: DossierRules, now: datetime) -> int | None:
    """What to keep when a supplement is requested: the working days still to run."""
    due = dossier.due_date
    if due is None or legal_working_days(dossier) is None:
        return None
    return days_left_when_stopped(rules.calendar, local_day(now, rules), due)


def restart_clock(dossier: Dossier, rules: DossierRules, now: datetime,
                  fresh_due: tuple[date | None, datetime | None]) -> tuple[date | None, datetime | None]:
    """The due date once the complete dossier is received: the days that were left run
    again from today ("resume"), or the whole legal time from now (`fresh_due`, "restart";
    also for procedures not counted in working days)."""
    if rules.supplement_clock == "resume" and dossier.clock_days_left is not None:
        return due_after_restart(rules.calendar, local_day(now, rules), dossier.clock_days_left), None
    return fresh_due


def _stops(uow: UnitOfWork, dossier_id: int, rules: DossierRules) -> list[tuple[date, date]]:
    """(stopped, restarted) local days of each supplement, from the dossier's own log."""
    stops, stopped = [], None
    for action, at in uow.dossiers.supplement_log(dossier_id):
        if action == "request_supplement":
            stopped = local_day(at, rules)
        elif stopped is not None:
            stops.append((stopped, local_day(at, rules)))
            stopped = None
    return stops


def settlement(uow: UnitOfWork, dossier: Dossier, rules: DossierRules, now: datetime) -> dict[str, Any]:
    """The judgement written on a result or a refusal (the event's data): the due day in
    force, on time or late (late too after an apology, whatever the new date), and the
    working days used against the legal time (supplement stops excluded)."""
    done = local_day(now, rules)
    due = dossier.due_date
    judged = timeliness(done, due)
    apologized = dossier.apologized_at is not None
    legal = legal_working_days(dossier)
    used = None
    if legal is not None:
        used = working_days_used(rules.calendar, local_day(dossier.received_at, rules), done,
                                 _stops(uow, dossier.id, rules))
    return {
        "due_date": due.isoformat() if due else None,
        "timeliness": judged.value if judged else None,
        "on_time": None if judged is None else (judged is not Timeliness.LATE and not apologized),
        "apologized": apologized, "working_days": used, "legal_days": legal,
    }


# ---- the control room's ledger ---------------------------------------------------------------
RECEPTION_KINDS = ("received", "digitized", "supplement")


def milestone(uow: UnitOfWork, dossier: Dossier, kind: str, *, weight: int = 1, agency_id: int | None | str = "same",
              on_time: bool | None = None, working_days: int | None = None, legal_days: int | None = None) -> None:
    """One counted step in dossier_milestones (see tables.py), in the step's transaction."""
    uow.dossiers.add_milestone(
        dossier_id=dossier.id, at=uow.now, kind=kind, weight=weight,
        agency_id=dossier.agency_id if agency_id == "same" else agency_id, site_id=dossier.site_id,
        received_on=dossier.received_at.astimezone(uow.rules.tz).date(), on_time=on_time,
        working_days=working_days, legal_days=legal_days)


def milestone_once(uow: UnitOfWork, dossier: Dossier, kind: str) -> None:
    """A step counted once per dossier (its first scan, its first supplement request)."""
    if not uow.dossiers.has_milestone(dossier.id, kind):
        milestone(uow, dossier, kind)


def move_reception(uow: UnitOfWork, dossier: Dossier, agency_id: int) -> None:
    """The center forwards to another agency than the one the reception was counted for:
    the reception (and its scan, its supplement) moves with it, by a -1/+1 pair of rows."""
    for kind, old in uow.dossiers.counted_receptions(dossier.id, RECEPTION_KINDS):
        if old != agency_id:
            milestone(uow, dossier, kind, weight=-1, agency_id=old)
            milestone(uow, dossier, kind, weight=1, agency_id=agency_id)


def settle(uow: UnitOfWork, dossier: Dossier, rules: DossierRules, kind: str) -> dict[str, Any]:
    """Judge a result ("result") or a refusal ("refused"): the event's data, and the ledger row."""
    data = settlement(uow, dossier, rules, uow.now)
    milestone(uow, dossier, kind, on_time=data["on_time"] if kind == "result" else None,
              working_days=data["working_days"] if kind == "result" else None,
              legal_days=data["legal_days"] if kind == "result" else None)
    return data
