"""`motcua phrase` end to end: the exact text on stdout, and a valid WAV with --wav."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from display.cli import main, phrase_command
from display.voice.chime import chime_frames
from display.voice.wav import SPEECH_FORMAT, check_complete

CHIME_SECONDS = len(chime_frames()) / SPEECH_FORMAT.frame_bytes / SPEECH_FORMAT.frame_rate
ROOT = Path(__file__).resolve().parents[3]


def test_prints_the_vietnamese_call(capsys: pytest.CaptureFixture[str]) -> None:
    assert phrase_command(["A023", "5"]) == 0
    assert capsys.readouterr().out == "Mời công dân có số thứ tự A, hai mươi ba đến quầy số năm\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["1023", "24", "--lang", "en"],
            "Ticket number one thousand twenty-three, please go to counter twenty-four",
        ),
        (
            ["1005", "24", "--dialect", "south", "--four", "tư"],
            "Mời công dân có số thứ tự một ngàn không trăm lẻ năm đến quầy số hai mươi tư",
        ),
        (
            ["AB012", "3", "--template", "Xin mời số thứ tự {số}, đến quầy số {quầy}"],
            "Xin mời số thứ tự A, Bê, mười hai, đến quầy số ba",
        ),
    ],
)
def test_prints_the_call_for_options(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert phrase_command(args) == 0
    assert capsys.readouterr().out == expected + "\n"


@pytest.mark.parametrize("engine", ["pyttsx3", "espeak-ng"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_wav_option_writes_chime_and_phrase(
    engine: str, lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "call.wav"
    assert phrase_command(["A023", "5", "--lang", lang, "--engine", engine, "--wav", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1, "stdout carries only the text"
    info = check_complete(out)
    assert info.format == SPEECH_FORMAT
    assert CHIME_SECONDS + 2.0 <= info.duration <= CHIME_SECONDS + 15.0
    assert str(out) in captured.err


def test_wav_from_a_voice_pack(voice_pack_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "call.wav"
    args = [
        "A023",
        "5",
        "--engine",
        "voicepack",
        "--voice-pack",
        str(voice_pack_dir),
        "--wav",
        str(out),
    ]
    assert phrase_command(args + ["--repeat", "2"]) == 0
    assert check_complete(out).duration > CHIME_SECONDS + 2 * 2.0


def test_a_voice_pack_missing_a_word_fails_with_its_name(
    voice_pack_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "A1",
        "5",
        "--engine",
        "voicepack",
        "--voice-pack",
        str(voice_pack_dir),
        "--template",
        "Kính mời {số}",
        "--wav",
        str(tmp_path / "x.wav"),
    ]
    assert phrase_command(args) == 1
    assert "'kính'" in capsys.readouterr().err
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["A023"],
        ["A023", "5", "--lang", "fr"],
        ["???", "5"],
        ["A1", "5", "--template", "Mời {tên}"],
        ["A1", "5", "--engine", "voicepack"],
    ],
)
def test_bad_input_is_a_usage_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert phrase_command(args) == 2
    assert capsys.readouterr().err


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert phrase_command(["--help"]) == 0
    assert "--wav" in capsys.readouterr().out


def test_runs_as_python_dash_m(tmp_path: Path) -> None:
    out = tmp_path / "call.wav"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "display.cli",
            "phrase",
            "1023",
            "5",
            "--engine",
            "espeak-ng",
            "--wav",
            str(out),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout
        == "Mời công dân có số thứ tự một nghìn không trăm hai mươi ba đến quầy số năm\n"
    )
    check_complete(out)


def test_main_dispatches_and_refuses_unknown_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["phrase", "A1", "1"]) == 0
    assert main(["speak"]) == 2
