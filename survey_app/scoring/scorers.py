"""One scorer per question type, in a registry keyed by type.

A scorer reads one answer value (the JSON shape of ``docs/question-bank.md``)
and returns either a score in [0, 1] or a :class:`Status` saying why there is
none. It never raises: a malformed value is :attr:`Status.UNANSWERED`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from survey_app.questionnaires.schema import Question, QuestionType, scorable

from .values import (
    as_number,
    cell_equals,
    clamp01,
    date_value,
    evidence_given,
    ratio_parts,
    severity_value,
    table_rows,
)


class Status(Enum):
    """Why an answer has no score."""

    UNANSWERED = "unanswered"  # no value, or a malformed one
    NOT_APPLICABLE = "not_applicable"  # answered, but the measure does not apply (b = 0, no rows)
    NOT_SCORED = "not_scored"  # answered; the question is not part of the score


Outcome = float | Status
Scorer = Callable[[Question, object], Outcome]

_YES_NO_DEFAULT = {"yes": 1.0, "no": 0.0}


def is_scored(q: Question) -> bool:
    """Whether ``q`` contributes to scores: the bank says so and its type has the parameters."""
    return q.scored and scorable(q.type, q.options, q.scoring)


def zero_when_unanswered(q: Question) -> bool:
    """Whether an unanswered, applicable ``q`` counts as 0 (else it is left out).

    Required questions count 0. So does scored evidence, required or not:
    it measures whether evidence was given, so its absence is the 0.
    """
    return q.required or (q.type is QuestionType.EVIDENCE and q.scoring.scored_if_present)


def fail_threshold(q: Question, gap_threshold: float) -> float:
    """Score below which ``q`` is a gap (and, if critical, fails)."""
    return q.scoring.fail_below if q.scoring.fail_below is not None else gap_threshold


# --- reading values -------------------------------------------------------


# --- the scorers ----------------------------------------------------------
#
# Each type has a factory that reads the question's parameters once and
# returns a function of the answer value alone; the registry entries apply
# it to one value, and a whole round reuses it over every unit's value.

ValueScorer = Callable[[object], Outcome]
_UNANSWERED = Status.UNANSWERED
_NOT_SCORED = Status.NOT_SCORED
_NOT_APPLICABLE = Status.NOT_APPLICABLE


def _yes_no(q: Question) -> ValueScorer:
    scored = is_scored(q)
    points = dict(_YES_NO_DEFAULT)
    points.update({o.code: clamp01(o.points) for o in q.options if o.code in points})

    def score(value: object) -> Outcome:
        if value != "yes" and value != "no":
            return _UNANSWERED
        return points[value] if scored else _NOT_SCORED

    return score


def _single_choice(q: Question) -> ValueScorer:
    scored = is_scored(q)
    points = {o.code: clamp01(o.points) for o in q.options}

    def score(value: object) -> Outcome:
        if not isinstance(value, str) or value not in points:
            return _UNANSWERED
        return points[value] if scored else _NOT_SCORED

    return score


def _multiple_choice(q: Question) -> ValueScorer:
    scored = is_scored(q)
    points = {o.code: max(o.points, 0.0) for o in q.options}
    order = [o.code for o in q.options]
    cap = q.scoring.max_points if q.scoring.max_points is not None and q.scoring.max_points > 0 else 1.0

    def score(value: object) -> Outcome:
        if not isinstance(value, list | tuple):
            return _UNANSWERED
        for v in value:
            if not isinstance(v, str) or v not in points:
                return _UNANSWERED
        if not scored:
            return _NOT_SCORED
        picked = set(value)
        total = 0.0
        for code in order:  # bank order, each option once
            if code in picked:
                total += points[code]
        return min(total, cap) / cap

    return score


def _ratio(q: Question) -> ValueScorer:
    scored = is_scored(q)
    inverse = q.scoring.inverse
    target = q.scoring.target if q.scoring.target is not None and q.scoring.target > 0 else 1.0

    def score(value: object) -> Outcome:
        parts = ratio_parts(value)
        if parts is None:
            return _UNANSWERED
        a, b = parts
        if b == 0:
            return _NOT_APPLICABLE
        if not scored:
            return _NOT_SCORED
        return clamp01(1.0 - a / b) if inverse else clamp01(a / b / target)

    return score


def _number(q: Question) -> ValueScorer:
    scored = is_scored(q)
    bands = [(b.upto, clamp01(b.points)) for b in q.scoring.bands]
    inverse = q.scoring.inverse
    target = q.scoring.target if q.scoring.target is not None else 1.0

    def score(value: object) -> Outcome:
        n = as_number(value)
        if n is None:
            return _UNANSWERED
        if not scored:
            return _NOT_SCORED
        if bands:
            for upto, points in bands:
                if upto is None or n <= upto:
                    return points
            return bands[-1][1]
        return clamp01(1.0 - n / target) if inverse else clamp01(n / target)

    return score


def _severity(q: Question) -> ValueScorer:
    def score(value: object) -> Outcome:
        return _UNANSWERED if severity_value(value) is None else _NOT_SCORED

    return score


def _date(q: Question) -> ValueScorer:
    deadline = q.scoring.on_or_before if is_scored(q) else None
    late = clamp01(q.scoring.late_points)

    def score(value: object) -> Outcome:
        d = date_value(value)
        if d is None:
            return _UNANSWERED
        if deadline is None:
            return _NOT_SCORED
        return 1.0 if d <= deadline else late

    return score


def _text(q: Question) -> ValueScorer:
    def score(value: object) -> Outcome:
        return _NOT_SCORED if isinstance(value, str) and value.strip() else _UNANSWERED

    return score


def _table(q: Question) -> ValueScorer:
    share = q.scoring.row_share if is_scored(q) else None

    def score(value: object) -> Outcome:
        rows = table_rows(value)
        if rows is None:
            return _UNANSWERED
        if share is None:
            return _NOT_SCORED
        if not rows:
            return _NOT_APPLICABLE
        column, expected = share
        hits = sum(1 for r in rows if cell_equals(r.get(column), expected))
        return hits / len(rows)

    return score


def _evidence(q: Question) -> ValueScorer:
    scored = is_scored(q)

    def score(value: object) -> Outcome:
        if not evidence_given(value):
            return _UNANSWERED
        return 1.0 if scored else _NOT_SCORED

    return score


_FACTORIES: dict[QuestionType, Callable[[Question], ValueScorer]] = {
    QuestionType.YES_NO: _yes_no,
    QuestionType.SINGLE_CHOICE: _single_choice,
    QuestionType.MULTIPLE_CHOICE: _multiple_choice,
    QuestionType.RATIO: _ratio,
    QuestionType.NUMBER: _number,
    QuestionType.SEVERITY: _severity,
    QuestionType.DATE: _date,
    QuestionType.TEXT: _text,
    QuestionType.TABLE: _table,
    QuestionType.EVIDENCE: _evidence,
}


def value_scorer(q: Question) -> ValueScorer:
    """The scorer of ``q`` with its parameters bound: a function of the value alone.

    None and malformed values give :attr:`Status.UNANSWERED`.
    """
    inner = _FACTORIES[q.type](q)

    def score(value: object) -> Outcome:
        return _UNANSWERED if value is None else inner(value)

    return score


def _registry_entry(factory: Callable[[Question], ValueScorer]) -> Scorer:
    def scorer(q: Question, value: object) -> Outcome:
        return _UNANSWERED if value is None else factory(q)(value)

    scorer.__name__ = f"score{factory.__name__}"
    scorer.__doc__ = f"Score one answer to a {factory.__name__[1:]} question."
    return scorer


#: The registry: the scorer of each question type, ``(question, value) -> score or Status``.
SCORERS: dict[QuestionType, Scorer] = {t: _registry_entry(f) for t, f in _FACTORIES.items()}


def score_answer(q: Question, value: object) -> Outcome:
    """The score of ``value`` as an answer to ``q`` (None counts as unanswered)."""
    return SCORERS[q.type](q, value)
