"""The demo lobby the fault tests drive (HUE-TT: its kiosk, display and clerk)."""

from __future__ import annotations

from support import SITE_TT, display_headers, kiosk_headers

from queue_server.reliability.workload import LobbyConfig
from queue_server.seed import DEMO_PASSWORD


def lobby() -> LobbyConfig:
    return LobbyConfig(site_code=SITE_TT, kiosk_token=kiosk_headers()["Authorization"][7:],
                       display_token=display_headers()["Authorization"][7:], staff_password=DEMO_PASSWORD)
