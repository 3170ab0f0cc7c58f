"""Server-rendered pages: the citizen's ticket page, the lobby display for TVs with only a
browser, the manager dashboard and reports. Jinja2 templates, a little plain JavaScript,
no build step. `router` is included once by the app."""

from fastapi import APIRouter

from queue_server.web import (
    agency_inbox,
    assets,
    booking,
    citizen,
    control_room,
    dashboard,
    display,
    dossier_lookup,
    fees,
    login,
    menu_editor,
    oversight,
    reports,
)

router = APIRouter(include_in_schema=False)
for _module in (assets, citizen, booking, dossier_lookup, display, login, dashboard, reports, fees, oversight,
                agency_inbox, control_room, menu_editor):
    router.include_router(_module.router)
