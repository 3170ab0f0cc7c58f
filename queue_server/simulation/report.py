"""The simulation's markdown summary and PNG plots (matplotlib, drawn off-screen)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from queue_server.simulation.checks import ErlangCheck
from queue_server.simulation.metrics import Summary


@dataclass
class StaffingRow:
    hour: int
    arrivals: float
    counters: int
    predicted_within: float
    simulated_within: float
    simulated_mean_wait: float


def _f(x: float, digits: int = 1) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _pct(x: float) -> str:
    return "–" if x is None or math.isnan(x) else f"{100 * x:.1f}%"


def summary_table(summaries: Sequence[Summary], target: float) -> str:
    lines = [
        f"| configuration | tickets/day | mean | median | p90 | max | over {target:g} min | utilization | "
        "overtime min/day | redirected/day | normal/priority mean | priority p90 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        w = s.waits
        lines.append(
            f"| {s.label} | {w.count / max(1, s.days):.0f} | {_f(w.mean)} | {_f(w.median)} | {_f(w.p90)} | "
            f"{_f(w.max)} | {_pct(w.over_target)} | {_pct(s.utilization)} | {_f(s.overtime_minutes_per_day, 0)} | "
            f"{_f(s.redirected_per_day)} | {_f(s.normal.mean)} / {_f(s.priority.mean)} | {_f(s.priority.p90)} |")
    return "\n".join(lines)


def site_table(summaries: Sequence[Summary]) -> str:
    sites = list(summaries[0].per_site)
    head = "| configuration | " + " | ".join(f"{code} mean / p90 / max" for code in sites) + " |"
    lines = [head, "|---|" + "---|" * len(sites)]
    for s in summaries:
        cells = [f"{_f(s.per_site[c].mean)} / {_f(s.per_site[c].p90)} / {_f(s.per_site[c].max, 0)}" for c in sites]
        lines.append(f"| {s.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def estimator_table(summary: Summary) -> str:
    lines = ["| estimator | MAE (min) | bias (min) | MAE / mean wait | within ±5 min |", "|---|---|---|---|---|"]
    for name, e in summary.estimators.items():
        lines.append(f"| `{name}` | {_f(e.mae, 2)} | {_f(e.bias, 2)} | {_pct(e.relative)} | {_pct(e.within_5)} |")
    return "\n".join(lines)


def erlang_table(checks: Sequence[ErlangCheck], target: float) -> str:
    lines = [f"| arrivals/h | handling min | counters | handling times | Erlang C mean wait | simulated | "
             f"Erlang C within {target:g} min | simulated |", "|---|---|---|---|---|---|---|---|"]
    for c in checks:
        lines.append(f"| {c.arrivals_per_hour:g} | {c.handling_minutes:g} | {c.counters} | {c.distribution} | "
                     f"{_f(c.predicted_mean_wait, 2)} | {_f(c.simulated_mean_wait, 2)} | "
                     f"{_pct(c.predicted_within_target)} | {_pct(c.simulated_within_target)} |")
    return "\n".join(lines)


def staffing_table(rows: Sequence[StaffingRow], target: float, level: float) -> str:
    lines = [f"| hour | arrivals | counters (Erlang C, {level:.0%} within {target:g} min) | Erlang C within | "
             "simulated within | simulated mean wait |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.hour:02d}:00 | {r.arrivals:.1f} | {r.counters} | {_pct(r.predicted_within)} | "
                     f"{_pct(r.simulated_within)} | {_f(r.simulated_mean_wait, 1)} |")
    return "\n".join(lines)


# ---- plots ---------------------------------------------------------------------------------
def _gaps(xs: Sequence[float], ys: Sequence[float], step: float = 0.5) -> tuple[list[float], list[float]]:
    """Break the line where there is no data (the lunch break), instead of drawing across it."""
    out_x: list[float] = []
    out_y: list[float] = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if i and x - xs[i - 1] > step + 1e-9:
            out_x.append((x + xs[i - 1]) / 2)
            out_y.append(math.nan)
        out_x.append(x)
        out_y.append(y)
    return out_x, out_y


def _pyplot():  # noqa: ANN202
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_waits_over_day(summaries: Sequence[Summary], path: Path, target: float) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    for s in summaries:
        hours = list(s.by_half_hour)
        line, = ax.plot(*_gaps(hours, [s.by_half_hour[h].mean for h in hours]), marker="o", ms=3,
                        label=f"{s.label} – mean")
        ax.plot(*_gaps(hours, [s.by_half_hour[h].p90 for h in hours]), ls="--", color=line.get_color(), alpha=0.7,
                label=f"{s.label} – p90")
    ax.axhline(target, color="grey", lw=0.8, ls=":")
    ax.text(ax.get_xlim()[0] + 0.1, target + 1, f"mục tiêu / target {target:g} min", color="grey", fontsize=8)
    ax.set_xlabel("Giờ lấy số / hour the ticket was taken")
    ax.set_ylabel("Thời gian chờ (phút) / wait (min)")
    ax.set_title("Thời gian chờ trong ngày / waits over the day")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_waits_per_site(summaries: Sequence[Summary], path: Path) -> None:
    plt = _pyplot()
    sites = list(summaries[0].per_site)
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    width = 0.8 / len(summaries)
    for i, s in enumerate(summaries):
        xs = [k + i * width for k in range(len(sites))]
        bars = ax.bar(xs, [s.per_site[c].mean for c in sites], width, label=f"{s.label} – mean")
        ax.scatter(xs, [s.per_site[c].p90 for c in sites], marker="_", s=200, color=bars.patches[0].get_facecolor(),
                   label=f"{s.label} – p90")
    ax.set_xticks([k + width * (len(summaries) - 1) / 2 for k in range(len(sites))], sites)
    ax.set_ylabel("Thời gian chờ (phút) / wait (min)")
    ax.set_title("Theo điểm phục vụ / per site (bar: mean, dash: p90)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_estimators(summary: Summary, by_half_hour: dict[str, dict[float, tuple[float, float]]], path: Path) -> None:
    """Mean printed estimate against the mean real wait, per half-hour of issue."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    first = next(iter(by_half_hour.values()))
    hours = sorted(first)
    ax.plot(*_gaps(hours, [first[h][1] for h in hours]), color="black", lw=2, label="thực tế / real wait")
    for name, series in by_half_hour.items():
        ax.plot(*_gaps(hours, [series[h][0] for h in hours]), marker="o", ms=3,
                label=f"{name} (MAE {summary.estimators[name].mae:.1f} min)")
    ax.set_xlabel("Giờ lấy số / hour the ticket was taken")
    ax.set_ylabel("phút / minutes")
    ax.set_title("Thời gian chờ dự kiến in trên phiếu số thứ tự / estimate printed on the ticket vs real wait")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_staffing(rows: Sequence[StaffingRow], path: Path, title: str) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=110)
    hours = [r.hour for r in rows]
    ax.bar([h - 0.2 for h in hours], [r.arrivals for r in rows], width=0.4, color="#9ecae1",
           label="lượt đến / arrivals per hour")
    ax.set_xlabel("Giờ / hour")
    ax.set_ylabel("lượt đến / arrivals")
    ax2 = ax.twinx()
    ax2.bar([h + 0.2 for h in hours], [r.counters for r in rows], width=0.4, color="#d62728", alpha=0.85,
            label="quầy cần mở / counters needed")
    ax.set_xticks(hours, [f"{h:02d}h" for h in hours])
    ax2.set_ylabel("quầy / counters")
    ax2.set_ylim(0, max(r.counters for r in rows) + 1)
    ax.set_title(title)
    handles = ax.get_legend_handles_labels()
    handles2 = ax2.get_legend_handles_labels()
    ax.legend(handles[0] + handles2[0], handles[1] + handles2[1], fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
