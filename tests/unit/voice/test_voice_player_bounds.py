"""A player may fail, but it may never hang the call queue."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from display.voice.player import CommandPlayer, PlayerError
from display.voice.wav import SPEECH_FORMAT, write_wav


@pytest.fixture
def short_wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "call.wav", SPEECH_FORMAT, SPEECH_FORMAT.silence(0.2))


def test_a_player_that_never_returns_is_killed_after_the_sound_plus_grace(short_wav: Path) -> None:
    hanging = CommandPlayer(
        "hang",
        grace_seconds=0.5,
        command=lambda wav: [sys.executable, "-c", "import time; time.sleep(60)"],
    )
    started = time.monotonic()
    with pytest.raises(PlayerError, match="did not finish"):
        hanging.play(short_wav)
    assert time.monotonic() - started < 3


def test_a_failing_player_reports_its_last_error_line(short_wav: Path) -> None:
    script = "import sys; print('ALSA lib noise', file=sys.stderr); print('no default audio device', file=sys.stderr); sys.exit(1)"
    failing = CommandPlayer("fails", command=lambda wav: [sys.executable, "-c", script])
    with pytest.raises(PlayerError, match="no default audio device"):
        failing.play(short_wav)


def test_a_player_program_that_is_not_installed_is_a_player_error(short_wav: Path) -> None:
    player = CommandPlayer("aplay", env={"PATH": "/nonexistent"})
    with pytest.raises(PlayerError, match="not installed"):
        player.play(short_wav)


def test_an_unreadable_file_is_a_player_error(tmp_path: Path) -> None:
    (tmp_path / "bad.wav").write_text("nope")
    with pytest.raises(PlayerError):
        CommandPlayer("aplay").play(tmp_path / "bad.wav")


@pytest.mark.parametrize(
    ("name", "device", "expected_args"),
    [
        ("aplay", "hw:1,0", ["-q", "-D", "hw:1,0"]),
        ("paplay", "sink1", ["--device=sink1"]),
        ("play", None, ["-q"]),
        ("ffplay", None, ["-nodisp", "-autoexit"]),
    ],
)
def test_each_player_program_gets_the_file_and_device(
    name: str, device: str | None, expected_args: list[str], short_wav: Path, tmp_path: Path
) -> None:
    # A stand-in program on PATH records how it was called.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv.txt"
    program = bin_dir / name
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n')
    program.chmod(0o755)
    player = CommandPlayer(name, device=device, env={"PATH": str(bin_dir)})
    player.play(short_wav)
    argv = log.read_text().splitlines()
    assert argv[-1] == str(short_wav)
    for arg in expected_args:
        assert arg in argv


def test_sox_play_takes_its_device_from_audiodev() -> None:
    assert CommandPlayer("play", device="hw:1,0").env["AUDIODEV"] == "hw:1,0"


def test_unknown_player_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown player"):
        CommandPlayer("vlc")
