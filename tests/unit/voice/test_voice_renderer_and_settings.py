"""Settings are checked at start-up; the factory wires what they name."""

from __future__ import annotations

from pathlib import Path

import pytest

from display.voice.chime import chime_frames
from display.voice.espeak import EspeakNgEngine
from display.voice.factory import make_announcer, make_engine, make_renderer
from display.voice.player import CommandPlayer, MutedPlayer, make_player
from display.voice.pyttsx3_engine import Pyttsx3Engine
from display.voice.render import AnnouncementRenderer
from display.voice.settings import VoiceSettings
from display.voice.wav import wav_info


def test_defaults_are_valid_and_vietnamese_only() -> None:
    settings = VoiceSettings()
    assert settings.engine == "pyttsx3"
    assert settings.repeat == 2
    assert settings.languages == ("vi",)
    assert VoiceSettings(english=True).languages == ("vi", "en")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"engine": "festival"}, "engine"),
        ({"engine": "voicepack"}, "voice_pack_dir"),
        ({"dialect": "central"}, "dialect"),
        ({"four": "4"}, "four"),
        ({"player": "vlc"}, "player"),
        ({"repeat": 0}, "repeat"),
        ({"rate": 10}, "rate"),
        ({"max_age_seconds": 0}, "max_age_seconds"),
        ({"templates": {"vi": "Mời {tên}"}}, "placeholders"),
        ({"templates": {"fr": "{ticket}"}}, "unknown language"),
    ],
)
def test_bad_settings_fail_at_start_up(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VoiceSettings(**changes)


def test_engine_follows_setting_and_dialect() -> None:
    pyttsx3_engine = make_engine(VoiceSettings(dialect="south", rate=170))
    assert isinstance(pyttsx3_engine, Pyttsx3Engine)
    assert pyttsx3_engine.voices["vi"] == "vi-vn-x-south"
    assert pyttsx3_engine.rate == 170
    assert isinstance(pyttsx3_engine.fallback, EspeakNgEngine)
    espeak = make_engine(VoiceSettings(engine="espeak-ng"))
    assert isinstance(espeak, EspeakNgEngine) and espeak.voices["vi"] == "vi"


@pytest.mark.parametrize("name", ["aplay", "paplay", "play", "ffplay"])
def test_each_named_player_is_a_bounded_command(name: str, tmp_path: Path) -> None:
    player = make_player(name, device="hw:9,9")
    assert isinstance(player, CommandPlayer) and player.name == name


@pytest.mark.parametrize("name", ["none", "muted"])
def test_muted_player(name: str, tmp_path: Path) -> None:
    player = make_player(name)
    assert isinstance(player, MutedPlayer)
    assert player.play(tmp_path / "whatever.wav") is None


def test_renderer_gets_dialect_languages_and_template(fake_engine, tiny_chime) -> None:
    settings = VoiceSettings(
        dialect="south", four="tư", english=True, templates={"vi": "Số {số} mời đến quầy {quầy}"}
    )
    renderer = make_renderer(settings, fake_engine)
    assert renderer.texts("A1004", 24) == [
        ("vi", "Số A, một ngàn không trăm lẻ bốn mời đến quầy hai mươi tư"),
        ("en", "Ticket number A, one thousand four, please go to counter twenty-four"),
    ]


def test_rendered_call_starts_with_the_generated_chime(fake_engine, tmp_path: Path) -> None:
    renderer = AnnouncementRenderer(fake_engine, pause_seconds=0.5)
    out = renderer.render("A023", 5, tmp_path / "call.wav", repeat=2)
    info = wav_info(out)
    chime_seconds = len(chime_frames()) / 2 / 22050
    assert info.duration == pytest.approx(chime_seconds + 2 * fake_engine.seconds + 0.5, abs=0.002)


def test_renderer_refuses_unknown_languages(fake_engine) -> None:
    with pytest.raises(ValueError):
        AnnouncementRenderer(fake_engine, languages=("vi", "fr"))
    with pytest.raises(ValueError):
        AnnouncementRenderer(fake_engine, languages=())


def test_make_announcer_probes_the_player_then_runs_calls(fake_engine, recording_player) -> None:
    settings = VoiceSettings(repeat=1, gap_seconds=0, pause_seconds=0)
    queue = make_announcer(settings, engine=fake_engine, player=recording_player)
    try:
        queue.announce("A1", 1)
        assert queue.wait_idle(10)
    finally:
        queue.stop()
    probe, call = recording_player.plays
    assert probe.wav_seconds == pytest.approx(0.1)
    assert call.wav_seconds > 1.0  # the generated chime alone lasts over a second
