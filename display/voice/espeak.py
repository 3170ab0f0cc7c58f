"""Speech through the `espeak-ng` command: deterministic, and the fallback for pyttsx3."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from display.voice.engine import (
    DEFAULT_VOICES,
    SynthesisError,
    UnknownVoiceError,
    prepare_text,
    voice_for,
)
from display.voice.speech_process import keep_complete_wav, run_speech_command


class EspeakNgEngine:
    name = "espeak-ng"

    def __init__(
        self,
        voices: Mapping[str, str] | None = None,
        rate: int = 150,
        *,
        executable: str = "espeak-ng",
        timeout: float = 30.0,
    ) -> None:
        self.voices = dict(DEFAULT_VOICES if voices is None else voices)
        self.rate = rate
        self.executable = executable
        self.timeout = timeout

    def synthesize(self, text: str, lang: str, out_path: Path) -> Path:
        text = prepare_text(text)
        voice = voice_for(self.voices, lang)
        exe = shutil.which(self.executable)
        if exe is None:
            raise SynthesisError(f"{self.executable} is not installed (apt-get install espeak-ng)")
        # espeak-ng quietly turns an unknown "no-such-voice" into Norwegian; refuse instead.
        if voice.split("+")[0].lower() not in installed_voices(exe):
            raise UnknownVoiceError(f"espeak-ng has no voice {voice!r}")
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        partial = out_path.with_name(f".{out_path.name}.espeak.partial")
        # -b 1: the text on stdin is UTF-8 whatever the locale of the display box.
        cmd = [exe, "-v", voice, "-s", str(self.rate), "-b", "1", "-w", str(partial), "--stdin"]
        returncode, stderr = run_speech_command(cmd, text, partial, timeout=self.timeout, name="espeak-ng")
        if returncode != 0:
            partial.unlink(missing_ok=True)
            if "voice does not exist" in stderr:
                raise UnknownVoiceError(f"espeak-ng has no voice {voice!r}")
            raise SynthesisError(f"espeak-ng failed ({returncode}): {stderr}")
        return keep_complete_wav(partial, out_path, name="espeak-ng")

@functools.cache
def installed_voices(exe: str) -> frozenset[str]:
    """Language codes, names and file ids from `espeak-ng --voices`, lower-cased."""
    done = subprocess.run(
        [exe, "--voices"], capture_output=True, text=True, timeout=30, check=False
    )
    names: set[str] = set()
    for line in done.stdout.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 5:
            _, language, _, voice_name, file_id = columns[:5]
            names.update({language, voice_name, file_id, file_id.rsplit("/", 1)[-1]})
    return frozenset(name.lower() for name in names)
