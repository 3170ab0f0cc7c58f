"""`motcua display` (display.cli.main): flags, errors and the demo token, without a window."""

from __future__ import annotations

import pytest

import display.runtime
from display.cli import main


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list:
    runs: list = []
    monkeypatch.setattr(display.runtime, "run_display",
                        lambda settings, token, **_: runs.append((settings, token)))
    for name in ("MOTCUA_DISPLAY_CONFIG", "MOTCUA_DISPLAY_SITE", "MOTCUA_DISPLAY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return runs


def test_display_starts_with_the_site_and_flags(started: list) -> None:
    code = main(["--site", "HUE-PX", "--server", "http://10.0.0.5:8000", "--token", "mcd_abc",
                 "--layout", "portrait", "--size", "1080x1920", "--fullscreen", "--player", "none",
                 "--english", "--repeat", "3", "--log-level", "warning"])
    assert code == 0
    [(settings, token)] = started
    assert token == "mcd_abc"
    assert (settings.site, settings.server, settings.layout, settings.fullscreen) == (
        "HUE-PX", "http://10.0.0.5:8000", "portrait", True)
    assert settings.window_size() == (1080, 1920)
    assert (settings.voice.player, settings.voice.english, settings.voice.repeat) == ("none", True, 3)


def test_without_a_token_the_demo_display_token_is_used_and_said(
    started: list, caplog: pytest.LogCaptureFixture
) -> None:
    assert main(["--site", "HUE-TT", "--no-voice"]) == 0
    [(settings, token)] = started
    assert token == "mcd_demo-display-hue-tt" and settings.voice_enabled is False
    assert "demo token" in caplog.text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "site code is required"),
        (["--site", "HUE-TT", "--size", "big"], "WIDTHxHEIGHT"),
        (["--site", "HUE-TT", "--player", "gramophone"], "player"),
    ],
)
def test_a_bad_command_line_says_why_and_starts_nothing(
    argv: list[str], message: str, started: list, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert started == []


def test_phrase_is_still_a_subcommand(started: list, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["phrase", "1023", "5"]) == 0
    assert capsys.readouterr().out.strip() == \
        "Mời công dân có số thứ tự một nghìn không trăm hai mươi ba đến quầy số năm"
    assert started == []
