"""Speech through pyttsx3 (espeak driver), made dependable.

Each utterance runs in a short-lived subprocess (see pyttsx3_worker.py for the races it
avoids). The result is verified here; a bad result is retried once, then the espeak-ng
command is used instead, so a call is never silently skipped because of pyttsx3.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from display.voice import pyttsx3_worker
from display.voice.engine import (
    DEFAULT_VOICES,
    SpeechEngine,
    SynthesisError,
    UnknownVoiceError,
    prepare_text,
    voice_for,
)
from display.voice.espeak import EspeakNgEngine
from display.voice.speech_process import keep_complete_wav, run_speech_command

log = logging.getLogger(__name__)

WORKER_COMMAND: tuple[str, ...] = (sys.executable, str(Path(pyttsx3_worker.__file__)))


class _Pyttsx3Missing(SynthesisError):
    pass


class Pyttsx3Engine:
    name = "pyttsx3"

    def __init__(
        self,
        voices: Mapping[str, str] | None = None,
        rate: int = 150,
        *,
        timeout: float = 20.0,
        fallback: SpeechEngine | None = None,
        worker_command: Sequence[str] = WORKER_COMMAND,
    ) -> None:
        self.voices = dict(DEFAULT_VOICES if voices is None else voices)
        self.rate = rate
        self.timeout = timeout
        self.fallback = fallback if fallback is not None else EspeakNgEngine(self.voices, rate)
        self.worker_command = tuple(worker_command)
        # Which engine produced the last file: lets the display or a test tell a fallback happened.
        self.last_backend: str | None = None

    def synthesize(self, text: str, lang: str, out_path: Path) -> Path:
        text = prepare_text(text)
        voice = voice_for(self.voices, lang)
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        problems: list[str] = []
        for attempt in (1, 2):
            try:
                self._run_worker(text, voice, out_path)
                self.last_backend = self.name
                return out_path
            except UnknownVoiceError:
                raise
            except _Pyttsx3Missing as exc:
                problems.append(str(exc))
                break  # retrying cannot install it
            except SynthesisError as exc:
                problems.append(f"attempt {attempt}: {exc}")
                log.warning("pyttsx3 attempt %d for %r failed: %s", attempt, text, exc)
        try:
            self.fallback.synthesize(text, lang, out_path)
        except SynthesisError as exc:
            raise SynthesisError(f"pyttsx3 failed ({'; '.join(problems)}) and {exc}") from exc
        log.warning("pyttsx3 failed, used %s for %r", self.fallback.name, text)
        self.last_backend = self.fallback.name
        return out_path

    def _run_worker(self, text: str, voice: str, out_path: Path) -> None:
        partial = out_path.with_name(f".{out_path.name}.pyttsx3.partial")
        partial.unlink(missing_ok=True)
        cmd = [
            *self.worker_command,
            "--voice",
            voice,
            "--rate",
            str(self.rate),
            "--out",
            str(partial),
            "--timeout",
            # The worker gives up on its own first, so its message reaches us before the kill.
            str(self.timeout * 0.8),
        ]
        returncode, stderr = run_speech_command(cmd, text, partial, timeout=self.timeout, name="the pyttsx3 worker")
        if returncode == pyttsx3_worker.EXIT_UNKNOWN_VOICE:
            partial.unlink(missing_ok=True)
            raise UnknownVoiceError(f"pyttsx3/espeak has no voice {voice!r}")
        if returncode == pyttsx3_worker.EXIT_UNAVAILABLE:
            raise _Pyttsx3Missing(f"pyttsx3 cannot run here: {stderr[-300:]}")
        if returncode != 0:
            partial.unlink(missing_ok=True)
            raise SynthesisError(f"pyttsx3 worker exited {returncode}: {stderr[-500:]}")
        keep_complete_wav(partial, out_path, name="the pyttsx3 worker")
