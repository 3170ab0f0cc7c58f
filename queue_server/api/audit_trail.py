"""Opens an audit entry for every request that may change something, and for staff reads
of citizens' personal data (a dossier, its scans, its printed forms, the citizen's stored
documents); writes it on its own
if no committed change did (a read, a refusal, an error). See service_layer/audit.py."""

from __future__ import annotations

import logging
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.api.client_address import client_address
from queue_server.api.route_template import route_template
from queue_server.bootstrap import Wiring
from queue_server.service_layer import audit

log = logging.getLogger(__name__)
READS = frozenset({"GET", "HEAD", "OPTIONS"})
# Reads that show a citizen's personal data: who looked is worth knowing. (Lists and the
# citizen's own PIN lookup are not: the first shows little, the second is not staff.)
PERSONAL_READS = re.compile(
    r"^/api/v1/(dossiers/[^/]+(/files/[^/]+|/receipt\.pdf|/supplement-request\.pdf|/fee-receipt\.pdf"
    r"|/citizen-documents)?|counters/[^/]+/citizen-documents|citizen-documents/[^/]+/pages/[^/]+)/?$")


def _write_alone(wiring: Wiring, entry: audit.AuditEntry, outcome: str, status: int) -> None:
    detail = {"status": status}
    if entry.refusal_code:
        detail["code"] = entry.refusal_code
    with wiring.engine.connect() as conn:
        conn.begin()
        audit.write(conn, entry, at=wiring.clock(), outcome=outcome, detail=detail)
        conn.commit()


class AuditTrail:
    def __init__(self, app: ASGIApp, *, wiring: Wiring) -> None:
        self.app = app
        self.wiring = wiring

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"] in READS and not (
                scope["method"] == "GET" and PERSONAL_READS.match(scope.get("path", "")))):
            await self.app(scope, receive, send)
            return
        wiring = self.wiring
        entry = audit.AuditEntry(method=scope["method"], path=scope["path"], scope=scope, template_of=route_template,
                                 address=client_address(scope, wiring.settings.proxy_networks))
        token = audit.begin(entry)

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not entry.written and (entry.identified or entry.always):
                status = message["status"]
                outcome = audit.ERROR if status >= 500 else (
                    audit.REFUSED if status >= 400 or entry.refusal_code else audit.OK)
                try:
                    await wiring.run(_write_alone, wiring, entry, outcome, status)
                except Exception:  # the database is down: the answer still goes out (a 503)
                    log.exception("could not write the audit entry for %s %s", entry.method, entry.path)
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            audit.end(token)
