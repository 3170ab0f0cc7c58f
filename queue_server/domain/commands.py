"""Commands: what a kiosk, a clerk or a manager asks the queue to do (imperative names)."""

from dataclasses import dataclass

from shared.enums import PriorityClass, TransferTarget


@dataclass(frozen=True)
class IssueTicket:
    device_site_id: int
    device_id: int | None
    procedure_code: str | None = None
    service_id: int | None = None
    priority: PriorityClass = PriorityClass.NORMAL
    site_code: str | None = None  # another site than the kiosk's
    request_key: str | None = None  # the kiosk's key for this citizen request (retries)


@dataclass(frozen=True)
class ReportPrintResult:
    ticket_id: int
    device_id: int
    printed: bool
    error_kind: str | None = None
    message: str = ""


@dataclass(frozen=True)
class CounterCommand:
    """Base of the counter actions: which desk, and which clerk pressed the button."""

    counter_id: int
    staff_id: int


@dataclass(frozen=True)
class OpenCounter(CounterCommand):
    pass


@dataclass(frozen=True)
class PauseCounter(CounterCommand):
    reason: str = ""


@dataclass(frozen=True)
class CloseCounter(CounterCommand):
    pass


@dataclass(frozen=True)
class CallNext(CounterCommand):
    finish_current: bool = False


@dataclass(frozen=True)
class CallSpecific(CounterCommand):
    ticket_id: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Recall(CounterCommand):
    pass


@dataclass(frozen=True)
class StartService(CounterCommand):
    pass


@dataclass(frozen=True)
class FinishService(CounterCommand):
    pass


@dataclass(frozen=True)
class MarkNoShow(CounterCommand):
    pass


@dataclass(frozen=True)
class HoldTicket(CounterCommand):
    pass


@dataclass(frozen=True)
class ResumeTicket(CounterCommand):
    ticket_id: int = 0


@dataclass(frozen=True)
class Transfer(CounterCommand):
    target: TransferTarget = TransferTarget.SERVICE
    service_id: int | None = None
    to_counter_id: int | None = None
    site_code: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class CancelTicket:
    ticket_id: int
    staff_id: int
    reason: str = ""
    allowed_site: int | None = None  # a clerk cancels only at their own site (None: any site)
