"""Catalog rows the handlers need on every request, through the process's cache.

Only columns that do not change while the server runs are read from these rows (a
site's event_seq, for one, is not kept: it changes with every event). What clears the
cache is said in `queue_server.adapters.cache`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row

from queue_server.adapters import repository as repo

if TYPE_CHECKING:  # the unit of work builds a Catalog over itself
    from queue_server.domain.errors import Conflict
    from queue_server.service_layer.unit_of_work import UnitOfWork

_DYNAMIC_SITE_COLUMNS = ("event_seq",)


def _frozen_site(row: Row | None) -> SimpleNamespace | None:
    if row is None:
        return None
    return SimpleNamespace(**{k: v for k, v in row._mapping.items() if k not in _DYNAMIC_SITE_COLUMNS})


def site(uow: UnitOfWork, site_id: int) -> Any:
    return uow.cache.catalog.get(("site", site_id), lambda: _frozen_site(repo.site_by_id(uow.conn, site_id)))


def site_by_code(uow: UnitOfWork, code: str) -> Any:
    return uow.cache.catalog.get(("site_code", code), lambda: _frozen_site(repo.site_by_code(uow.conn, code)))


def service(uow: UnitOfWork, service_id: int) -> Row | None:
    return uow.cache.catalog.get(("service", service_id), lambda: repo.service_by_id(uow.conn, service_id))


def procedure(uow: UnitOfWork, code: str) -> Row | None:
    return uow.cache.catalog.get(("procedure", code), lambda: repo.procedure_by_code(uow.conn, code))


def procedure_by_id(uow: UnitOfWork, procedure_id: int) -> Row | None:
    return uow.cache.catalog.get(("procedure_id", procedure_id), lambda: repo.procedure_by_id(uow.conn, procedure_id))


def service_for_procedure(uow: UnitOfWork, site_id: int, field_id: int) -> int | None:
    return uow.cache.catalog.get(("field_service", site_id, field_id),
                                 lambda: repo.service_for_procedure(uow.conn, site_id, field_id))


def site_offers(uow: UnitOfWork, site_id: int, service_id: int) -> bool:
    # Only "yes" is kept (a None from the loader is not cached), so a service added to a
    # site is seen at once.
    return bool(uow.cache.catalog.get(("offers", site_id, service_id),
                                      lambda: repo.site_offers(uow.conn, site_id, service_id) or None))


def counter_info(uow: UnitOfWork, counter_id: int) -> SimpleNamespace | None:
    """A counter's site, number and name (never its state: that changes all day)."""
    def load() -> SimpleNamespace | None:
        row = repo.counter_by_id(uow.conn, counter_id)
        return None if row is None else SimpleNamespace(id=row.id, site_id=row.site_id, number=row.number,
                                                        name=row.name)
    return uow.cache.catalog.get(("counter", counter_id), load)


def counter_weights(uow: UnitOfWork, counter_id: int) -> dict[int, int]:
    """The services a counter serves and their weights (cleared by CounterServicesChanged)."""
    return uow.cache.catalog.get(("weights", counter_id), lambda: repo.counter_weights(uow.conn, counter_id)) or {}


class Catalog:
    """The catalog rows a handler reads, cached, reached as `uow.catalog` (a handler test
    gives its fake unit of work an in-memory one with the same methods)."""

    __slots__ = ("_uow",)

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def site(self, site_id: int) -> Any:
        return site(self._uow, site_id)

    def site_by_code(self, code: str) -> Any:
        return site_by_code(self._uow, code)

    def service(self, service_id: int) -> Row | None:
        return service(self._uow, service_id)

    def procedure(self, code: str) -> Row | None:
        return procedure(self._uow, code)

    def procedure_by_id(self, procedure_id: int) -> Row | None:
        return procedure_by_id(self._uow, procedure_id)

    def site_offers(self, site_id: int, service_id: int) -> bool:
        return site_offers(self._uow, site_id, service_id)

    def counter_info(self, counter_id: int) -> SimpleNamespace | None:
        return counter_info(self._uow, counter_id)

    def counter_weights(self, counter_id: int) -> dict[int, int]:
        return counter_weights(self._uow, counter_id)

    def line_for(self, site: Any, procedure_id: int) -> int | None:
        """The line a ticket for the procedure joins at the site (None: not received there)."""
        # menu_scope imports the unit of work, which imports this module.
        from queue_server.service_layer.menu_scope import line_for

        return line_for(self._uow, site.id, site.code, procedure_id)

    def not_received_here(self, site: Any, procedure_id: int) -> Conflict:
        """The refusal of a procedure the site does not receive, saying where it is."""
        # menu_search reads views, which import the handlers: imported when a refusal needs it.
        from queue_server.service_layer.menu_search import refusal_not_received

        return refusal_not_received(self._uow, site, procedure_id)
