"""What a clerk would notice on a Kivy screen, measured on the live widget tree: text that
overlaps other text, text cut off by its box, disabled controls too faint to read.

- A Label draws its texture centred on the widget, unclipped: the drawn text is the
  rectangle `center ± texture_size / 2`. Two such rectangles (or a text field) crossing is
  an overlap; a drawn rectangle wider or taller than its widget is clipped text.
- A one-line text field is clipped when its text (or, empty, its placeholder) is wider than
  the field's inside: the start scrolls out of sight ("0912…" showing "912…"); a wrapped
  field when its lines need more height than it has.
- Text scrolled out of a list's window is clipped by the list, as intended, and skipped.
- A disabled control's contrast is its text colour (alpha blended) against the fill its
  canvas really paints.
- While a modal layer (dialog) is shown, only what is on it counts: the screen under it is
  dimmed and does not take input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from shared.look import contrast_ratio

SLACK = 2  # px: anti-aliasing and rounding


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def within(self, clip: Box | None) -> Box | None:
        """The part inside `clip` (a scrolling list's window), None when none is."""
        if clip is None:
            return self
        box = Box(max(self.x0, clip.x0), max(self.y0, clip.y0), min(self.x1, clip.x1), min(self.y1, clip.y1))
        return box if box.x1 - box.x0 > SLACK and box.y1 - box.y0 > SLACK else None

    def crosses(self, other: Box) -> bool:
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > SLACK
                and min(self.y1, other.y1) - max(self.y0, other.y0) > SLACK)


def _shown(widget: Widget) -> bool:
    w: Widget | None = widget
    while w is not None and w is not w.parent:
        if getattr(w, "opacity", 1) <= 0.01 or w.width < 1 or w.height < 1:
            return False
        w = w.parent
    return True


def _window_box(widget: Widget, x: float, y: float, w: float, h: float) -> Box:
    x0, y0 = widget.to_window(x, y)
    return Box(x0, y0, x0 + w, y0 + h)


def _scroll_clip(widget: Widget) -> Box | None:
    """The window a scrolling ancestor shows its content through (it clips the rest)."""
    clip = None
    w = widget.parent
    while w is not None and w is not w.parent:
        if isinstance(w, ScrollView):
            view = _window_box(w, w.x, w.y, w.width, w.height)
            clip = view if clip is None else (clip.within(view) or Box(0, 0, 0, 0))
        w = w.parent
    return clip


def _label_ink(label: Label) -> Box:
    tw, th = label.texture_size
    return _window_box(label, label.center_x - tw / 2, label.center_y - th / 2, tw, th)


def _name(widget: Widget) -> str:
    text = (getattr(widget, "text", "") or getattr(widget, "hint_text", "")).replace("\n", " ")
    return f"{type(widget).__name__}({text[:40]!r})"


def _text_width(field: TextInput, text: str) -> float:
    label = CoreLabel(text=text, font_size=field.font_size, font_name=field.font_name)
    label.refresh()
    return label.texture.width if label.texture else 0


def _in_front(root: Widget) -> Widget:
    """A shown modal layer (the app's dialog, file chooser and identity layers dim the whole
    screen under them) is what the clerk sees and works with; else the whole screen."""
    layers = [w for w in root.walk(restrict=True)
              if type(w).__name__.endswith("Layer") and not w.disabled and _shown(w)]
    return layers[-1] if layers else root


def texts_on_screen(root: Widget) -> list[Widget]:
    return [w for w in _in_front(root).walk(restrict=True)
            if isinstance(w, Label | TextInput) and _shown(w)
            and (isinstance(w, TextInput) or (w.text.strip() and w.texture_size[0] > 0))]


def layout_problems(root: Widget) -> list[str]:
    """Overlapping and clipped texts of the visible widgets under `root`."""
    boxes = {}
    for w in texts_on_screen(root):
        drawn = _label_ink(w) if isinstance(w, Label) else _window_box(w, w.x, w.y, w.width, w.height)
        seen = drawn.within(_scroll_clip(w))
        if seen is not None:  # scrolled out of a list's window: not on screen
            boxes[w] = seen
    widgets = list(boxes)
    problems = []
    for i, a in enumerate(widgets):
        for b in widgets[i + 1:]:
            if boxes[a].crosses(boxes[b]):
                problems.append(f"overlap: {_name(a)} and {_name(b)}")
    for w in widgets:
        if isinstance(w, Label):
            tw, th = w.texture_size
            if tw > w.width + SLACK or th > w.height + SLACK:
                problems.append(f"clipped: {_name(w)} text {tw:.0f}×{th:.0f} in a {w.width:.0f}×{w.height:.0f} box")
        elif w.multiline:
            if w.minimum_height > w.height + SLACK:
                problems.append(f"clipped: {_name(w)} needs {w.minimum_height:.0f} px high, has {w.height:.0f}")
        else:
            inside = w.width - w.padding[0] - w.padding[2]
            shown = w.text or w.hint_text
            if shown and _text_width(w, shown) > inside + SLACK:
                problems.append(f"clipped: {_name(w)} needs {_text_width(w, shown):.0f} px, has {inside:.0f}")
    return problems


def _painted_fill(widget: Widget) -> tuple[float, float, float] | None:
    colors = [c for c in widget.canvas.before.children if isinstance(c, Color)]
    return tuple(colors[0].rgba[:3]) if colors else None


def _rgb255(rgb: tuple[float, ...]) -> tuple[int, int, int]:
    return tuple(round(max(0.0, min(1.0, v)) * 255) for v in rgb[:3])  # type: ignore[return-value]


def _hex_rgba(value: str) -> tuple[float, float, float, float]:
    channels = [int(value[i:i + 2], 16) / 255 for i in range(0, len(value), 2)]
    return (*channels[:3], channels[3] if len(channels) > 3 else 1.0)  # type: ignore[return-value]


def disabled_contrasts(root: Widget) -> list[tuple[str, float]]:
    """(control, contrast) of every visible disabled control that paints its own fill."""
    out = []
    for w in root.walk(restrict=True):
        if not (isinstance(w, Label) and w.disabled and _shown(w) and w.text.strip()):
            continue
        fill = _painted_fill(w)
        if fill is None:
            continue
        inks = [tuple(w.disabled_color)]  # what Kivy draws a disabled label's text in ...
        if w.markup:  # ... except parts the markup colours itself
            inks += [_hex_rgba(m) for m in re.findall(r"\[color=#?([0-9a-fA-F]{6,8})\]", w.text)]
        ratios = []
        for r, g, b, a in inks:
            ink = tuple(a * c + (1 - a) * f for c, f in zip((r, g, b), fill, strict=True))
            ratios.append(contrast_ratio(_rgb255(ink), _rgb255(fill)))
        out.append((_name(w), min(ratios)))
    return out
