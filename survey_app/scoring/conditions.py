"""Which questions a unit sees: applicability by unit kind, and conditions.

A question is *visible* to a unit when it applies to the unit's kind (an
empty ``applies_to`` means every kind) and its condition, if any, holds on
the answer to an earlier, itself visible, question. A hidden question's
answer is ignored and the question is left out of every score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from survey_app.questionnaires.answers import Refusal, number, value_reader
from survey_app.questionnaires.schema import CHOICE_TYPES, Bank, Condition, Question


def applies_to_kind(q: Question, unit_kind: str) -> bool:
    """Whether ``q`` is asked of units of ``unit_kind``."""
    return not q.applies_to or unit_kind in q.applies_to


def condition_test(cond: Condition, source: Question) -> Callable[[object], bool]:
    """:func:`condition_holds` for ``cond`` on ``source``, as a function of the answer alone."""
    read, test = value_reader(source), read_condition_test(cond, source)
    return lambda value: test(read(value))


def read_condition_test(cond: Condition, source: Question) -> Callable[[object], bool]:
    """:func:`condition_test` of an answer the one door has already read (its
    usable form, None or a refusal), for a pass that keeps the read values."""
    choice = source.type in CHOICE_TYPES
    expected = cond.equals
    if isinstance(expected, bool):  # a TOML boolean reads as yes / no
        expected = "yes" if expected else "no"

    def holds(got: object) -> bool:
        if got is None or isinstance(got, Refusal):
            return False
        if cond.at_least is not None:
            x = number(got)
            return x is not None and x >= cond.at_least
        picked: tuple[str, ...] | None = None
        if choice:
            picked = got if isinstance(got, tuple) else (str(got),)
        if cond.any_of:
            if picked is not None:
                return any(code in cond.any_of for code in picked)
            return isinstance(got, str) and got in cond.any_of
        if expected is None:
            return True
        if isinstance(expected, str):
            if picked is not None:
                return expected in picked
            return isinstance(got, str) and got.strip() == expected
        x = number(got)
        return x is not None and x == float(expected)

    return holds


def condition_holds(cond: Condition, source: Question, value: object) -> bool:
    """Whether ``value``, the answer to ``source``, meets ``cond``.

    An unanswered or malformed answer meets no condition. ``equals`` on a
    choice question means "this option is picked"; ``any_of`` means "one of
    these is picked"; ``at_least`` compares a number.
    """
    return condition_test(cond, source)(value)


def condition_source(cond: Condition, position: Mapping[str, int], here: int) -> int | None:
    """Position of the question ``cond`` looks at (``position``: code to position in
    bank order), when it comes before ``here``; None for an unknown or later
    question, whose condition is never met."""
    k = position.get(cond.question)
    return k if k is not None and k < here else None


def visibility(questions: Iterable[Question], unit_kind: str, answers: Mapping[str, object]) -> dict[str, bool]:
    """Visible or not, for each of ``questions`` (in bank order) and a unit."""
    qs = list(questions)
    position = {q.code: i for i, q in enumerate(qs)}
    shown_at: list[bool] = []
    for i, q in enumerate(qs):
        shown = applies_to_kind(q, unit_kind)
        cond = q.condition
        if shown and cond is not None:
            k = condition_source(cond, position, i)
            shown = k is not None and shown_at[k] and condition_holds(cond, qs[k], answers.get(cond.question))
        shown_at.append(shown)
    return {q.code: shown for q, shown in zip(qs, shown_at, strict=True)}


def bank_visibility(bank: Bank, unit_kind: str, answers: Mapping[str, object]) -> dict[str, bool]:
    """:func:`visibility` over every question of ``bank``."""
    return visibility(bank.questions, unit_kind, answers)
