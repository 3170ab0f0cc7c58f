"""/metrics on a real server process: Prometheus text format, protected, and its figures
follow what happens in the lobby (tickets issued and called, queues, waits, streams,
request latency labelled by route template only)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families
from support import API, COUNTER_A, SITE_TT, Api, LiveServer, bearer

from queue_server.seed import demo_device_token
from shared.enums import DeviceKind

TOKEN = "metrics-secret-for-tests-0123456789"


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.slow
def test_metrics_follow_issuing_and_calling(db_url: str) -> None:
    server = LiveServer(db_url)
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            api = Api(http)

            def scrape() -> dict:
                r = http.get("/metrics")
                assert r.status_code == 200, r.text
                assert r.headers["content-type"].startswith("text/plain")
                return _samples(r.text)

            before = scrape()
            assert _value(before, "motcua_queue_waiting", site=SITE_TT, service="A") == 0
            first = api.issue()
            api.issue()
            issued = scrape()
            assert _value(issued, "motcua_queue_waiting", site=SITE_TT, service="A") == 2
            assert _value(issued, "motcua_tickets_issued_total", site=SITE_TT) == 2
            assert _value(issued, "motcua_queue_longest_wait_seconds", site=SITE_TT, service="A") >= 0

            api.ok(COUNTER_A, "open")
            called = api.ok(COUNTER_A, "call-next")
            assert called["label"] == first["label"]
            after = scrape()
            assert _value(after, "motcua_queue_waiting", site=SITE_TT, service="A") == 1
            assert _value(after, "motcua_tickets_called_total", site=SITE_TT) == 1
            assert _value(after, "motcua_tickets_called_today", site=SITE_TT, service="A") == 1
            assert ("motcua_wait_average_seconds_today",
                    (("service", "A"), ("site", SITE_TT))) in after

            # Latency: by route template, never by raw path (bounded label set).
            routes = {dict(k[1]).get("route") for k in after if k[0] == "motcua_http_request_duration_seconds_count"}
            assert "/api/v1/counters/{counter_id}/call-next" in routes and "/api/v1/tickets" in routes
            assert not any(r and "/counters/1/" in r for r in routes)
            http.get("/no/such/page/12345")
            routes = {dict(k[1]).get("route") for k in scrape()
                      if k[0] == "motcua_http_request_duration_seconds_count"}
            assert "unmatched" in routes and not any(r and "12345" in r for r in routes)

            async def with_display() -> dict:
                token = demo_device_token(DeviceKind.DISPLAY, SITE_TT)
                async with websockets.connect(f"{server.ws_url}{API}/ws/sites/{SITE_TT}",
                                              additional_headers=bearer(token)) as ws:
                    assert json.loads(await ws.recv())["kind"] == "hello"
                    return await asyncio.get_running_loop().run_in_executor(None, scrape)

            during = asyncio.run(with_display())
            assert _value(during, "motcua_websocket_clients", kind="display") == 1
    finally:
        server.stop()


@pytest.mark.slow
def test_metrics_are_not_public(sqlite_url: str) -> None:
    open_server = LiveServer(sqlite_url)
    try:
        assert httpx.get(f"{open_server.url}/metrics").status_code == 200  # from this machine, directly
        through_proxy = httpx.get(f"{open_server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert through_proxy.status_code == 403 and through_proxy.json()["code"] == "forbidden"
    finally:
        open_server.stop()
    guarded = LiveServer(sqlite_url, extra_env={"MOTCUA_METRICS_TOKEN": TOKEN})
    try:
        assert httpx.get(f"{guarded.url}/metrics").status_code == 403
        assert httpx.get(f"{guarded.url}/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        ok = httpx.get(f"{guarded.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and "motcua_queue_waiting" in ok.text
    finally:
        guarded.stop()
