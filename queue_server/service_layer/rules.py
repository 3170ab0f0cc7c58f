"""The configurable queue rules a handler needs, taken once from Settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from queue_server.domain.calendar import PackageHolidays, WorkingCalendar
from queue_server.domain.ordering import DEFAULT_PRIORITY_WEIGHTS, OrderingPolicy, make_policy
from shared.enums import PriorityClass

if TYPE_CHECKING:  # the rule sets below import the handlers' modules, which import this one
    from queue_server.service_layer.bookings import BookingRules
    from queue_server.service_layer.citizen_documents import StoreRules
    from queue_server.service_layer.dossiers import DossierRules

# Computing a year of Vietnamese holidays (lunar dates) takes a good part of a second; the
# result never changes, so every calendar in the process (dossier due dates, booking days)
# shares one source.
_VN_HOLIDAYS = PackageHolidays("VN")


def working_calendar(settings) -> WorkingCalendar:  # noqa: ANN001
    """Vietnam's working days with the operator's extra days off and make-up working days."""
    return WorkingCalendar(holidays=_VN_HOLIDAYS, extra_days_off=settings.calendar_extra_days_off,
                           extra_working_days=settings.calendar_extra_working_days)


@dataclass(frozen=True)
class QueueRules:
    tz: ZoneInfo
    rollover: time
    policy: OrderingPolicy
    public_base_url: str
    no_show_after_recalls: int = 1
    no_show_requeue: str = "never"  # never | back_of_line | keep_place
    max_requeues: int = 1
    priority_weights: dict[PriorityClass, int] = field(default_factory=lambda: dict(DEFAULT_PRIORITY_WEIGHTS))

    @classmethod
    def from_settings(cls, settings) -> QueueRules:  # noqa: ANN001 - avoid importing Settings here
        return cls(
            tz=settings.tz,
            rollover=settings.business_day_rollover,
            policy=make_policy(settings.ordering_policy, max_wait=settings.max_wait,
                               appointment_grace=timedelta(minutes=settings.appointment_early_minutes)),
            public_base_url=settings.public_base_url.rstrip("/"),
            no_show_after_recalls=settings.no_show_after_recalls,
            no_show_requeue=settings.no_show_requeue,
            max_requeues=settings.max_requeues,
        )

    def tracking_url(self, token: str) -> str:
        return f"{self.public_base_url}/t/{token}"


@dataclass(frozen=True)
class Policies:
    """Every rule set read from the settings, built once in bootstrap. Handlers reach them
    through their unit of work (`uow.policies`), so every handler has the shape (cmd, uow)."""

    queue: QueueRules
    dossiers: DossierRules
    bookings: BookingRules
    store: StoreRules

    @classmethod
    def from_settings(cls, settings, queue: QueueRules | None = None) -> Policies:  # noqa: ANN001
        from queue_server.service_layer.bookings import BookingRules
        from queue_server.service_layer.citizen_documents import StoreRules
        from queue_server.service_layer.dossiers import DossierRules

        return cls(queue=queue or QueueRules.from_settings(settings), dossiers=DossierRules.from_settings(settings),
                   bookings=BookingRules.from_settings(settings), store=StoreRules.from_settings(settings))
