"""Vietnamese voice calls for the lobby display: speech engines, chime, player, call queue.

Nothing here imports Kivy: the same code serves the Kivy display and a web endpoint.
Typical use by the display app:

    settings = VoiceSettings(engine="pyttsx3", player="aplay", english=True)
    announcer = make_announcer(settings, on_event=handle_voice_event)
    announcer.announce("A023", 5)      # on each TicketCalled (recalls too)
    ...
    announcer.stop()
"""

from display.voice.announcement_queue import (
    AnnouncementDropped,
    AnnouncementFailed,
    AnnouncementFinished,
    AnnouncementQueue,
    AnnouncementStarted,
    CallRequest,
    SoundRestored,
    SoundUnavailable,
    VoiceEvent,
)
from display.voice.chime import write_chime
from display.voice.engine import SpeechEngine, SynthesisError, UnknownVoiceError
from display.voice.espeak import EspeakNgEngine
from display.voice.factory import make_announcer, make_engine, make_renderer
from display.voice.player import CommandPlayer, MutedPlayer, Player, PlayerError, make_player
from display.voice.pyttsx3_engine import Pyttsx3Engine
from display.voice.render import AnnouncementRenderer
from display.voice.settings import VoiceSettings
from display.voice.voicepack import MissingClipError, VoicePackEngine, build_voice_pack
from display.voice.wav import WavError, WavFormat, wav_duration, wav_info

__all__ = [
    "AnnouncementDropped",
    "AnnouncementFailed",
    "AnnouncementFinished",
    "AnnouncementQueue",
    "AnnouncementRenderer",
    "AnnouncementStarted",
    "CallRequest",
    "CommandPlayer",
    "EspeakNgEngine",
    "MissingClipError",
    "MutedPlayer",
    "Player",
    "PlayerError",
    "Pyttsx3Engine",
    "SoundRestored",
    "SoundUnavailable",
    "SpeechEngine",
    "SynthesisError",
    "UnknownVoiceError",
    "VoiceEvent",
    "VoicePackEngine",
    "VoiceSettings",
    "WavError",
    "WavFormat",
    "build_voice_pack",
    "make_announcer",
    "make_engine",
    "make_player",
    "make_renderer",
    "wav_duration",
    "wav_info",
    "write_chime",
]
