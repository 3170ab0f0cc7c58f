"""WAV helpers and the chime: what the player receives must be whole and well formed."""

from __future__ import annotations

import array
import shutil
import wave
from pathlib import Path

import pytest

from display.voice.chime import CHIME_TONES_HZ, chime_frames, write_chime
from display.voice.wav import (
    SPEECH_FORMAT,
    WavError,
    WavFormat,
    check_complete,
    join_wavs,
    read_frames,
    trim_silence,
    wav_info,
    write_wav,
)


def test_chime_is_two_soft_tones_in_the_speech_format(tmp_path: Path) -> None:
    path = write_chime(tmp_path / "chime.wav")
    info = check_complete(path)
    assert info.format == SPEECH_FORMAT
    assert 0.8 <= info.duration <= 2.0
    samples = array.array("h", read_frames(path)[1])
    peak = max(abs(s) for s in samples)
    assert 0.2 * 32767 < peak < 0.5 * 32767, "audible but soft"
    assert abs(samples[0]) < 200, "fades in instead of clicking"
    half = len(samples) // 2
    assert max(abs(s) for s in samples[half - 200 : half + 200]) > 0.05 * 32767, (
        "second tone sounds"
    )
    assert len(CHIME_TONES_HZ) == 2


def test_chime_follows_any_16_bit_format() -> None:
    stereo_44k = WavFormat(channels=2, sample_width=2, frame_rate=44100)
    frames = chime_frames(stereo_44k)
    assert len(frames) % stereo_44k.frame_bytes == 0
    assert len(frames) / stereo_44k.frame_bytes / 44100 == pytest.approx(
        len(chime_frames()) / 2 / 22050, abs=0.001
    )


def test_join_adds_up_files_pauses_and_raw_frames(tmp_path: Path) -> None:
    fmt = SPEECH_FORMAT
    a = write_wav(tmp_path / "a.wav", fmt, b"\x01\x00" * 2205)  # 0.1 s
    b = write_wav(tmp_path / "b.wav", fmt, b"\x02\x00" * 4410)  # 0.2 s
    out = join_wavs([a, 0.5, b, fmt.silence(0.25)], tmp_path / "out.wav")
    info = check_complete(out)
    assert info.duration == pytest.approx(1.05, abs=1 / 22050)
    frames = read_frames(out)[1]
    assert frames.startswith(b"\x01\x00" * 2205 + b"\x00" * 2 * 11025 + b"\x02\x00")


def test_join_refuses_raw_frames_that_are_not_whole_frames(tmp_path: Path) -> None:
    with pytest.raises(WavError):
        join_wavs([b"\x00\x00\x00"], tmp_path / "out.wav")


@pytest.mark.skipif(shutil.which("sox") is None, reason="sox converts sample formats")
def test_join_converts_a_clip_recorded_in_another_format(tmp_path: Path) -> None:
    other = WavFormat(channels=2, sample_width=2, frame_rate=44100)
    clip = write_wav(tmp_path / "clip.wav", other, b"\x00\x10" * 2 * 44100)  # 1 s stereo
    out = join_wavs([clip], tmp_path / "out.wav")
    info = wav_info(out)
    assert info.format == SPEECH_FORMAT
    assert info.duration == pytest.approx(1.0, abs=0.01)


def test_check_complete_refuses_missing_empty_truncated_and_silent_files(tmp_path: Path) -> None:
    with pytest.raises(WavError, match="no file"):
        check_complete(tmp_path / "absent.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(WavError, match="empty"):
        check_complete(tmp_path / "empty.wav")
    whole = write_wav(tmp_path / "whole.wav", SPEECH_FORMAT, b"\x01\x00" * 22050)
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(whole.read_bytes()[:-1000])
    with pytest.raises(WavError, match="truncated"):
        check_complete(truncated)
    no_frames = write_wav(tmp_path / "none.wav", SPEECH_FORMAT, b"")
    with pytest.raises(WavError, match="only"):
        check_complete(no_frames)
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(WavError, match="not a readable WAV"):
        check_complete(tmp_path / "text.wav")
    assert check_complete(whole).duration == pytest.approx(1.0)


def test_write_wav_leaves_no_partial_file(tmp_path: Path) -> None:
    write_wav(tmp_path / "x.wav", SPEECH_FORMAT, b"\x00\x00" * 10)
    assert [p.name for p in tmp_path.iterdir()] == ["x.wav"]


def test_trim_silence_keeps_the_sound_and_a_little_margin(tmp_path: Path) -> None:
    fmt = SPEECH_FORMAT
    loud = array.array("h", [5000, -5000] * 2205).tobytes()  # 0.2 s
    src = write_wav(tmp_path / "padded.wav", fmt, fmt.silence(0.5) + loud + fmt.silence(0.7))
    out = trim_silence(src, tmp_path / "trimmed.wav", keep_seconds=0.02)
    assert wav_info(out).duration == pytest.approx(0.2 + 0.04, abs=0.002)
    silent = write_wav(tmp_path / "silent.wav", fmt, fmt.silence(0.3))
    assert wav_info(trim_silence(silent, tmp_path / "still.wav")).duration == pytest.approx(0.3)


def test_wav_info_reads_format_with_the_wave_module(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * 8000)
    info = wav_info(path)
    assert info.format == WavFormat(1, 2, 16000)
    assert info.duration == 0.5
