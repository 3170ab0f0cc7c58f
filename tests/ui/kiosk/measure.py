"""What a kiosk screenshot measures (issue 14): the smallest text and the lowest contrasts.

- Text size: every visible label's font size in pixels, and every `[size=N]` inside its
  markup (Kivy sizes are pixels: the em height the glyphs are drawn at).
- Text contrast: each colour a label draws its text in (its colour, or its disabled colour,
  and every `[color=…]` in its markup, alpha-blended) against the background actually
  rendered under it: the commonest pixel colour of the label's area in the screenshot.
- Control contrast (WCAG 1.4.11): a button's edge against what surrounds it: the larger of
  its fill (a pixel just inside its edge) and its outline against the commonest pixel just
  outside it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from PIL import Image

from kiosk.widgets import DISABLED_INK
from shared.look import contrast_ratio

SIZE_TAG = re.compile(r"\[size=(\d+)\]")
COLOUR_TAG = re.compile(r"\[color=#?([0-9A-Fa-f]{6})\]")


def _rgb(colour: Any, under: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b, *rest = colour
    a = rest[0] if rest else 1.0
    return tuple(round(255 * (c * a) + u * (1 - a)) for c, u in zip((r, g, b), under, strict=True))  # type: ignore[return-value]


def _box(widget: Any, frame: Image.Image) -> tuple[int, int, int, int] | None:
    x, y = widget.to_window(widget.x, widget.y)
    w, h = widget.width, widget.height
    height = frame.height
    left, top, right, bottom = int(x), int(height - (y + h)), int(x + w), int(height - y)
    left, top = max(left, 0), max(top, 0)
    right, bottom = min(right, frame.width), min(bottom, frame.height)
    return (left, top, right, bottom) if right - left > 2 and bottom - top > 2 else None


def _commonest(frame: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int]:
    crop = frame.crop(box).convert("RGB")
    crop.thumbnail((200, 200), Image.Resampling.NEAREST)
    return Counter(crop.getdata()).most_common(1)[0][0]


def _hex(colour: tuple[int, ...]) -> str:
    return "#" + "".join(f"{c:02X}" for c in colour[:3])


def measure_labels(labels: list[Any], frame: Image.Image, where: str) -> dict[str, Any]:
    smallest: tuple[float, str] = (1e9, "")
    lowest: tuple[float, str] = (1e9, "")
    for label in labels:
        text = getattr(label, "text", "")
        plain = re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", text).strip()
        if not plain:
            continue
        sizes = [float(label.font_size)] + [float(n) for n in SIZE_TAG.findall(text)] if label.markup else \
            [float(label.font_size)]
        box = _box(label, frame)
        if box is None:
            continue
        px = min(sizes)
        if px < smallest[0]:
            smallest = (px, f"{where}: {plain[:40]!r}")
        background = _commonest(frame, box)
        colours = [_rgb(label.disabled_color if label.disabled else label.color, background)]
        if label.markup:
            colours += [tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) for h in COLOUR_TAG.findall(text)]
        for colour in colours:
            ratio = contrast_ratio(colour, background)
            if ratio < lowest[0]:
                lowest = (ratio, f"{where}: {plain[:40]!r} {_hex(colour)} on {_hex(background)}")
    return {"min_text_px": smallest[0], "min_text_px_at": smallest[1],
            "min_text_contrast": round(lowest[0], 2), "min_text_contrast_at": lowest[1]}


def measure_controls(buttons: list[Any], frame: Image.Image, where: str) -> dict[str, Any]:
    lowest: tuple[float, str] = (1e9, "")
    rgb = frame.convert("RGB")
    for button in buttons:
        box = _box(button, frame)
        if box is None:
            continue
        left, top, right, bottom = box
        mid_y, mid_x = (top + bottom) // 2, (left + right) // 2
        inside = rgb.getpixel((min(left + 10, right - 1), mid_y))
        # 3 px out: inside the smallest gap between two keys of the on-screen keyboards.
        thirds = ((2 * top + bottom) // 3, (top + 2 * bottom) // 3)
        around = [(left - 4, y) for y in thirds] + [(right + 3, y) for y in thirds] + \
                 [(mid_x, top - 4), (mid_x, bottom + 3)]
        outside_px = [rgb.getpixel(p) for p in around if 0 <= p[0] < rgb.width and 0 <= p[1] < rgb.height]
        if not outside_px:
            continue
        outside = Counter(outside_px).most_common(1)[0][0]
        edge = contrast_ratio(inside, outside)
        outline = getattr(button, "outline", (0, 0, 0, 0))
        if button.disabled:
            outline = DISABLED_INK  # as common.kv draws a disabled button's edge
        if outline[3] > 0:
            edge = max(edge, contrast_ratio(_rgb(outline, outside), outside))
        if edge < lowest[0]:
            plain = re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", button.text).split("\n")[0]
            lowest = (edge, f"{where}: {plain[:30]!r}{' (disabled)' if button.disabled else ''}")
    return {"min_control_contrast": round(lowest[0], 2), "min_control_contrast_at": lowest[1]}
