"""Layout arithmetic of the lobby screen, kept apart from Kivy so it is tested alone."""

from __future__ import annotations

import math

# Counters are drawn about this much wider than tall; the grid picks its columns from it.
TILE_ASPECT = 1.3


def best_grid(count: int, width: float, height: float, spacing: float = 0.0) -> tuple[int, int]:
    """(columns, rows) giving the largest tiles of about TILE_ASPECT for `count` counters.

    >>> best_grid(9, 900, 800)
    (3, 3)
    """
    if count < 1:
        raise ValueError("there must be at least one counter")
    best, best_score = (1, count), -1.0
    for columns in range(1, count + 1):
        rows = math.ceil(count / columns)
        tile_w = (width - spacing * (columns - 1)) / columns
        tile_h = (height - spacing * (rows - 1)) / rows
        score = min(tile_w / TILE_ASPECT, tile_h)  # the height a tile of that shape can have
        if score > best_score:
            best, best_score = (columns, rows), score
    return best
