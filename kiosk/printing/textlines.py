"""Wrapping and drawing Vietnamese text into 1-bit images for a thermal printer.

Text is drawn by Pillow with DejaVu (which has every Vietnamese letter), never by the
printer's code pages, which turn Vietnamese into "?" on most models.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from shared.fonts import BOLD, REGULAR

ELLIPSIS = "…"
Align = Literal["left", "center", "right"]

# Letters that reach highest (stacked marks) and lowest (descenders, dot below):
# measuring them gives a line height that never clips a tone mark.
_TALLEST = "ẶỄỸÁÂĐjgpqyạ|"


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD if bold else REGULAR), size)


def nfc(text: str) -> str:
    # Decomposed input (a + combining marks) would draw marks beside the letter with
    # Pillow's basic layout; the composed letters exist in the font.
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Style:
    size: int
    bold: bool = False
    align: Align = "center"
    spacing: int = 4

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return font(self.size, self.bold)

    def extent(self) -> tuple[int, int]:
        """(top, bottom) of any line relative to its baseline, in dots."""
        left, top, right, bottom = self.font.getbbox(_TALLEST, anchor="ls")
        return int(top) - 1, int(bottom) + 1

    @property
    def line_height(self) -> int:
        top, bottom = self.extent()
        return bottom - top + self.spacing


def _fits(text: str, style: Style, max_width: int) -> bool:
    return style.font.getlength(text) <= max_width


def _split_long_word(word: str, style: Style, max_width: int) -> list[str]:
    """Break a word wider than the line (a long code or URL) between characters."""
    pieces: list[str] = []
    while word and not _fits(word, style, max_width):
        cut = len(word) - 1
        while cut > 1 and not _fits(word[:cut], style, max_width):
            cut -= 1
        pieces.append(word[:cut])
        word = word[cut:]
    if word:
        pieces.append(word)
    return pieces


def wrap(text: str, style: Style, max_width: int) -> list[str]:
    """Greedy word wrap measured in dots of the real font (not characters)."""
    lines: list[str] = []
    current = ""
    for word in nfc(text).split():
        candidate = f"{current} {word}" if current else word
        if _fits(candidate, style, max_width):
            current = candidate
            continue
        if current:
            lines.append(current)
        *full, current = _split_long_word(word, style, max_width)
        lines.extend(full)
    if current:
        lines.append(current)
    return lines


def balanced_wrap(text: str, style: Style, max_width: int) -> list[str]:
    """Same number of lines as `wrap`, but as even as possible: centred text then reads
    "Quét mã QR để theo dõi / lượt của bạn." instead of leaving "bạn." alone."""
    lines = wrap(text, style, max_width)
    if len(lines) < 2:
        return lines
    low, high = max_width // 2, max_width
    while low < high:  # narrowest width that still needs no extra line
        mid = (low + high) // 2
        if len(wrap(text, style, mid)) <= len(lines):
            high = mid
        else:
            low = mid + 1
    return wrap(text, style, low)


def ellipsize(lines: list[str], max_lines: int, style: Style, max_width: int) -> list[str]:
    """Keep at most max_lines; if text was dropped, end the last kept line with "…"."""
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and not _fits(last.rstrip(" ,;:.-") + ELLIPSIS, style, max_width):
        # Drop whole words first so the line ends on a readable word.
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    kept[-1] = last.rstrip(" ,;:.-") + ELLIPSIS
    return kept


def draw_lines(
    canvas: Image.Image,
    lines: list[str],
    style: Style,
    top: int,
    left: int,
    right: int,
) -> int:
    """Draw lines between x=left and x=right from y=top; return the y below the last line."""
    draw = ImageDraw.Draw(canvas)
    ascent, _ = style.extent()
    y = top
    for line in lines:
        baseline = y - ascent
        if style.align == "center":
            x, anchor = (left + right) / 2, "ms"
        elif style.align == "right":
            x, anchor = right, "rs"
        else:
            x, anchor = left, "ls"
        draw.text((x, baseline), line, font=style.font, fill=0, anchor=anchor)
        y += style.line_height
    return y


def measure(lines: list[str], style: Style) -> int:
    return len(lines) * style.line_height
