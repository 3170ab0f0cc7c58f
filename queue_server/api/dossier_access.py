"""Who may read or act on a dossier: shared by the API's routes and the web pages."""

from __future__ import annotations

from sqlalchemy import Row

from queue_server.api.deps import Principal
from queue_server.bootstrap import Wiring
from queue_server.domain.dossier_record import Dossier
from queue_server.domain.errors import Forbidden
from queue_server.service_layer import dossier_views as views


def allowed_site(me: Principal) -> int | None:
    """The site a caller acts for (None: a manager, every site)."""
    return None if me.is_manager else me.site_id


def check_dossier_access(wiring: Wiring, me: Principal, code: str) -> None:
    with wiring.reader() as uow:
        row = views.load_dossier(uow, code)
    check_reader(me, row)


def check_reader(me: Principal, dossier: Row | Dossier) -> None:
    """Managers read every dossier, one-stop staff their site's, processors their agency's."""
    if me.is_processor:
        if dossier.agency_id is None or dossier.agency_id != me.agency_id:
            raise Forbidden("Hồ sơ này thuộc cơ quan giải quyết khác.", "This dossier belongs to another agency.")
        return
    if not me.may_act_on_site(dossier.site_id):
        raise Forbidden("Hồ sơ này thuộc điểm phục vụ khác.", "This dossier belongs to another site.")
