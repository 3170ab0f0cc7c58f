"""Every command of the dossier area, in one place: reception, digitizing, the steps at the
center and at the processing agency, stopping, the citizen's lookup, the return visit and
the rating. Each is handled by one function `(command, uow)` of the service layer.

`allowed_site` / `agency_id` carry who may act (a clerk's site, an officer's agency; None:
anywhere), so a handler needs nothing beyond its command and its unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from shared.identity_protocol import ReadPurpose

from .document_access import Reader
from .dossier import DossierAction

if TYPE_CHECKING:  # a value object the file store hands over; the domain only carries it
    from queue_server.adapters.file_store import StoredFile


# ---- at the counter --------------------------------------------------------------------------
@dataclass(frozen=True)
class ReceiveDossier:
    counter_id: int
    staff_id: int
    applicant: dict[str, Any]  # name, id_kind, id_number, phone, address, email, birth_date, sex
    documents: list[dict[str, Any]] = field(default_factory=list)  # name, copies, form (+ reuse, dates)
    notes: str = ""
    procedure_code: str | None = None
    ticket_id: int | None = None  # the ticket the clerk's form was opened for
    fee_vnd: int | None = None  # confirmed by the clerk; None: the procedure's structured fee
    reader: Reader | None = None  # who receives, for the document store's access policy


@dataclass(frozen=True)
class AttachFiles:
    code: str
    staff_id: int
    files: list[tuple[StoredFile, str]]  # stored content, name to show
    document_index: int | None = None


@dataclass(frozen=True)
class ChangeDossierStatus:
    code: str
    staff_id: int
    action: DossierAction
    note: str = ""
    items: list[dict[str, str]] = field(default_factory=list)  # what, reason
    counter_id: int | None = None
    allowed_site: int | None = None


@dataclass(frozen=True)
class NewLookupPin:
    code: str
    staff_id: int
    allowed_site: int | None = None


# ---- after the counter -------------------------------------------------------------------------
@dataclass(frozen=True)
class ForwardDossier:
    code: str
    staff_id: int
    agency_code: str | None = None  # None: the agency mapped at reception
    note: str = ""
    allowed_site: int | None = None


@dataclass(frozen=True)
class ForwardDueDossiers:
    """The courier run: every received dossier whose agency is known (of one site or all,
    of one agency or all)."""

    staff_id: int
    site_id: int | None = None
    agency_code: str | None = None


@dataclass(frozen=True)
class AgencyStep:
    code: str
    staff_id: int
    agency_id: int  # the caller's agency
    step: str
    note: str = ""
    items: list[dict[str, str]] = field(default_factory=list)  # request_supplement: what, reason
    reasons: list[str] = field(default_factory=list)  # refuse
    assignee: str | None = None  # assign: the officer's username
    new_due_date: date | None = None  # apologize
    files: list[tuple[StoredFile, str]] = field(default_factory=list)  # resolve: the digitized result


@dataclass(frozen=True)
class StopDossier:
    code: str
    staff_id: int
    ground: str  # withdrawn | by_law
    reason: str
    legal_basis: str = ""
    site_id: int | None = None  # one-stop staff: their site
    agency_id: int | None = None  # a processor: their agency


# ---- processing agencies (admin data) ---------------------------------------------------------
@dataclass(frozen=True)
class AgencyIn:
    code: str
    name_vi: str
    kind: str
    name_en: str = ""
    governing_body: str = ""
    catalog_terms: tuple[str, ...] = ()
    field_names: tuple[str, ...] = ()
    site_codes: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class SaveAgency:
    agency: AgencyIn
    agency_code: str | None = None  # None: a new agency; else the one to replace


@dataclass(frozen=True)
class ChooseProcedureAgency:
    procedure_code: str
    agency_code: str | None  # None: back to the catalog text


# ---- the citizen's document store ---------------------------------------------------------------
@dataclass(frozen=True)
class ReadCitizenDocuments:
    reader: Reader
    purpose: ReadPurpose
    note: str = ""
    counter_id: int | None = None  # a reception under way at this counter
    dossier_code: str | None = None  # or a dossier already received
    id_kind: str = "citizen_id"
    id_number: str = ""  # with counter_id: whose documents (the dossier gives its own)


@dataclass(frozen=True)
class ReadDocumentPage:
    read: ReadCitizenDocuments  # the read it is part of: the same policy and log
    document_id: int
    attachment_id: int


# ---- fees ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SetProcedureFee:
    procedure_code: str
    amount_vnd: int | None  # None: no fee
    note: str
    staff_id: int


@dataclass(frozen=True)
class SetDossierFee:
    code: str
    amount_vnd: int  # 0: none
    staff_id: int
    allowed_site: int | None = None


@dataclass(frozen=True)
class MarkFeePaid:
    code: str
    staff_id: int
    method: str  # cash | transfer
    bank_ref: str | None = None
    expected_vnd: int | None = None  # a statement line's amount: paid only if it matches
    allowed_site: int | None = None


# ---- the citizen -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LookUpDossier:
    code: str
    pin: str
    client: str  # the caller's address, for the attempt limits


@dataclass(frozen=True)
class IssueReturnTicket:
    device_site_id: int
    device_id: int
    dossier_code: str  # as typed or scanned: a code or the lookup URL


@dataclass(frozen=True)
class ImportStatement:
    """A bank statement (CSV bytes) whose credits mark fees paid; `allowed_site` limits it
    to one site's fees (None: the province)."""

    content: bytes
    staff_id: int
    allowed_site: int | None = None


@dataclass(frozen=True)
class SendNotices:
    """Today's overdue and due-tomorrow notices, each person once a day and kind, through
    `notifier` (service_layer/dossier_alerts.Notifier)."""

    notifier: Any


@dataclass(frozen=True)
class RateTicket:
    level: str
    reason: str = ""
    tracking_token: str | None = None  # from the citizen's phone page
    counter_id: int | None = None  # from the counter's citizen-facing screen
    ticket_id: int | None = None  # with counter_id: which finished ticket
