"""Builders of site snapshots and stream events for the lobby display tests (no server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.protocol import SiteSnapshot

SITE_ID = 1
NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # Monday 12:00 in Huế


@dataclass
class RecordingAnnouncer:
    """Remembers what the presenter asked the voice to say."""

    said: list[tuple[str, int, float]] = field(default_factory=list)

    def announce(self, label: str, counter_number: int, *, age_seconds: float = 0.0) -> None:
        self.said.append((label, counter_number, age_seconds))

    @property
    def calls(self) -> list[tuple[str, int]]:
        return [(label, counter) for label, counter, _ in self.said]


def ticket(ticket_id: int, label: str, counter: int | None, status: str = "called",
           called_at: datetime | None = None, recall_count: int = 0, service_id: int = 1) -> dict[str, Any]:
    return {
        "id": ticket_id, "label": label, "status": status, "priority": "normal", "site_id": SITE_ID,
        "service_id": service_id, "service_code": "A", "counter_id": counter, "counter_number": counter,
        "target_counter_id": None, "recall_count": recall_count,
        "called_at": called_at.isoformat() if called_at else None,
    }


def full_ticket(brief: dict[str, Any]) -> dict[str, Any]:
    """A TicketOut (as in a snapshot's counter) from an event's ticket brief."""
    return {
        **brief, "site_code": "HUE-TT", "site_name_vi": "Trung tâm", "service_name_vi": "Tư pháp",
        "service_name_en": "Justice", "procedure_code": None, "procedure_name_vi": None,
        "issued_at": NOON.isoformat(), "arrived_at": NOON.isoformat(), "started_at": None,
        "finished_at": None,
    }


def counter(counter_id: int, state: str = "open", current: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": counter_id, "site_id": SITE_ID, "number": counter_id, "name": f"Quầy {counter_id}",
        "state": state, "pause_reason": "", "staff_id": None, "staff_name": None, "services": [],
        "current_ticket": full_ticket(current) if current else None,
    }


def queue(service_id: int, code: str, waiting: int) -> dict[str, Any]:
    return {
        "service_id": service_id, "service_code": code, "service_name_vi": f"Dịch vụ {code}",
        "service_name_en": f"Service {code}", "waiting": waiting, "priority_waiting": 0,
        "longest_wait_seconds": 0, "estimated_wait_minutes": None,
    }


def recent_call(brief: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticket_id": brief["id"], "label": brief["label"], "counter_id": brief["counter_id"],
        "counter_number": brief["counter_number"], "service_id": brief["service_id"],
        "called_at": brief["called_at"], "recall_count": brief["recall_count"],
    }


def snapshot(seq: int, *, counters: list[dict] | None = None, calls: list[dict] | None = None,
             queues: list[dict] | None = None, notice: str = "", taken_at: datetime = NOON) -> SiteSnapshot:
    return SiteSnapshot.model_validate({
        "seq": seq,
        "taken_at": taken_at.isoformat(),
        "site": {
            "id": SITE_ID, "code": "HUE-TT", "name_vi": "Trung tâm Phục vụ hành chính công",
            "name_en": "Public Administration Service Center", "kind": "center", "address": "01 Lê Lai",
            "latitude": 16.46, "longitude": 107.59, "opening_hours": {}, "notice": notice,
        },
        "counters": counters if counters is not None else [counter(1), counter(2), counter(3)],
        "queues": queues if queues is not None else [queue(1, "A", 0), queue(2, "B", 0)],
        "recent_calls": [recent_call(c) for c in (calls or [])],
    })


def event(seq: int, type_: str, *, ticket_brief: dict | None = None, counter_brief: dict | None = None,
          waiting: dict[str, int] | None = None, at: datetime = NOON) -> dict[str, Any]:
    return {
        "kind": "event", "type": type_, "site_id": SITE_ID, "seq": seq, "at": at.isoformat(),
        "ticket": ticket_brief, "counter": counter_brief, "waiting": waiting or {}, "data": {},
    }


def counter_brief(counter_id: int, current_ticket_id: int | None, state: str = "open") -> dict[str, Any]:
    return {"id": counter_id, "number": counter_id, "name": f"Quầy {counter_id}", "state": state,
            "current_ticket_id": current_ticket_id}


def called(seq: int, ticket_id: int, label: str, counter_id: int, at: datetime, *, recall: int = 0,
           waiting: dict[str, int] | None = None) -> dict[str, Any]:
    brief = ticket(ticket_id, label, counter_id, "called", at, recall)
    return event(seq, "TicketRecalled" if recall else "TicketCalled", ticket_brief=brief,
                 counter_brief=counter_brief(counter_id, ticket_id), waiting=waiting, at=at)


def later(seconds: float) -> datetime:
    return NOON + timedelta(seconds=seconds)
