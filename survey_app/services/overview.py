"""A unit's round at a glance: each group's status and progress, and its results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models import ResponseGroup
from ..questionnaires.schema import Group
from ..workflow import Status
from .answers import ReturnNote, UnitRound, find_response, return_note, shown_codes, stored_answers
from .scoring import RegisterLine, register_lines, unit_index_view


def group_progress(ur: UnitRound, group: Group, values: dict[str, Any]) -> tuple[int, int]:
    """(answered, shown) questions of a group for the unit."""
    shown = shown_codes(ur.bank, ur.unit.kind, values)
    codes = [q.code for q in group.questions if q.code in shown]
    return sum(1 for c in codes if values.get(c) is not None), len(codes)


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group of the unit's response as stored (or not yet started)."""

    code: str
    status: str
    answered: int
    shown: int
    score: float | None
    band: str | None
    section_scores: dict[str, Any]
    returned: ReturnNote | None


@dataclass(frozen=True, slots=True)
class UnitRows:
    index: float | None
    band: str | None
    counted_groups: int  # groups handed in and counted in the index
    applicable_groups: int  # groups the unit answers
    groups: list[GroupRow]
    bottlenecks: list[RegisterLine]


def unit_rows(ur: UnitRound, *, with_bottlenecks: bool = False, locale: str = "vi") -> UnitRows:
    """Every group of the unit's response in bank order, read in a fixed number of queries."""
    response = find_response(ur, with_groups=True)
    stored: dict[str, ResponseGroup] = {g.group_code: g for g in response.groups} if response is not None else {}
    values = ({c: a.value for c, a in stored_answers(response.id).items() if a.value is not None}
              if response is not None else {})
    rows = []
    for g in ur.bank.groups:
        row = stored.get(g.code)
        answered, shown = group_progress(ur, g, values)
        rows.append(GroupRow(g.code, row.status if row else Status.NOT_STARTED.value, answered, shown,
                             row.score if row else None, row.band if row else None,
                             (row.section_scores or {}) if row else {}, return_note(row)))
    bottlenecks: list[RegisterLine] = []
    if with_bottlenecks and response is not None:
        bottlenecks = register_lines(response, locale)
    if response is None:
        return UnitRows(None, None, 0, len(ur.bank.groups), rows, bottlenecks)
    index = unit_index_view(response)
    return UnitRows(index.index, index.band.value if index.band is not None else None, index.counted_groups,
                    index.applicable_groups, rows, bottlenecks)

