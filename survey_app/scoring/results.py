"""The results of scoring one unit: plain, frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from .bands import Band


class BottleneckKind(StrEnum):
    """Why a bottleneck entry was raised."""

    CRITICAL_FAILED = "critical_failed"  # a critical question failed or was left unanswered
    SEVERITY = "severity"  # a severity answer at or above the threshold
    TABLE_ROW = "table_row"  # a row of a table the bank marks as a bottleneck list
    GAP = "gap"  # an answered question scoring below its gap threshold
    OPTION = "option"  # an option marked as a bottleneck was picked


#: Order of kinds within one question in a register.
KIND_ORDER: tuple[BottleneckKind, ...] = tuple(BottleneckKind)
#: Position of each kind in :data:`KIND_ORDER`.
KIND_RANK: dict[BottleneckKind, int] = {k: i for i, k in enumerate(KIND_ORDER)}


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question for one unit.

    ``applicable`` is false when the question is hidden (not for the unit's
    kind, or its condition is unmet) or its answer makes the measure
    meaningless (ratio with b = 0, table scored by rows with no rows).
    ``score`` is in [0, 1] (the float of ``exact``); None when not
    applicable, not scored, or an unanswered optional question (left out).
    """

    code: str
    applicable: bool
    answered: bool
    score: float | None
    gap: bool
    failed_critical: bool
    invalid: bool = False  # the stored value is refused by the one door (counted as unanswered)
    unjustified: bool = False  # not applicable (0 / 0, no rows) without the required reason
    exact: Fraction | None = None  # the score as an exact fraction


@dataclass(frozen=True, slots=True)
class SectionResult:
    """A section's score (0–100, None when nothing in it counts) and band."""

    code: str
    score: float | None
    band: Band | None


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """One entry of a unit's bottleneck register, in codes (never labels).

    Its natural key within a unit is ``(question, kind, item_key)``:
    ``item_key`` is the option code for ``option`` entries, the row's
    position (from 0, as text) for ``table_row`` entries, and ``''``
    otherwise. ``row`` holds a table row's cells by column code (option
    codes for choice cells); pages render labels in the reader's language.
    """

    group: str
    section: str
    question: str
    kind: BottleneckKind
    severity: int | None
    comment: str
    item_key: str
    row: tuple[tuple[str, object], ...] | None
    lead_agencies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupResult:
    """A group's score (0–100), band, missing answers and bottlenecks.

    ``score`` is the displayed score: the exact weighted mean rounded half
    up to 2 decimals. ``missing`` lists the visible questions that keep the
    group from being handed in: required ones left unanswered (any type),
    ones whose stored value is refused (also in ``invalid``) and ones not
    applicable without the required reason (also in ``unjustified``).
    ``critical_failed`` is true when a visible critical question is
    unanswered or scores below its threshold; the band is then red.
    """

    code: str
    score: float | None
    band: Band | None
    missing: tuple[str, ...]
    sections: tuple[SectionResult, ...]
    questions: tuple[QuestionResult, ...]
    bottlenecks: tuple[Bottleneck, ...]
    critical_failed: bool
    invalid: tuple[str, ...] = ()
    unjustified: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitResult:
    """A unit's overall index (0–1, displayed: 4 decimals), its band and its groups.

    ``counted_groups`` of ``applicable_groups`` have a score; the index is
    complete when they are equal (see :mod:`.index`).
    """

    index: float | None
    band: Band | None
    groups: tuple[GroupResult, ...]
    counted_groups: int = 0
    applicable_groups: int = 0

    @property
    def bottlenecks(self) -> tuple[Bottleneck, ...]:
        """The whole register, group by group."""
        return tuple(b for g in self.groups for b in g.bottlenecks)

    @property
    def missing(self) -> tuple[str, ...]:
        """Every missing required answer, group by group."""
        return tuple(c for g in self.groups for c in g.missing)

    @property
    def critical_failed(self) -> bool:
        return any(g.critical_failed for g in self.groups)

    def group(self, code: str) -> GroupResult:
        """The result of group ``code``; KeyError if there is none."""
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(code)
