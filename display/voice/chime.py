"""The attention chime before every call: two soft bell tones ("ding-dong"), synthesised.

Generated rather than shipped so it always matches the speech sample format and needs no
licence; a voice pack may bring its own recorded chime instead.
"""

from __future__ import annotations

import array
import math
import sys
from pathlib import Path

from display.voice.wav import SPEECH_FORMAT, WavFormat, write_wav

# A major third down (E6 → C6) is the classic public-address interval; quiet enough that
# the speech after it stays the loudest thing in the lobby.
CHIME_TONES_HZ = (1318.5, 1046.5)
TONE_SECONDS = 0.55
PEAK = 0.35
TAIL_SILENCE_SECONDS = 0.25


def chime_frames(fmt: WavFormat = SPEECH_FORMAT) -> bytes:
    if fmt.sample_width != 2:
        raise ValueError("the chime is generated as 16-bit PCM")
    rate = fmt.frame_rate
    samples = array.array("h")
    attack = int(0.008 * rate)  # a few ms of fade-in prevents an audible click
    for freq in CHIME_TONES_HZ:
        n = int(TONE_SECONDS * rate)
        for i in range(n):
            t = i / rate
            envelope = min(1.0, i / attack) * math.exp(-5.0 * t)
            # A faint octave overtone makes a sine sound like a bell instead of a test tone.
            wave_value = math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t)
            value = int(32767 * PEAK * envelope * wave_value / 1.25)
            samples.extend([value] * fmt.channels)
    samples.extend([0] * int(TAIL_SILENCE_SECONDS * rate) * fmt.channels)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def write_chime(path: Path, fmt: WavFormat = SPEECH_FORMAT) -> Path:
    return write_wav(path, fmt, chime_frames(fmt))
