"""Geometry of the server-rendered SVG charts (no script, no CDN).

Pure: values in, coordinates out. Templates draw what these helpers compute
(the radar through the ``radar`` macro of ``_macros.html``), so the unit's
results page and the reviewer's page of a unit share one chart.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

CENTRE = 150.0
RADIUS = 100.0
LABEL_GAP = 22.0
#: Characters per line of an axis label: long group names are wrapped so that,
#: at a size legible on a phone, they stay inside the chart's viewBox.
LABEL_WIDTH = 15


@dataclass(frozen=True, slots=True)
class RadarSeries:
    name: str  # shown in the legend
    css: str  # class of its polygon ("score" for the unit's own scores)
    points: str  # SVG polygon points


@dataclass(frozen=True, slots=True)
class Radar:
    axes: list[tuple[float, float, float, float, tuple[str, ...]]]  # axis end x, y, label x, y, label lines
    series: list[RadarSeries]
    centre: float = CENTRE

    @property
    def rings(self) -> list[str]:
        """The grid polygons at 25, 50, 75 and 100."""
        c = self.centre
        return [" ".join(f"{round(c + (x - c) * level, 1)},{round(c + (y - c) * level, 1)}"
                         for x, y, *_ in self.axes) for level in (0.25, 0.5, 0.75, 1.0)]


def _angles(n: int) -> list[tuple[float, float]]:
    return [(math.cos(a), math.sin(a)) for a in (-math.pi / 2 + 2 * math.pi * i / max(n, 1) for i in range(n))]


def radar_points(scores: Sequence[float | None], centre: float = CENTRE, radius: float = RADIUS) -> str:
    """Polygon points for scores 0–100 (None as 0) on equally spaced axes, first axis up."""
    points = []
    for (cos, sin), score in zip(_angles(len(scores)), scores, strict=True):
        r = radius * max(0.0, min(score or 0.0, 100.0)) / 100
        points.append(f"{centre + r * cos:.1f},{centre + sin * r:.1f}")
    return " ".join(points)


def radar(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | None]]],
          centre: float = CENTRE, radius: float = RADIUS) -> Radar:
    """A radar with one axis per label and one polygon per ``(name, css class, scores)``."""
    axes = [(round(centre + radius * cos, 1), round(centre + radius * sin, 1),
             round(centre + (radius + LABEL_GAP) * cos, 1), round(centre + (radius + LABEL_GAP) * sin, 1),
             tuple(textwrap.wrap(label, LABEL_WIDTH, break_long_words=False)) or ("",))
            for (cos, sin), label in zip(_angles(len(labels)), labels, strict=True)]
    return Radar(axes, [RadarSeries(name, css, radar_points(scores, centre, radius)) for name, css, scores in series],
                 centre)
