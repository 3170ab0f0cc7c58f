"""The FastAPI application: `create_app(wiring)`; the server command builds the wiring."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import Response
from sqlalchemy import select

from queue_server.adapters import tables as t
from queue_server.api import errors, log_redaction
from queue_server.api.audit_trail import AuditTrail
from queue_server.api.guard import RequestGuard
from queue_server.api.metrics import Metrics, RequestTimer
from queue_server.api.metrics import router as metrics_router
from queue_server.api.routes import (
    agency,
    auth,
    bookings,
    catalog,
    citizen_documents,
    control_room,
    counters,
    dossier_forms,
    dossiers,
    fees,
    menu,
    oversight,
    sites_live,
    streams,
    tickets,
)
from queue_server.api.security_headers import SecurityHeaders
from queue_server.bootstrap import Wiring, bootstrap
from queue_server.migrations import ensure_migrated
from queue_server.web import routers as web_routers

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"
# Included straight into the app, the hot ones first. Starlette tries the routes in order
# and FastAPI searches an included router twice (to match, then to dispatch), once more
# for every level of nesting: with every module under one `/api/v1` router, a call-next
# walked some 200 routes (~110 µs of routing, measured with fastapi 0.165). Two routes of
# different modules never match the same request (tests/integration/api/test_route_order.py), so the
# order changes nothing but the time.
API_MODULES = (counters, tickets, auth, catalog, sites_live, streams, dossiers, citizen_documents, fees, oversight,
               bookings, agency, dossier_forms, control_room, menu)


def _refresh_seqs(wiring: Wiring) -> None:
    with wiring.reader() as uow:
        for site_id, seq in uow.conn.execute(select(t.sites.c.id, t.sites.c.event_seq)).all():
            if seq > wiring.bus.latest_seq.get(site_id, 0):
                wiring.bus.latest_seq[site_id] = seq


async def _keep_seqs_fresh(wiring: Wiring) -> None:
    """Heartbeats advertise the latest seq; reading it from the database now and then
    covers events this process may have missed (e.g. while its LISTEN reconnected)."""
    while True:
        try:
            await wiring.run(_refresh_seqs, wiring)
        except Exception as exc:  # the database may be restarting; try again later
            log.warning("could not refresh event sequence numbers: %s", exc)
        await asyncio.sleep(wiring.settings.ws_heartbeat_seconds)


def create_app(wiring: Wiring | None = None, *, check_migrations: bool = True) -> FastAPI:
    log_redaction.install()  # before anything logs a URL
    wiring = wiring or bootstrap()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if check_migrations:
            ensure_migrated(wiring.engine)
        await wiring.bus.start()
        refresher = asyncio.create_task(_keep_seqs_fresh(wiring))
        try:
            yield
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
            await wiring.bus.stop()

    app = FastAPI(
        # FastAPI's own OpenTelemetry hook asks the tracer provider (an environment
        # lookup) on every request; the server has its own metrics (/metrics).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title="motcua queue server",
        version="0.1.0",
        description="Tickets, counters and sites of a province's one-stop Public Administration Service Centers.",
        lifespan=lifespan,
    )
    app.state.wiring = wiring
    metrics = Metrics(wiring)
    app.state.metrics = metrics
    wiring.on_commit = metrics.observe_commit
    errors.install(app)

    # Added first, so it runs inside the guard: refused oversize bodies are not audited.
    app.add_middleware(AuditTrail, wiring=wiring)
    app.add_middleware(RequestGuard, max_bytes=wiring.settings.max_request_bytes,
                       upload_bytes=wiring.settings.max_upload_request_bytes, is_upload=dossiers.is_upload)
    # Outermost: every answer is timed and carries the security headers, refusals included.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestTimer, metrics=metrics)

    for module in API_MODULES[:2]:
        app.include_router(module.router, prefix=API_PREFIX)
    web_hot, *web_rest = web_routers  # the citizen's ticket page and its stream
    app.include_router(web_hot, include_in_schema=False)
    for module in API_MODULES[2:]:
        app.include_router(module.router, prefix=API_PREFIX)

    @app.get(f"{API_PREFIX}/health", tags=["health"])
    async def health() -> dict:
        await wiring.run(_refresh_seqs, wiring)
        return {"status": "ok", "database": wiring.engine.dialect.name, "subscribers": wiring.bus.subscriber_count}

    for router in web_rest:
        app.include_router(router, include_in_schema=False)
    app.include_router(metrics_router)

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return Response(
            "motcua queue server. API: /api/v1 - docs: /docs - OpenAPI: /openapi.json\n", media_type="text/plain"
        )

    return app
