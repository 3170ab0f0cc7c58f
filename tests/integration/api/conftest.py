"""Fixtures of the API test modules (their helpers are in api_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_helpers import QuickLoginApi
from fastapi.testclient import TestClient

from queue_server.app import create_app


@pytest.fixture
def lenient(wiring: Any) -> Iterator[QuickLoginApi]:
    """Like a quick-login `api`, but a server error comes back as a 500 reply (not an
    exception in the test), so one test can list every input that breaks the server."""
    with TestClient(create_app(wiring), raise_server_exceptions=False) as client:
        yield QuickLoginApi(client, wiring)
