"""Real speech on this machine: espeak-ng and pyttsx3 must be installed (see HEADLESS.md);
nothing here needs a sound card."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from display.voice.espeak import EspeakNgEngine
from display.voice.voicepack import build_voice_pack

MISSING = [
    what
    for what, present in (
        ("the espeak-ng command (apt-get install espeak-ng)", shutil.which("espeak-ng")),
        ("pyttsx3 (pip install 'motcua[display]')", importlib.util.find_spec("pyttsx3")),
    )
    if not present
]


@pytest.fixture(autouse=True)
def _speech_tools_installed() -> None:
    # Fail, not skip: a machine without them would ship a silent lobby display.
    if MISSING:
        pytest.fail("voice integration tests need " + " and ".join(MISSING))


@pytest.fixture(scope="session")
def voice_pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("voice-pack")
    build_voice_pack(directory, EspeakNgEngine())
    return directory
