"""Small helpers on answer values already read by the one door
(:mod:`survey_app.questionnaires.answers`)."""

from __future__ import annotations

from fractions import Fraction
from typing import TypeVar

from survey_app.questionnaires.answers import Refusal, number, value_reader
from survey_app.questionnaires.schema import CHOICE_TYPES, Question

N = TypeVar("N", float, Fraction)


def clamp01(x: N) -> N:
    """``x`` limited to [0, 1], in its own kind of number."""
    if x < 0:
        return x - x
    if x > 1:
        return x - x + 1
    return x


def selected_options(q: Question, value: object) -> tuple[str, ...] | None:
    """Codes picked in a choice question, in the bank's option order; None if unanswered or refused."""
    if q.type not in CHOICE_TYPES:
        return None
    got = value_reader(q)(value)
    if got is None or isinstance(got, Refusal):
        return None
    return got if isinstance(got, tuple) else (str(got),)


def cell_equals(cell: object, expected: str) -> bool:
    """Whether a table cell equals the ``row_share`` value (numbers compare as numbers)."""
    if isinstance(cell, str):
        return cell.strip() == expected
    x = number(cell)
    if x is None:
        return False
    try:
        return x == float(expected)
    except ValueError:
        return False

