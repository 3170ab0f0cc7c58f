"""With no sound device the players fail fast and the queue reports "no sound" and goes on."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from display.voice.announcement_queue import (
    AnnouncementFinished,
    AnnouncementQueue,
    SoundUnavailable,
)
from display.voice.chime import write_chime
from display.voice.espeak import EspeakNgEngine
from display.voice.player import CommandPlayer, PlayerError
from display.voice.render import AnnouncementRenderer

NO_DEVICE = {"aplay": "hw:97,0", "paplay": "no-such-sink", "play": "hw:97,0"}


@pytest.fixture(scope="module")
def chime_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chime(tmp_path_factory.mktemp("sound") / "chime.wav")


@pytest.mark.parametrize("name", sorted(NO_DEVICE))
@pytest.mark.parametrize("environment", ["nonexistent device", "empty environment"])
def test_player_fails_fast_without_a_sound_device(
    name: str, environment: str, chime_wav: Path
) -> None:
    if shutil.which(name) is None:
        pytest.skip(f"{name} is not installed on this machine")
    if environment == "empty environment":
        # No DISPLAY, no XDG_RUNTIME_DIR, no PULSE_SERVER: what a service started at boot sees.
        player = CommandPlayer(name, env={"PATH": os.defpath}, grace_seconds=5)
    else:
        player = CommandPlayer(name, device=NO_DEVICE[name], grace_seconds=5)
    started = time.monotonic()
    with pytest.raises(PlayerError):
        player.play(chime_wav)
    assert time.monotonic() - started < 5 + 2


def test_queue_with_a_real_player_and_no_device_reports_no_sound_and_keeps_going(
    tmp_path: Path,
) -> None:
    events = []
    done = threading.Event()

    def on_event(event) -> None:
        events.append(event)
        if isinstance(event, AnnouncementFinished) and event.request.label == "A002":
            done.set()

    renderer = AnnouncementRenderer(
        EspeakNgEngine(rate=300),
        templates={"vi": "Số {số}"},
        chime=write_chime(tmp_path / "c.wav"),
        pause_seconds=0.1,
    )
    player = CommandPlayer("play", device="hw:97,0", grace_seconds=2)
    queue = AnnouncementQueue(renderer, player, repeat=1, gap_seconds=0, on_event=on_event)
    try:
        queue.announce("A001", 1)
        queue.announce("A002", 2)
        assert done.wait(30), "the queue stalled after the player failed"
    finally:
        assert queue.stop(timeout=10)
    unavailable = [e for e in events if isinstance(e, SoundUnavailable)]
    assert len(unavailable) == 1 and unavailable[0].player == "play"
    assert queue.sound_available is False
