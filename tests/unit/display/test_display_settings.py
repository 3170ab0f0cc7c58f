"""Display settings: a TOML file, MOTCUA_DISPLAY_* variables and flags, checked at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from display.settings import DEFAULT_NOTICE, SettingsError, load_settings


def test_flags_win_over_the_environment_which_wins_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "display.toml"
    config.write_text(
        'server = "http://10.0.0.5:8000"\nsite = "HUE-PX"\nlayout = "portrait"\nrecent_calls = 4\n'
        '[voice]\nengine = "espeak-ng"\nrepeat = 3\nenglish = true\nplayer = "paplay"\n',
        encoding="utf-8",
    )
    env = {"MOTCUA_DISPLAY_SITE": "HUE-TT", "MOTCUA_DISPLAY_FULLSCREEN": "yes",
           "MOTCUA_DISPLAY_VOICE_PLAYER": "none", "MOTCUA_DISPLAY_VOICE_MAX_AGE_SECONDS": "none"}
    settings = load_settings(config, {"recent_calls": 8, "voice_repeat": None, "voice_dialect": "south"}, env)
    assert (settings.server, settings.site, settings.layout) == ("http://10.0.0.5:8000", "HUE-TT", "portrait")
    assert settings.fullscreen is True and settings.recent_calls == 8
    voice = settings.voice
    assert (voice.engine, voice.repeat, voice.english, voice.player, voice.dialect) == (
        "espeak-ng", 3, True, "none", "south")
    assert voice.max_age_seconds is None
    assert settings.window_size() == (1080, 1920), "a portrait TV by default"


def test_defaults_need_only_a_site() -> None:
    settings = load_settings(None, {"site": "HUE-TT"}, {})
    assert settings.server == "http://127.0.0.1:8000" and settings.layout == "auto"
    assert settings.voice.engine == "pyttsx3" and settings.voice.repeat == 2 and settings.voice_enabled
    assert settings.notice == DEFAULT_NOTICE and settings.window_size() == (1920, 1080)
    assert settings.zone.key == "Asia/Ho_Chi_Minh"


def test_the_config_file_may_be_named_by_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "d.toml"
    config.write_text('site = "HUE-TH"\nnotice = "Chào mừng"\n', encoding="utf-8")
    settings = load_settings(None, {}, {"MOTCUA_DISPLAY_CONFIG": str(config)})
    assert settings.site == "HUE-TH" and settings.notice == "Chào mừng"


@pytest.mark.parametrize(
    ("overrides", "env", "message"),
    [
        ({}, {}, "site code is required"),
        ({"site": "HUE-TT", "layout": "sideways"}, {}, "layout"),
        ({"site": "HUE-TT", "server": "10.0.0.5:8000"}, {}, "http://"),
        ({"site": "HUE-TT"}, {"MOTCUA_DISPLAY_FULLSCREEN": "maybe"}, "yes/no"),
        ({"site": "HUE-TT"}, {"MOTCUA_DISPLAY_RECENT_CALLS": "many"}, "not a number"),
        ({"site": "HUE-TT", "voice_player": "gramophone"}, {}, "player"),
        ({"site": "HUE-TT", "time_zone": "Mars/Olympus"}, {}, "time_zone"),
        ({"site": "HUE-TT", "colour": "red"}, {}, "unknown display settings: colour"),
    ],
)
def test_a_wrong_setting_stops_the_display_with_its_reason(
    overrides: dict, env: dict, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(None, overrides, env)


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("site = \n", encoding="utf-8")
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(bad, {}, {})
