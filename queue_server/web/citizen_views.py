"""What a citizen's ticket page shows, read from the database: one ticket's whole view
(`/t/{token}`, its JSON and the stream's first message), and, for the site watcher that
feeds open pages (ticket_pages.py), the views an event changed, read in one go."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.service_layer.handlers import ticket_reply
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.service_layer.wait_estimates import SiteDesks
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
        ticket_id = uow.conn.execute(select(t.tickets.c.id).where(t.tickets.c.tracking_token == token)).scalar()
        return None if ticket_id is None else _view(uow, ticket_id)


def _view(uow: UnitOfWork, ticket_id: int) -> tuple[TicketKeys, dict[str, Any]]:
    """The whole view of one ticket (inside the caller's unit of work)."""
    conn = uow.conn
    reply = ticket_reply(uow, ticket_id)
    site = repo.site_by_id(conn, reply["site_id"])
    state = CitizenTicket(
        label=reply["label"], status=reply["status"], site_code=site.code, site_name_vi=site.name_vi,
        site_name_en=site.name_en, site_address=site.address, site_latitude=site.latitude,
        site_longitude=site.longitude, service_name_vi=reply["service_name_vi"],
        service_name_en=reply["service_name_en"],
        counter_number=reply["counter_number"] if reply["status"] in SHOWS_COUNTER else None,
        people_ahead=reply.get("people_ahead"), estimated_wait_minutes=reply.get("estimated_wait_minutes"),
        wait=reply["wait"], issued_at=reply["issued_at"], called_at=reply["called_at"],
        moved_from=_moved_from(conn, ticket_id, site.id), final=reply["status"] in FINAL, rated=_rated(conn, ticket_id),
    )
    keys = TicketKeys(ticket_id, site.id, reply["service_id"], site.event_seq)
    return keys, state.model_dump(mode="json")


Place = dict[str, Any]  # people_ahead and estimated_wait_minutes of a waiting ticket


def read_changes(uow: UnitOfWork, site_id: int, named: set[int], waiting: list[int],
                 services: set[int]) -> tuple[dict[int, tuple[TicketKeys, dict[str, Any]]], dict[int, Place]]:
    """What an event may have changed, read in one short transaction: the tickets it
    named, whole (a few per event); the other watched tickets still waiting in `services`,
    only their place and wait (one read of their lines, whatever their number)."""
    with uow:
        views = {ticket_id: _view(uow, ticket_id) for ticket_id in named}
        return views, waiting_places(uow, site_id, waiting, services)


def changed_views(views: dict[int, tuple[TicketKeys, dict[str, Any]]], places: dict[int, Place],
                  last: dict[int, dict[str, Any]]) -> dict[int, tuple[TicketKeys | None, dict[str, Any], str]]:
    """The views that differ from `last`, each serialized once for all its pages (no
    database: run it off the event loop). Keys are None for a place update (same site)."""
    changed: dict[int, tuple[TicketKeys | None, dict[str, Any], str]] = {}
    for ticket_id, (keys, state) in views.items():
        if state != last.get(ticket_id):
            changed[ticket_id] = (keys, state, view_text(state))
    for ticket_id, place in places.items():
        before = last.get(ticket_id)
        if before is None or ticket_id in views:
            continue
        state = before | place
        if state != before:
            changed[ticket_id] = (None, state, view_text(state))
    return changed


def waiting_places(uow: UnitOfWork, site_id: int, ticket_ids: list[int], services: set[int]) -> dict[int, Place]:
    """People ahead and the estimated wait of these tickets (of these lines), if still
    waiting: one read of the lines in call order, then per line one read of its estimate
    inputs and one of the open desks. The figures `ticket_reply` gives one ticket (its
    order: rank, arrival, id)."""
    if not ticket_ids or not services:
        return {}
    conn, c = uow.conn, t.tickets.c
    watched = set(ticket_ids)
    lines: dict[int, list[int]] = {}
    for ticket_id, service_id in conn.execute(
            select(c.id, c.service_id).where(c.site_id == site_id, c.service_id.in_(sorted(services)),
                                             t.TICKET_IS_WAITING)
            .order_by(c.rank.desc(), c.arrived_at, c.id)):
        lines.setdefault(service_id, []).append(ticket_id)
    desks = SiteDesks(conn, site_id)
    places: dict[int, Place] = {}
    for service_id, line in lines.items():
        if watched.isdisjoint(line):
            continue
        inputs = repo.line_estimate_inputs(conn, site_id, service_id)
        for ahead, ticket_id in enumerate(line):
            if ticket_id in watched:
                estimate = desks.estimate(service_id, ahead, inputs.average, inputs.open_counters,
                                          inputs.configured_counters)
                places[ticket_id] = {"people_ahead": estimate.people_ahead, "estimated_wait_minutes": estimate.minutes}
    return places


def view_text(state: dict[str, Any]) -> str:
    """The message a page receives, serialized once for all its copies."""
    return json.dumps({"kind": "ticket", "ticket": state}, ensure_ascii=False, separators=(",", ":"))


def _moved_from(conn, ticket_id: int, site_id: int) -> dict[str, Any] | None:  # noqa: ANN001
    """The latest move of this ticket into the site it is at now (from the event log)."""
    e = t.ticket_events.c
    rows = conn.execute(select(e.at, e.data).where(e.ticket_id == ticket_id,
                                                   e.type == EventType.TICKET_TRANSFERRED.value)
                        .order_by(e.id.desc()).limit(4)).all()
    for at, data in rows:
        if data.get("to_site_id") == site_id and data.get("from_site_id") not in (None, site_id):
            before = repo.site_by_id(conn, data["from_site_id"])
            return {"label": data.get("old_label", ""), "site_name_vi": before.name_vi if before else "",
                    "site_name_en": before.name_en if before else "", "at": at}
    return None


def _rated(conn, ticket_id: int) -> bool:  # noqa: ANN001
    e = t.ticket_events.c
    return conn.execute(select(e.id).where(e.ticket_id == ticket_id, e.type == EventType.TICKET_RATED.value)
                        .limit(1)).first() is not None
