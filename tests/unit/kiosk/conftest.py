"""Fixtures for the kiosk presenter tests: a fake queue server and a kiosk wired to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kiosk_fakes import FakeKioskApi, Kiosk, kiosk_settings

from kiosk.printing import FakeTicketPrinter


@pytest.fixture
def fake_api() -> FakeKioskApi:
    return FakeKioskApi()


@pytest.fixture
def make_kiosk(fake_api: FakeKioskApi) -> Callable[..., Kiosk]:
    def make(printer: FakeTicketPrinter | None = None, tap_guard: float = 0.0, **settings: Any) -> Kiosk:
        return Kiosk(fake_api, printer or FakeTicketPrinter(), kiosk_settings(**settings), tap_guard=tap_guard)
    return make
