"""Vocabulary shared by the server and every app; values travel on the wire as strings."""

from enum import StrEnum


class SiteKind(StrEnum):
    CENTER = "center"  # provincial center (Trung tâm Phục vụ hành chính công)
    BRANCH = "branch"  # chi nhánh
    COMMUNE = "commune"  # commune point (điểm tiếp nhận cấp xã)


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    HELD = "held"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


ACTIVE_AT_COUNTER = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
FINAL_STATUSES = frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED})


class PriorityClass(StrEnum):
    NORMAL = "normal"
    ELDERLY = "elderly"
    DISABILITY = "disability"
    PREGNANCY = "pregnancy"
    MERIT = "merit"  # người có công
    CHILD = "child"  # with a young child
    APPOINTMENT = "appointment"


class CounterState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    # An officer of a processing agency (cơ quan giải quyết): belongs to an agency, not a
    # site, and sees only that agency's dossiers.
    PROCESSOR = "processor"


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"


class EventType(StrEnum):
    TICKET_ISSUED = "TicketIssued"
    TICKET_CALLED = "TicketCalled"
    TICKET_RECALLED = "TicketRecalled"
    TICKET_STARTED = "TicketStarted"
    TICKET_SERVED = "TicketServed"
    TICKET_NO_SHOW = "TicketNoShow"
    TICKET_REQUEUED = "TicketRequeued"
    TICKET_TRANSFERRED = "TicketTransferred"
    TICKET_HELD = "TicketHeld"
    TICKET_RESUMED = "TicketResumed"
    TICKET_CANCELLED = "TicketCancelled"
    TICKET_PRINT_FAILED = "TicketPrintFailed"
    COUNTER_OPENED = "CounterOpened"
    COUNTER_PAUSED = "CounterPaused"
    COUNTER_CLOSED = "CounterClosed"
    DOSSIER_RECEIVED = "DossierReceived"
    DOSSIER_STATUS_CHANGED = "DossierStatusChanged"
    DOSSIER_FILES_ATTACHED = "DossierFilesAttached"
    DOSSIER_FEE_PAID = "DossierFeePaid"
    TICKET_RATED = "TicketRated"
    # Manager actions (web dashboard); their staff_id and time make the audit trail.
    NOTICE_POSTED = "NoticePosted"
    COUNTER_SERVICES_CHANGED = "CounterServicesChanged"


class TransferTarget(StrEnum):
    SERVICE = "service"
    COUNTER = "counter"
    SITE = "site"
