"""Voice settings of a lobby display, validated when the display starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from display.voice.player import PLAYER_NAMES
from shared.announcement import LANGS, check_template
from shared.vn_numbers import DIALECTS, FOURS

ENGINE_NAMES = ("pyttsx3", "espeak-ng", "voicepack")


@dataclass(frozen=True)
class VoiceSettings:
    engine: str = "pyttsx3"
    dialect: str = "north"
    four: str = "bốn"
    repeat: int = 2
    english: bool = False
    # A call still waiting after this long is dropped: the citizen has long gone to the desk.
    max_age_seconds: float | None = 120.0
    player: str = "aplay"
    player_device: str | None = None
    voice_pack_dir: Path | None = None
    rate: int = 150
    templates: dict[str, str] = field(default_factory=dict)
    pause_seconds: float = 0.7
    gap_seconds: float = 0.8
    # Try the player once at start-up so "no sound" shows before the first call is missed.
    probe_sound: bool = True

    def __post_init__(self) -> None:
        problems = []
        if self.engine not in ENGINE_NAMES:
            problems.append(f"engine {self.engine!r} is not one of {ENGINE_NAMES}")
        if self.engine == "voicepack" and self.voice_pack_dir is None:
            problems.append("engine 'voicepack' needs voice_pack_dir")
        if self.dialect not in DIALECTS:
            problems.append(f"dialect {self.dialect!r} is not one of {DIALECTS}")
        if self.four not in FOURS:
            problems.append(f"four {self.four!r} is not one of {FOURS}")
        if self.player not in PLAYER_NAMES:
            problems.append(f"player {self.player!r} is not one of {PLAYER_NAMES}")
        if not 1 <= self.repeat <= 5:
            problems.append("repeat must be between 1 and 5")
        if not 80 <= self.rate <= 450:
            problems.append("rate (words per minute) must be between 80 and 450")
        if self.max_age_seconds is not None and self.max_age_seconds <= 0:
            problems.append("max_age_seconds must be positive (or None for no limit)")
        for lang, template in self.templates.items():
            if lang not in LANGS:
                problems.append(f"template for unknown language {lang!r}")
                continue
            try:
                check_template(template)
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("invalid voice settings: " + "; ".join(problems))

    @property
    def languages(self) -> tuple[str, ...]:
        return ("vi", "en") if self.english else ("vi",)
