"""One look for every surface a citizen or clerk sees: named colour tokens, the type
scale, and the contrast arithmetic the screenshot checks use.

Kiosk, Kivy display, web display, citizen pages, manager web and counter client all take
their colours from `PALETTE` (Kivy through `rgba()`, web pages through `css_variables()`)
so the lobby reads as one product. Values are chosen so every text pair named in
`TEXT_PAIRS` has a contrast of at least 4.5:1 (WCAG AA for body text); a unit test holds it.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.fonts import SCREEN_FAMILY

# Light surfaces: kiosk, counter client, citizen pages, manager web.
# Dark surfaces: lobby displays (a TV across the room reads light-on-dark best).
PALETTE: Mapping[str, str] = {
    # brand and actions
    "brand": "#0D47A1",          # navy: top bars, primary buttons, headings
    "brand_strong": "#0A3377",   # pressed / hover navy
    "accent": "#B71C1C",         # the one big "take a ticket" action
    "accent_strong": "#8E1414",
    "success": "#1B5E20",        # results ready, done
    "warning": "#8A4B00",        # text-safe amber on light surfaces
    "danger": "#B71C1C",
    # light surfaces
    "page": "#F0F2F7",
    "surface": "#FFFFFF",
    "line": "#C9CED8",           # dividers and borders, not text
    "ink": "#171A21",            # body text
    "ink_muted": "#4A5160",      # secondary text (still ≥ 4.5:1 on page and surface)
    "on_brand": "#FFFFFF",
    "disabled_bg": "#D5D9E1",
    "disabled_ink": "#4A5160",   # a disabled control's text: ≥ 4.5:1 on disabled_bg, never faded
    # dark surfaces (lobby displays)
    "display_bg": "#07122B",
    "display_panel": "#122447",
    "display_panel_closed": "#0C1834",
    "display_tile": "#1E3A6B",   # an open counter's tile on the counters panel
    "display_warn": "#FFB74D",   # staff markers (reconnecting, no sound) on the footer
    "display_ink": "#FFFFFF",
    "display_muted": "#B8C4DE",
    "display_number": "#FFD54F", # called numbers: amber on navy (≥ 10:1)
    "display_flash": "#FFD54F",  # the call animation flashes a border/panel edge in this colour,
                                 # never the number's own contrast
}

# Foreground/background pairs that carry text somewhere; the test checks each ≥ 4.5:1.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("ink", "page"), ("ink", "surface"), ("ink_muted", "page"), ("ink_muted", "surface"),
    ("on_brand", "brand"), ("on_brand", "brand_strong"), ("on_brand", "accent"),
    ("on_brand", "accent_strong"), ("on_brand", "success"), ("warning", "surface"),
    ("brand", "surface"), ("brand", "page"), ("disabled_ink", "disabled_bg"),
    ("display_ink", "display_bg"), ("display_ink", "display_panel"),
    ("display_muted", "display_bg"), ("display_muted", "display_panel"),
    ("display_muted", "display_panel_closed"),
    ("display_number", "display_bg"), ("display_number", "display_panel"),
    ("display_ink", "display_tile"), ("display_muted", "display_tile"), ("display_number", "display_tile"),
    ("display_ink", "display_panel_closed"), ("display_warn", "display_panel_closed"),
)

# Minimum text heights in pixels at 1920×1080 (issue 14: a 55" TV read from 8 m).
DISPLAY_MIN_TEXT_PX = 32
DISPLAY_SERVICE_NAME_PX = 40
DISPLAY_COUNTER_NUMBER_PX = 64
DISPLAY_CALLED_NUMBER_PX = 200
MIN_TEXT_CONTRAST = 4.5
MIN_CONTROL_CONTRAST = 3.0


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgba(token: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """A palette colour as Kivy's 0–1 RGBA."""
    r, g, b = hex_to_rgb(PALETTE[token])
    return (r / 255, g / 255, b / 255, alpha)


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0–255 channels)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: tuple[int, int, int] | str, bg: tuple[int, int, int] | str) -> float:
    """WCAG contrast ratio (1–21) between two colours, as hex strings or RGB tuples."""
    a = relative_luminance(hex_to_rgb(fg) if isinstance(fg, str) else fg)
    b = relative_luminance(hex_to_rgb(bg) if isinstance(bg, str) else bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def css_variables() -> str:
    """The palette as CSS custom properties (`--mc-brand: #0D47A1;` …) and the font face,
    for every server-rendered page."""
    lines = [f"  --mc-{name.replace('_', '-')}: {value};" for name, value in PALETTE.items()]
    lines.append(f"  --mc-font: '{SCREEN_FAMILY}', 'Noto Sans', 'DejaVu Sans', sans-serif;")
    return ":root {\n" + "\n".join(lines) + "\n}\n"
