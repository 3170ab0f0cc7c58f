"""Processing agencies (cơ quan giải quyết) as data: which agency settles a procedure, read
from the catalog's agency text, and the admin's edits of that mapping.

The national catalog names agencies loosely ("Sở Tư pháp", "Ủy ban nhân dân cấp xã,
phường, thị trấn", "Thuế tỉnh, thành phố, Thuế cơ sở", or "Không có thông tin"). An
agency lists the phrases it answers to (`catalog_terms`); a procedure goes to, in order:
1. the agency an admin chose for it (procedure_agencies);
2. the agency whose phrase comes first in the catalog text (the lead agency is named
   first), the longer phrase winning at the same place; a commune People's Committee
   only for the sites it serves;
3. for a commune-level procedure, the commune agency serving the receiving site;
4. the agency that takes the procedure's field (`field_names`) when the text names none;
5. none: the center chooses when it forwards the dossier.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError

from queue_server.adapters.agency_repository import AgencyRepository
from queue_server.domain.dossier_commands import AgencyIn, ChooseProcedureAgency, SaveAgency
from queue_server.domain.errors import Conflict, Invalid, NotFound
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.textfold import fold, nfc

AGENCY_KINDS = {
    "department": ("Sở, ban, ngành", "Provincial department"),
    "vertical": ("Cơ quan ngành dọc", "Vertical agency"),
    "province": ("UBND cấp tỉnh", "Provincial People's Committee"),
    "commune": ("UBND cấp xã", "Commune People's Committee"),
}
NO_INFO = fold("Không có thông tin")


@dataclass(frozen=True)
class Agency:
    id: int
    code: str
    name_vi: str
    kind: str
    terms: tuple[str, ...]  # folded
    fields: frozenset[str]  # folded field names
    sites: frozenset[str]

    @classmethod
    def from_row(cls, row: Row) -> Agency:
        return cls(row.id, row.code, row.name_vi, row.kind, tuple(fold(x) for x in row.catalog_terms if x.strip()),
                   frozenset(fold(x) for x in row.field_names), frozenset(row.site_codes))

    def serves(self, site_code: str | None) -> bool:
        return self.kind != "commune" or (site_code is not None and site_code in self.sites)


def active_agencies(conn: Connection) -> list[Agency]:
    return [Agency.from_row(r) for r in AgencyRepository(conn).active()]


def match_agency(agencies: list[Agency], agency_text: str, field_name: str, *, commune_level: bool,
                 site_code: str | None) -> Agency | None:
    """Steps 2-4 of the module's rule, on already loaded agencies (no I/O)."""
    text = fold(agency_text)
    best: tuple[int, int, int] | None = None
    chosen = None
    if text and text != NO_INFO:
        for agency in agencies:
            if not agency.serves(site_code):
                continue
            for term in agency.terms:
                at = text.find(term)
                if at >= 0 and (best is None or (at, -len(term), agency.id) < best):
                    best, chosen = (at, -len(term), agency.id), agency
    if chosen is not None:
        return chosen
    if commune_level:
        for agency in agencies:
            if agency.kind == "commune" and agency.serves(site_code):
                return agency
    folded_field = fold(field_name)
    for agency in agencies:
        if folded_field in agency.fields and agency.serves(site_code):
            return agency
    return None



def agency_for_procedure(agencies: AgencyRepository, procedure_id: int, site_code: str | None) -> Row | None:
    """The agencies row that settles this procedure for a dossier received at `site_code`:
    an admin's choice, else the catalog's text matched against the active agencies."""
    chosen = agencies.chosen(procedure_id)
    if chosen is not None:
        return chosen
    p = agencies.procedure_for_matching(procedure_id)
    found = match_agency([Agency.from_row(r) for r in agencies.active()], p.agency_vi, p.field_name,
                         commune_level=p.commune and not p.provincial, site_code=site_code)
    return agencies.by_id(found.id) if found else None


def agency_row(conn: Connection, agency_id: int) -> Row:
    return AgencyRepository(conn).by_id(agency_id)


def agency_by_code(conn: Connection, code: str) -> Row:
    return agency_named(AgencyRepository(conn), code)


def agency_named(agencies: AgencyRepository, code: str) -> Row:
    row = agencies.by_code(code.strip())
    if row is None:
        raise NotFound(f"Không tìm thấy cơ quan giải quyết {code}.", f"Processing agency {code} not found.",
                       code="agency_not_found")
    return row


# ---- reads -------------------------------------------------------------------------------
def agency_out(row: Row) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "name_vi": row.name_vi, "name_en": row.name_en, "kind": row.kind,
            "governing_body": row.governing_body, "catalog_terms": list(row.catalog_terms),
            "field_names": list(row.field_names), "site_codes": list(row.site_codes), "active": row.active}


def list_agencies(conn: Connection) -> list[dict[str, Any]]:
    agencies = AgencyRepository(conn)
    staff_counts = agencies.officer_counts()
    return [{**agency_out(r), "officers": staff_counts.get(r.id, 0)} for r in agencies.all()]


def mapping_summary(conn: Connection, site_code: str | None = None) -> dict[str, Any]:
    """How the catalog maps for dossiers received at `site_code` (None: a site no commune
    agency serves): procedures per agency, and the agency texts nobody answers to."""
    registry = AgencyRepository(conn)
    agencies = [Agency.from_row(r) for r in registry.active()]
    chosen = registry.choices()
    per_agency: Counter[int] = Counter()
    unmapped: Counter[str] = Counter()
    for p in registry.procedures_for_matching():
        if p.id in chosen:
            per_agency[chosen[p.id]] += 1
            continue
        found = match_agency(agencies, p.agency_vi, p.field_name, commune_level=p.commune and not p.provincial,
                             site_code=site_code)
        if found is None:
            unmapped[p.agency_vi.split(",")[0].strip() or "—"] += 1
        else:
            per_agency[found.id] += 1
    return {"per_agency": dict(per_agency), "unmapped": sum(unmapped.values()),
            "unmapped_texts": [{"text": text, "procedures": n} for text, n in unmapped.most_common(15)],
            "overrides": len(chosen)}


# ---- admin edits -------------------------------------------------------------------------
def _clean(values: tuple[str, ...] | list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        text = " ".join(nfc(value).split())
        if text and text not in out:
            out.append(text[:200])
    return out[:60]


def _values(agencies: AgencyRepository, a: AgencyIn, now) -> dict[str, Any]:  # noqa: ANN001
    if a.kind not in AGENCY_KINDS:
        raise Invalid(f"Loại cơ quan không hợp lệ: {a.kind}.", f"Unknown agency kind {a.kind!r}; one of "
                      f"{', '.join(AGENCY_KINDS)}.", code="invalid_agency")
    code, name = a.code.strip().upper(), " ".join(nfc(a.name_vi).split())
    if not code or len(code) > 40 or not name or len(name) > 200:
        raise Invalid("Cần mã (tối đa 40 ký tự) và tên cơ quan.", "An agency needs a code (up to 40 characters) "
                      "and a name.", code="invalid_agency")
    sites = _clean(a.site_codes)
    known = agencies.site_codes()
    unknown = [s for s in sites if s not in known]
    if unknown:
        raise Invalid(f"Không có điểm phục vụ {', '.join(unknown)}.", f"No such site: {', '.join(unknown)}.",
                      code="invalid_agency")
    return {"code": code, "name_vi": name, "name_en": " ".join(a.name_en.split())[:200], "kind": a.kind,
            "governing_body": " ".join(nfc(a.governing_body).split())[:200], "catalog_terms": _clean(a.catalog_terms),
            "field_names": _clean(a.field_names), "site_codes": sites, "active": a.active, "updated_at": now}


def save_agency(c: SaveAgency, uow: UnitOfWork) -> dict[str, Any]:
    """Create (agency_code None) or replace an agency's data."""
    with uow:
        agencies = uow.dossiers.agencies
        values = _values(agencies, c.agency, uow.now)
        try:
            if c.agency_code is None:
                agency_id = agencies.add(values)
            else:
                agency_id = agency_named(agencies, c.agency_code).id
                if not agencies.replace(agency_id, values):
                    raise NotFound("Không tìm thấy cơ quan.", "Agency not found.", code="agency_not_found")
        except IntegrityError:
            raise Conflict(f"Mã cơ quan {values['code']} đã có.", f"Agency code {values['code']} exists already.",
                           code="agency_code_taken") from None
        out = agency_out(agencies.by_id(agency_id))
        uow.commit()
        return out


def choose_agency_for_procedure(c: ChooseProcedureAgency, uow: UnitOfWork) -> dict[str, Any]:
    """An admin's override for one procedure; None goes back to the catalog text."""
    with uow:
        agencies = uow.dossiers.agencies
        procedure_id = agencies.procedure_id(c.procedure_code)
        if procedure_id is None:
            raise NotFound(f"Không tìm thấy thủ tục {c.procedure_code}.", f"Procedure {c.procedure_code} not found.")
        agency = agency_named(agencies, c.agency_code) if c.agency_code else None
        agencies.choose(procedure_id, agency.id if agency else None)
        uow.commit()
        return {"procedure_code": c.procedure_code, "agency_code": agency.code if agency else None}

