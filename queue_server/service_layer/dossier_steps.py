"""What every dossier handler does around its step: load the dossier (locked), check the
caller's site and the step against the status, tell the site's stream, and forward to the
processing agency (the 15:00 rule), which reception, the center and a supplement share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from queue_server.domain.dossier import DossierAction, InvalidDossierCode, next_dossier_status
from queue_server.domain.dossier_record import Dossier
from queue_server.domain.errors import Forbidden
from queue_server.domain.legal_clock import forward_deadline
from queue_server.service_layer import dossier_flow as flow
from queue_server.service_layer.dossier_views import canonical_code, dossier_not_found
from queue_server.service_layer.unit_of_work import PendingEvent, UnitOfWork
from shared.enums import EventType


def load(uow: UnitOfWork, code: str) -> Dossier:
    """The dossier a step acts on, by its code as typed; locked until commit."""
    try:
        wanted = canonical_code(code)
    except InvalidDossierCode:
        raise dossier_not_found(code) from None
    dossier = uow.dossiers.get(wanted, for_update=True)
    if dossier is None:
        raise dossier_not_found(wanted)
    return dossier


def check_site(dossier: Dossier, allowed_site: int | None) -> None:
    if allowed_site is not None and dossier.site_id != allowed_site:
        raise Forbidden("Hồ sơ này thuộc điểm phục vụ khác.", "This dossier belongs to another site.")


def check_step(dossier: Dossier, action: DossierAction) -> None:
    """Refuse (IllegalDossierTransition) a step the status does not allow, before the
    step's own checks run."""
    next_dossier_status(action, dossier.current, dossier.code)


def emit_dossier(uow: UnitOfWork, type_: EventType, dossier: Dossier, staff_id: int | None,
                 data: dict[str, Any], *, ticket: dict[str, Any] | None = None,
                 counter_id: int | None = None) -> None:
    # Events reach the site's stream (lobby displays too): codes and statuses only, never
    # the applicant's personal data.
    uow.emit(PendingEvent(type=type_, site_id=dossier.site_id, ticket=ticket, counter_id=counter_id,
                          staff_id=staff_id, data={"dossier_id": dossier.id, "dossier_code": dossier.code, **data}))


def forward_now(uow: UnitOfWork, dossier: Dossier, agency: Row, staff_id: int, note: str = "") -> None:
    """Hand a received dossier to its processing agency: status, the hand-off row judged
    against the 15:00 rule's day, the log, the site's stream."""
    rules = uow.policies.dossiers
    check_step(dossier, DossierAction.FORWARD)
    current = dossier.current
    deadline = dossier.forward_deadline
    if deadline is None:  # received before agencies existed: the rule applied to its receipt
        deadline = forward_deadline(rules.calendar, dossier.received_at.astimezone(rules.tz), rules.forward_cutoff)
    if dossier.agency_id != agency.id:
        flow.move_reception(uow, dossier, agency.id)
    judged = flow.record_handoff(
        uow, dossier, "forward", from_kind=flow.CENTER, from_name=flow.center_name(uow, dossier), from_staff_id=staff_id,
        to_kind=flow.AGENCY, to_name=agency.name_vi, deadline=deadline, done_day=flow.local_day(uow.now, rules), note=note,
        agency_id=agency.id)
    dossier.forward(agency.id, staff_id, at=uow.now, deadline=deadline, note=note,
                    data={"agency_code": agency.code, "agency_name": agency.name_vi, "deadline": deadline.isoformat(),
                          "timeliness": judged.value if judged else None})
    uow.dossiers.save(dossier, uow.now)
    emit_dossier(uow, EventType.DOSSIER_STATUS_CHANGED, dossier, staff_id,
                 {"action": DossierAction.FORWARD.value, "from_status": current.value, "status": dossier.status})
