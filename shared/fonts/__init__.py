"""Fonts with Vietnamese glyphs shipped with motcua, so every printer, PDF and screen
renders tones correctly whatever the host has installed (DejaVu, see LICENSE-DejaVu.txt)."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
