"""One scorer per question type, in a registry keyed by type.

A scorer reads one answer value through the one door of
:mod:`survey_app.questionnaires.answers` and returns either a score in
[0, 1] or a :class:`Status` saying why there is none. It never raises, and
it never re-reads a refused value as something else: that is
:attr:`Status.INVALID`.

Every scorer is written once and runs in two kinds of numbers: floats, for
the fast pass over a round, and exact fractions (``exact=True``), which give
the documented value. The engine uses the exact scores; the round pass uses
the floats and falls back on the exact ones whenever a float comes near a
rounding boundary (see :mod:`.bands`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from fractions import Fraction
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from survey_app.questionnaires.answers import Refusal, value_reader
from survey_app.questionnaires.schema import EmptyRule, Question, QuestionType, scorable

from .bands import exact
from .values import cell_equals, clamp01


class Status(Enum):
    """Why an answer has no score."""

    UNANSWERED = "unanswered"  # no value (or blank text, empty evidence)
    INVALID = "invalid"  # a value the one door refuses; never scored as anything
    NOT_APPLICABLE = "not_applicable"  # answered, the measure does not apply (0 / 0, no rows); needs a reason
    NOT_SCORED = "not_scored"  # answered; the question is not part of the score


Outcome = float | Fraction | Status
#: One unit's flag (``bool``) or a column of units' flags: the flag rules take either.
Flags = TypeVar("Flags", bool, npt.NDArray[np.bool_])
Scorer = Callable[[Question, object], Outcome]
ValueScorer = Callable[[object], Outcome]
#: How the numbers of a scorer are made: ``float`` or the exact :func:`~.bands.exact`.
Num = Callable[[Any], Any]


def is_scored(q: Question) -> bool:
    """Whether ``q`` contributes to scores: the bank says so and its type has the parameters."""
    return q.scored and scorable(q.type, q.options, q.scoring)


def zero_when_unanswered(q: Question) -> bool:
    """Whether an unanswered, applicable ``q`` counts as 0 (else it is left out).

    Required questions count 0. So does scored evidence, required or not:
    it measures whether evidence was given, so its absence is the 0.
    """
    return q.required or (q.type is QuestionType.EVIDENCE and q.scoring.scored_if_present)


def is_missing(q: Question, unanswered: Flags, invalid: Flags, unjustified: Flags) -> Flags:
    """Whether a visible question keeps its group from being handed in (one unit's
    flags or columns of units): required and unanswered, a stored value the one
    door refuses, or not applicable without the required reason."""
    return (unanswered if q.required else unanswered & False) | invalid | unjustified


def fail_threshold(q: Question, gap_threshold: float) -> float:
    """Score below which ``q`` is a gap (and, if critical, fails)."""
    return q.scoring.fail_below if q.scoring.fail_below is not None else gap_threshold


# --- the scorers ----------------------------------------------------------
#
# Each type has a factory that reads the question's parameters once and
# returns a function of the answer value alone, already read by the one door
# (never None, never a refusal); :func:`value_scorer` does the reading.

_NOT_SCORED = Status.NOT_SCORED
_NOT_APPLICABLE = Status.NOT_APPLICABLE


def _empty(q: Question, num: Num) -> Outcome:
    """The outcome of an empty measure (0 / 0, a scored table with no rows)."""
    rule = q.scoring.empty
    if rule is EmptyRule.FAIL:
        return cast(Outcome, num(0))
    if rule is EmptyRule.PASS:
        return cast(Outcome, num(1))
    return _NOT_APPLICABLE


def _choice(q: Question, num: Num) -> ValueScorer:
    scored = is_scored(q)
    points = {"yes": num(1), "no": num(0)} if q.type is QuestionType.YES_NO else {}
    points.update({o.code: clamp01(num(o.points)) for o in q.options})

    def score(code: Any) -> Any:
        return points[code] if scored else _NOT_SCORED

    return score


def _multiple_choice(q: Question, num: Num) -> ValueScorer:
    scored = is_scored(q)
    points = {o.code: num(max(o.points, 0.0)) for o in q.options}
    cap = num(q.scoring.max_points if q.scoring.max_points is not None and q.scoring.max_points > 0 else 1)

    def score(picked: Any) -> Any:
        if not scored:
            return _NOT_SCORED
        total = num(0)
        for code in picked:  # bank order, each option once
            total += points[code]
        return min(total, cap) / cap

    return score


def _ratio(q: Question, num: Num) -> ValueScorer:
    scored = is_scored(q)
    inverse = q.scoring.inverse
    target = num(q.scoring.target if q.scoring.target is not None and q.scoring.target > 0 else 1)
    empty = _empty(q, num)
    one = num(1)

    def score(parts: Any) -> Any:
        if not scored:
            return _NOT_SCORED
        a, b = parts
        if b == 0:
            return empty
        return clamp01(one - num(a) / num(b)) if inverse else clamp01(num(a) / num(b) / target)

    return score


def _number(q: Question, num: Num) -> ValueScorer:
    scored = is_scored(q)
    bands = [(b.upto, clamp01(num(b.points))) for b in q.scoring.bands]
    inverse = q.scoring.inverse
    target = num(q.scoring.target if q.scoring.target is not None else 1)
    one = num(1)

    def score(n: Any) -> Any:
        if not scored:
            return _NOT_SCORED
        if bands:
            for upto, points in bands:
                if upto is None or n <= upto:
                    return points
            return bands[-1][1]
        return clamp01(one - num(n) / target) if inverse else clamp01(num(n) / target)

    return score


def _never(q: Question, num: Num) -> ValueScorer:
    def score(value: Any) -> Any:
        return _NOT_SCORED

    return score


def _date(q: Question, num: Num) -> ValueScorer:
    deadline = q.scoring.on_or_before if is_scored(q) else None
    on_time, late = num(1), clamp01(num(q.scoring.late_points))

    def score(d: Any) -> Any:
        if deadline is None:
            return _NOT_SCORED
        return on_time if d <= deadline else late

    return score


def _table(q: Question, num: Num) -> ValueScorer:
    share = q.scoring.row_share if is_scored(q) else None
    empty = _empty(q, num)

    def score(rows: Any) -> Any:
        if share is None:
            return _NOT_SCORED
        if not rows:
            return empty
        column, expected = share
        hits = sum(1 for r in rows if cell_equals(r.get(column), expected))
        return num(hits) / num(len(rows))

    return score


def _evidence(q: Question, num: Num) -> ValueScorer:
    given = num(1) if is_scored(q) else _NOT_SCORED

    def score(value: Any) -> Any:
        return given

    return score


_FACTORIES: dict[QuestionType, Callable[[Question, Num], ValueScorer]] = {
    QuestionType.YES_NO: _choice,
    QuestionType.SINGLE_CHOICE: _choice,
    QuestionType.MULTIPLE_CHOICE: _multiple_choice,
    QuestionType.RATIO: _ratio,
    QuestionType.NUMBER: _number,
    QuestionType.SEVERITY: _never,
    QuestionType.DATE: _date,
    QuestionType.TEXT: _never,
    QuestionType.TABLE: _table,
    QuestionType.EVIDENCE: _evidence,
}


def read_scorer(q: Question, *, exact_numbers: bool = False) -> Callable[[Any], Outcome]:
    """The rule half of :func:`value_scorer`: the outcome of a value the one door
    has already read and accepted (neither None nor a refusal), for a round pass
    that reads a whole column at once and keeps the read values."""
    return _FACTORIES[q.type](q, exact if exact_numbers else float)


def value_scorer(q: Question, *, exact_numbers: bool = False) -> ValueScorer:
    """The scorer of ``q`` with its parameters bound: a function of the value alone.

    The value goes through the one door first: no answer gives
    :attr:`Status.UNANSWERED`, a refused value :attr:`Status.INVALID`.
    Scores are floats, or exact fractions with ``exact_numbers``.
    """
    read, inner = value_reader(q), read_scorer(q, exact_numbers=exact_numbers)
    unanswered, invalid = Status.UNANSWERED, Status.INVALID

    def score(value: object) -> Outcome:
        got = read(value)
        if got is None:
            return unanswered
        if got.__class__ is Refusal:
            return invalid
        return inner(got)

    return score


def _registry_entry(qtype: QuestionType) -> Scorer:
    def scorer(q: Question, value: object) -> Outcome:
        return value_scorer(q)(value)

    scorer.__name__ = f"score_{qtype.value}"
    scorer.__doc__ = f"Score one answer to a {qtype.value} question (a float, or a Status)."
    return scorer


#: The registry: the scorer of each question type, ``(question, value) -> score or Status``.
SCORERS: dict[QuestionType, Scorer] = {t: _registry_entry(t) for t in _FACTORIES}


def score_answer(q: Question, value: object) -> Outcome:
    """The score of ``value`` as an answer to ``q``, as a float (None counts as unanswered)."""
    return SCORERS[q.type](q, value)


def exact_read_scorer(q: Question) -> Callable[[object], Fraction | Status]:
    """:func:`exact_score` of a value already read by the one door (neither None
    nor a refusal), with the question's parameters read once."""
    rule = read_scorer(q, exact_numbers=True)

    def score(got: object) -> Fraction | Status:
        out = rule(got)
        return out if isinstance(out, Status) else exact(out)

    return score


def exact_scorer(q: Question) -> Callable[[object], Fraction | Status]:
    """:func:`exact_score` for ``q``, with the question's parameters read once."""
    score = value_scorer(q, exact_numbers=True)

    def exact_of(value: object) -> Fraction | Status:
        out = score(value)
        return out if isinstance(out, Status) else exact(out)

    return exact_of


def exact_score(q: Question, value: object) -> Fraction | Status:
    """The exact score of ``value`` as an answer to ``q``."""
    return exact_scorer(q)(value)
