"""Wire models of the citizen's document store (reuse of digitized papers) and of fees:
the procedure's structured fee, a dossier's fee and its payment, the bank statement import."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from .dossier_protocol import MAX_FEE_VND
from .protocol import Strict

Amount = Annotated[int, Field(ge=0, le=MAX_FEE_VND)]


class ReadPurpose(StrEnum):
    """Why a citizen's stored documents are read (mirrors queue_server.domain.document_access)."""

    RECEPTION = "reception"  # tiếp nhận hồ sơ mới
    PROCESSING = "processing"  # giải quyết hồ sơ
    VERIFICATION = "verification"  # đối chiếu, xác minh


class StoredPageOut(BaseModel):
    attachment_id: int
    sha256: str
    file_name: str
    media_type: str
    size: int


class CitizenDocumentOut(BaseModel):
    id: int
    kind: str  # the checklist item it was received as
    issue_date: date | None
    valid_until: date | None
    still_valid: bool  # valid_until not passed (or not known)
    source_dossier_code: str
    received_at: datetime
    site_name_vi: str
    expires_at: datetime | None  # when the store stops offering it (retention)
    pages: list[StoredPageOut]


class CitizenDocumentsOut(BaseModel):
    """The reusable documents of one ID. Every such reply was written to the audit log
    (who read, why, whose documents) before it was sent."""

    id_kind: str
    id_number: str
    purpose: ReadPurpose
    items: list[CitizenDocumentOut]


# ---- fees -----------------------------------------------------------------------------------
class ProcedureFeeOut(BaseModel):
    procedure_code: str
    kind: Literal["amount", "free", "unknown"]
    amount_vnd: int | None
    amount_text: str  # "50.000 đồng", "Miễn phí", "Chưa rõ mức thu"
    source: Literal["catalog", "manager"]
    catalog_text: str  # the fee as the national catalog writes it
    note: str = ""


class ProcedureFeeIn(Strict):
    """A manager's structured fee: an amount in dong, or null for no fee."""

    amount_vnd: int | None = Field(None, ge=1, le=MAX_FEE_VND)
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""


class DossierFeeIn(Strict):
    """The fee confirmed with the citizen (0: none). Only while it is unpaid."""

    amount_vnd: Amount


class FeePaymentIn(Strict):
    method: Literal["cash", "transfer"]
    bank_ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] | None = None


class StatementLineOut(BaseModel):
    line: int  # 1-based, as in the file (the header is line 1)
    booked_on: date | None
    amount_vnd: int | None
    description: str
    bank_ref: str
    outcome: Literal["paid", "partial", "overpaid", "already_paid", "duplicate", "unknown", "skipped", "invalid"]
    dossier_code: str | None = None
    expected_vnd: int | None = None
    message_vi: str
    message_en: str


class StatementImportOut(BaseModel):
    lines: list[StatementLineOut]
    counts: dict[str, int]
    paid_vnd: int  # total of the transfers marked paid by this import
