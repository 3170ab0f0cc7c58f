"""A ticket: one citizen's place in a line, and the moves the state machine allows it.

Every move goes through `next_status` (domain.ticket_states), changes the ticket's own
fields and records what happened as a `TicketEvent` on the ticket; the service layer
saves the ticket and publishes its events. No database here: a handler test builds a
Ticket by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.enums import EventType, PriorityClass, TicketStatus

from .errors import Conflict
from .ticket_states import Action, next_status

# What a ticket's brief (displays, counters, the event log) shows: copied into each event
# as the ticket was at that moment, since one command can move a ticket twice.
BRIEF_FIELDS = ("id", "label", "status", "priority", "site_id", "service_id", "counter_id", "target_counter_id",
                "recall_count", "called_at")


@dataclass(frozen=True)
class TicketEvent:
    type: EventType
    ticket: dict[str, Any]  # the BRIEF_FIELDS of the ticket just after the move
    staff_id: int | None = None
    counter_id: int | None = None  # the counter the move happened at, if any
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Ticket:
    """The columns of the tickets table, one field each (the repository builds it from a
    row and saves the fields that changed)."""

    id: int
    site_id: int
    service_id: int
    label: str
    status: TicketStatus
    priority: str
    rank: int
    arrived_at: datetime
    issued_at: datetime
    updated_at: datetime
    business_day: date | None = None
    numbering_service_id: int | None = None
    sequence_number: int | None = None
    procedure_id: int | None = None
    counter_id: int | None = None
    target_counter_id: int | None = None
    staff_id: int | None = None
    device_id: int | None = None
    tracking_token: str = ""
    appointment_at: datetime | None = None
    called_at: datetime | None = None
    first_called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recall_count: int = 0
    requeue_count: int = 0
    transfer_count: int = 0
    printed: bool | None = None
    request_key: str | None = None
    events: list[TicketEvent] = field(default_factory=list, repr=False)

    # ---- the moves ------------------------------------------------------------------------
    def issued(self, *, for_other_site: bool) -> None:
        self._record(EventType.TICKET_ISSUED, data={"for_other_site": for_other_site})

    def call(self, counter_id: int, staff_id: int, now: datetime, data: dict[str, Any] | None = None) -> None:
        """Called to a counter (see Counter.call, which checks the counter may call)."""
        self._move(Action.CALL, now)
        self.counter_id = counter_id
        self.staff_id = staff_id
        self.called_at = now
        self.first_called_at = self.first_called_at or now
        self.recall_count = 0
        self.target_counter_id = None
        self._record(EventType.TICKET_CALLED, staff_id, counter_id, data)

    def recall(self, staff_id: int, now: datetime) -> None:
        self._move(Action.RECALL, now)
        self.called_at = now
        self.recall_count += 1
        self._record(EventType.TICKET_RECALLED, staff_id, self.counter_id)

    def start(self, staff_id: int, now: datetime) -> None:
        self._move(Action.START, now)
        self.started_at = now
        self._record(EventType.TICKET_STARTED, staff_id, self.counter_id)

    def finish(self, staff_id: int, now: datetime) -> float:
        """Served; returns the handling time in seconds (first call to finish), which feeds
        the line's wait estimate. Never negative, even if the clock went back meanwhile."""
        self._move(Action.FINISH, now)
        self.finished_at = now
        observed = max(0.0, (now - (self.first_called_at or self.called_at or now)).total_seconds())
        self._record(EventType.TICKET_SERVED, staff_id, self.counter_id, {"handling_seconds": round(observed, 1)})
        return observed

    def no_show(self, staff_id: int, now: datetime, *, recalls_required: int) -> None:
        """The citizen did not come: allowed once the clerk has recalled enough times."""
        if self.status is TicketStatus.CALLED and self.recall_count < recalls_required:
            raise Conflict(
                f"Hãy gọi lại số {self.label} ít nhất {recalls_required} lần trước khi đánh dấu vắng mặt.",
                f"Recall {self.label} at least {recalls_required} time(s) before marking a no-show.",
                code="recall_first",
            )
        self._move(Action.NO_SHOW, now)
        self.finished_at = now
        self._record(EventType.TICKET_NO_SHOW, staff_id, self.counter_id)

    def may_requeue(self, rule: str, max_requeues: int) -> bool:
        """The re-queue rule ("never", "back_of_line", "keep_place") lets this no-show back in."""
        return rule != "never" and self.requeue_count < max_requeues

    def requeue(self, staff_id: int, now: datetime, *, arrived_at: datetime, rule: str) -> None:
        """A no-show back in line, arriving at `arrived_at` (now for "back_of_line", its
        first arrival for "keep_place")."""
        self._move(Action.REQUEUE, now)
        self.arrived_at = arrived_at
        self.counter_id = None
        self.finished_at = None
        self.requeue_count += 1
        self._record(EventType.TICKET_REQUEUED, staff_id, data={"rule": rule})

    def hold(self, staff_id: int, now: datetime) -> None:
        """Set aside at its counter (the citizen fetches a paper); `counter_id` stays."""
        self._move(Action.HOLD, now)
        self._record(EventType.TICKET_HELD, staff_id, self.counter_id)

    def resume(self, staff_id: int, now: datetime) -> None:
        """Back to serving at the counter that held it (see Counter.resume)."""
        self._move(Action.RESUME, now)
        self._record(EventType.TICKET_RESUMED, staff_id, self.counter_id)

    def back_in_line(self, staff_id: int, now: datetime) -> None:
        """A held ticket handed back to its line when its counter closes (keeps its place)."""
        self.status = TicketStatus.WAITING
        self.counter_id = None
        self.updated_at = now
        self._record(EventType.TICKET_REQUEUED, staff_id, data={"reason": "counter_closed"})

    def transfer(self, now: datetime, *, service_id: int | None = None, to_counter_id: int | None = None) -> None:
        """Back to waiting, in another service's line or for one counter; it keeps its
        arrival time, so the citizen does not go to the back of a new line. The event is
        recorded by `transferred`, once the target is known in full."""
        self._move(Action.TRANSFER, now)
        self.counter_id = None
        self.target_counter_id = to_counter_id
        self.called_at = None
        self.transfer_count += 1
        self.recall_count = 0
        if service_id is not None:
            self.service_id = service_id

    def renumber(self, site_id: int, day: date, number: int, label: str) -> None:
        """A new number in another site's line (labels are per site), same arrival time."""
        self.site_id = site_id
        self.business_day = day
        self.numbering_service_id = self.service_id
        self.sequence_number = number
        self.label = label

    def transferred(self, staff_id: int, counter_id: int, data: dict[str, Any]) -> None:
        self._record(EventType.TICKET_TRANSFERRED, staff_id, counter_id, data)

    def cancel(self, staff_id: int, now: datetime, reason: str) -> None:
        self._move(Action.CANCEL, now)
        self.finished_at = now
        self._record(EventType.TICKET_CANCELLED, staff_id, data={"reason": reason})

    def print_result(self, printed: bool, error_kind: str | None, message: str) -> None:
        """The kiosk says whether the paper came out. A failure is an event staff see at
        once (the printer needs a hand); the ticket stays valid: the citizen has it on
        screen with its QR code."""
        self.printed = printed
        if not printed:
            self._record(EventType.TICKET_PRINT_FAILED, data={"error_kind": error_kind or "error", "message": message})

    # ---- helpers ----------------------------------------------------------------------------
    @property
    def is_waiting(self) -> bool:
        return self.status is TicketStatus.WAITING

    @property
    def priority_class(self) -> PriorityClass:
        return PriorityClass(self.priority)

    def _move(self, action: Action, now: datetime) -> None:
        self.status = next_status(action, self.status, self.label)
        self.updated_at = now

    def _record(self, type_: EventType, staff_id: int | None = None, counter_id: int | None = None,
                data: dict[str, Any] | None = None) -> None:
        brief = {name: getattr(self, name) for name in BRIEF_FIELDS}
        self.events.append(TicketEvent(type_, brief, staff_id, counter_id, data or {}))
