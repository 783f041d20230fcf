"""Geometry for the server-rendered SVG charts (no script, no CDN).

Templates draw what these helpers compute: the bars of a score distribution.
A unit's radar is :mod:`survey_app.charts`, shared with the unit's results.
Text in the SVGs is at least 12 px at the smallest width the charts are shown (the viewBox scales with the page).
"""

from __future__ import annotations

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
