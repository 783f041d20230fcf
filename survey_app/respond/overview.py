"""The unit's home for a round, and its results: read from stored rows.

The radar chart is an SVG polygon computed here, so the page needs no
chart library and no network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Response, ResponseGroup
from ..services.responses import UnitRound, last_return_reason, stored_answers
from ..services.scoring import RegisterLine, register_lines, unit_index_view
from ..workflow import Status
from .page import group_progress


@dataclass(frozen=True)
class GroupLine:
    code: str
    name: str
    status: str
    answered: int
    shown: int
    score: float | None
    band: str | None
    returned_reason: str | None

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.shown) if self.shown else 0


def _response(ur: UnitRound) -> Response | None:
    return db.session.scalar(select(Response).filter_by(round_id=ur.round.id, unit_id=ur.unit.id))


def unit_overview(ur: UnitRound, locale: str) -> list[GroupLine]:
    """Each group's status and progress; a returned group comes first."""
    response = _response(ur)
    stored = {g.group_code: g for g in response.groups} if response is not None else {}
    values = {c: a.value for c, a in stored_answers(response.id).items() if a.value is not None} if response else {}
    lines = []
    for g in ur.bank.groups:
        row: ResponseGroup | None = stored.get(g.code)
        answered, shown = group_progress(ur, g, values)
        lines.append(GroupLine(g.code, g.name.get(locale), row.status if row else Status.NOT_STARTED.value,
                               answered, shown, row.score if row else None, row.band if row else None,
                               last_return_reason(row)))
    return sorted(lines, key=lambda line: line.status != Status.RETURNED)


@dataclass(frozen=True)
class SectionBar:
    name: str
    score: float | None
    band: str | None


@dataclass(frozen=True)
class GroupScore:
    code: str
    name: str
    status: str
    score: float | None
    band: str | None
    sections: list[SectionBar]


@dataclass(frozen=True)
class ResultsView:
    index: float | None
    band: str | None
    groups: list[GroupScore]
    radar_points: str  # SVG polygon points of the scores
    radar_axes: list[tuple[float, float, float, float, str]]  # x1, y1, label x, label y, name
    bottlenecks: list[RegisterLine]


def unit_results(ur: UnitRound, locale: str) -> ResultsView:
    response = _response(ur)
    stored = {g.group_code: g for g in response.groups} if response is not None else {}
    groups = []
    for g in ur.bank.groups:
        row = stored.get(g.code)
        sections = []
        for s in g.sections:
            kept = (row.section_scores or {}).get(s.code, {}) if row is not None else {}
            sections.append(SectionBar(s.name.get(locale), kept.get("score"), kept.get("band")))
        groups.append(GroupScore(g.code, g.name.get(locale), row.status if row else Status.NOT_STARTED.value,
                                 row.score if row else None, row.band if row else None, sections))
    bottlenecks = register_lines(response, locale) if response is not None else []
    index = unit_index_view(response) if response is not None else None
    points, axes = radar([(gs.name, gs.score or 0.0) for gs in groups])
    return ResultsView(index.index if index else None, index.band.value if index and index.band else None,
                       groups, points, axes, bottlenecks)


def radar(scores: list[tuple[str, float]], centre: float = 150.0, radius: float = 100.0
          ) -> tuple[str, list[tuple[float, float, float, float, str]]]:
    """Polygon points for scores 0–100 on equally spaced axes, first axis up."""
    points, axes = [], []
    n = max(len(scores), 1)
    for i, (name, score) in enumerate(scores):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        cos, sin = math.cos(angle), math.sin(angle)
        r = radius * max(0.0, min(score, 100.0)) / 100
        points.append(f"{centre + r * cos:.1f},{centre + sin * r:.1f}")
        axes.append((round(centre + radius * cos, 1), round(centre + radius * sin, 1),
                     round(centre + (radius + 22) * cos, 1), round(centre + (radius + 22) * sin, 1), name))
    return " ".join(points), axes
