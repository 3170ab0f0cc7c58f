"""Wire models after the counter: processing agencies, forwarding, the agency's steps and
inbox, and the province control room."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from .dossier_protocol import DossierStatus, LegalClockOut, SupplementItemIn
from .protocol import Strict

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
AgencyCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class AgencyKind(StrEnum):
    DEPARTMENT = "department"  # Sở, ban, ngành
    VERTICAL = "vertical"  # cơ quan ngành dọc (công an, thuế, bảo hiểm xã hội)
    PROVINCE = "province"  # UBND cấp tỉnh
    COMMUNE = "commune"  # UBND cấp xã


class AgencyIn(Strict):
    """An agency as an admin edits it. `catalog_terms`: phrases of the catalog's agency text
    it answers to; `field_names`: fields it takes when the catalog names no agency;
    `site_codes`: sites whose commune-level dossiers it settles (commune committees)."""

    code: AgencyCode
    name_vi: Phrase
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    kind: AgencyKind
    governing_body: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    catalog_terms: list[Phrase] = Field(default_factory=list, max_length=60)
    field_names: list[Phrase] = Field(default_factory=list, max_length=60)
    site_codes: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=60)
    active: bool = True


class AgencyOut(BaseModel):
    id: int
    code: str
    name_vi: str
    name_en: str
    kind: AgencyKind
    governing_body: str
    catalog_terms: list[str]
    field_names: list[str]
    site_codes: list[str]
    active: bool
    officers: int = 0


class UnmappedTextOut(BaseModel):
    text: str  # the catalog's agency text (its first name) no agency answers to
    procedures: int


class MappingOut(BaseModel):
    per_agency: dict[int, int]  # agency id -> procedures it settles (for the site asked)
    unmapped: int
    unmapped_texts: list[UnmappedTextOut]
    overrides: int


class ProcedureAgencyIn(Strict):
    agency_code: AgencyCode | None = None  # None: back to the catalog text


class ProcedureAgencyOut(BaseModel):
    procedure_code: str
    agency_code: str | None


class ForwardIn(Strict):
    """Hand a received dossier to its processing agency (the one mapped at reception, or
    `agency_code`)."""

    agency_code: AgencyCode | None = None
    note: Note = ""


class ForwardDueIn(Strict):
    """The courier run: forward every received dossier whose agency is known."""

    site_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None
    agency_code: AgencyCode | None = None


class ForwardDueOut(BaseModel):
    forwarded: list[str]
    skipped: list[str]


class AgencyStepName(StrEnum):
    ACCEPT = "accept"
    ASSIGN = "assign"
    REQUEST_SUPPLEMENT = "request_supplement"
    REFUSE = "refuse"
    APOLOGIZE = "apologize"
    SEND_BACK = "send_back"
    # "resolve" (the result is ready) carries files: POST /agency/dossiers/{code}/result


class AgencyStepIn(Strict):
    """One step of the agency. assign: `assignee` (username); request_supplement: `note`
    and every missing item in `items`; refuse: `reasons`; apologize: `note` (why late) and
    `new_due_date` (form 04)."""

    step: AgencyStepName
    note: Note = ""
    items: list[SupplementItemIn] = Field(default_factory=list, max_length=40)
    reasons: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=20)
    assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None
    new_due_date: date | None = None


class InboxItemOut(LegalClockOut):
    code: str
    status: DossierStatus
    status_vi: str
    status_en: str
    procedure_code: str
    procedure_name_vi: str
    site_code: str
    agency_name_vi: str | None
    applicant_name: str
    received_at: datetime
    forwarded_at: datetime | None
    assigned_name: str | None


class InboxCountsOut(BaseModel):
    open: int
    mine: int
    overdue: int
    due_soon: int
    supplement: int
    incoming: int
    to_send_back: int


class InboxOut(BaseModel):
    agency_code: str
    agency_name_vi: str
    total: int
    items: list[InboxItemOut]
    counts: InboxCountsOut


class OfficerOut(BaseModel):
    id: int
    username: str
    full_name: str
    head: bool


class DueListOut(BaseModel):
    total: int
    items: list[InboxItemOut]


class DueListsOut(BaseModel):
    today: date
    tomorrow: date
    overdue: DueListOut
    due_today: DueListOut
    due_tomorrow: DueListOut


class AlertRunOut(BaseModel):
    day: date
    sent: int  # notices sent now (one per officer, day and kind)
    already_sent: int
    recipients: list[str]
