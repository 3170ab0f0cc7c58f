"""Legibility of a rendered screen: text sizes from the widget tree or the DOM, contrast from
the rendered pixels (issue 14: a lobby display read from 8 m).

A `TextBox` is one piece of text as the screen placed it: its rectangle in screenshot pixels
(top-left origin), its font size in pixels, its words and its role (called number, service
name, ...). `measure()` reads the screenshot inside each rectangle: the background is the most
common colour of the rectangle's outer ring, the text colour the pixel inside that differs
most from it. So a flash that changes the panel under the number lowers the measured
contrast exactly as a person would see it.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from shared.look import (
    DISPLAY_CALLED_NUMBER_PX,
    DISPLAY_COUNTER_NUMBER_PX,
    DISPLAY_MIN_TEXT_PX,
    DISPLAY_SERVICE_NAME_PX,
    MIN_TEXT_CONTRAST,
    contrast_ratio,
)

# Roles with a larger minimum than every text's DISPLAY_MIN_TEXT_PX.
ROLE_MIN_PX = {
    "called_number": DISPLAY_CALLED_NUMBER_PX,
    "service_name": DISPLAY_SERVICE_NAME_PX,
    "counter_number": DISPLAY_COUNTER_NUMBER_PX,
}


@dataclass(frozen=True)
class TextBox:
    text: str
    font_px: float
    left: float
    top: float
    width: float
    height: float
    role: str = ""


@dataclass
class Reading:
    box: TextBox
    contrast: float
    frame: str


@dataclass
class Report:
    readings: list[Reading] = field(default_factory=list)

    @property
    def smallest(self) -> Reading:
        return min(self.readings, key=lambda r: r.box.font_px)

    @property
    def lowest_contrast(self) -> Reading:
        return min(self.readings, key=lambda r: r.contrast)

    def smallest_of(self, role: str) -> Reading | None:
        found = [r for r in self.readings if r.box.role == role]
        return min(found, key=lambda r: r.box.font_px) if found else None

    def failures(self) -> list[str]:
        """What a person 8 m away could not read, one line each (empty: all legible)."""
        out = []
        seen: set[tuple[str, str]] = set()
        for r in self.readings:
            need = max(DISPLAY_MIN_TEXT_PX, ROLE_MIN_PX.get(r.box.role, 0))
            if r.box.font_px < need - 0.5 and (r.box.text, "size") not in seen:
                seen.add((r.box.text, "size"))
                out.append(f"{r.box.text[:40]!r} ({r.box.role or 'text'}) is {r.box.font_px:.1f} px < {need} px")
            if r.contrast < MIN_TEXT_CONTRAST and (r.box.text, r.frame) not in seen:
                seen.add((r.box.text, r.frame))
                out.append(f"{r.box.text[:40]!r} has contrast {r.contrast:.2f}:1 < {MIN_TEXT_CONTRAST} in frame {r.frame}")
        return out

    def summary(self) -> str:
        small, low = self.smallest, self.lowest_contrast
        roles = ", ".join(f"{role} {found.box.font_px:.0f} px" for role in ROLE_MIN_PX
                          if (found := self.smallest_of(role)) is not None)
        return (f"smallest text {small.box.font_px:.1f} px ({small.box.text[:30]!r}); lowest contrast "
                f"{low.contrast:.2f}:1 ({low.box.text[:30]!r}, frame {low.frame}); smallest {roles}; "
                f"{len(self.readings)} readings")


def _ring(image: Image.Image, box: tuple[int, int, int, int], width: int = 3) -> list[tuple[int, int, int]]:
    left, top, right, bottom = box
    pixels = []
    for y in range(top, bottom):
        inner = top + width <= y < bottom - width
        xs = list(range(left, min(left + width, right))) + list(range(max(right - width, left), right)) if inner \
            else range(left, right)
        pixels.extend(image.getpixel((x, y)) for x in xs)
    return pixels


def rendered_contrast(image: Image.Image, text: TextBox) -> float | None:
    """Contrast between the text's colour and its background as drawn in `image` (RGB);
    None when the box is off the picture or too thin to read."""
    left = max(0, int(round(text.left)))
    top = max(0, int(round(text.top)))
    right = min(image.width, int(round(text.left + text.width)))
    bottom = min(image.height, int(round(text.top + text.height)))
    if right - left < 4 or bottom - top < 4:
        return None
    crop = image.crop((left, top, right, bottom)).reduce(2) if (right - left) * (bottom - top) > 400_000 \
        else image.crop((left, top, right, bottom))
    ring = _ring(crop, (0, 0, crop.width, crop.height))
    background = Counter(ring).most_common(1)[0][0]
    colours = crop.getcolors(crop.width * crop.height) or []
    return max(contrast_ratio(colour, background) for count, colour in colours if count >= 2)


def measure(image_path: Path, boxes: list[TextBox], frame: str, report: Report) -> None:
    image = Image.open(image_path).convert("RGB")
    for box in boxes:
        contrast = rendered_contrast(image, box)
        if contrast is not None:
            report.readings.append(Reading(box, contrast, frame))


def keep_for_docs(shot: Path, area: str) -> None:
    """Copy a screenshot to docs/screenshots/<area>/ when asked (MOTCUA_DOC_SCREENSHOTS=1)."""
    if os.environ.get("MOTCUA_DOC_SCREENSHOTS"):
        docs = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / area
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, docs / shot.name)
