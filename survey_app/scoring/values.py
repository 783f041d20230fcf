"""Reading answer values: the JSON shapes of ``docs/question-bank.md``.

Each reader returns the value in a usable form, or None when it is missing
or malformed; none of them raises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from survey_app.questionnaires.schema import Question, QuestionType


def clamp01(x: float) -> float:
    """``x`` limited to [0, 1]."""
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def as_number(value: object) -> float | None:
    """A finite int or float (not a bool), else None."""
    if type(value) is int or type(value) is float:
        x = float(value)
        return x if math.isfinite(x) else None
    return None


def yes_no_value(value: object) -> str | None:
    return value if value == "yes" or value == "no" else None


def selected_options(q: Question, value: object) -> tuple[str, ...] | None:
    """Codes picked in a choice question, in the bank's option order; None if malformed."""
    codes = {o.code for o in q.options}
    if q.type is QuestionType.YES_NO:
        v = yes_no_value(value)
        return None if v is None else (v,)
    if q.type is QuestionType.SINGLE_CHOICE:
        return (value,) if isinstance(value, str) and value in codes else None
    if q.type is QuestionType.MULTIPLE_CHOICE:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v in codes for v in value):
            return None
        picked = set(value)
        return tuple(o.code for o in q.options if o.code in picked)
    return None


def severity_value(value: object) -> int | None:
    """A severity 1–5 (an int, or a float with no fraction), else None."""
    x = as_number(value)
    if x is None or not x.is_integer() or not 1 <= x <= 5:
        return None
    return int(x)


def date_value(value: object) -> date | None:
    if type(value) is date:
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _blank_row(row: Mapping[str, object]) -> bool:
    return all(_blank(cell) for cell in row.values())


def table_rows(value: object) -> list[Mapping[str, object]] | None:
    """The non-blank rows of a table answer; None if malformed."""
    if not isinstance(value, list | tuple):
        return None
    rows = []
    for r in value:
        if r.__class__ is not dict and not isinstance(r, Mapping):
            return None
        if not _blank_row(r):
            rows.append(r)
    return rows


def evidence_given(value: object) -> bool | None:
    """Whether evidence was given (a document number or a file); None if malformed."""
    if value.__class__ is not dict and not isinstance(value, Mapping):
        return None
    number = value.get("document_number")
    files = value.get("files")
    return (isinstance(number, str) and bool(number.strip())) or (isinstance(files, list | tuple) and bool(files))


def cell_equals(cell: object, expected: str) -> bool:
    """Whether a table cell equals the ``row_share`` value (numbers compare as numbers)."""
    if isinstance(cell, str):
        return cell.strip() == expected
    x = as_number(cell)
    if x is None:
        return False
    try:
        return x == float(expected)
    except ValueError:
        return False


def ratio_parts(value: object) -> tuple[float, float] | None:
    """Numerator and denominator of a ratio answer (both finite and ≥ 0), else None."""
    if value.__class__ is not dict and not isinstance(value, Mapping):
        return None
    a, b = value.get("numerator"), value.get("denominator")
    ta, tb = a.__class__, b.__class__
    if (ta is not int and ta is not float) or (tb is not int and tb is not float):
        return None
    x, y = float(a), float(b)  # type: ignore[arg-type]
    if not (0.0 <= x < math.inf and 0.0 <= y < math.inf):  # also refuses NaN
        return None
    return x, y
