"""Wire models of dossiers (hồ sơ), digitized files, return visits and satisfaction ratings.

The counter client, the kiosk and the citizen's phone page build their requests from these,
and the server validates them with the same models. The status and action names are defined here,
once, and the server's domain imports them (shared may not import the server).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from .protocol import Code, Strict, TicketOut

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


# The lookup PIN printed on the receipt slip: 12 digits (docs/security.md has the
# arithmetic), printed and shown in groups of four so it is read out and typed without
# losing one's place. Slips printed before carry 6 digits, which open nothing any more.
LOOKUP_PIN_DIGITS = 12
OLD_SLIP_PIN_DIGITS = 6


def format_lookup_pin(pin: str) -> str:
    """'482109375526' -> '4821 0937 5526'."""
    if not pin.isdigit() or len(pin) != LOOKUP_PIN_DIGITS:
        return pin
    return " ".join(pin[i:i + 4] for i in range(0, len(pin), 4))


class DossierStatus(StrEnum):
    """The one definition of a dossier's statuses: the server's domain imports it."""

    RECEIVED = "received"  # đã tiếp nhận
    FORWARDED = "forwarded"  # đã chuyển cơ quan giải quyết, chờ cơ quan nhận
    PROCESSING = "processing"  # đang giải quyết
    SUPPLEMENT_REQUESTED = "supplement_requested"  # chờ bổ sung, hoàn thiện
    RESOLVED = "resolved"  # cơ quan đã có kết quả, đang chuyển về Bộ phận Một cửa
    READY = "ready"  # có kết quả, chờ trả
    RETURNED = "returned"  # đã trả kết quả
    REFUSED = "refused"  # từ chối giải quyết
    STOPPED = "stopped"  # dừng giải quyết (công dân rút hồ sơ, hoặc dừng theo quy định)


class DossierAction(StrEnum):
    """The steps a dossier takes; `queue_server.domain.dossier` holds which lead where."""

    START_PROCESSING = "start_processing"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    REFUSE = "refuse"
    MARK_READY = "mark_ready"
    RETURN_RESULT = "return_result"
    # The processing agency's part (after the counter): the center forwards the dossier,
    # the agency accepts it, has the result, and sends it back to the center for return.
    FORWARD = "forward"
    ACCEPT = "accept"
    RESOLVE = "resolve"
    SEND_BACK = "send_back"
    # Processing stops before a result (form 05 of Circular 03/2025/TT-VPCP): the citizen
    # withdraws the dossier, or the law requires the case to stop.
    STOP = "stop"


STATUS_VI = {
    DossierStatus.RECEIVED: "Đã tiếp nhận",
    DossierStatus.FORWARDED: "Đã chuyển cơ quan giải quyết",
    DossierStatus.RESOLVED: "Đã có kết quả, đang chuyển về nơi trả",
    DossierStatus.PROCESSING: "Đang giải quyết",
    DossierStatus.SUPPLEMENT_REQUESTED: "Chờ bổ sung hồ sơ",
    DossierStatus.READY: "Đã có kết quả, chờ trả",
    DossierStatus.RETURNED: "Đã trả kết quả",
    DossierStatus.REFUSED: "Từ chối giải quyết",
    DossierStatus.STOPPED: "Đã dừng giải quyết",
}
STATUS_EN = {
    DossierStatus.RECEIVED: "Received",
    DossierStatus.FORWARDED: "Sent to the processing agency",
    DossierStatus.RESOLVED: "Result ready, on its way to the center",
    DossierStatus.PROCESSING: "Being processed",
    DossierStatus.SUPPLEMENT_REQUESTED: "Waiting for missing documents",
    DossierStatus.READY: "Result ready for collection",
    DossierStatus.RETURNED: "Result returned",
    DossierStatus.REFUSED: "Refused",
    DossierStatus.STOPPED: "Processing stopped",
}


class ApplicantIdKind(StrEnum):
    CITIZEN_ID = "citizen_id"  # số định danh cá nhân / CCCD: 12 digits
    TAX_CODE = "tax_code"  # mã số thuế: 10 digits, or 10-3 for a branch
    PASSPORT = "passport"  # hộ chiếu (foreigners)


_ID_PATTERNS = {
    ApplicantIdKind.CITIZEN_ID: (re.compile(r"[0-9]{12}"), "12 chữ số", "12 digits"),
    ApplicantIdKind.TAX_CODE: (re.compile(r"[0-9]{10}(-[0-9]{3})?"), "10 chữ số (hoặc 10-3)",
                               "10 digits (or 10-3)"),
    ApplicantIdKind.PASSPORT: (re.compile(r"[A-Z0-9]{6,12}"), "6-12 chữ cái in hoa hoặc chữ số",
                               "6-12 capital letters or digits"),
}


class DocumentForm(StrEnum):
    """How a document was handed in (the receipt prints the Vietnamese words)."""

    ORIGINAL = "original"  # bản chính
    COPY = "copy"  # bản sao
    CERTIFIED_COPY = "certified_copy"  # bản sao có chứng thực


DOCUMENT_FORM_VI = {
    DocumentForm.ORIGINAL: "Bản chính",
    DocumentForm.COPY: "Bản sao",
    DocumentForm.CERTIFIED_COPY: "Bản sao có chứng thực",
}


class RatingLevel(StrEnum):
    VERY_SATISFIED = "very_satisfied"  # Rất hài lòng
    SATISFIED = "satisfied"  # Hài lòng
    UNSATISFIED = "unsatisfied"  # Không hài lòng


RATING_VI = {
    RatingLevel.VERY_SATISFIED: "Rất hài lòng",
    RatingLevel.SATISFIED: "Hài lòng",
    RatingLevel.UNSATISFIED: "Không hài lòng",
}


# ---- reception ---------------------------------------------------------------------------
class ApplicantIn(Strict):
    name: Name
    id_kind: ApplicantIdKind = ApplicantIdKind.CITIZEN_ID
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1,
                                                max_length=40)]
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20,
                                            pattern=r"^(\+?[0-9][0-9 .-]{6,18})?$")] = ""
    address: Line = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    birth_date: date | None = None  # from the ID card's QR (or typed)
    sex: Literal["", "Nam", "Nữ"] = ""

    @model_validator(mode="after")
    def _id_matches_kind(self) -> ApplicantIn:
        pattern, vi, en = _ID_PATTERNS[self.id_kind]
        compact = self.id_number.replace(" ", "")
        if not pattern.fullmatch(compact):
            raise ValueError(f"id_number for {self.id_kind.value} must be {en} ({vi})")
        self.id_number = compact
        return self


class DocumentIn(Strict):
    """One line of the checklist: what was handed in, how many, in which form."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    copies: int = Field(1, ge=1, le=99)
    form: DocumentForm = DocumentForm.ORIGINAL
    issue_date: date | None = None  # where the paper shows it (kept in the citizen's store)
    valid_until: date | None = None
    # Satisfied by a document already in the citizen's store: its stored files are linked
    # to this dossier (no re-scan) and the receipt says "tái sử dụng từ hồ sơ …".
    citizen_document_id: int | None = Field(None, ge=1, le=2**31 - 1)


MAX_FEE_VND = 1_000_000_000_000


class ReceiveDossierIn(Strict):
    """Receive a dossier for the ticket the counter is serving. `procedure_code` defaults to
    the ticket's; `ticket_id`, if given, must be the counter's current ticket (so a slow
    form never lands on the next citizen)."""

    procedure_code: Code | None = None
    ticket_id: int | None = Field(None, ge=1)
    applicant: ApplicantIn
    documents: list[DocumentIn] = Field(default_factory=list, max_length=60)
    notes: Note = ""
    # The fee the clerk confirmed with the citizen, in dong (0: none). Left out: the
    # procedure's structured fee, when it states one amount.
    fee_vnd: int | None = Field(None, ge=0, le=MAX_FEE_VND)


class ApplicantOut(BaseModel):
    name: str
    id_kind: ApplicantIdKind
    id_number: str
    phone: str
    address: str
    email: str
    birth_date: date | None = None
    sex: str = ""


class DocumentOut(BaseModel):
    name: str
    copies: int
    form: DocumentForm
    issue_date: date | None = None
    valid_until: date | None = None
    citizen_document_id: int | None = None
    reused_from: str | None = None  # the dossier code the stored document was digitized for


class AttachmentOut(BaseModel):
    id: int
    sha256: str
    file_name: str
    media_type: str
    size: int
    document_index: int | None
    uploaded_at: datetime
    uploaded_by_name: str
    download_path: str  # under /api/v1, staff only
    reused_from: str | None = None  # linked from the citizen's store: the first dossier's code


class UploadedAttachmentOut(AttachmentOut):
    already_stored: bool  # the same bytes were stored before (kept once, linked again)


class SupplementItemIn(Strict):
    what: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class DossierEventOut(BaseModel):
    at: datetime
    action: str  # "receive" or a DossierAction
    from_status: DossierStatus | None
    to_status: DossierStatus
    staff_name: str | None
    counter_number: int | None
    note: str
    data: dict[str, Any] = Field(default_factory=dict)


class FeeOut(BaseModel):
    """A dossier's fee: what is due, whether it is paid, and how to pay by transfer."""

    amount_vnd: int
    amount_text: str  # "50.000 đồng"
    catalog_amount_vnd: int | None  # the procedure's fee, when it states one amount
    status: Literal["unpaid", "paid"]
    method: Literal["cash", "transfer"] | None = None
    paid_at: datetime | None = None
    paid_by_name: str | None = None
    receipt_number: str | None = None  # "BL26-HUETT/0000001"
    payment_purpose: str  # the transfer description: the dossier code
    vietqr: str | None = None  # the payload of the VietQR code; None when paid or no account set
    bank_name: str = ""
    account_name: str = ""
    account_number: str = ""


class LegalClockOut(BaseModel):
    due_date: date | None  # the slip's (or the restarted clock's) day
    new_due_date: date | None  # the apology's new appointment (form 04)
    effective_due: date | None
    days_left: int | None  # working days; 0 on the day, negative once late; None when stopped
    clock_stopped: bool  # waiting for the citizen's supplement
    stopped_days_left: int | None
    overdue: bool
    late: bool  # past the slip's day, or an apology was sent: counts as late
    apologized: bool


class HandoffOut(BaseModel):
    at: datetime
    kind: str  # forward | assign | supplement | supplement_in | refuse | send_back | return
    from_kind: str  # center | agency | officer | citizen
    from_name: str
    to_kind: str
    to_name: str
    deadline: date | None
    timeliness: str | None  # early | on_time | late
    timeliness_vi: str
    timeliness_en: str
    note: str


class DossierOut(BaseModel):
    id: int
    code: str
    status: DossierStatus
    status_vi: str
    site_code: str
    site_name_vi: str
    agency_code: str
    procedure_code: str
    procedure_name_vi: str
    legal_time_vi: str  # "05 ngày làm việc"; empty when the catalog gives none
    applicant: ApplicantOut
    documents: list[DocumentOut]
    notes: str
    received_at: datetime
    received_by_name: str
    counter_number: int | None
    intake_ticket_id: int | None
    intake_ticket_label: str | None
    due_date: date | None  # the appointment day (local); None: written by hand on the slip
    due_at: datetime | None  # hour-based procedures: the exact moment
    overdue: bool
    attachments: list[AttachmentOut]
    history: list[DossierEventOut]
    lookup_url: str
    fee: FeeOut | None = None  # None: no fee
    # The citizen's lookup PIN, only in the reply that created it (printed on the slip,
    # stored as a keyed digest only).
    lookup_pin: str | None = None
    # After the counter: the processing agency, the officer holding it, the legal clock and
    # every hand-off (the control slip, form 06).
    processing_agency_code: str | None = None
    processing_agency_name_vi: str | None = None
    assigned_username: str | None = None
    assigned_name: str | None = None
    forward_deadline: date | None = None  # the 15:00 rule's day for handing it to the agency
    forwarded_at: datetime | None = None
    clock: LegalClockOut | None = None
    handoffs: list[HandoffOut] = Field(default_factory=list)


class DossierSummaryOut(BaseModel):
    id: int
    code: str
    status: DossierStatus
    procedure_code: str
    applicant_name: str
    received_at: datetime
    due_date: date | None
    due_at: datetime | None
    overdue: bool
    attachment_count: int


class DossierPage(BaseModel):
    total: int
    items: list[DossierSummaryOut]


class DossierTransitionIn(Strict):
    """A step in the dossier's life. `request_supplement` lists every missing item (the
    "guide once, in writing" rule); `refuse` and `request_supplement` need a note."""

    action: DossierAction
    note: Note = ""
    items: list[SupplementItemIn] = Field(default_factory=list, max_length=40)
    counter_id: int | None = Field(None, ge=1)  # where it happened, e.g. the return desk

    @model_validator(mode="after")
    def _items_only_for_supplement(self) -> DossierTransitionIn:
        if self.action is DossierAction.REQUEST_SUPPLEMENT and not self.items:
            raise ValueError("request_supplement must list the missing items")
        if self.action is not DossierAction.REQUEST_SUPPLEMENT and self.items:
            raise ValueError("items are only for request_supplement")
        return self


class StopGround(StrEnum):
    WITHDRAWN = "withdrawn"  # the citizen asks in writing to stop and withdraw the dossier
    BY_LAW = "by_law"  # the law requires the case to stop


class StopIn(Strict):
    """Stop processing before a result (form 05, "Thông báo dừng giải quyết hồ sơ"):
    the reason always; the legal basis when stopping under the law (a withdrawal's basis
    is the citizen's written request unless another is given)."""

    ground: StopGround
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class NewPinOut(BaseModel):
    code: str
    lookup_pin: str


# ---- public lookup (no login) ------------------------------------------------------------
class PublicDossierEventOut(BaseModel):
    at: datetime
    status: DossierStatus
    status_vi: str


class CitizenStepOut(BaseModel):
    at: datetime
    action: str
    text_vi: str
    text_en: str


class PublicDossierOut(BaseModel):
    """What the slip's QR page shows with the right PIN: nothing personal beyond the slip."""

    code: str
    status: DossierStatus
    status_vi: str
    status_en: str
    procedure_code: str
    procedure_name_vi: str
    site_name_vi: str
    site_address: str
    received_at: datetime
    due_date: date | None
    due_at: datetime | None
    overdue: bool
    history: list[PublicDossierEventOut]
    supplement_items: list[dict[str, str]] = Field(default_factory=list)
    # The path after the counter, in the citizen's words.
    steps: list[CitizenStepOut] = Field(default_factory=list)
    agency_name_vi: str | None = None
    new_due_date: date | None = None  # the apology's new appointment (form 04)
    apology: dict[str, Any] | None = None  # new_due_date, reason, at
    refusal_reasons: list[str] = Field(default_factory=list)
    stop: dict[str, Any] | None = None  # form 05: reason, legal_basis, ground, at, unit
    result_ready: bool = False  # bring the receipt: the kiosk gives a return ticket from its QR
    collect_at: dict[str, str] | None = None  # name, address of the place of return


# ---- return-of-results visit -------------------------------------------------------------
class ReturnTicketIn(Strict):
    """From a kiosk: the dossier code typed, or the whole lookup URL its QR code holds."""

    dossier_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class ReturnTicketOut(TicketOut):
    dossier_code: str
    reused: bool = False  # an active return ticket existed already (double scan)


# ---- satisfaction ------------------------------------------------------------------------
class RatingIn(Strict):
    level: RatingLevel
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class CounterRatingIn(RatingIn):
    """From the counter's citizen-facing screen; rates the counter's last finished ticket,
    or `ticket_id` if given (it must be one this counter finished)."""

    ticket_id: int | None = Field(None, ge=1)


class RatingOut(BaseModel):
    ticket_label: str
    level: RatingLevel
    level_vi: str
    reason: str
    rated_at: datetime
    source: str  # "citizen" | "counter"


class StaffRatingOut(RatingOut):
    ticket_id: int
    counter_number: int | None
    staff_name: str | None
    service_code: str


class RatingSummaryOut(BaseModel):
    total: int
    by_level: dict[RatingLevel, int]
    satisfied_percent: float | None  # very satisfied + satisfied, of all ratings
    items: list[StaffRatingOut]
