"""Where the counter app connects and what it remembers; `motcua counter --show-settings`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from counter_client.cli import main
from counter_client.settings import SettingsError, load_settings, save_settings


def test_file_then_environment_then_options(tmp_path: Path) -> None:
    path = tmp_path / "counter.json"
    path.write_text(json.dumps({"server_url": "http://10.0.0.5:8000", "counter_id": 3, "username": "canbo.tt"}))
    env = {"MOTCUA_COUNTER_SERVER_URL": "http://10.0.0.6:8000", "MOTCUA_COUNTER_FULLSCREEN": "1"}
    settings = load_settings(path, env, {"counter_id": 4, "site_code": None})
    assert settings.server_url == "http://10.0.0.6:8000"
    assert settings.counter_id == 4 and settings.username == "canbo.tt" and settings.fullscreen is True


def test_what_the_clerk_chose_is_remembered_and_the_password_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "counter.json"
    settings = load_settings(path, {})
    save_settings(settings.remembered(counter_id=2, username="canbo.tt"))
    stored = json.loads(path.read_text())
    assert stored["counter_id"] == 2 and stored["username"] == "canbo.tt"
    assert "password" not in stored and "path" not in stored
    assert load_settings(path, {}).counter_id == 2


@pytest.mark.parametrize(("env", "message"), [
    ({"MOTCUA_COUNTER_SERVER_URL": "10.0.0.5:8000"}, "server_url must start with http"),
    ({"MOTCUA_COUNTER_COUNTER_ID": "abc"}, "invalid literal"),
    ({"MOTCUA_COUNTER_TIME_ZONE": "Mars/Base"}, "unknown time_zone"),
    ({"MOTCUA_COUNTER_RECEIPT_OUTPUT": "fax"}, "receipt_output must be"),
    ({"MOTCUA_COUNTER_PAPER_MM": "70"}, "paper_mm must be 58 or 80"),
])
def test_a_wrong_setting_stops_start_up_with_a_reason(tmp_path: Path, env: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(tmp_path / "none.json", env)


def test_a_broken_settings_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "counter.json"
    path.write_text("{not json")
    with pytest.raises(SettingsError, match="cannot read the settings file"):
        load_settings(path, {})


def test_the_command_shows_the_resolved_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_COUNTER_SITE_CODE", "HUE-PX")
    code = main(["--settings", str(tmp_path / "c.json"), "--server", "http://127.0.0.1:9000", "--counter", "5",
                 "--show-settings"])
    out = capsys.readouterr().out
    assert code == 0
    assert "server_url = http://127.0.0.1:9000" in out and "counter_id = 5" in out and "site_code = HUE-PX" in out


def test_the_command_refuses_a_bad_server_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--settings", str(tmp_path / "c.json"), "--server", "ftp://x", "--show-settings"]) == 2
    assert "server_url must start with http" in capsys.readouterr().err
