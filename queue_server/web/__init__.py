"""Server-rendered pages: the citizen's ticket page, the lobby display for TVs with only a
browser, the manager dashboard and reports. Jinja2 templates, a little plain JavaScript,
no build step. The app includes each of `routers` itself, the citizen's page first (one
flat level: see queue_server/app.py)."""

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

routers = tuple(module.router for module in (citizen, assets, booking, dossier_lookup, display, login, dashboard,
                                             reports, fees, oversight, agency_inbox, control_room, menu_editor))
