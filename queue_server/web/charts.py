"""Charts drawn on the server as SVG (no charting library, nothing to load in the browser).

Horizontal grouped bars: category names stay readable however many there are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

WIDTH = 720
LABEL_W = 200
VALUE_W = 56
BAR_H = 13
BAR_GAP = 2
GROUP_GAP = 12
TOP = 58


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: list[float | None]


def nice_step(value: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power


def axis(top_value: float, ticks: int = 4) -> tuple[float, float]:
    """(axis maximum, tick step): round numbers covering `top_value` in about `ticks` steps."""
    step = nice_step(top_value / ticks) if top_value > 0 else 1.0
    return step * max(1, math.ceil(top_value / step - 1e-9)), step


def _fmt(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(title: str, categories: list[str], series: list[Series], *, target: float | None = None,
              target_label: str = "") -> Markup:
    plot_w = WIDTH - LABEL_W - VALUE_W
    group_h = len(series) * (BAR_H + BAR_GAP) - BAR_GAP
    height = TOP + len(categories) * (group_h + GROUP_GAP) + 24
    values = [v for s in series for v in s.values if v is not None]
    top, step = axis(max(values + [target or 0, 0]))
    scale = plot_w / top
    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" xmlns="http://www.w3.org/2000/svg" '
           f'font-family="system-ui,DejaVu Sans,sans-serif" font-size="12">',
           f"<title>{escape(title)}</title>",
           f'<text x="0" y="16" font-size="15" font-weight="700" fill="#1b2430">{escape(title)}</text>']
    x = LABEL_W
    for s in series:  # legend
        out.append(f'<rect x="{x}" y="24" width="12" height="12" fill="{s.color}"/>')
        out.append(f'<text x="{x + 16}" y="34" fill="#333">{escape(s.name)}</text>')
        x += 24 + 7 * len(s.name)
    plot_bottom = height - 20
    for i in range(int(round(top / step)) + 1):  # grid and axis
        value = step * i
        gx = LABEL_W + value * scale
        out.append(f'<line x1="{gx:.1f}" y1="{TOP - 4}" x2="{gx:.1f}" y2="{plot_bottom}" stroke="#e1e6ec"/>')
        out.append(f'<text x="{gx:.1f}" y="{height - 6}" text-anchor="middle" fill="#5b6776">{_fmt(value)}</text>')
    y = TOP
    for c, name in enumerate(categories):
        out.append(f'<text x="{LABEL_W - 8}" y="{y + group_h / 2 + 4:.1f}" text-anchor="end" fill="#1b2430">'
                   f"{escape(_clip(name))}</text>")
        for s in series:
            value = s.values[c]
            if value is not None:
                w = max(value * scale, 1 if value > 0 else 0)
                out.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{s.color}" rx="2"/>')
                out.append(f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H - 2}" fill="#333">{_fmt(value)}</text>')
            y += BAR_H + BAR_GAP
        y += GROUP_GAP - BAR_GAP
    if target is not None:
        tx = LABEL_W + target * scale
        out.append(f'<line x1="{tx:.1f}" y1="{TOP - 8}" x2="{tx:.1f}" y2="{plot_bottom}" stroke="#c22" '
                   f'stroke-dasharray="5 4" stroke-width="2"/>')
        anchor = "end" if tx > LABEL_W + plot_w / 2 else "start"
        lx = tx - 4 if anchor == "end" else tx + 4
        out.append(f'<text x="{lx:.1f}" y="{TOP - 10}" text-anchor="{anchor}" fill="#c22">{escape(target_label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
