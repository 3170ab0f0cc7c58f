"""What every speech engine promises, and the errors it may raise."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable


class SynthesisError(Exception):
    """Speech could not be produced (engine missing, crashed, timed out, bad output)."""


class UnknownVoiceError(SynthesisError):
    """The configured voice or language does not exist in the engine."""


@runtime_checkable
class SpeechEngine(Protocol):
    name: str

    def synthesize(self, text: str, lang: str, out_path: Path) -> Path:
        """Write `text` spoken in `lang` ("vi" or "en") as a 16-bit PCM WAV at out_path."""
        ...


# espeak-ng voice names; "vi" is the northern (Hà Nội) voice.
DEFAULT_VOICES: Mapping[str, str] = {"vi": "vi", "en": "en"}
DIALECT_VOICES: Mapping[str, str] = {"north": "vi", "south": "vi-vn-x-south"}


def voices_for(dialect: str) -> dict[str, str]:
    if dialect not in DIALECT_VOICES:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {tuple(DIALECT_VOICES)}")
    return {**DEFAULT_VOICES, "vi": DIALECT_VOICES[dialect]}


def prepare_text(text: str) -> str:
    """NFC and single spaces: decomposed tone marks make espeak-ng mispronounce Vietnamese."""
    cleaned = " ".join(unicodedata.normalize("NFC", text).split())
    if not cleaned:
        raise SynthesisError("nothing to say: the text is empty")
    return cleaned


def voice_for(voices: Mapping[str, str], lang: str) -> str:
    try:
        return voices[lang]
    except KeyError:
        raise UnknownVoiceError(
            f"no voice configured for language {lang!r} (have {sorted(voices)})"
        ) from None
