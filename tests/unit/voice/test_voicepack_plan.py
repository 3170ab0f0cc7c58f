"""A voice pack turns a phrase into recorded clips; a missing word is named, never skipped."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from display.voice.voicepack import (
    MANIFEST_NAME,
    MissingClipError,
    VoicePack,
    VoicePackEngine,
    VoicePackError,
)
from display.voice.wav import SPEECH_FORMAT, wav_info, write_wav

CLIPS = {
    "mời công dân có số thứ tự": 0.30,
    "mời": 0.05,
    "a": 0.04,
    "hai": 0.05,
    "mươi": 0.06,
    "ba": 0.05,
    "đến quầy số": 0.20,
    "năm": 0.07,
}


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    table = {}
    for i, (text, seconds) in enumerate(CLIPS.items()):
        rel = f"vi/{i}.wav"
        write_wav(tmp_path / rel, SPEECH_FORMAT, b"\x10\x00" * round(seconds * 22050))
        table[text] = rel
    manifest = {
        "version": 1,
        "format": {"channels": 1, "sample_width": 2, "frame_rate": 22050},
        "word_gap_seconds": 0.01,
        "pause_seconds": 0.2,
        "languages": {"vi": table},
    }
    (tmp_path / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False), encoding="utf-8"
    )
    return tmp_path


def test_longest_recorded_fragment_wins_and_commas_become_pauses(pack_dir: Path) -> None:
    pack = VoicePack.load(pack_dir)
    plan = pack.plan("Mời công dân có số thứ tự A, hai mươi ba đến quầy số năm", "vi")
    names = [clip_text(pack_dir, part) if isinstance(part, Path) else part for part in plan]
    assert names == [
        "mời công dân có số thứ tự",
        0.01,
        "a",
        0.2,
        "hai",
        0.01,
        "mươi",
        0.01,
        "ba",
        0.01,
        "đến quầy số",
        0.01,
        "năm",
    ]


def clip_text(pack_dir: Path, path: Path) -> str:
    manifest = json.loads((pack_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    return {pack_dir / rel: text for text, rel in manifest["languages"]["vi"].items()}[path]


def test_joined_speech_lasts_the_sum_of_its_clips_and_gaps(pack_dir: Path, tmp_path: Path) -> None:
    engine = VoicePackEngine(pack_dir)
    out = engine.synthesize("Mời công dân có số thứ tự A, hai mươi ba", "vi", tmp_path / "out.wav")
    expected = 0.30 + 0.04 + 0.05 + 0.06 + 0.05 + 0.01 + 0.2 + 0.01 + 0.01
    assert wav_info(out).duration == pytest.approx(
        expected, abs=0.001
    )  # each part rounds to whole frames


def test_missing_words_are_all_named(pack_dir: Path, tmp_path: Path) -> None:
    engine = VoicePackEngine(pack_dir)
    with pytest.raises(MissingClipError) as caught:
        engine.synthesize("Xin mời số bảy, bảy", "vi", tmp_path / "out.wav")
    assert caught.value.missing == ["xin", "số", "bảy"]
    assert "'xin'" in str(caught.value) and str(pack_dir) in str(caught.value)
    assert not (tmp_path / "out.wav").exists()


def test_a_language_the_pack_lacks_is_a_clear_error(pack_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(MissingClipError, match="'en'"):
        VoicePackEngine(pack_dir).synthesize("ticket", "en", tmp_path / "out.wav")


def test_decomposed_text_finds_the_same_clips(pack_dir: Path) -> None:
    pack = VoicePack.load(pack_dir)
    text = "Mời công dân có số thứ tự năm"
    assert pack.plan(unicodedata.normalize("NFD", text), "vi") == pack.plan(text, "vi")


def test_a_folder_without_manifest_is_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(VoicePackError, match="manifest"):
        VoicePackEngine(tmp_path)


def test_a_clip_listed_but_deleted_is_reported(pack_dir: Path, tmp_path: Path) -> None:
    (pack_dir / "vi" / "7.wav").unlink()  # "năm"
    with pytest.raises(VoicePackError, match="missing"):
        VoicePackEngine(pack_dir).synthesize("năm", "vi", tmp_path / "out.wav")
