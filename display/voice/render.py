"""One call, as one WAV: chime, then the phrase(s), the whole said `repeat` times.

Rendering a call into a single file (instead of playing chime and phrases one by one) is
what keeps a call whole: nothing can slip between its parts, and one player run either
says all of it or reports one failure.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from display.voice.chime import chime_frames
from display.voice.engine import SpeechEngine
from display.voice.wav import WavFormat, join_wavs, wav_info
from shared.announcement import LANGS, call_phrase, check_template
from shared.vn_numbers import DIALECTS, FOURS


class AnnouncementRenderer:
    def __init__(
        self,
        engine: SpeechEngine,
        *,
        dialect: str = "north",
        four: str = "bốn",
        languages: Sequence[str] = ("vi",),
        templates: Mapping[str, str] | None = None,
        pause_seconds: float = 0.7,
        chime: Path | None = None,
    ) -> None:
        if dialect not in DIALECTS or four not in FOURS:
            raise ValueError(f"bad dialect/four: {dialect!r}/{four!r}")
        unknown = [lang for lang in languages if lang not in LANGS]
        if not languages or unknown:
            raise ValueError(
                f"languages must be a non-empty subset of {LANGS}, got {list(languages)}"
            )
        self.templates = dict(templates or {})
        for template in self.templates.values():
            check_template(template)
        self.engine = engine
        self.dialect = dialect
        self.four = four
        self.languages = tuple(languages)
        self.pause_seconds = pause_seconds
        self.chime = chime
        self._generated_chimes: dict[WavFormat, bytes] = {}
        self._lock = threading.Lock()

    def texts(self, label: str, counter: int | str) -> list[tuple[str, str]]:
        """(language, words) for each language of the call, as printed and as spoken."""
        return [
            (
                lang,
                call_phrase(
                    label, counter, lang, self.dialect, self.templates.get(lang), four=self.four
                ),
            )
            for lang in self.languages
        ]

    def render(self, label: str, counter: int | str, out_path: Path, *, repeat: int = 1) -> Path:
        if repeat < 1:
            raise ValueError("repeat must be at least 1")
        phrases = self.texts(label, counter)
        with tempfile.TemporaryDirectory(prefix="motcua-call-") as tmp:
            spoken = [
                self.engine.synthesize(text, lang, Path(tmp) / f"{lang}.wav")
                for lang, text in phrases
            ]
            fmt = wav_info(spoken[0]).format
            parts: list[Path | float | bytes] = [self._chime_for(fmt)]
            for _ in range(repeat):
                for wav in spoken:
                    parts += [wav, self.pause_seconds]
            parts.pop()
            return join_wavs(parts, Path(out_path), fmt)

    def _chime_for(self, fmt: WavFormat) -> Path | bytes:
        if self.chime is not None:
            return self.chime
        with self._lock:
            if fmt not in self._generated_chimes:
                self._generated_chimes[fmt] = chime_frames(fmt)
            return self._generated_chimes[fmt]
