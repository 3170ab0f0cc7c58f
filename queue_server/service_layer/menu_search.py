"""The kiosk's search box and "where else": a search offers only what the site receives; a
procedure another site of the province receives comes back as an offer of that site (name,
distance, wait: "Thủ tục này tiếp nhận tại …"), never as a ticket for a wrong queue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.menu_repository import PROCEDURE_ROWS
from queue_server.domain.errors import Conflict, NotFound
from queue_server.domain.geo import distance_km
from queue_server.domain.menu_commands import SearchMenu, ShowMenuItem
from queue_server.domain.menu_text import display_name, fee_text
from queue_server.service_layer.menu_scope import all_scopes
from queue_server.service_layer.site_menu import (
    english_name,
    menu_entries,
    request_counts,
    shown_name,
)
from queue_server.service_layer.unit_of_work import UnitOfWork
from queue_server.service_layer.views import _estimate, _without_symbols, get_site, other_site
from shared.textfold import fold
from shared.wait_words import figure_from, wait_text

ELSEWHERE_MAX = 10
CANDIDATES_MAX = 200  # catalog matches looked at for "elsewhere"


def _words(query: str) -> list[str]:
    return fold(_without_symbols(query)).split()


def _km_text(km: float) -> str:
    return f"{km:.1f}".replace(".", ",")


def _inline(words: str) -> str:
    """"Chưa có quầy mở" inside a sentence: "chưa có quầy mở"."""
    return words[:1].lower() + words[1:]


def where_else(uow: UnitOfWork, here, procedure_ids: list[int]) -> dict[int, dict[str, Any]]:  # noqa: ANN001
    """For each procedure, the nearest other site that receives it, with the trip and the wait."""
    others = [(site, scope) for site, scope in all_scopes(uow) if site.id != here.id]
    estimates: dict[tuple[int, int], tuple[dict, int]] = {}
    out: dict[int, dict[str, Any]] = {}
    for pid in procedure_ids:
        best = None
        for site, scope in others:
            if not scope.receives(pid):
                continue
            km = distance_km(here.latitude, here.longitude, site.latitude, site.longitude)
            if best is None or km < best[0]:
                best = (km, site, scope.lines[pid])
        if best is None:
            continue
        km, site, service_id = best
        if (site.id, service_id) not in estimates:
            open_count, _ = repo.counters_serving(uow.conn, site.id, service_id)
            estimates[(site.id, service_id)] = (_estimate(uow, site, service_id), open_count)
        est, open_count = estimates[(site.id, service_id)]
        figure = figure_from(est["estimated_wait_minutes"], any_counter_open=open_count > 0,
                             people_ahead=est["people_waiting"])
        out[pid] = {
            **other_site(site, km, service_id, est), "wait": figure.model_dump(mode="json"),
            "message_vi": f"Thủ tục này tiếp nhận tại {site.name_vi} (cách {_km_text(km)} km, "
                          f"{_inline(wait_text(figure, 'vi'))})",
            "message_en": f"This procedure is received at {site.name_en or site.name_vi} ({km:.1f} km away, "
                          f"{_inline(wait_text(figure, 'en'))})",
        }
    return out


class NotReceivedHere(Conflict):
    """A ticket asked for a procedure the site does not receive (HTTP 409). `elsewhere`:
    the nearest site of the province that does, if any."""

    code = "procedure_not_offered"

    def __init__(self, message_vi: str, message_en: str, elsewhere: dict[str, Any] | None) -> None:
        super().__init__(message_vi, message_en)
        self.extra = {"elsewhere": elsewhere}


def refusal_not_received(uow: UnitOfWork, site, procedure_id: int) -> NotReceivedHere:  # noqa: ANN001
    offer = where_else(uow, site, [procedure_id]).get(procedure_id)
    here_vi = f"{site.name_vi} không tiếp nhận thủ tục này."
    here_en = f"{site.name_en or site.name_vi} does not receive this procedure."
    if offer is None:
        return NotReceivedHere(f"{here_vi} Vui lòng hỏi cán bộ hướng dẫn.", f"{here_en} Please ask the help desk.",
                               None)
    return NotReceivedHere(f"{here_vi} {offer['message_vi']}.", f"{here_en} {offer['message_en']}.", offer)


def _escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _catalog_matches(uow: UnitOfWork, words: list[str], exclude: set[int]) -> list:
    """Catalog procedures whose name has every word (or whose code starts with it), shortest
    names first, leaving out `exclude`."""
    p = t.procedures.c
    conds = [or_(p.name_folded.like(f"%{_escaped(w)}%", escape="\\"), p.code.like(f"{_escaped(w)}%", escape="\\"))
             for w in words]
    rows = uow.conn.execute(select(p.id, p.code, p.name_vi, p.name_folded, t.fields.c.name_vi.label("field_vi"))
                            .join(t.fields, t.fields.c.id == p.field_id).where(*conds)
                            .order_by(func.length(p.name_folded), p.code).limit(CANDIDATES_MAX)).all()
    return [r for r in rows if r.id not in exclude]


def search_menu(q: SearchMenu, uow: UnitOfWork) -> dict[str, Any]:
    """What the site receives that matches `query` (accents optional), most requested first,
    and the matches other sites of the province receive instead."""
    site_code, query, limit = q.site_code, q.query, q.limit
    with uow:
        site = get_site(uow.conn, site_code)
        words = _words(query)
        if not words:
            return {"site_code": site.code, "query": query, "total": 0, "items": [], "elsewhere": []}
        phrase = " ".join(words)
        entries = [e for e in menu_entries(uow, site) if all(w in e.search_text for w in words)]
        counts = request_counts(uow, site.id)
        entries.sort(key=lambda e: (phrase not in e.search_text, -counts.get(e.procedure_id, 0), len(e.name_vi),
                                    fold(e.name_vi)))
        here_ids = {e.procedure_id for e in menu_entries(uow, site)}
        # Sending a citizen to another site is a strong suggestion: only names with the phrase.
        candidates = [r for r in _catalog_matches(uow, words, here_ids) if phrase in r.name_folded or
                      r.code.startswith(phrase)]
        offers = where_else(uow, site, [r.id for r in candidates])
        elsewhere = []
        for r in candidates:
            if r.id in offers and len(elsewhere) < ELSEWHERE_MAX:
                shown = shown_name(r.code, r.name_vi)
                elsewhere.append({"procedure_code": r.code, "name_vi": shown,
                                  "name_en": english_name(r.code, shown, r.field_vi), **offers[r.id]})
        return {"site_code": site.code, "query": query, "total": len(entries),
                "items": [e.out() for e in entries[:limit]], "elsewhere": elsewhere}


def menu_item_detail(q: ShowMenuItem, uow: UnitOfWork) -> dict[str, Any]:
    """One procedure for a site's kiosk: as its menu shows it with the full fee text, or,
    when the site does not receive it, the nearest site that does."""
    site_code, procedure_code = q.site_code, q.procedure_code
    with uow:
        site = get_site(uow.conn, site_code)
        procedure = repo.procedure_by_code(uow.conn, procedure_code)
        if procedure is None:
            raise NotFound(f"Không tìm thấy thủ tục {procedure_code}.", f"Procedure {procedure_code} not found.")
        row = uow.conn.execute(PROCEDURE_ROWS.where(t.procedures.c.id == procedure.id)).one()
        full = fee_text(row.fee_vi, row.amount_vnd, row.fee_set is not None).full_vi
        entry = next((e for e in menu_entries(uow, site) if e.procedure_id == procedure.id), None)
        elsewhere = None
        if entry is None:
            offer = where_else(uow, site, [procedure.id]).get(procedure.id)
            if offer is not None:
                shown = shown_name(row.code, row.name_vi)
                elsewhere = {"procedure_code": row.code, "name_vi": shown,
                             "name_en": english_name(row.code, shown, row.field_vi), **offer}
        return {"procedure_code": procedure.code, "catalog_name_vi": display_name(row.name_vi),
                "received_here": entry is not None,
                "item": entry.out() if entry else None, "fee_full_vi": full, "elsewhere": elsewhere}
