"""Catalog rows the handlers need on every request, through the process's cache.

Only columns that do not change while the server runs are read from these rows (a
site's event_seq, for one, is not kept: it changes with every event). What clears the
cache is said in `queue_server.adapters.cache`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row

from queue_server.adapters import repository as repo
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
