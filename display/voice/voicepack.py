"""Speech from a folder of recorded clips, joined: how the best lobby systems sound human.

Layout of a pack (all paths relative to the folder):

    manifest.json   {"version": 1, "format": {...}, "chime": "chime.wav",
                     "word_gap_seconds": 0.04, "pause_seconds": 0.25,
                     "languages": {"vi": {"mời công dân có số thứ tự": "vi/moi_cong_dan_co_so_thu_tu.wav",
                                          "mười": "vi/muoi.wav", ...}, "en": {...}}}
    chime.wav       optional; the attention chime
    vi/*.wav, en/*.wav

Keys are lower-case NFC text. A phrase is matched greedily, longest key first, so a
recorded sentence fragment wins over the same words recorded one by one. `build_voice_pack`
makes a pack with a synthetic voice so the feature works (and is tested) out of the box;
a real deployment replaces the clips with a person's recordings, keeping the manifest.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from display.voice.chime import write_chime
from display.voice.engine import SpeechEngine, SynthesisError, prepare_text
from display.voice.wav import SPEECH_FORMAT, WavFormat, check_complete, join_wavs, trim_silence
from shared.announcement import phrase_vocabulary, spoken_tokens

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


class MissingClipError(SynthesisError):
    """The phrase needs a word the voice pack has no recording of."""

    def __init__(self, pack_dir: Path, lang: str, missing: list[str]) -> None:
        self.missing = missing
        names = ", ".join(repr(word) for word in missing)
        super().__init__(f"voice pack {pack_dir} has no {lang!r} clip for {names}")


class VoicePackError(SynthesisError):
    """The pack folder or its manifest is unusable."""


@dataclass(frozen=True)
class VoicePack:
    directory: Path
    format: WavFormat
    clips: dict[str, dict[str, Path]]
    word_gap_seconds: float
    pause_seconds: float
    chime: Path | None

    @classmethod
    def load(cls, directory: Path) -> VoicePack:
        directory = Path(directory)
        manifest_path = directory / MANIFEST_NAME
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise VoicePackError(
                f"{directory} is not a voice pack: {MANIFEST_NAME} is missing"
            ) from None
        except (OSError, ValueError) as exc:
            raise VoicePackError(f"cannot read {manifest_path}: {exc}") from exc
        if manifest.get("version") != MANIFEST_VERSION:
            raise VoicePackError(
                f"{manifest_path}: unsupported version {manifest.get('version')!r}"
            )
        try:
            clips = {
                lang: {_key(text): directory / rel for text, rel in entries.items()}
                for lang, entries in manifest["languages"].items()
            }
            fmt = WavFormat(**manifest.get("format", {}))
        except (KeyError, TypeError, AttributeError) as exc:
            raise VoicePackError(f"{manifest_path}: malformed ({exc!r})") from exc
        chime = directory / manifest["chime"] if manifest.get("chime") else None
        return cls(
            directory=directory,
            format=fmt,
            clips=clips,
            word_gap_seconds=float(manifest.get("word_gap_seconds", 0.04)),
            pause_seconds=float(manifest.get("pause_seconds", 0.25)),
            chime=chime,
        )

    def plan(self, text: str, lang: str) -> list[Path | float]:
        """The clips and silences (seconds) that say `text`, in order."""
        table = self.clips.get(lang)
        if table is None:
            raise MissingClipError(self.directory, lang, [f"<any {lang} clip>"])
        longest = max((len(key.split()) for key in table), default=1)
        tokens = spoken_tokens(text)
        parts: list[Path | float] = []
        missing: list[str] = []
        i = 0
        while i < len(tokens):
            if tokens[i] == ",":
                _replace_gap(parts, self.pause_seconds)
                i += 1
                continue
            for size in range(min(longest, len(tokens) - i), 0, -1):
                words = tokens[i : i + size]
                if "," in words:
                    continue
                clip = table.get(" ".join(words))
                if clip is not None:
                    break
            else:
                missing.append(tokens[i])
                i += 1
                continue
            parts += [clip, self.word_gap_seconds]
            i += size
        if missing:
            raise MissingClipError(self.directory, lang, list(dict.fromkeys(missing)))
        if parts and isinstance(parts[-1], float):
            parts.pop()
        absent = [str(p) for p in parts if isinstance(p, Path) and not p.is_file()]
        if absent:
            raise VoicePackError(
                f"voice pack {self.directory}: listed clip files are missing: {absent}"
            )
        return parts


class VoicePackEngine:
    name = "voicepack"

    def __init__(self, directory: Path) -> None:
        self.pack = VoicePack.load(directory)

    @property
    def chime_path(self) -> Path | None:
        chime = self.pack.chime
        return chime if chime is not None and chime.is_file() else None

    def synthesize(self, text: str, lang: str, out_path: Path) -> Path:
        parts = self.pack.plan(prepare_text(text), lang)
        return join_wavs(parts, Path(out_path), self.pack.format)


def build_voice_pack(
    directory: Path,
    engine: SpeechEngine,
    *,
    languages: Iterable[str] = ("vi", "en"),
    templates: dict[str, list[str]] | None = None,
    trim: bool = True,
) -> Path:
    """Synthesise one clip per vocabulary entry with `engine`; return the manifest path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    table: dict[str, dict[str, str]] = {}
    for lang in languages:
        used_names: set[str] = set()
        table[lang] = {}
        for entry in phrase_vocabulary(lang, (templates or {}).get(lang)):
            rel = f"{lang}/{_unique_name(_slug(entry), used_names)}.wav"
            target = directory / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            # A lone English letter is said as its name only when written in capitals.
            spoken = entry.upper() if lang == "en" and len(entry) == 1 else entry
            engine.synthesize(spoken, lang, target)
            if trim:
                trim_silence(target, target)
            check_complete(target, min_seconds=0.01)
            table[lang][entry] = rel
    write_chime(directory / "chime.wav", SPEECH_FORMAT)
    manifest = {
        "version": MANIFEST_VERSION,
        "generated_by": getattr(engine, "name", type(engine).__name__),
        "format": _format_dict(SPEECH_FORMAT),
        "chime": "chime.wav",
        "word_gap_seconds": 0.04,
        "pause_seconds": 0.25,
        "languages": table,
    }
    path = directory / MANIFEST_NAME
    path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
    )
    return path


def _format_dict(fmt: WavFormat) -> dict[str, int]:
    return {
        "channels": fmt.channels,
        "sample_width": fmt.sample_width,
        "frame_rate": fmt.frame_rate,
    }


def _replace_gap(parts: list[Path | float], seconds: float) -> None:
    if parts and isinstance(parts[-1], float):
        parts[-1] = seconds
    elif parts:
        parts.append(seconds)


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _slug(text: str) -> str:
    # ASCII file names survive zip files, USB sticks and Windows recording tools.
    base = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    base = "".join(ch for ch in base if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_") or "clip"


def _unique_name(slug: str, used: set[str]) -> str:
    name, n = slug, 1
    while name in used:
        n += 1
        name = f"{slug}_{n}"
    used.add(name)
    return name
