"""Wire engine, renderer, player and queue from VoiceSettings: the display's one entry point."""

from __future__ import annotations

from collections.abc import Callable

from display.voice.announcement_queue import AnnouncementQueue, VoiceEvent
from display.voice.engine import SpeechEngine, voices_for
from display.voice.espeak import EspeakNgEngine
from display.voice.player import Player, make_player
from display.voice.pyttsx3_engine import Pyttsx3Engine
from display.voice.render import AnnouncementRenderer
from display.voice.settings import VoiceSettings
from display.voice.voicepack import VoicePackEngine


def make_engine(settings: VoiceSettings) -> SpeechEngine:
    voices = voices_for(settings.dialect)
    if settings.engine == "espeak-ng":
        return EspeakNgEngine(voices, settings.rate)
    if settings.engine == "voicepack":
        assert settings.voice_pack_dir is not None  # checked by VoiceSettings
        return VoicePackEngine(settings.voice_pack_dir)
    return Pyttsx3Engine(voices, settings.rate)


def make_renderer(
    settings: VoiceSettings, engine: SpeechEngine | None = None
) -> AnnouncementRenderer:
    engine = engine or make_engine(settings)
    return AnnouncementRenderer(
        engine,
        dialect=settings.dialect,
        four=settings.four,
        languages=settings.languages,
        templates=settings.templates,
        pause_seconds=settings.pause_seconds,
        chime=getattr(engine, "chime_path", None),
    )


def make_announcer(
    settings: VoiceSettings,
    *,
    on_event: Callable[[VoiceEvent], None] | None = None,
    engine: SpeechEngine | None = None,
    player: Player | None = None,
) -> AnnouncementQueue:
    return AnnouncementQueue(
        make_renderer(settings, engine),
        player or make_player(settings.player, device=settings.player_device),
        repeat=settings.repeat,
        max_age_seconds=settings.max_age_seconds,
        gap_seconds=settings.gap_seconds,
        on_event=on_event,
        probe_sound=settings.probe_sound,
    )
