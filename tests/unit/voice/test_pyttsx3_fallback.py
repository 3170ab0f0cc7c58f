"""Pyttsx3Engine's guard rails, with stand-in workers that misbehave the ways pyttsx3 does."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from display.voice.engine import SynthesisError, UnknownVoiceError
from display.voice.pyttsx3_engine import Pyttsx3Engine
from display.voice.wav import wav_info

# Each stand-in receives the real worker's arguments: --voice V --rate R --out PATH --timeout T.
PRELUDE = "import sys, os, wave, time; out = sys.argv[sys.argv.index('--out') + 1]\n"
WRITES_EMPTY_FILE = PRELUDE + "open(out, 'wb').close()"
WRITES_NOTHING = PRELUDE + "pass"
WRITES_HEADER_ONLY = PRELUDE + (
    "w = wave.open(out, 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050); w.close()"
)
UNKNOWN_VOICE = PRELUDE + "sys.exit(5)"
PYTTSX3_MISSING = PRELUDE + "open(os.environ['CALLS_FILE'], 'a').write('x'); sys.exit(6)"
HANGS = PRELUDE + "time.sleep(60)"
# Fails the first time, succeeds the second: the retry must pick it up.
FLAKY = PRELUDE + (
    "import pathlib; tried = pathlib.Path(os.environ['FLAKY_MARKER'])\n"
    "if not tried.exists(): tried.touch(); sys.exit(4)\n"
    "w = wave.open(out, 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)\n"
    "w.writeframes(b'\\x10\\x00' * 22050); w.close()"
)


def engine_with(script: str, fallback, **kwargs) -> Pyttsx3Engine:
    return Pyttsx3Engine(fallback=fallback, worker_command=[sys.executable, "-c", script], **kwargs)


@pytest.mark.parametrize("script", [WRITES_EMPTY_FILE, WRITES_NOTHING, WRITES_HEADER_ONLY])
def test_a_bad_file_is_retried_once_then_espeak_ng_stands_in(
    script: str, fake_engine, tmp_path: Path
) -> None:
    engine = engine_with(script, fake_engine)
    out = engine.synthesize("Mời công dân", "vi", tmp_path / "out.wav")
    assert engine.last_backend == "fake"
    assert fake_engine.calls == [("Mời công dân", "vi")]
    assert wav_info(out).duration > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav"], "no partial files left behind"


def test_a_second_attempt_that_works_is_used(fake_engine, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLAKY_MARKER", str(tmp_path / "tried"))
    engine = engine_with(FLAKY, fake_engine)
    out = engine.synthesize("Mời công dân", "vi", tmp_path / "out.wav")
    assert engine.last_backend == "pyttsx3"
    assert fake_engine.calls == []
    assert wav_info(out).duration == pytest.approx(1.0)


def test_a_hanging_worker_is_killed_within_its_timeout(fake_engine, tmp_path: Path) -> None:
    engine = engine_with(HANGS, fake_engine, timeout=0.5)
    started = time.monotonic()
    engine.synthesize("Mời công dân", "vi", tmp_path / "out.wav")
    assert time.monotonic() - started < 5
    assert engine.last_backend == "fake"


def test_an_unknown_voice_is_a_configuration_error_not_retried(fake_engine, tmp_path: Path) -> None:
    engine = engine_with(UNKNOWN_VOICE, fake_engine)
    with pytest.raises(UnknownVoiceError):
        engine.synthesize("Mời công dân", "vi", tmp_path / "out.wav")
    assert fake_engine.calls == []


def test_without_pyttsx3_the_fallback_is_used_at_once(
    fake_engine, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("CALLS_FILE", str(tmp_path / "calls"))
    engine = engine_with(PYTTSX3_MISSING, fake_engine)
    engine.synthesize("Mời công dân", "vi", tmp_path / "out.wav")
    assert engine.last_backend == "fake"
    assert (tmp_path / "calls").read_text() == "x", "not retried"


def test_when_the_fallback_fails_too_both_reasons_are_reported(fake_engine, tmp_path: Path) -> None:
    fake_engine.fail_on = ("Mời",)
    engine = engine_with(WRITES_EMPTY_FILE, fake_engine)
    with pytest.raises(
        SynthesisError, match="pyttsx3 failed.*attempt 2.*empty.*fake engine refuses"
    ):
        engine.synthesize("Mời công dân", "vi", tmp_path / "out.wav")


def test_a_language_without_a_voice_is_refused_before_any_work(fake_engine, tmp_path: Path) -> None:
    engine = engine_with(WRITES_NOTHING, fake_engine)
    with pytest.raises(UnknownVoiceError, match="'fr'"):
        engine.synthesize("Bonjour", "fr", tmp_path / "out.wav")


def test_empty_text_is_refused(fake_engine, tmp_path: Path) -> None:
    with pytest.raises(SynthesisError, match="empty"):
        engine_with(WRITES_NOTHING, fake_engine).synthesize("  ", "vi", tmp_path / "out.wav")
