"""What a ticket looks like from outside: its brief (displays, counters, the event log),
its reply (the API) and its wait figure.

The handlers build a reply with `reply_of` after their commit, from the ticket they hold
and a wait figure read in their transaction (the hot paths read nothing more for it);
`ticket_reply` reads a ticket by id for the views and the other areas' handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Row

from queue_server.adapters import repository as repo
from queue_server.domain.counter import Counter
from queue_server.domain.ticket import Ticket
from queue_server.service_layer.wait_estimates import SiteDesks, wait_figure, wait_out
from shared.enums import TicketStatus

if TYPE_CHECKING:
    from queue_server.service_layer.rules import QueueRules
    from queue_server.service_layer.unit_of_work import UnitOfWork

_REPLY_FIELDS = (
    "id", "label", "status", "priority", "site_id", "site_code", "site_name_vi", "service_id",
    "service_code", "service_name_vi", "service_name_en", "procedure_code", "procedure_name_vi",
    "counter_id", "counter_number", "target_counter_id", "issued_at", "arrived_at", "called_at",
    "started_at", "finished_at", "recall_count", "printed",
)


def ticket_brief(row: Any) -> dict[str, Any]:
    """What displays and counters need to know of a ticket (no tracking token)."""
    return {
        "id": row.id,
        "label": row.label,
        "status": row.status,
        "priority": row.priority,
        "site_id": row.site_id,
        "service_id": row.service_id,
        "service_code": row.service_code,
        "counter_id": row.counter_id,
        "counter_number": row.counter_number,
        "target_counter_id": row.target_counter_id,
        "recall_count": row.recall_count,
        "called_at": row.called_at.isoformat() if row.called_at else None,
    }


def counter_brief(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "name": row.name,
        "state": row.state.value if isinstance(row, Counter) else row.state,
        "current_ticket_id": row.current_ticket_id,
    }


class Record(dict):
    """A row built in memory from values just read or written (attribute access, like a
    Row), so a handler does not read back what it has just written."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def ticket_view(uow: UnitOfWork, ticket: Ticket | Row | dict[str, Any]) -> Record:
    """The ticket (an object, a row or a mapping) with the names replies and events show,
    from the cached catalog: what `repo.ticket_brief_row` reads, without a query."""
    if isinstance(ticket, Ticket):
        values = Record(ticket.__dict__)
        values["status"] = ticket.status.value
    else:
        values = Record(ticket._mapping if isinstance(ticket, Row) else ticket)
    catalog = uow.catalog
    site = catalog.site(values["site_id"])
    service = catalog.service(values["service_id"])
    procedure = catalog.procedure_by_id(values["procedure_id"]) if values["procedure_id"] else None
    counter = catalog.counter_info(values["counter_id"]) if values["counter_id"] else None
    values.update(
        site_code=site.code, site_name_vi=site.name_vi, service_code=service.code,
        service_name_vi=service.name_vi, service_name_en=service.name_en,
        procedure_code=procedure.code if procedure else None,
        procedure_name_vi=procedure.name_vi if procedure else None,
        counter_number=counter.number if counter else None,
    )
    return values


def reply_of(view: Any, rules: QueueRules, *, wait: dict[str, Any] | None = None,
             with_token: bool = False) -> dict[str, Any]:
    """The API's ticket: `view` (see ticket_view) and, for a waiting ticket, the `wait`
    read by `waiting_figures`. Reads nothing: a handler calls it after its commit."""
    reply = {k: getattr(view, k) for k in _REPLY_FIELDS}
    if view.status == TicketStatus.WAITING.value:
        reply.update(wait or {})
    else:
        reply["wait"] = wait_out(wait_figure(None, 0, view.status))
    if with_token:
        reply["tracking_token"] = view.tracking_token
        reply["tracking_url"] = rules.tracking_url(view.tracking_token)
    return reply


def waiting_figures(uow: UnitOfWork, ticket: Any, inputs: Any = None) -> dict[str, Any]:
    """People ahead, minutes and the one wait figure of a waiting ticket; `inputs` if the
    caller read them already (see repository.estimate_inputs)."""
    if inputs is None:
        inputs = repo.estimate_inputs(uow.conn, ticket.site_id, ticket.service_id, ticket.rank, ticket.arrived_at,
                                      ticket.id)
    estimate, figure = SiteDesks(None, ticket.site_id, read=uow.counters.open_desks).estimate(
        ticket.service_id, inputs.ahead, inputs.average, inputs.open_counters, inputs.configured_counters)
    return {"people_ahead": estimate.people_ahead, "estimated_wait_minutes": estimate.minutes,
            "wait": wait_out(figure)}


def ticket_reply(uow: UnitOfWork, ticket_id: int, *, with_token: bool = False, row: Any = None,
                 estimate: Row | None = None) -> dict[str, Any]:
    """A ticket's reply read in `uow` (`row` if the caller has it, `estimate` its wait
    inputs if read already)."""
    row = row if row is not None else repo.ticket_brief_row(uow.conn, ticket_id)
    wait = waiting_figures(uow, row, estimate) if row.status == TicketStatus.WAITING.value else None
    return reply_of(row, uow.rules, wait=wait, with_token=with_token)
