"""Fonts with Vietnamese glyphs shipped with motcua, so every printer, PDF and screen
renders tones correctly whatever the host has installed.

Screens (kiosk, lobby displays, counter client, web pages) use one family, Roboto
(Apache-2.0, see LICENSE-Roboto.txt); PDFs and printed tickets keep DejaVu Sans
(see LICENSE-DejaVu.txt), whose wider glyphs stay legible on thermal paper."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
# Print and PDF
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
# Every screen
SCREEN_REGULAR = FONT_DIR / "Roboto-Regular.ttf"
SCREEN_BOLD = FONT_DIR / "Roboto-Bold.ttf"
SCREEN_FAMILY = "Roboto"
