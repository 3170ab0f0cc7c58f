"""Settings of one lobby display: a TOML file, then MOTCUA_DISPLAY_* variables, then flags.

Example file (`motcua display --config /etc/motcua/display.toml`):

    server = "http://10.0.0.5:8000"
    site = "HUE-TT"
    token = "mcd_…"              # printed once by `motcua device add … --kind display`
    layout = "auto"              # landscape | portrait | auto (from the window's shape)
    fullscreen = true
    max_fps = 30                 # 10-15 on a PC without a graphics driver
    recent_calls = 4              # the strip shows up to 4 (shared/lobby_layout.RECENT_SLOTS)
    notice = ""                  # shown when the site has no notice of its own

    [voice]
    engine = "pyttsx3"           # pyttsx3 | espeak-ng | voicepack
    dialect = "north"            # north | south
    repeat = 2
    english = false
    player = "aplay"             # aplay | paplay | play | ffplay | none
    max_age_seconds = 120

Every key has a variable: MOTCUA_DISPLAY_SITE, MOTCUA_DISPLAY_FULLSCREEN=1,
MOTCUA_DISPLAY_VOICE_PLAYER=none, MOTCUA_DISPLAY_VOICE_ENGLISH=true, …
Nothing is read at import time; a bad value stops the display at start with its reason.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from display.voice import VoiceSettings
from shared.client import valid_server_urls

ENV_PREFIX = "MOTCUA_DISPLAY_"
LAYOUTS = ("auto", "landscape", "portrait")
DEFAULT_NOTICE = (
    "Kính chào quý công dân. Vui lòng giữ phiếu số thứ tự và theo dõi màn hình, loa gọi số. "
    "·  Welcome. Please keep your ticket and watch the screen for your number."
)
_TRUE = {"1", "true", "yes", "on", "có"}
_FALSE = {"0", "false", "no", "off", "không", ""}


class SettingsError(ValueError):
    """A setting is missing or wrong; the message says which and why."""


@dataclass(frozen=True)
class DisplaySettings:
    site: str
    server: str = "http://127.0.0.1:8000"
    token: str | None = None
    layout: str = "auto"
    width: int | None = None
    height: int | None = None
    fullscreen: bool = False
    # Frames per second at most: 30 is smooth; 10-15 spares a PC that draws in software.
    max_fps: int = 30
    recent_calls: int = 4
    flash_seconds: float = 8.0
    refresh_seconds: float = 600.0
    max_backoff_seconds: float = 10.0
    time_zone: str = "Asia/Ho_Chi_Minh"
    notice: str = DEFAULT_NOTICE
    voice_enabled: bool = True
    voice: VoiceSettings = field(default_factory=VoiceSettings)

    def __post_init__(self) -> None:
        problems = []
        if not self.site.strip():
            problems.append("site is required (e.g. --site HUE-TT)")
        if not valid_server_urls(self.server):  # one URL, or several separated by commas
            problems.append(f"server {self.server!r} must start with http:// or https://")
        if self.layout not in LAYOUTS:
            problems.append(f"layout {self.layout!r} is not one of {LAYOUTS}")
        for name in ("width", "height"):
            value = getattr(self, name)
            if value is not None and not 320 <= value <= 8192:
                problems.append(f"{name} must be between 320 and 8192 pixels")
        if not 1 <= self.max_fps <= 120:
            problems.append("max_fps must be between 1 and 120")
        if not 0 <= self.recent_calls <= 20:
            problems.append("recent_calls must be between 0 and 20")
        if self.refresh_seconds < 10:
            problems.append("refresh_seconds must be at least 10")
        if not 0.5 <= self.max_backoff_seconds <= 300:
            problems.append("max_backoff_seconds must be between 0.5 and 300")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"time_zone {self.time_zone!r} is unknown")
        if problems:
            raise SettingsError("invalid display settings: " + "; ".join(problems))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def window_size(self) -> tuple[int, int]:
        """The window asked for; a portrait layout defaults to a TV turned on its side."""
        default = (1080, 1920) if self.layout == "portrait" else (1920, 1080)
        return (self.width or default[0], self.height or default[1])


def load_settings(
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> DisplaySettings:
    """File < environment < `overrides` (command-line flags; None values are ignored)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    voice: dict[str, Any] = {}
    path = config_file or (Path(environ[ENV_PREFIX + "CONFIG"]) if environ.get(ENV_PREFIX + "CONFIG") else None)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read display settings {path}: {exc}") from None
        voice.update(data.pop("voice", {}) or {})
        values.update(data)
    for name, kind in _field_types(DisplaySettings).items():
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None and name != "voice":
            values[name] = _convert(name, raw, kind)
    for name, kind in _field_types(VoiceSettings).items():
        raw = environ.get(ENV_PREFIX + "VOICE_" + name.upper())
        if raw is not None:
            voice[name] = _convert("voice " + name, raw, kind)
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name.startswith("voice_") and name != "voice_enabled":
            voice[name.removeprefix("voice_")] = value
        else:
            values[name] = value
    unknown = set(values) - set(_field_types(DisplaySettings))
    unknown |= {f"voice.{k}" for k in set(voice) - set(_field_types(VoiceSettings))}
    if unknown:
        raise SettingsError(f"unknown display settings: {', '.join(sorted(unknown))}")
    if not str(values.get("site") or "").strip():
        raise SettingsError("the site code is required: --site HUE-TT, MOTCUA_DISPLAY_SITE or site = … in the file")
    if "voice_pack_dir" in voice and voice["voice_pack_dir"] is not None:
        voice["voice_pack_dir"] = Path(voice["voice_pack_dir"])
    try:
        return DisplaySettings(**values, voice=VoiceSettings(**voice))
    except TypeError as exc:  # a missing site, or a wrong type from the TOML file
        raise SettingsError(f"invalid display settings: {exc}") from None
    except SettingsError:
        raise
    except ValueError as exc:  # VoiceSettings says what is wrong with the voice
        raise SettingsError(str(exc)) from None


def _field_types(cls: type) -> dict[str, str]:
    return {f.name: str(f.type) for f in dataclasses.fields(cls)}


def _convert(name: str, raw: str, kind: str) -> Any:
    text = raw.strip()
    if kind.startswith("bool"):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SettingsError(f"{name}: {raw!r} is not yes/no")
    if "None" in kind and text.lower() in ("", "none"):
        return None
    try:
        if kind.startswith("int") and text:
            return int(text)
        if kind.startswith("float") and text:
            return float(text)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a number") from None
    return raw
