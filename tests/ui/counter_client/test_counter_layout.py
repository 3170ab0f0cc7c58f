"""The counter app at the two screen sizes counters have (1366×768 laptops, 1920×1080
monitors): no text overlaps other text or is cut off, disabled controls stay readable
(≥ 3:1, shared/look.py), the phone number keeps its leading 0 in sight, and counter tiles
name their services. Real Kivy (offscreen window) against a real server process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import LiveServer
from test_counter_ui import SHOTS, publish, run_driver

from shared.look import MIN_CONTROL_CONTRAST

SCREENS = ("1-login", "2-pick-counter", "3-counter-closed", "4-serving", "5-transfer-dialog", "6-dossier-empty",
           "7-dossier-filled")


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_no_text_overlaps_or_is_cut_off_and_disabled_controls_read(size: tuple[int, int], sqlite_url: str,
                                                                     tmp_path: Path) -> None:
    server = LiveServer(sqlite_url)
    shots = SHOTS / f"layout-{size[0]}x{size[1]}"
    shutil.rmtree(shots, ignore_errors=True)
    try:
        seen = run_driver("counter_layout_driver.py", server, tmp_path, shots, size=size)["seen"]
    finally:
        server.stop()

    assert set(seen["problems"]) == set(SCREENS)
    problems = [f"{screen}: {p}" for screen, found in seen["problems"].items() for p in found]
    assert problems == [], "\n".join(problems)
    faint = [f"{screen}: {name} {ratio:.2f}:1" for screen, found in seen["disabled"].items()
             for name, ratio in found if ratio < MIN_CONTROL_CONTRAST]
    assert faint == [], "\n".join(faint)
    assert any(seen["disabled"]["3-counter-closed"]), "a closed counter shows its disabled actions"
    assert seen["phone"] == "0912 345 678"  # a text field: the leading 0 is kept ...
    assert seen["phone_scroll_x"] == 0 and seen["address_scroll_x"] == 0  # ... and in sight
    assert seen["tile_2"].startswith("Quầy 2 | Tư pháp, Công an")  # named by its services, not "Dịch vụ A, F"
    publish(shots, SCREENS, prefix=f"layout-{size[0]}x{size[1]}-")
