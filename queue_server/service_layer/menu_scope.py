"""Which procedures a site receives: the scope of its kiosk menu, its search and its tickets.

The national catalog lists 1,601 procedures; a site receives far fewer. A procedure is
received at a site when
1. one of the site's lines (services) takes the procedure's field;
2. it can be handed in in person (the catalog's channels include "Trực tiếp", or say none);
3. an agency of the province settles it for this site: the admin's choice for the
   procedure, or the agency the catalog text points to (agencies.match_agency);
and a manager's word on the site's menu overrides the rules: a hidden item is out, an item
the manager added (a row that is not hidden) is in, as long as a line of the site takes it.

Which fields a line takes is data (the demo seed links customs and the State Bank's fields
to no line: no kiosk of the demo province offers a customs procedure).

The scope of a site is cached with the catalog rows (adapters/cache.py): a menu edit or a
line change clears it at once, an agency edit within CATALOG_TTL seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from queue_server.adapters import tables as t
from queue_server.service_layer.agencies import Agency, active_agencies, match_agency
from queue_server.service_layer.unit_of_work import UnitOfWork

IN_PERSON = "Trực tiếp"


@dataclass(frozen=True)
class Scope:
    site_id: int
    lines: dict[int, int]  # procedure id -> the site's service (line) that takes it
    hidden: dict[int, int]  # hidden by a manager: procedure id -> the line that would take it

    def receives(self, procedure_id: int) -> bool:
        return procedure_id in self.lines


def _field_lines(conn: Connection, site_id: int) -> dict[int, int]:
    """field id -> the site's line taking it (lowest service id, as service_for_procedure)."""
    sf, ss = t.service_fields.c, t.site_services.c
    rows = conn.execute(select(sf.field_id, func.min(sf.service_id))
                        .join(t.site_services, ss.service_id == sf.service_id)
                        .where(ss.site_id == site_id).group_by(sf.field_id)).all()
    return dict(rows)



def compute_scope(conn: Connection, site_id: int, site_code: str, only: int | None = None) -> Scope:
    """The site's scope; with `only`, the scope restricted to that one procedure (cheap)."""
    lines_of_field = _field_lines(conn, site_id)
    agencies = active_agencies(conn)
    chosen = set(conn.execute(select(t.procedure_agencies.c.procedure_id)
                              .join(t.agencies, t.agencies.c.id == t.procedure_agencies.c.agency_id)
                              .where(t.agencies.c.active)).scalars())
    m, p = t.site_menu_items.c, t.procedures.c
    override_stmt = select(m.procedure_id, m.hidden).where(m.site_id == site_id)
    stmt = (select(p.id, p.field_id, p.agency_vi, p.provincial, p.commune, p.channels_vi,
                   t.fields.c.name_vi.label("field_name"))
            .join(t.fields, t.fields.c.id == p.field_id))
    if only is not None:
        override_stmt, stmt = override_stmt.where(m.procedure_id == only), stmt.where(p.id == only)
    overrides = dict(conn.execute(override_stmt).all())
    rows = conn.execute(stmt).all()
    lines: dict[int, int] = {}
    hidden: dict[int, int] = {}
    settled: dict[tuple[str, str, bool], bool] = {}  # many procedures share one agency text
    for r in rows:
        line = lines_of_field.get(r.field_id)
        if line is None:
            continue
        if overrides.get(r.id) is True:
            hidden[r.id] = line
        elif r.id in overrides or _received(r, agencies, site_code, r.id in chosen, settled):
            lines[r.id] = line
    return Scope(site_id, lines, hidden)


def _received(r, agencies: list[Agency], site_code: str, agency_chosen: bool,  # noqa: ANN001
              settled: dict[tuple[str, str, bool], bool]) -> bool:
    if r.channels_vi.strip() and IN_PERSON not in r.channels_vi:
        return False
    if agency_chosen:
        return True
    key = (r.agency_vi, r.field_name, bool(r.commune and not r.provincial))
    if key not in settled:
        found = match_agency(agencies, r.agency_vi, r.field_name, commune_level=key[2], site_code=site_code)
        settled[key] = found is not None
    return settled[key]


def site_scope(uow: UnitOfWork, site_id: int, site_code: str) -> Scope:
    scope = uow.cache.catalog.get(("menu_scope", site_id), lambda: compute_scope(uow.conn, site_id, site_code))
    assert scope is not None  # compute_scope always answers
    return scope


def line_for(uow: UnitOfWork, site_id: int, site_code: str, procedure_id: int) -> int | None:
    """The line a ticket for this procedure joins at the site, None if the site does not
    receive it: what issuing a ticket asks, without building the site's whole scope."""
    scope = uow.cache.catalog.get(("menu_scope", site_id), lambda: None)
    if scope is not None:
        return scope.lines.get(procedure_id)
    return uow.cache.catalog.get(("menu_line", site_id, procedure_id), lambda: compute_scope(
        uow.conn, site_id, site_code, only=procedure_id).lines.get(procedure_id))


def all_scopes(uow: UnitOfWork) -> list[tuple[object, Scope]]:
    """(site row, scope) for every site of the province, in id order."""
    sites = uow.conn.execute(select(t.sites).order_by(t.sites.c.id)).all()
    return [(site, site_scope(uow, site.id, site.code)) for site in sites]
