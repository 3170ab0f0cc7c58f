"""Running a speech command in a child process: what the espeak-ng engine and the pyttsx3
worker share. The command writes a hidden partial file; only a complete WAV is moved to
the place asked for, so a player never picks up half a call."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from display.voice.engine import SynthesisError
from display.voice.wav import WavError, check_complete


def run_speech_command(cmd: Sequence[str], text: str, partial: Path, *, timeout: float,
                       name: str) -> tuple[int, str]:
    """Run `cmd` with `text` on its stdin (so a phrase starting with "-" is never an option,
    and UTF-8 whatever the locale); return its exit code and stderr. A command that hangs
    past `timeout` seconds is killed and its partial file removed."""
    try:
        done = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        partial.unlink(missing_ok=True)
        raise SynthesisError(f"{name} took longer than {timeout:.1f} s") from None
    except OSError as exc:
        raise SynthesisError(f"cannot start {name}: {exc}") from exc
    return done.returncode, done.stderr.decode("utf-8", "replace").strip()


def keep_complete_wav(partial: Path, out_path: Path, *, name: str) -> Path:
    """Move the finished `partial` to `out_path`, or remove it and refuse it if the WAV
    is cut short or empty."""
    try:
        check_complete(partial)
    except WavError as exc:
        partial.unlink(missing_ok=True)
        raise SynthesisError(f"{name} wrote an unusable WAV: {exc}") from exc
    partial.replace(out_path)
    return out_path
