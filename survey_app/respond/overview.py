"""The unit's home for a round, and its results: read from stored rows.

The radar chart is an SVG polygon computed by :mod:`survey_app.charts`, so
the page needs no chart library and no network.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..charts import Radar, radar
from ..services.answers import ReturnNote, UnitRound
from ..services.overview import unit_rows
from ..services.scoring import RegisterLine
from ..workflow import Status


@dataclass(frozen=True)
class GroupLine:
    code: str
    name: str
    status: str
    answered: int
    shown: int
    score: float | None
    band: str | None
    returned: ReturnNote | None

    @property
    def returned_reason(self) -> str | None:
        return self.returned.reason if self.returned is not None else None

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.shown) if self.shown else 0


def unit_overview(ur: UnitRound, locale: str) -> list[GroupLine]:
    """Each group's status and progress; a returned group comes first."""
    lines = [GroupLine(r.code, ur.bank.group(r.code).name.get(locale), r.status, r.answered, r.shown, r.score,
                       r.band, r.returned) for r in unit_rows(ur).groups]
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
    radar: Radar  # the group scores, drawn by the ``radar`` macro
    bottlenecks: list[RegisterLine]
    counted_groups: int = 0  # the index's coverage: groups counted of those the unit answers
    applicable_groups: int = 0


def unit_results(ur: UnitRound, locale: str) -> ResultsView:
    rows = unit_rows(ur, with_bottlenecks=True, locale=locale)
    groups = []
    for g, row in zip(ur.bank.groups, rows.groups, strict=True):
        sections = [SectionBar(s.name.get(locale), row.section_scores.get(s.code, {}).get("score"),
                               row.section_scores.get(s.code, {}).get("band")) for s in g.sections]
        groups.append(GroupScore(g.code, g.name.get(locale), row.status, row.score, row.band, sections))
    chart = radar([gs.name for gs in groups], [(_("Self-assessed score"), "score", [gs.score for gs in groups])])
    return ResultsView(rows.index, rows.band, groups, chart, rows.bottlenecks, rows.counted_groups,
                       rows.applicable_groups)
