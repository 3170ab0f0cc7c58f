"""The wire protocol: request and reply bodies of the HTTP API and WebSocket messages.

Apps and the server both import these models, so a field renamed on one side breaks the
other's tests instead of a lobby.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .enums import (
    CounterState,
    EventType,
    PriorityClass,
    Role,
    SiteKind,
    TicketStatus,
    TransferTarget,
)
from .wait_words import WaitShown

# The one wait figure of a line or a ticket, with its words (shared/wait_words.py):
# {"state": "minutes"|"soon"|"no_counter_open"|"called"|"over", "minutes": 35 | null,
#  "people_ahead": 5 | null, "text_vi": "khoảng 35 phút", "text_en": "about 35 min"}.
# Every surface shows this figure; `estimated_wait_minutes` is the model's raw number.
WaitOut = WaitShown

# Text never carries NUL: PostgreSQL cannot store it, and it is never meant.
NO_NUL = r"^[^\x00]*$"
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=NO_NUL)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=NO_NUL)]
# Ids fit a 32-bit integer column on both databases.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
RequestKey = Annotated[str, StringConstraints(min_length=8, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


class Strict(BaseModel):
    """Request bodies refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    code: str
    message: str  # Vietnamese
    message_en: str
    errors: list[dict[str, Any]] | None = None


# ---- auth -------------------------------------------------------------------------------
class LoginIn(Strict):
    username: ShortText
    password: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]


class StaffOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    site_id: int | None
    agency_id: int | None = None  # processors: their processing agency


class LoginOut(BaseModel):
    token: str
    expires_at: datetime
    staff: StaffOut


# ---- sites and catalog -------------------------------------------------------------------
class SiteOut(BaseModel):
    id: int
    code: str
    name_vi: str
    name_en: str
    kind: SiteKind
    address: str
    latitude: float
    longitude: float
    opening_hours: dict[str, Any]
    notice: str


class ServiceOut(BaseModel):
    id: int
    code: str
    name_vi: str
    name_en: str
    prefix: str
    kind: str


class FieldOut(BaseModel):
    id: int
    name_vi: str
    procedure_count: int
    name_en: str = ""  # from the catalog's English table (catalog_data/fields_en.csv)


class ProcedureOut(BaseModel):
    id: int
    code: str
    name_vi: str
    field_id: int
    field_vi: str
    provincial: bool
    commune: bool
    time_value: float | None
    time_unit_vi: str
    fee_vi: str
    agency_vi: str
    channels_vi: str
    source_url: str
    service_id: int | None = None  # the queue serving it at the site asked about (null: not received there)
    field_en: str = ""  # the field in English (catalog_data/fields_en.csv)


class ProcedurePage(BaseModel):
    total: int
    items: list[ProcedureOut]


# ---- tickets -----------------------------------------------------------------------------
class IssueTicketIn(Strict):
    procedure_code: Code | None = None
    service_id: Id | None = None
    priority: PriorityClass = PriorityClass.NORMAL
    # Issue for another site (the kiosk offered a shorter line there).
    site_code: Code | None = None
    # One key per citizen request, sent again on "try again": a retry after a lost answer
    # returns the ticket already issued instead of a second one.
    request_id: RequestKey | None = None


class TicketOut(BaseModel):
    id: int
    label: str
    status: TicketStatus
    priority: PriorityClass
    site_id: int
    site_code: str
    site_name_vi: str
    service_id: int
    service_code: str
    service_name_vi: str
    service_name_en: str
    procedure_code: str | None
    procedure_name_vi: str | None
    counter_id: int | None
    counter_number: int | None
    target_counter_id: int | None = None
    issued_at: datetime
    arrived_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    recall_count: int
    printed: bool | None = None
    people_ahead: int | None = None
    estimated_wait_minutes: int | None = None  # the model's raw minutes: compare, never show
    wait: WaitOut | None = None  # the figure to show (see WaitOut)
    tracking_token: str | None = None
    tracking_url: str | None = None


class PublicTicketOut(BaseModel):
    """What the citizen's phone page may see: no personal data, no internal ids."""

    label: str
    status: TicketStatus
    site_code: str
    site_name_vi: str
    site_name_en: str
    site_address: str
    service_name_vi: str
    service_name_en: str
    counter_number: int | None
    people_ahead: int | None
    estimated_wait_minutes: int | None
    wait: WaitOut | None = None
    issued_at: datetime
    called_at: datetime | None


class PrintResultIn(Strict):
    """The kiosk's report after trying to print a ticket it was given."""

    printed: bool
    error_kind: Literal["offline", "paper_out", "error"] | None = None
    message: Reason = ""


class CallSpecificIn(Strict):
    ticket_id: Id
    reason: Reason = ""


class CallNextIn(Strict):
    finish_current: bool = False


class PauseIn(Strict):
    reason: Reason = ""


class ResumeIn(Strict):
    ticket_id: Id


class TransferIn(Strict):
    target: TransferTarget
    service_id: Id | None = None
    counter_id: Id | None = None
    site_code: Code | None = None
    reason: Reason = ""

    @model_validator(mode="after")
    def _target_given(self) -> "TransferIn":
        needed = {TransferTarget.SERVICE: "service_id", TransferTarget.COUNTER: "counter_id",
                  TransferTarget.SITE: "site_code"}[self.target]
        if getattr(self, needed) is None:
            raise ValueError(f"transfer to a {self.target.value} needs {needed}")
        return self


# ---- counters and snapshots --------------------------------------------------------------
class CounterServiceOut(BaseModel):
    service_id: int
    service_code: str
    weight: int


class CounterOut(BaseModel):
    id: int
    site_id: int
    number: int
    name: str
    state: CounterState
    pause_reason: str
    staff_id: int | None
    staff_name: str | None
    services: list[CounterServiceOut]
    current_ticket: TicketOut | None


class ServiceQueueOut(BaseModel):
    service_id: int
    service_code: str
    service_name_vi: str
    service_name_en: str
    waiting: int
    priority_waiting: int
    longest_wait_seconds: int
    estimated_wait_minutes: int | None
    wait: WaitOut | None = None  # what a ticket taken now would wait


class CallOut(BaseModel):
    ticket_id: int
    label: str
    counter_id: int
    counter_number: int
    service_id: int
    called_at: datetime
    recall_count: int


class SiteSnapshot(BaseModel):
    seq: int
    taken_at: datetime
    site: SiteOut
    counters: list[CounterOut]
    queues: list[ServiceQueueOut]
    recent_calls: list[CallOut]


class WaitingTicketOut(BaseModel):
    id: int
    label: str
    service_id: int
    priority: PriorityClass
    arrived_at: datetime
    wait_seconds: int
    target_counter_id: int | None


class CounterFigures(BaseModel):
    served_today: int
    no_show_today: int
    average_service_seconds: int | None


class CounterSnapshot(BaseModel):
    seq: int
    taken_at: datetime
    counter: CounterOut
    held_tickets: list[TicketOut]
    queues: list[ServiceQueueOut]
    waiting: list[WaitingTicketOut]
    figures: CounterFigures


class EstimateOut(BaseModel):
    site_code: str
    service_id: int
    people_waiting: int
    estimated_wait_minutes: int | None
    serving_counters: int
    wait: WaitOut | None = None


class OtherSiteOut(BaseModel):
    """Another site of the province that serves a procedure: where it is, how far away, and
    how long its line is. What the kiosk shows of it, whether as a site nearby that would
    serve sooner (`NearbySiteOut`) or as the place a procedure not received here is
    received (`menu_protocol.ElsewhereOut`)."""

    site_code: str
    site_name_vi: str
    site_name_en: str
    address: str
    distance_km: float
    travel_minutes: int
    service_id: int
    people_waiting: int
    estimated_wait_minutes: int | None


class NearbySiteOut(OtherSiteOut):
    wait: WaitOut | None = None
    sooner: bool  # going there (the trip included) beats waiting here


class NearbyOut(BaseModel):
    here: EstimateOut | None
    sites: list[NearbySiteOut]


# ---- realtime ----------------------------------------------------------------------------
class EventMessage(BaseModel):
    """One event on a WebSocket stream. `seq` increases by one per site; a client that sees
    a gap (or a heartbeat ahead of it) fetches the site snapshot and carries on."""

    kind: Literal["event"] = "event"
    type: EventType
    site_id: int
    seq: int
    at: datetime
    ticket: dict[str, Any] | None = None
    counter: dict[str, Any] | None = None
    waiting: dict[str, int] = Field(default_factory=dict)  # service id -> waiting count
    waits: dict[str, WaitOut] = Field(default_factory=dict)  # service id -> the line's wait figure
    data: dict[str, Any] = Field(default_factory=dict)


class HeartbeatMessage(BaseModel):
    kind: Literal["heartbeat"] = "heartbeat"
    seqs: dict[str, int]  # site id -> latest seq the server knows


class HelloMessage(BaseModel):
    kind: Literal["hello"] = "hello"
    seqs: dict[str, int]
