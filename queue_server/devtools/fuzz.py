"""Fuzz the whole HTTP API from its OpenAPI schema with every kind of caller.

Schemathesis generates requests for every operation (valid ones and nearby invalid
ones), sends them to the app in-process as anonymous, a kiosk, a clerk, an agency
officer, a manager and an admin, and checks each answer: never a 5xx, and every
documented answer matches its own schema (body and content type). A failure comes back with the request that caused it.

CI runs a few examples per operation (tests/security/test_fuzz_api.py); `motcua fuzz
--examples 200` runs a long one against a scratch database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from queue_server.bootstrap import Wiring

API = "/api/v1"
ROLES = ("anonymous", "kiosk", "staff", "processor", "manager", "admin")
LOGINS = {"staff": "canbo.tt", "processor": "thuanhoa.canbo", "manager": "quanly", "admin": "admin"}
# Operations that would end the very credentials the run relies on (a fuzzed logout
# revokes the session) are sent only without credentials.
SELF_ENDING = {("POST", f"{API}/auth/logout"), ("POST", f"{API}/devices/{{device_id}}/revoke")}


@dataclass
class FuzzReport:
    operations: int = 0
    calls: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


def credentials(wiring: Wiring, kiosk_token: str, password: str) -> dict[str, dict[str, str]]:
    """A session per role, opened directly (no HTTP: Schemathesis runs the app's lifespan
    itself, and a second one would start a second event listener)."""
    from queue_server.domain.account_commands import LogIn
    from queue_server.service_layer import accounts

    headers: dict[str, dict[str, str]] = {"anonymous": {}, "kiosk": {"Authorization": f"Bearer {kiosk_token}"}}
    ttl = timedelta(hours=wiring.settings.staff_session_hours)
    for role, username in LOGINS.items():
        token = accounts.login(LogIn(username, password, ttl), wiring.uow())["token"]
        headers[role] = {"Authorization": f"Bearer {token}"}
    return headers


def run(app: FastAPI, headers_by_role: dict[str, dict[str, str]], *, examples: int,
        only: str | None = None, progress: Callable[[str], None] | None = None) -> FuzzReport:
    import schemathesis
    from schemathesis.python.asgi import shutdown_lifespans

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    try:
        return _run(schema, headers_by_role, examples=examples, only=only, progress=progress)
    finally:
        shutdown_lifespans()  # Schemathesis started the app (event bus, background task): stop it


def _run(schema: Any, headers_by_role: dict[str, dict[str, str]], *, examples: int, only: str | None,
         progress: Callable[[str], None] | None) -> FuzzReport:
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
    )

    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    report = FuzzReport()
    pattern = re.compile(only) if only else None
    for result in schema.get_all_operations():
        operation = result.ok()
        if pattern and not pattern.search(f"{operation.method.upper()} {operation.path}"):
            continue
        report.operations += 1
        for role in ROLES:
            if role != "anonymous" and (operation.method.upper(), operation.path) in SELF_ENDING:
                continue
            label = f"{operation.method.upper()} {operation.path} as {role}"
            if progress:
                progress(label)
            one = _property_test(operation, headers_by_role[role], examples, checks, report)
            try:
                one()
            except Exception as exc:  # noqa: BLE001 - every failure is reported, the run goes on
                report.failures.append(f"{label}: {exc}".strip()[:3000])
    return report


def _property_test(operation: Any, headers: dict[str, str], examples: int, checks: list,
                   report: FuzzReport) -> Callable[[], None]:
    from hypothesis import HealthCheck, Phase, given, settings

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def one(case: Any) -> None:
        response = case.call(headers=headers)
        report.calls += 1
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=checks, headers=headers)

    return one


def fuzz_command(argv: list[str]) -> int:
    import argparse
    import logging
    import shutil
    import tempfile
    import time
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="motcua fuzz", description="Fuzz the HTTP API from its OpenAPI schema as every kind of caller "
        "(in-process, against a scratch database with the demo province).")
    parser.add_argument("--examples", type=int, default=100, help="examples per operation and caller (default 100)")
    parser.add_argument("--only", help="regular expression on 'METHOD /path' to fuzz only some operations")
    parser.add_argument("--database-url", help="an EMPTY database to use (e.g. a scratch PostgreSQL database); "
                        "default: a temporary SQLite file")
    args = parser.parse_args(argv)
    from queue_server.app import create_app
    from queue_server.backup import is_empty
    from queue_server.bootstrap import bootstrap
    from queue_server.seed import DEMO_PASSWORD, demo_device_token, prepare_demo_database
    from queue_server.settings import Settings
    from shared.enums import DeviceKind

    logging.basicConfig(level=logging.ERROR)
    scratch = Path(tempfile.mkdtemp(prefix="motcua-fuzz-"))
    url = args.database_url or f"sqlite:///{scratch / 'fuzz.db'}"
    if args.database_url and not is_empty(url):
        print("motcua fuzz: the database is not empty; give a new, empty one (the run writes demo data).")
        return 2
    try:
        prepare_demo_database(url)
        wiring = bootstrap(Settings(database_url=url, environment="test", kiosk_ticket_burst=1_000_000,
                                    login_failures_per_address=1_000_000, file_storage_dir=scratch / "files"))
        app = create_app(wiring)
        started = time.monotonic()
        headers = credentials(wiring, demo_device_token(DeviceKind.KIOSK, "HUE-TT"), DEMO_PASSWORD)
        report = run(app, headers, examples=args.examples, only=args.only,
                     progress=lambda label: print(f"  {label}", flush=True))
        wiring.engine.dispose()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    took = time.monotonic() - started
    print(f"\n{report.operations} operations, {report.calls} requests in {took:.0f} s; "
          f"statuses: {dict(sorted(report.statuses.items()))}")
    for failure in report.failures:
        print(f"\nFAILURE {failure}")
    print(f"\n{len(report.failures)} failure(s)")
    return 1 if report.failures else 0
