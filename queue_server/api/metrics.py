"""Prometheus metrics at /metrics (text exposition format).

Figures read from the database at each scrape (the same from every server process):
queue lengths, the longest current wait and today's average wait per site and service.
Figures of this process: request latency per route template (never the raw path, so the
label set stays bounded), connected WebSocket clients per kind, tickets issued and
called since the process started. With several workers, scrape each one (see
docs/operations.md).

Access: with MOTCUA_METRICS_TOKEN set, a scraper sends `Authorization: Bearer <token>`;
without it, only a direct connection from this machine (loopback, no proxy headers) may
read, so the page is never public by accident behind nginx.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import Counter as Tally
from collections.abc import Iterator
from datetime import datetime
from ipaddress import ip_address
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.adapters import tables as t
from queue_server.api.client_address import is_forwarded
from queue_server.api.errors import error_response
from queue_server.api.route_template import route_template
from queue_server.bootstrap import Wiring
from queue_server.domain.business_day import business_day
from shared.enums import EventType

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One per app (a registry of its own, so several apps in one test process never mix)."""

    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring
        self.registry = CollectorRegistry()
        self.latency = Histogram("motcua_http_request_duration_seconds", "HTTP request latency by route template",
                                 ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self._counts: Tally[tuple[str, int]] = Tally()  # (event type, site id) -> tickets
        self._lock = threading.Lock()
        self.live: dict[str, Any] = {"sites": {}, "queues": []}
        self.registry.register(_LiveCollector(self))

    def observe_commit(self, events: list[dict[str, Any]]) -> None:
        """Called by every unit of work after it commits (any thread)."""
        wanted = (EventType.TICKET_ISSUED.value, EventType.TICKET_CALLED.value)
        with self._lock:
            for event in events:
                if event["type"] in wanted:
                    self._counts[(event["type"], event["site_id"])] += 1

    def counts(self) -> dict[tuple[str, int], int]:
        with self._lock:
            return dict(self._counts)

    def refresh(self) -> None:
        """Reads the queue figures from the database (run before each exposition)."""
        self.live = read_queue_figures(self.wiring)


def read_queue_figures(wiring: Wiring) -> dict[str, Any]:
    with wiring.reader() as uow:
        now = uow.now
        today = business_day(now, uow.rules.tz, uow.rules.rollover)
        sites = dict(uow.conn.execute(select(t.sites.c.id, t.sites.c.code)).all())
        services = dict(uow.conn.execute(select(t.services.c.id, t.services.c.code)).all())
        tc = t.tickets.c
        waiting = uow.conn.execute(
            select(tc.site_id, tc.service_id, tc.arrived_at).where(t.TICKET_IS_WAITING)).all()
        called = uow.conn.execute(
            select(tc.site_id, tc.service_id, tc.arrived_at, tc.first_called_at)
            # By site too, so the (site_id, business_day) index serves it: never a scan of
            # every ticket ever issued.
            .where(tc.site_id.in_(list(sites)), tc.business_day == today, tc.first_called_at.is_not(None))).all()
    queues: dict[tuple[int, int], dict[str, float]] = {}

    def queue(site_id: int, service_id: int) -> dict[str, float]:
        return queues.setdefault((site_id, service_id), {"waiting": 0, "longest": 0.0, "waits": 0.0, "calls": 0})

    for row in waiting:
        q = queue(row.site_id, row.service_id)
        q["waiting"] += 1
        q["longest"] = max(q["longest"], _seconds(now, row.arrived_at))
    for row in called:
        q = queue(row.site_id, row.service_id)
        q["calls"] += 1
        q["waits"] += _seconds(row.first_called_at, row.arrived_at)
    rows = [{"site": sites.get(site_id, str(site_id)), "service": services.get(service_id, str(service_id)), **q}
            for (site_id, service_id), q in sorted(queues.items())]
    return {"sites": sites, "queues": rows}


def _seconds(later: datetime, earlier: datetime) -> float:
    # A ticket moved from another site may "arrive" a few minutes ahead: no negative waits.
    return max(0.0, (later - earlier).total_seconds())


class _LiveCollector(Collector):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Any]:
        m = self.metrics
        labels = ["site", "service"]
        waiting = GaugeMetricFamily("motcua_queue_waiting", "Tickets waiting now", labels=labels)
        longest = GaugeMetricFamily("motcua_queue_longest_wait_seconds", "Longest current wait", labels=labels)
        average = GaugeMetricFamily("motcua_wait_average_seconds_today",
                                    "Average wait of tickets called today (arrival to first call)", labels=labels)
        calls = GaugeMetricFamily("motcua_tickets_called_today", "Tickets called at least once today", labels=labels)
        for q in m.live["queues"]:
            key = [q["site"], q["service"]]
            waiting.add_metric(key, q["waiting"])
            longest.add_metric(key, q["longest"])
            calls.add_metric(key, q["calls"])
            if q["calls"]:
                average.add_metric(key, q["waits"] / q["calls"])
        yield from (waiting, longest, average, calls)

        clients = GaugeMetricFamily("motcua_websocket_clients", "Connected WebSocket clients of this process",
                                    labels=["kind"])
        by_kind = m.wiring.bus.subscribers_by_kind()
        for kind in sorted({"display", "kiosk", "staff", "manager", "citizen", *by_kind}):
            clients.add_metric([kind], by_kind.get(kind, 0))
        yield clients

        issued = CounterMetricFamily("motcua_tickets_issued", "Tickets issued by this process", labels=["site"])
        called = CounterMetricFamily("motcua_tickets_called", "Tickets called by this process", labels=["site"])
        sites = m.live["sites"]
        for (kind, site_id), count in sorted(m.counts().items()):
            family = issued if kind == EventType.TICKET_ISSUED.value else called
            family.add_metric([sites.get(site_id, str(site_id))], count)
        yield from (issued, called)


class RequestTimer:
    """Times every HTTP request, labelled by the route's template ("/api/v1/counters/{counter_id}/call-next")."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            route = route_template(scope) or "unmatched"
            self.metrics.latency.labels(scope["method"], route, f"{status // 100}xx").observe(
                time.perf_counter() - started)


def _allowed(request: Request, token: str) -> bool:
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    peer = request.client.host if request.client else ""
    try:
        loopback = ip_address(peer).is_loopback
    except ValueError:
        loopback = False
    return loopback and not is_forwarded(request.scope)


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics_page(request: Request) -> Response:
    wiring: Wiring = request.app.state.wiring
    metrics: Metrics = request.app.state.metrics
    if not _allowed(request, wiring.settings.metrics_token):
        return error_response(403, "forbidden", "Chỉ hệ thống giám sát được đọc số liệu này.",
                              "Only the monitoring system may read the metrics.")
    await wiring.run(metrics.refresh)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})
