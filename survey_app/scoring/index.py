"""The weighted mean and the overall index: each written once.

A section or group score is :func:`weighted_score` of its counted questions;
the index is :func:`index_view` of the *displayed* group scores, so an
official can recompute it by hand from the figures on the page, and a
service can derive it on read from the stored group scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from survey_app.questionnaires.schema import Bank

from .bands import INDEX_PLACES, NEAR_HALF, SCORE_PLACES, Band, BandCuts, exact, round_half_up


def weighted_score(pairs: Iterable[tuple[Fraction, Fraction]]) -> Fraction | None:
    """100 × Σ wᵢ·qᵢ ÷ Σ wᵢ over ``(weight, score)`` pairs, exactly; None without any."""
    num = den = Fraction(0)
    for w, q in pairs:
        num += w * q
        den += w
    return 100 * num / den if den > 0 else None


def shown_score(pairs: Iterable[tuple[Fraction, Fraction]]) -> Decimal | None:
    """:func:`weighted_score` rounded half up once, as displayed."""
    value = weighted_score(pairs)
    return None if value is None else round_half_up(value, SCORE_PLACES)


@dataclass(frozen=True, slots=True)
class IndexView:
    """A unit's index (0–1, 4 decimals, as displayed), its band, and its coverage.

    ``counted_groups`` of the ``applicable_groups`` groups have a score that
    counts; the index is *complete* when they are equal. An incomplete index
    is shown with its coverage ("3/5 nhóm") and never ranked against
    complete ones.
    """

    index: float | None
    band: Band | None
    counted_groups: int
    applicable_groups: int

    @property
    def complete(self) -> bool:
        return self.applicable_groups > 0 and self.counted_groups == self.applicable_groups


def index_value(bank: Bank, shown: Mapping[str, float | Decimal | None]) -> Decimal | None:
    """Σ W_g·(G_g ÷ 100) ÷ Σ W_g over the groups of ``shown`` that have a score,
    rounded half up to 4 decimals; None when none has one.

    ``shown`` maps group codes to *displayed* group scores (0–100). The sum
    is done in floats and redone exactly when the float lands within a hair
    of a rounding boundary, so the result is always the exact one.
    """
    num = den = 0.0
    terms: list[tuple[float, float | Decimal]] = []
    for g in bank.groups:
        s = shown.get(g.code)
        if s is not None:
            terms.append((g.weight, s))
            num += g.weight * float(s)
            den += g.weight
    if den <= 0:
        return None
    scaled = num / den / 100.0 * 10.0**INDEX_PLACES
    if abs(scaled - int(scaled) - 0.5) >= NEAR_HALF:
        return Decimal(int(scaled + 0.5)).scaleb(-INDEX_PLACES)
    pairs = [(exact(w), exact(s) / 100) for w, s in terms]
    value = weighted_score(pairs)
    assert value is not None
    return round_half_up(value / 100, INDEX_PLACES)


def applicable_groups(bank: Bank, unit_kind: str) -> tuple[str, ...]:
    """Codes of the groups with at least one question asked of ``unit_kind``."""
    return tuple(g.code for g in bank.groups
                 if any(not q.applies_to or unit_kind in q.applies_to for q in g.questions))


def index_view(bank: Bank, unit_kind: str, shown: Mapping[str, float | Decimal | None],
               critical_failed: bool) -> IndexView:
    """The index of a unit from the displayed scores of its counted groups.

    ``shown`` holds only the groups that count (for a stored response: the
    handed-in ones); ``critical_failed`` is whether a critical question of
    one of them failed, which makes the band red.
    """
    applicable = applicable_groups(bank, unit_kind)
    counted = sum(1 for code in applicable if shown.get(code) is not None)
    value = index_value(bank, shown)
    band = BandCuts(bank.scoring.bands).index_band(value, critical_failed)
    return IndexView(None if value is None else float(value), band, counted, len(applicable))
