"""The province scenario's table and its plot of p99 against offered load (an SVG written
here, so no plotting library is needed)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.province import RunResult

P99_LIMIT_MS = 200.0


def _label(r: RunResult) -> str:
    return "SQLite" if r.backend == "sqlite" else f"PostgreSQL, {r.workers} worker{'s' if r.workers > 1 else ''}"


def _ms(value: float) -> str:
    return "–" if value != value else f"{value:,.0f}"


def table(results: list[RunResult]) -> str:
    lines = ["| database | highest sustained: tickets/s | claims/s | worst p99 ms | CPU s/s: server | PostgreSQL "
             "| load generator | whole machine | server RSS MB | first level past the limit | checks |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        best = r.best
        past = next((lv for lv in r.levels if not lv.sustained), None)
        if past is None:
            beyond = "none (ramp ended)"
        else:
            why = f"{past.errors} errors" if past.errors else f"p99 {_ms(past.worst_p99_ms)} ms"
            beyond = f"offered {past.offered:g}/s: {past.tickets_per_s:.0f} tickets/s, {why}"
        c = r.checks
        checks = (f"{c.get('double_claims', '?')} double, {c.get('lost_tickets', '?')} lost, "
                  f"{c.get('missing_stream_events', '?')} stream events missing, "
                  f"{c.get('phone_pages_missed', '?')}/{c.get('phone_pages_called', '?')} phone pages missed")
        if best is None:
            lines.append(f"| {_label(r)} | – | – | – | – | – | – | – | – | {beyond} | {checks} |")
            continue
        lines.append(f"| {_label(r)} | {best.tickets_per_s:.0f} | {best.claims_per_s:.0f} | "
                     f"{_ms(best.worst_p99_ms)} | {best.cpu['server']:.2f} | {best.cpu['postgres']:.2f} | "
                     f"{best.cpu['loadgen']:.2f} | {best.cpu.get('machine', math.nan):.2f} | {best.rss_mb:.0f} | {beyond} | {checks} |")
    lines.append("")
    lines.append("Every level (offered tickets/s → done tickets/s, claims/s, p99 of issue / call-next / start ms, "
                 "call-to-display p99 ms, CPU s/s server / PostgreSQL / load generator / whole machine, RSS MB, phone pages open):")
    lines.append("")
    for r in results:
        lines.append(f"- {_label(r)}: " + "; ".join(
            f"{lv.offered:g} → {lv.tickets_per_s:.0f}, {lv.claims_per_s:.0f}, "
            f"{'/'.join(_ms(lv.p99_ms.get(k, math.nan)) for k in ('issue', 'call-next', 'start'))}, "
            f"{_ms(lv.display_p99_ms)}, {lv.cpu['server']:.2f}/{lv.cpu['postgres']:.2f}/{lv.cpu['loadgen']:.2f}/"
            f"{lv.cpu.get('machine', math.nan):.2f}, "
            f"{lv.rss_mb:.0f}, {lv.phones_open_max}" + (f", {lv.errors} errors" if lv.errors else "")
            for lv in r.levels))
    return "\n".join(lines)


COLOURS = ("#1b6ca8", "#c0392b", "#27ae60", "#8e44ad")


def plot(results: list[RunResult], path: Path) -> None:
    """p99 (worst request kind, log scale) against offered tickets/s, one line per setup,
    and the 200 ms limit."""
    width, height, left, right, top, bottom = 720, 420, 70, 200, 40, 50
    xs = [lv.offered for r in results for lv in r.levels] or [1.0]
    ys = [lv.worst_p99_ms for r in results for lv in r.levels if lv.worst_p99_ms == lv.worst_p99_ms] or [1.0]
    x_max = max(xs) * 1.05
    y_lo, y_hi = math.log10(max(1.0, min(ys) / 1.5)), math.log10(max(max(ys) * 1.5, P99_LIMIT_MS * 2))

    def px(x: float) -> float:
        return left + (width - left - right) * x / x_max

    def py(y: float) -> float:
        return top + (height - top - bottom) * (1 - (math.log10(max(y, 1e-3)) - y_lo) / (y_hi - y_lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="Roboto, sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="14">p99 of the slowest request kind against offered load '
           f'(province: {results[0].sites if results else 0} sites)</text>']
    for decade in range(math.floor(y_lo), math.ceil(y_hi) + 1):
        for m in (1, 2, 5):
            y = m * 10 ** decade
            if y_lo <= math.log10(y) <= y_hi:
                out.append(f'<line x1="{left}" x2="{width - right}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#ddd"/>')
                out.append(f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
    step = 20 if x_max > 60 else (5 if x_max > 10 else 1)
    for x in range(0, int(x_max) + 1, step):
        out.append(f'<text x="{px(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">{x}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{py(P99_LIMIT_MS):.1f}" y2="{py(P99_LIMIT_MS):.1f}" '
               f'stroke="#e67e22" stroke-dasharray="6 4"/>')
    out.append(f'<text x="{width - right + 6}" y="{py(P99_LIMIT_MS) + 4:.1f}" fill="#e67e22">200 ms limit</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">offered tickets per '
               'second (claims follow at the same rate)</text>')
    out.append(f'<text x="16" y="{(top + height - bottom) / 2}" transform="rotate(-90 16 {(top + height - bottom) / 2})" '
               'text-anchor="middle">p99 ms (log)</text>')
    for i, r in enumerate(results):
        colour = COLOURS[i % len(COLOURS)]
        points = [(px(lv.offered), py(lv.worst_p99_ms)) for lv in r.levels if lv.worst_p99_ms == lv.worst_p99_ms]
        if points:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
            out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
        out.append(f'<text x="{width - right + 6}" y="{top + 20 + 18 * i}" fill="{colour}">{_label(r)}</text>')
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n")
