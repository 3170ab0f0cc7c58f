"""Fakes for the voice pipeline: a speech engine writing short tones, a player that
records when it played what, both fast enough for the queue tests to run in seconds."""

from __future__ import annotations

import array
import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from display.voice.engine import SynthesisError, prepare_text
from display.voice.render import AnnouncementRenderer
from display.voice.wav import SPEECH_FORMAT, WavFormat, wav_duration, write_wav


def tone_frames(seconds: float, freq: float = 440.0, fmt: WavFormat = SPEECH_FORMAT) -> bytes:
    n = round(seconds * fmt.frame_rate)
    samples = array.array(
        "h", (int(8000 * math.sin(2 * math.pi * freq * i / fmt.frame_rate)) for i in range(n))
    )
    return samples.tobytes()


def write_tone(
    path: Path, seconds: float, freq: float = 440.0, fmt: WavFormat = SPEECH_FORMAT
) -> Path:
    return write_wav(path, fmt, tone_frames(seconds, freq, fmt))


class FakeEngine:
    """Writes `seconds` of tone per phrase; raises for texts containing a word in `fail_on`."""

    name = "fake"

    def __init__(self, seconds: float = 0.03, fail_on: tuple[str, ...] = ()) -> None:
        self.seconds = seconds
        self.fail_on = fail_on
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def synthesize(self, text: str, lang: str, out_path: Path) -> Path:
        text = prepare_text(text)
        with self._lock:
            self.calls.append((text, lang))
        if any(word in text for word in self.fail_on):
            raise SynthesisError(f"fake engine refuses {text!r}")
        return write_tone(Path(out_path), self.seconds)


@dataclass
class Play:
    wav_seconds: float
    started: float
    ended: float


@dataclass
class RecordingPlayer:
    """Sleeps for the WAV's length like a real player; records intervals and concurrency."""

    name: str = "recording"
    plays: list[Play] = field(default_factory=list)
    max_concurrent: int = 0
    fail_first: int = 0
    hold: threading.Event | None = None
    _active: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def play(self, wav: Path) -> None:
        seconds = wav_duration(wav)
        with self._lock:
            self._active += 1
            self.max_concurrent = max(self.max_concurrent, self._active)
        started = time.monotonic()
        try:
            if self.hold is not None:
                self.hold.wait(10)
            if len(self.plays) < self.fail_first:
                raise RuntimeError("no sound card")
            time.sleep(seconds)
        finally:
            with self._lock:
                self._active -= 1
                self.plays.append(Play(seconds, started, time.monotonic()))


@pytest.fixture
def tiny_chime(tmp_path: Path) -> Path:
    return write_tone(tmp_path / "chime.wav", 0.02, freq=1000.0)


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def recording_player() -> RecordingPlayer:
    return RecordingPlayer()


@pytest.fixture
def fast_renderer(fake_engine: FakeEngine, tiny_chime: Path) -> AnnouncementRenderer:
    return AnnouncementRenderer(fake_engine, chime=tiny_chime, pause_seconds=0.01)
