"""What the public devices of a lobby (displays, kiosks) are told: only what they show.

The site stream carries, for staff, the whole event: the reason a clerk typed on a transfer
or a cancel (it may hold a name), the dossier code received at a counter next to the
ticket's label. A screen in a lobby, and anyone who reads its stream, needs none of that:
who is called to which counter, the counters' state, the waiting per line, the notice.
Events keep their type and seq (gap detection stays exact); everything else is cut to a
whitelist, so a field added to an event later stays private until someone decides otherwise.
"""

from __future__ import annotations

from typing import Any

PUBLIC_TICKET_FIELDS = ("id", "label", "status", "site_id", "service_id", "service_code", "counter_id",
                        "counter_number", "target_counter_id", "recall_count", "called_at")
PUBLIC_COUNTER_FIELDS = ("id", "number", "name", "state", "current_ticket_id")
# Event types that are about a person's file, not the line: the public learns only that
# something happened (the seq moves on), not to which ticket.
PRIVATE_TYPES = frozenset({"DossierReceived", "DossierStatusChanged", "DossierFilesAttached", "DossierFeePaid",
                           "TicketRated"})
# Staff-typed text that *is* meant for the lobby.
PUBLIC_DATA = {"NoticePosted": ("notice",)}


def _pick(source: dict[str, Any] | None, fields: tuple[str, ...]) -> dict[str, Any] | None:
    return None if not source else {k: source.get(k) for k in fields if k in source}


def public_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event as a lobby display or kiosk receives it."""
    kind = event.get("type")
    private = kind in PRIVATE_TYPES
    data = event.get("data") or {}
    return {
        "kind": event.get("kind", "event"), "type": kind, "site_id": event.get("site_id"), "seq": event.get("seq"),
        "at": event.get("at"),
        "ticket": None if private else _pick(event.get("ticket"), PUBLIC_TICKET_FIELDS),
        "counter": None if private else _pick(event.get("counter"), PUBLIC_COUNTER_FIELDS),
        "waiting": event.get("waiting") or {},
        "waits": event.get("waits") or {},  # each line's wait figure: what the lobby shows
        "data": {k: data[k] for k in PUBLIC_DATA.get(kind, ()) if k in data},
    }


def public_counter(counter: dict[str, Any]) -> dict[str, Any]:
    """A counter in a snapshot read by a public device: no pause reason, no clerk's name."""
    return {**counter, "pause_reason": "", "staff_id": None, "staff_name": None}
