"""A counter (quầy): a clerk's desk, open, paused or closed, serving one ticket at a time.

The counter's moves check what the desk may do (call only when open and free; pause or
close only when free) and record a `CounterEvent`; calling a ticket moves both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.enums import CounterState, EventType

from .errors import Conflict
from .ticket import Ticket


@dataclass(frozen=True)
class CounterEvent:
    type: EventType
    staff_id: int
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Counter:
    """The columns of the counters table, one field each."""

    id: int
    site_id: int
    number: int
    name: str
    state: CounterState = CounterState.CLOSED
    pause_reason: str = ""
    staff_id: int | None = None
    current_ticket_id: int | None = None
    updated_at: datetime | None = None
    events: list[CounterEvent] = field(default_factory=list, repr=False)

    # ---- the desk ---------------------------------------------------------------------------
    def open(self, staff_id: int, now: datetime) -> None:
        self.state, self.staff_id, self.pause_reason, self.updated_at = CounterState.OPEN, staff_id, "", now
        self.events.append(CounterEvent(EventType.COUNTER_OPENED, staff_id))

    def pause(self, staff_id: int, now: datetime, reason: str) -> None:
        self.require_idle()
        self.state, self.pause_reason, self.updated_at = CounterState.PAUSED, reason, now
        self.events.append(CounterEvent(EventType.COUNTER_PAUSED, staff_id, {"reason": reason}))

    def close(self, staff_id: int, now: datetime) -> None:
        """Held tickets go back to the line first (the handler hands them back)."""
        self.require_idle()
        self.state, self.staff_id, self.pause_reason, self.updated_at = CounterState.CLOSED, None, "", now
        self.events.append(CounterEvent(EventType.COUNTER_CLOSED, staff_id))

    # ---- the ticket at the desk -------------------------------------------------------------
    def call(self, ticket: Ticket, staff_id: int, now: datetime, data: dict[str, Any] | None = None) -> None:
        """Call `ticket` here: the desk must be open and free."""
        self.require_open()
        self.require_idle()
        ticket.call(self.id, staff_id, now, data)
        self.serve(ticket.id, now)

    def resume(self, ticket: Ticket, staff_id: int, now: datetime) -> None:
        """Take back a ticket this desk held: the desk must be free."""
        self.require_idle()
        if ticket.counter_id != self.id:
            raise Conflict(
                f"Số {ticket.label} không được tạm giữ tại quầy {self.number}.",
                f"Ticket {ticket.label} is not held at counter {self.number}.", code="not_held_here",
            )
        ticket.resume(staff_id, now)
        self.serve(ticket.id, now)

    def serve(self, ticket_id: int, now: datetime) -> None:
        self.current_ticket_id, self.updated_at = ticket_id, now

    def free(self, now: datetime) -> None:
        self.current_ticket_id, self.updated_at = None, now

    def at_desk(self, ticket: Ticket | None) -> Ticket:
        """`ticket` (read with the counter) as the desk's current ticket; refused if the
        desk has none."""
        if ticket is None or ticket.id != self.current_ticket_id:
            raise Conflict(
                f"Quầy {self.number} chưa gọi số nào.", f"Counter {self.number} has no current ticket.",
                code="no_current_ticket",
            )
        return ticket

    def require_idle(self) -> None:
        if self.current_ticket_id is not None:
            raise Conflict(
                f"Quầy {self.number} đang phục vụ một số thứ tự: hãy kết thúc, đánh dấu vắng mặt, tạm giữ "
                "hoặc chuyển trước.",
                f"Counter {self.number} is busy with a ticket: finish, mark no-show, hold or transfer it first.",
                code="counter_busy",
            )

    def require_open(self) -> None:
        if self.state is not CounterState.OPEN:
            raise Conflict(
                f"Quầy {self.number} chưa mở. Hãy mở quầy trước khi gọi số.",
                f"Counter {self.number} is not open. Open it before calling.",
                code="counter_not_open",
            )
