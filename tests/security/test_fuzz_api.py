"""The whole HTTP API fuzzed from its OpenAPI schema, as every kind of caller: no answer
is a 5xx, and every documented answer matches its schema. A bounded run for CI (a few
examples per operation and caller, on SQLite); `motcua fuzz --examples 200` runs long."""

from __future__ import annotations

import os
import time

import pytest

from queue_server.app import create_app
from queue_server.bootstrap import bootstrap
from queue_server.devtools import fuzz
from queue_server.seed import DEMO_PASSWORD, demo_device_token
from queue_server.settings import Settings
from shared.enums import DeviceKind

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "4"))


@pytest.mark.slow
def test_no_operation_answers_5xx_or_breaks_its_schema_for_any_caller(sqlite_url: str, tmp_path) -> None:  # noqa: ANN001
    wiring = bootstrap(Settings(database_url=sqlite_url, environment="test", kiosk_ticket_burst=100_000,
                                file_storage_dir=tmp_path / "files", login_failures_per_address=1000))
    app = create_app(wiring)
    started = time.monotonic()
    try:
        headers = fuzz.credentials(wiring, demo_device_token(DeviceKind.KIOSK, "HUE-TT"), DEMO_PASSWORD)
        report = fuzz.run(app, headers, examples=EXAMPLES)
    finally:
        wiring.engine.dispose()
    took = time.monotonic() - started
    assert report.operations >= 40, "the schema lost operations"
    assert report.calls >= report.operations * len(fuzz.ROLES)
    assert not report.failures, f"{len(report.failures)} failure(s):\n\n" + "\n\n".join(report.failures)
    assert not [s for s in report.statuses if s >= 500]
    print(f"fuzz: {report.operations} operations, {report.calls} calls in {took:.0f} s, statuses {report.statuses}")
