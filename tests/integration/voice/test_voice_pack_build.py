"""A generated voice pack: every word recorded, joined calls as long as their clips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from display.voice.factory import make_renderer
from display.voice.settings import VoiceSettings
from display.voice.voicepack import MANIFEST_NAME, MissingClipError, VoicePack, VoicePackEngine
from display.voice.wav import SPEECH_FORMAT, check_complete, wav_info
from shared.announcement import call_phrase, phrase_vocabulary


def test_the_manifest_lists_a_valid_clip_for_every_word_of_both_languages(
    voice_pack_dir: Path,
) -> None:
    manifest = json.loads((voice_pack_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    for lang in ("vi", "en"):
        table = manifest["languages"][lang]
        assert set(table) == set(phrase_vocabulary(lang))  # type: ignore[arg-type]
        for text, rel in table.items():
            info = check_complete(voice_pack_dir / rel, min_seconds=0.05)
            assert info.format == SPEECH_FORMAT, text
            assert info.duration < 4.0, text
    assert check_complete(voice_pack_dir / manifest["chime"]).duration > 0.5


@pytest.mark.parametrize(
    ("label", "counter", "lang", "dialect"),
    [("A023", 5, "vi", "north"), ("1005", 24, "vi", "south"), ("AB9999", 67, "en", "north")],
)
def test_a_joined_call_lasts_the_sum_of_its_clips_and_pauses(
    voice_pack_dir: Path, tmp_path: Path, label: str, counter: int, lang: str, dialect: str
) -> None:
    text = call_phrase(label, counter, lang, dialect)  # type: ignore[arg-type]
    pack = VoicePack.load(voice_pack_dir)
    plan = pack.plan(text, lang)
    clips = [part for part in plan if isinstance(part, Path)]
    expected = sum(wav_info(clip).duration for clip in clips)
    expected += sum(part for part in plan if isinstance(part, float))
    out = VoicePackEngine(voice_pack_dir).synthesize(text, lang, tmp_path / "call.wav")
    info = check_complete(out)
    assert info.format == SPEECH_FORMAT
    assert info.duration == pytest.approx(expected, abs=len(plan) / 22050)
    assert 1.5 <= info.duration <= 15.0


def test_the_fixed_sentence_is_one_recorded_clip(voice_pack_dir: Path) -> None:
    pack = VoicePack.load(voice_pack_dir)
    plan = pack.plan(call_phrase("A023", 5), "vi")
    assert plan[0] == pack.clips["vi"]["mời công dân có số thứ tự"]


def test_a_template_word_the_pack_never_recorded_is_named(
    voice_pack_dir: Path, tmp_path: Path
) -> None:
    text = call_phrase("A023", 5, template="Kính mời số {số} đến bàn {quầy}")
    with pytest.raises(MissingClipError) as caught:
        VoicePackEngine(voice_pack_dir).synthesize(text, "vi", tmp_path / "x.wav")
    assert caught.value.missing == ["kính", "bàn"]


def test_a_voice_pack_call_uses_the_pack_chime(voice_pack_dir: Path, tmp_path: Path) -> None:
    settings = VoiceSettings(engine="voicepack", voice_pack_dir=voice_pack_dir, pause_seconds=0.5)
    renderer = make_renderer(settings)
    assert renderer.chime == voice_pack_dir / "chime.wav"
    out = renderer.render("A023", 5, tmp_path / "call.wav", repeat=2)
    phrase = VoicePackEngine(voice_pack_dir).synthesize(
        call_phrase("A023", 5), "vi", tmp_path / "p.wav"
    )
    expected = wav_info(voice_pack_dir / "chime.wav").duration + 2 * wav_info(phrase).duration + 0.5
    assert wav_info(out).duration == pytest.approx(expected, abs=0.001)
