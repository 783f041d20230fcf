"""Geometry for the server-rendered SVG charts (no script, no CDN).

Templates draw what these helpers compute: bars of a score distribution and
the points of a unit's radar. Text in the SVGs is at least 12 px at the
smallest width the charts are shown (the viewBox scales with the page).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

BAR_WIDTH = 30
BAR_HEIGHT = 120


def bars(counts: Sequence[int]) -> list[tuple[int, int, int, int]]:
    """(x, y, height, count) of each bar, scaled to the largest count."""
    top = max(counts) if counts and max(counts) > 0 else 1
    out = []
    for i, n in enumerate(counts):
        h = round(BAR_HEIGHT * n / top)
        out.append((i * (BAR_WIDTH + 6), BAR_HEIGHT - h, h, n))
    return out


def band_of_bin(i: int) -> str:
    """Colour class of a ten-point bin, for the default cuts (50 and 80)."""
    return "red" if i < 5 else ("yellow" if i < 8 else "green")


def radar(scores: Sequence[float | None], radius: float = 110, centre: float = 150) -> dict[str, object]:
    """Axis ends, grid rings and the score polygon for a radar of 0–100 scores."""
    n = max(len(scores), 3)
    axes = []
    for i in range(len(scores)):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        axes.append((round(centre + radius * math.cos(angle), 1), round(centre + radius * math.sin(angle), 1)))
    points = " ".join(
        f"{round(centre + (x - centre) * (s or 0) / 100, 1)},{round(centre + (y - centre) * (s or 0) / 100, 1)}"
        for (x, y), s in zip(axes, scores, strict=True))
    rings = [" ".join(f"{round(centre + (x - centre) * level, 1)},{round(centre + (y - centre) * level, 1)}"
                      for x, y in axes) for level in (0.25, 0.5, 0.75, 1.0)]
    return {"axes": axes, "points": points, "rings": rings, "centre": centre}
