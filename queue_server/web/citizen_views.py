"""What a citizen's ticket page shows, read from the database: one ticket's whole view
(`/t/{token}`, its JSON and the stream's first message), and, for the site watcher that
feeds open pages (ticket_pages.py), the views an event changed, read in one go."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.service_layer.handlers import ticket_reply
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.service_layer.wait_estimates import SiteDesks, wait_figure, wait_out
from shared.enums import EventType, TicketStatus
from shared.web_protocol import CitizenTicket

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SHOWS_COUNTER = {TicketStatus.CALLED.value, TicketStatus.SERVING.value, TicketStatus.HELD.value}
FINAL = {TicketStatus.DONE.value, TicketStatus.CANCELLED.value}


@dataclass(frozen=True)
class TicketKeys:
    """Internal ids used to pick the relevant events; never sent to the browser. `seq`: the
    site's event number when the view was read."""

    ticket_id: int
    site_id: int
    service_id: int
    seq: int = 0


def citizen_ticket(uow: UnitOfWork, token: str) -> tuple[TicketKeys, dict[str, Any]] | None:
    if not TOKEN_RE.match(token):
        return None
    with uow:
        row = repo.citizen_ticket_row(uow.conn, token=token)
        return None if row is None else _view(uow, row)


def _view(uow: UnitOfWork, row: Any) -> tuple[TicketKeys, dict[str, Any]]:  # noqa: ANN401 - repo.citizen_ticket_row
    """The whole view of one ticket (inside the caller's unit of work)."""
    reply = ticket_reply(uow, row.id, row=row)
    moved_from, rated = _history(uow.conn, row.id, row.site_id)
    state = CitizenTicket(
        label=reply["label"], status=reply["status"], site_code=row.site_code, site_name_vi=row.site_name_vi,
        site_name_en=row.site_name_en, site_address=row.site_address, site_latitude=row.site_latitude,
        site_longitude=row.site_longitude, service_name_vi=reply["service_name_vi"],
        service_name_en=reply["service_name_en"],
        counter_number=reply["counter_number"] if reply["status"] in SHOWS_COUNTER else None,
        people_ahead=reply.get("people_ahead"), estimated_wait_minutes=reply.get("estimated_wait_minutes"),
        wait=reply["wait"], issued_at=reply["issued_at"], called_at=reply["called_at"],
        moved_from=moved_from, final=reply["status"] in FINAL, rated=rated,
    )
    keys = TicketKeys(row.id, row.site_id, reply["service_id"], row.site_event_seq)
    return keys, state.model_dump(mode="json")


# Events after which a named ticket's page follows from the event alone, as long as the
# ticket stays at its site and in its line and is out of the waiting line (no place to
# work out): a call, a recall, the start, the end, a no-show, a hold, a cancellation. A
# transfer (site, line, "moved from"), a rating and a return to the line are read.
FROM_EVENT = frozenset({EventType.TICKET_CALLED.value, EventType.TICKET_RECALLED.value,
                        EventType.TICKET_STARTED.value, EventType.TICKET_SERVED.value,
                        EventType.TICKET_NO_SHOW.value, EventType.TICKET_HELD.value,
                        EventType.TICKET_CANCELLED.value})


def view_from_event(before: dict[str, Any] | None, site_id: int, service_id: int | None,
                    brief: dict[str, Any] | None) -> dict[str, Any] | None:
    """The page's new view worked out from the ticket brief of an event in FROM_EVENT (the
    same fields `_view` would read), or None when it must be read."""
    if before is None or brief is None or brief.get("site_id") != site_id or brief.get("service_id") != service_id:
        return None
    status = brief.get("status")
    if status is None or status == TicketStatus.WAITING.value:
        return None
    state = before | {
        "status": status, "counter_number": brief.get("counter_number") if status in SHOWS_COUNTER else None,
        "called_at": brief.get("called_at"), "people_ahead": None, "estimated_wait_minutes": None,
        "wait": wait_out(wait_figure(None, 0, status)), "final": status in FINAL,
    }
    return CitizenTicket.model_validate(state).model_dump(mode="json")


Place = dict[str, Any]  # people_ahead, estimated_wait_minutes and the wait figure of a waiting ticket
PLACE_KEYS = ("people_ahead", "estimated_wait_minutes", "wait")


@dataclass
class Changes:
    """What one short transaction read for an event: the named tickets' whole views, and
    the touched lines in call order with what their estimates need (the open desks read
    already), so the places are worked out with no database, off the event loop."""

    views: dict[int, tuple[TicketKeys, dict[str, Any]]]
    lines: dict[int, list[int]] = field(default_factory=dict)
    inputs: dict[int, Any] = field(default_factory=dict)
    desks: SiteDesks | None = None
    watched: set[int] = field(default_factory=set)


def read_changes(uow: UnitOfWork, site_id: int, named: set[int], waiting: list[int], services: set[int]) -> Changes:
    """The tickets an event named, whole (a few per event); the lines of the other watched
    tickets still waiting in `services`, one read whatever their number."""
    with uow:
        changes = Changes({ticket_id: _view(uow, repo.citizen_ticket_row(uow.conn, ticket_id=ticket_id))
                           for ticket_id in named}, watched=set(waiting))
        if not waiting or not services:
            return changes
        c = t.tickets.c
        for ticket_id, service_id in uow.conn.execute(
                select(c.id, c.service_id).where(c.site_id == site_id, c.service_id.in_(sorted(services)),
                                                 t.TICKET_IS_WAITING)
                .order_by(c.rank.desc(), c.arrived_at, c.id)):
            changes.lines.setdefault(service_id, []).append(ticket_id)
        changes.desks = SiteDesks(uow.conn, site_id)
        for service_id, line in changes.lines.items():
            if not changes.watched.isdisjoint(line):
                inputs = changes.inputs[service_id] = repo.line_estimate_inputs(uow.conn, site_id, service_id)
                changes.desks.estimate(service_id, 0, inputs.average, inputs.open_counters,
                                       inputs.configured_counters)  # reads the open desks now, once
        return changes


def places(changes: Changes) -> dict[int, Place]:
    """People ahead and the estimated wait of the watched tickets still waiting: the
    figures `ticket_reply` gives one ticket (its order: rank, arrival, id). No database."""
    out: dict[int, Place] = {}
    for service_id, inputs in changes.inputs.items():
        for ahead, ticket_id in enumerate(changes.lines[service_id]):
            if ticket_id in changes.watched:
                estimate, figure = changes.desks.estimate(service_id, ahead, inputs.average, inputs.open_counters,
                                                          inputs.configured_counters)
                # the same three figures ticket_reply gives the page (ticket_views.waiting_figures)
                out[ticket_id] = {"people_ahead": estimate.people_ahead, "estimated_wait_minutes": estimate.minutes,
                                  "wait": wait_out(figure)}
    return out


def changed_views(changes: Changes, last: dict[int, dict[str, Any]],
                  prefixes: dict[int, str]) -> dict[int, tuple[TicketKeys | None, dict[str, Any], str]]:
    """The views that differ from `last`, each serialized once for all its pages (no
    database: run it off the event loop). A place update reuses the ticket's serialized
    fixed part (`prefixes`, filled here): thousands of pages cost microseconds each. Keys
    are None for a place update (same site)."""
    changed: dict[int, tuple[TicketKeys | None, dict[str, Any], str]] = {}
    for ticket_id, (keys, state) in changes.views.items():
        prefixes.pop(ticket_id, None)
        if state != last.get(ticket_id):
            changed[ticket_id] = (keys, state, view_text(state))
    for ticket_id, place in places(changes).items():
        before = last.get(ticket_id)
        if before is None or ticket_id in changes.views:
            continue
        if all(before.get(key) == place[key] for key in PLACE_KEYS):
            continue
        prefix = prefixes.get(ticket_id)
        if prefix is None:
            prefix = prefixes[ticket_id] = fixed_part(before)
        wait = json.dumps(place["wait"], ensure_ascii=False, separators=(",", ":"))
        text = (f'{prefix},"people_ahead":{_number(place["people_ahead"])},'
                f'"estimated_wait_minutes":{_number(place["estimated_wait_minutes"])},"wait":{wait}}}}}')
        changed[ticket_id] = (None, before | place, text)
    return changed


def fixed_part(state: dict[str, Any]) -> str:
    """A view's message serialized without its place, open at the end, for `changed_views`."""
    return view_text({k: v for k, v in state.items() if k not in PLACE_KEYS})[:-2]


def _number(value: int | None) -> str:
    return "null" if value is None else str(value)


def view_text(state: dict[str, Any]) -> str:
    """The message a page receives, serialized once for all its copies."""
    return json.dumps({"kind": "ticket", "ticket": state}, ensure_ascii=False, separators=(",", ":"))


_HISTORY_TYPES = (EventType.TICKET_TRANSFERRED.value, EventType.TICKET_RATED.value)


def _history(conn, ticket_id: int, site_id: int) -> tuple[dict[str, Any] | None, bool]:  # noqa: ANN001
    """From the ticket's event log, in one read: the latest move of the ticket into the site
    it is at now, and whether the citizen has rated the visit."""
    e = t.ticket_events.c
    rows = conn.execute(select(e.type, e.at, e.data).where(e.ticket_id == ticket_id, e.type.in_(_HISTORY_TYPES))
                        .order_by(e.id.desc())).all()
    rated = any(row.type == EventType.TICKET_RATED.value for row in rows)
    moves = [row for row in rows if row.type == EventType.TICKET_TRANSFERRED.value][:4]
    for row in moves:
        data = row.data
        if data.get("to_site_id") == site_id and data.get("from_site_id") not in (None, site_id):
            before = repo.site_by_id(conn, data["from_site_id"])
            return {"label": data.get("old_label", ""), "site_name_vi": before.name_vi if before else "",
                    "site_name_en": before.name_en if before else "", "at": row.at}, rated
    return None, rated
