"""Small WAV toolkit on the standard `wave` module: inspect, validate, join, trim.

Only 16-bit PCM is produced anywhere in the voice pipeline; joining refuses mixed formats
unless sox is there to convert, because silently concatenating 22 kHz and 44 kHz audio
plays one of them at the wrong pitch.
"""

from __future__ import annotations

import array
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class WavError(Exception):
    """A WAV file is missing, truncated, empty or of an unexpected format."""


@dataclass(frozen=True)
class WavFormat:
    channels: int = 1
    sample_width: int = 2
    frame_rate: int = 22050

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.sample_width

    def silence(self, seconds: float) -> bytes:
        return b"\x00" * (round(max(seconds, 0.0) * self.frame_rate) * self.frame_bytes)


# What espeak-ng and pyttsx3's espeak driver write; the chime and voice packs follow it.
SPEECH_FORMAT = WavFormat(channels=1, sample_width=2, frame_rate=22050)


@dataclass(frozen=True)
class WavInfo:
    format: WavFormat
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.format.frame_rate


def wav_info(path: Path) -> WavInfo:
    try:
        with wave.open(str(path), "rb") as w:
            fmt = WavFormat(w.getnchannels(), w.getsampwidth(), w.getframerate())
            return WavInfo(fmt, w.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise WavError(f"{path}: not a readable WAV file ({exc})") from exc


def wav_duration(path: Path) -> float:
    return wav_info(path).duration


def check_complete(path: Path, *, min_seconds: float = 0.05) -> WavInfo:
    """Prove a freshly synthesised file is whole: header readable and every frame present.

    A writer that lost a race leaves no file, a 0-byte file, a header with no frames, or
    a header promising more data than the file holds; all are refused here.
    """
    if not Path(path).is_file():
        raise WavError(f"{path}: no file was written")
    if Path(path).stat().st_size == 0:
        raise WavError(f"{path}: the file is empty")
    info = wav_info(path)
    if info.format.sample_width != 2:
        raise WavError(f"{path}: expected 16-bit PCM, got {8 * info.format.sample_width}-bit")
    with wave.open(str(path), "rb") as w:
        data = w.readframes(info.frames)
    if len(data) != info.frames * info.format.frame_bytes:
        raise WavError(
            f"{path}: truncated ({len(data)} of {info.frames * info.format.frame_bytes} bytes)"
        )
    if info.duration < min_seconds:
        raise WavError(f"{path}: only {info.duration:.3f} s of audio")
    return info


def read_frames(path: Path) -> tuple[WavFormat, bytes]:
    info = wav_info(path)
    with wave.open(str(path), "rb") as w:
        return info.format, w.readframes(info.frames)


def write_wav(path: Path, fmt: WavFormat, frames: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target then rename, so a reader never sees a half-written file.
    tmp = path.with_name(f".{path.name}.partial")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(fmt.channels)
        w.setsampwidth(fmt.sample_width)
        w.setframerate(fmt.frame_rate)
        w.writeframes(frames)
    tmp.replace(path)
    return path


def join_wavs(
    parts: Sequence[Path | float | bytes], out_path: Path, fmt: WavFormat = SPEECH_FORMAT
) -> Path:
    """Concatenate into one file: WAV paths, pauses (float seconds), raw frames (bytes in `fmt`)."""
    chunks: list[bytes] = []
    for part in parts:
        if isinstance(part, bytes):
            if len(part) % fmt.frame_bytes:
                raise WavError(f"{len(part)} bytes is not a whole number of {fmt} frames")
            chunks.append(part)
            continue
        if isinstance(part, int | float):
            chunks.append(fmt.silence(float(part)))
            continue
        part_fmt, frames = read_frames(Path(part))
        if part_fmt != fmt:
            frames = _converted_frames(Path(part), part_fmt, fmt)
        chunks.append(frames)
    return write_wav(out_path, fmt, b"".join(chunks))


def convert_wav(src: Path, dst: Path, fmt: WavFormat = SPEECH_FORMAT) -> Path:
    src_fmt, frames = read_frames(src)
    if src_fmt != fmt:
        frames = _converted_frames(src, src_fmt, fmt)
    return write_wav(dst, fmt, frames)


def _converted_frames(src: Path, src_fmt: WavFormat, fmt: WavFormat) -> bytes:
    sox = shutil.which("sox")
    if sox is None:
        raise WavError(f"{src} is {src_fmt}, expected {fmt}; install sox to convert it")
    with tempfile.TemporaryDirectory(prefix="motcua-sox-") as tmp:
        dst = Path(tmp) / "converted.wav"
        cmd = [
            sox,
            str(src),
            "-b",
            str(8 * fmt.sample_width),
            "-c",
            str(fmt.channels),
            "-r",
            str(fmt.frame_rate),
            "-e",
            "signed-integer",
            str(dst),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
        if done.returncode != 0:
            raise WavError(f"sox could not convert {src}: {done.stderr.strip()}")
        return read_frames(dst)[1]


def trim_silence(src: Path, dst: Path, *, threshold: int = 300, keep_seconds: float = 0.02) -> Path:
    """Cut leading/trailing near-silence so joined voice-pack words do not sound stretched."""
    fmt, frames = read_frames(src)
    if fmt.sample_width != 2:
        raise WavError(f"{src}: trimming needs 16-bit audio")
    samples = array.array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    loud = [i for i, sample in enumerate(samples) if abs(sample) > threshold]
    if not loud:
        return write_wav(dst, fmt, frames)
    keep = round(keep_seconds * fmt.frame_rate) * fmt.channels
    start = max(0, loud[0] - keep) // fmt.channels * fmt.channels
    end = min(len(samples), loud[-1] + 1 + keep)
    end = -(-end // fmt.channels) * fmt.channels
    trimmed = samples[start:end]
    if sys.byteorder == "big":
        trimmed.byteswap()
    return write_wav(dst, fmt, trimmed.tobytes())
