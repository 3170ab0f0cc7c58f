"""Stopping a dossier before it has a result: "Thông báo dừng giải quyết hồ sơ" (form 05
of Circular 03/2025/TT-VPCP). The citizen withdraws the dossier in writing, or the law
requires the case to stop; either way the reason and its legal basis are written down,
the citizen is told (the notice, their dossier page) and the dossier is closed.

One-stop staff stop the dossiers of their site wherever they are (the citizen comes to
the center to withdraw); a processing agency's officers stop only the dossiers their
agency holds now; managers any.
"""

from __future__ import annotations

from queue_server.domain.dossier import DossierAction, DossierStatus
from queue_server.domain.dossier_commands import StopDossier
from queue_server.domain.dossier_record import Dossier
from queue_server.domain.errors import Conflict, Forbidden, Invalid
from queue_server.service_layer import dossier_flow as flow
from queue_server.service_layer import dossier_steps as steps
from queue_server.service_layer import dossier_views as views
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.enums import EventType

WITHDRAWN, BY_LAW = "withdrawn", "by_law"
GROUND_VI = {
    WITHDRAWN: "Theo đề nghị dừng giải quyết, rút hồ sơ của người nộp hồ sơ",
    BY_LAW: "Dừng giải quyết theo quy định của pháp luật",
}
# The basis of a withdrawal is the citizen's own written request, unless the officer cites more.
WITHDRAWAL_BASIS = "Văn bản đề nghị dừng giải quyết, rút hồ sơ của người nộp hồ sơ"
AT_AGENCY = frozenset({DossierStatus.FORWARDED, DossierStatus.PROCESSING})


def stop_dossier(c: StopDossier, uow: UnitOfWork) -> int:
    """Returns the dossier's id (its reply is read after the commit)."""
    reason, basis = " ".join(c.reason.split()), " ".join(c.legal_basis.split())
    if c.ground not in GROUND_VI:
        raise Invalid(f"Căn cứ dừng không hợp lệ: {c.ground}.", f"`ground` must be one of {', '.join(GROUND_VI)}.",
                      code="invalid_ground")
    if not reason:
        raise Invalid("Hãy ghi rõ lý do dừng giải quyết hồ sơ.", "Give the reason for stopping (`reason`).",
                      code="reason_required")
    if c.ground == BY_LAW and not basis:
        raise Invalid("Hãy ghi căn cứ pháp lý của việc dừng giải quyết (văn bản, điều khoản).",
                      "Give the legal basis (`legal_basis`) for stopping under the law.", code="legal_basis_required")
    with uow:
        dossier = steps.load(uow, c.code)
        status = dossier.current
        _check_holder(c, dossier, status)
        steps.check_step(dossier, DossierAction.STOP)
        by_agency = c.agency_id is not None
        unit = uow.dossiers.agency(dossier.agency_id).name_vi if by_agency else flow.center_name(uow, dossier)
        flow.record_handoff(uow, dossier, "stop", from_kind=flow.AGENCY if by_agency else flow.CENTER,
                            from_name=unit, from_staff_id=c.staff_id, to_kind=flow.CITIZEN,
                            to_name=dossier.applicant_name, note=reason)
        flow.milestone(uow, dossier, "stopped")
        dossier.stop(c.staff_id, at=uow.now, reason=reason,
                     data={"ground": c.ground, "reason": reason, "legal_basis": basis or WITHDRAWAL_BASIS,
                           "by_agency": by_agency, "unit": unit})
        uow.dossiers.save(dossier, uow.now)
        steps.emit_dossier(uow, EventType.DOSSIER_STATUS_CHANGED, dossier, c.staff_id,
                          {"action": DossierAction.STOP.value, "from_status": status.value, "status": dossier.status})
        uow.commit()
        return dossier.id


def _check_holder(c: StopDossier, dossier: Dossier, status: DossierStatus) -> None:
    if c.agency_id is not None:
        if dossier.agency_id != c.agency_id:
            raise Forbidden("Hồ sơ này thuộc cơ quan giải quyết khác.", "This dossier belongs to another agency.")
        if status not in AT_AGENCY:
            raise Conflict(
                f"Hồ sơ {dossier.code} không ở cơ quan (hồ sơ {views.STATUS_VI[status].lower()}): Bộ phận Một cửa "
                "dừng giải quyết hồ sơ này.",
                f"Dossier {dossier.code} is not held by the agency ({status.value}): the center stops it.",
                code="dossier_not_at_agency")
    elif c.site_id is not None and dossier.site_id != c.site_id:
        raise Forbidden("Hồ sơ này thuộc điểm phục vụ khác.", "This dossier belongs to another site.")
