"""A USB barcode/QR scanner types like a keyboard and ends with Enter: collect what it
types, hand over the whole line on Enter. A pause longer than a scanner ever makes
starts a new line, so a stray key press an hour ago does not prefix the next scan."""

from __future__ import annotations

import time
from collections.abc import Callable

from shared.cccd import MAX_QR_CHARS

ENTER_KEYS = (13, 271)  # Return, keypad Enter (Kivy key codes)
MAX_GAP_SECONDS = 1.0  # scanners type a whole code in well under a second
MAX_LENGTH = MAX_QR_CHARS  # 600: a chip ID card's QR line is far longer than a booking code


class ScannerBuffer:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._text = ""
        self._last = 0.0

    def feed(self, text: str) -> None:
        now = self.clock()
        if now - self._last > MAX_GAP_SECONDS:
            self._text = ""
        self._last = now
        self._text = (self._text + text)[-MAX_LENGTH:]

    def enter(self) -> str:
        """The line typed so far (empty if it is stale), and start afresh."""
        line = self._text if self.clock() - self._last <= MAX_GAP_SECONDS else ""
        self._text = ""
        return line.strip()
