"""The one door for answer values: what a valid answer to each question type is.

An answer value has the JSON shape of its type (``docs/question-bank.md``).
:func:`read_value` reads one value for one question and gives its usable
form, ``None`` for "no answer" (no value, blank text, an evidence field with
nothing in it), or a :class:`Refusal` saying why the value is not valid. The
form, the score recomputation, a future Excel import or API and the scoring
engine all go through it, so a value refused at one door is refused at every
door, and the scorer never re-reads a bad value as something else.

:func:`check_value` is the short form: the reason a value is refused, or None;
:func:`read_values` the long one, many values of one question at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .schema import Column, ColumnType, Question, QuestionType


class Reason(StrEnum):
    """Why a value was refused (pages translate the code into the reader's language)."""

    WRONG_SHAPE = "wrong_shape"  # not the JSON shape of the type (e.g. text where a list is needed)
    UNKNOWN_OPTION = "unknown_option"  # not one of the question's options
    DUPLICATE_OPTION = "duplicate_option"  # the same option twice
    EXCLUSIVE_OPTION = "exclusive_option"  # "none of these" picked together with another option
    NOT_A_NUMBER = "not_a_number"  # a number is needed (not text, not a boolean, finite)
    NEGATIVE = "negative"  # a ratio part, a count below 0
    NUMERATOR_ABOVE_DENOMINATOR = "numerator_above_denominator"
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"
    NOT_A_SEVERITY = "not_a_severity"  # a whole number from 1 to 5 is needed
    NOT_AN_ISO_DATE = "not_an_iso_date"  # dates are written YYYY-MM-DD
    UNKNOWN_COLUMN = "unknown_column"  # a table row with a key that is not a column
    BAD_CELL = "bad_cell"  # a table cell that does not fit its column


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused value: the reason, and where (an option, a column, a field)."""

    reason: Reason
    where: str = ""

    def __str__(self) -> str:
        return f"{self.reason.value}: {self.where}" if self.where else self.reason.value


#: A value read for its question: its usable form, None (no answer) or a refusal.
Read = object

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def number(value: object) -> int | float | None:
    """An int or a finite float (never a bool), as given; else None."""
    if value.__class__ is int:
        return value
    if isinstance(value, float) and value.__class__ is float and math.isfinite(value):
        return value
    return None


def iso_date(value: object) -> date | None:
    """A date, or a string written exactly ``YYYY-MM-DD`` that is a real date; else None."""
    if value.__class__ is date:
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _choice(q: Question) -> Callable[[object], Read]:
    codes = frozenset(o.code for o in q.options) if q.options else frozenset({"yes", "no"})

    def read(value: object) -> Read:
        if not isinstance(value, str):
            return Refusal(Reason.WRONG_SHAPE)
        return value if value in codes else Refusal(Reason.UNKNOWN_OPTION, value)

    return read


def _multiple(q: Question) -> Callable[[object], Read]:
    order = [o.code for o in q.options]
    codes = frozenset(order)
    exclusive = frozenset(o.code for o in q.options if o.exclusive)

    def read(value: object) -> Read:
        if value.__class__ is not list and not isinstance(value, list | tuple):
            return Refusal(Reason.WRONG_SHAPE)
        try:  # every item a known code (and so a string): the usual case, checked at once
            known = codes.issuperset(value)
        except TypeError:  # an unhashable item, refused below
            known = False
        if not known:  # the first item that is not a known code says why
            for v in value:
                if not isinstance(v, str):
                    return Refusal(Reason.WRONG_SHAPE)
                if v not in codes:
                    return Refusal(Reason.UNKNOWN_OPTION, v)
        picked = set(value)
        if len(picked) != len(value):
            return Refusal(Reason.DUPLICATE_OPTION)
        if len(picked) > 1 and exclusive and not exclusive.isdisjoint(picked):
            return Refusal(Reason.EXCLUSIVE_OPTION, sorted(picked & exclusive)[0])
        return tuple(filter(picked.__contains__, order))  # the bank's codes, in its order

    return read


def _ratio(q: Question) -> Callable[[object], Read]:
    at_most = q.scoring.numerator_le_denominator

    def read(value: object) -> Read:
        if value.__class__ is not dict and not isinstance(value, Mapping):
            return Refusal(Reason.WRONG_SHAPE)
        a, b = value.get("numerator"), value.get("denominator")
        if a.__class__ is not int:  # an int is a number as it is; anything else is asked
            a = number(a)
            if a is None:
                return Refusal(Reason.NOT_A_NUMBER, "numerator")
        if b.__class__ is not int:
            b = number(b)
            if b is None:
                return Refusal(Reason.NOT_A_NUMBER, "denominator")
        if a < 0:
            return Refusal(Reason.NEGATIVE, "numerator")
        if b < 0:
            return Refusal(Reason.NEGATIVE, "denominator")
        if at_most and a > b:
            return Refusal(Reason.NUMERATOR_ABOVE_DENOMINATOR)
        return a, b

    return read


def _number(q: Question) -> Callable[[object], Read]:
    low, high = q.min_value, q.max_value

    def read(value: object) -> Read:
        n = number(value)
        if n is None:
            return Refusal(Reason.NOT_A_NUMBER)
        if low is not None and n < low:
            return Refusal(Reason.BELOW_MINIMUM)
        if high is not None and n > high:
            return Refusal(Reason.ABOVE_MAXIMUM)
        return n

    return read


def _severity(q: Question) -> Callable[[object], Read]:
    def read(value: object) -> Read:
        n = number(value)
        if n is None or n != int(n) or not 1 <= n <= 5:
            return Refusal(Reason.NOT_A_SEVERITY)
        return int(n)

    return read


def _date(q: Question) -> Callable[[object], Read]:
    def read(value: object) -> Read:
        if _blank(value):
            return None
        d = iso_date(value)
        return d if d is not None else Refusal(Reason.NOT_AN_ISO_DATE)

    return read


def _text(q: Question) -> Callable[[object], Read]:
    def read(value: object) -> Read:
        if not isinstance(value, str):
            return Refusal(Reason.WRONG_SHAPE)
        return value if value.strip() else None

    return read


def _cell_check(column: Column) -> Callable[[object], bool]:
    """Whether a cell fits ``column`` (a blank cell always does), with the column read once."""
    match column.type:
        case ColumnType.NUMBER:
            return lambda c: c is None or number(c) is not None or (c.__class__ is str and not c.strip())
        case ColumnType.DATE:
            return lambda c: _blank(c) or iso_date(c) is not None
        case ColumnType.YES_NO:
            return lambda c: c is None or c == "yes" or c == "no" or (c.__class__ is str and not c.strip())
        case ColumnType.CHOICE:
            codes = frozenset(o.code for o in column.options)
            return lambda c: c is None or (c.__class__ is str and (c in codes or not c.strip()))
        case _:
            return lambda c: c is None or c.__class__ is str


def _table(q: Question) -> Callable[[object], Read]:
    checks = {c.code: _cell_check(c) for c in q.columns}
    allowed = frozenset(checks)

    def read(value: object) -> Read:
        if value.__class__ is not list and not isinstance(value, list | tuple):
            return Refusal(Reason.WRONG_SHAPE)
        rows: list[Mapping[str, object]] = []
        for i, row in enumerate(value):
            if row.__class__ is not dict and not isinstance(row, Mapping):
                return Refusal(Reason.WRONG_SHAPE, f"row {i + 1}")
            if not allowed.issuperset(row):
                return Refusal(Reason.UNKNOWN_COLUMN, str(next(k for k in row if k not in allowed)))
            filled = False
            for key, cell in row.items():
                if cell is None:
                    continue
                if not checks[key](cell):
                    return Refusal(Reason.BAD_CELL, f"row {i + 1}, {key}")
                if not filled and (cell.__class__ is not str or cell.strip()):
                    filled = True
            if filled:
                rows.append(row)
        return rows

    return read


def _evidence(q: Question) -> Callable[[object], Read]:
    def read(value: object) -> Read:
        if value.__class__ is not dict and not isinstance(value, Mapping):
            return Refusal(Reason.WRONG_SHAPE)
        doc, day, files = value.get("document_number"), value.get("document_date"), value.get("files")
        if doc is not None and not isinstance(doc, str):
            return Refusal(Reason.WRONG_SHAPE, "document_number")
        if not _blank(day) and iso_date(day) is None:
            return Refusal(Reason.NOT_AN_ISO_DATE, "document_date")
        if files is not None and not (isinstance(files, list | tuple) and all(number(f) is not None for f in files)):
            return Refusal(Reason.WRONG_SHAPE, "files")
        given = bool(doc and doc.strip()) or bool(files)
        return value if given else None

    return read


_READERS: dict[QuestionType, Callable[[Question], Callable[[object], Read]]] = {
    QuestionType.YES_NO: _choice,
    QuestionType.SINGLE_CHOICE: _choice,
    QuestionType.MULTIPLE_CHOICE: _multiple,
    QuestionType.RATIO: _ratio,
    QuestionType.NUMBER: _number,
    QuestionType.SEVERITY: _severity,
    QuestionType.DATE: _date,
    QuestionType.TEXT: _text,
    QuestionType.TABLE: _table,
    QuestionType.EVIDENCE: _evidence,
}


def value_reader(q: Question) -> Callable[[object], Read]:
    """:func:`read_value` for ``q``, with the question's rules read once."""
    inner = _READERS[q.type](q)

    def read(value: object) -> Read:
        return None if value is None else inner(value)

    return read


def read_values(q: Question, values: Iterable[object]) -> list[Read]:
    """:func:`read_value` of each of ``values``, all answers to ``q``, with the
    question's rules read once (for a pass over a whole column of units)."""
    inner = _READERS[q.type](q)
    return [None if v is None else inner(v) for v in values]


def read_value(q: Question, value: object) -> Read:
    """``value`` read as an answer to ``q``: its usable form, None or a :class:`Refusal`.

    The usable forms: an option code (yes/no, single choice); the picked
    codes in bank order (multiple choice); ``(numerator, denominator)``; the
    number; the severity as an int; a :class:`~datetime.date`; the text; the
    non-blank rows of a table; the evidence mapping.
    """
    return value_reader(q)(value)


def check_value(q: Question, value: object) -> Refusal | None:
    """Why ``value`` is not a valid answer to ``q``, or None when it is (or is empty)."""
    got = read_value(q, value)
    return got if isinstance(got, Refusal) else None
