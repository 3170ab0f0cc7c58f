"""The repositories build a Ticket or a Counter from a whole row (`Ticket(**row)`) and
save the fields that changed: every column must be a field, and only columns."""

from dataclasses import fields

from queue_server.adapters import tables as t
from queue_server.domain.counter import Counter
from queue_server.domain.ticket import Ticket


def test_a_ticket_has_one_field_per_column_of_tickets() -> None:
    assert {f.name for f in fields(Ticket)} - {"events"} == {c.name for c in t.tickets.c}


def test_a_counter_has_one_field_per_column_of_counters() -> None:
    assert {f.name for f in fields(Counter)} - {"events"} == {c.name for c in t.counters.c}
