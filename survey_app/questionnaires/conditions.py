"""Which questions a unit sees: applicability by unit kind, and conditions.

A question is shown when it applies to the unit's kind and its condition
(if any) holds on the answer of the earlier question it names. The answer of
a hidden question is ignored everywhere, so a question conditioned on a
hidden question is hidden too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .schema import Bank, Condition, Question


def applies(q: Question, unit_kind: str) -> bool:
    """Whether ``q`` applies to units of ``unit_kind`` (no list: all kinds)."""
    return not q.applies_to or unit_kind in q.applies_to


def condition_holds(cond: Condition, answer: Any) -> bool:
    """Whether an earlier ``answer`` meets ``cond``; unanswered never does."""
    if answer is None:
        return False
    if cond.equals is not None:
        if isinstance(cond.equals, str):
            return answer == cond.equals or (isinstance(answer, list) and cond.equals in answer)
        return _as_float(answer) == float(cond.equals)
    if cond.any_of:
        picked = answer if isinstance(answer, list) else [answer]
        return any(p in cond.any_of for p in picked)
    if cond.at_least is not None:
        value = _as_float(answer)
        return value is not None and value >= cond.at_least
    return False


def visible(q: Question, unit_kind: str, answers: Mapping[str, Any]) -> bool:
    """Whether ``q`` is shown, given answers of visible earlier questions."""
    if not applies(q, unit_kind):
        return False
    return q.condition is None or condition_holds(q.condition, answers.get(q.condition.question))


def visible_codes(bank: Bank, unit_kind: str, answers: Mapping[str, Any]) -> frozenset[str]:
    """Codes of every question the unit sees, in one pass in bank order.

    Answers of questions found hidden on the way are ignored, so stale
    answers left behind by a changed condition cannot show anything.
    """
    shown: set[str] = set()
    effective: dict[str, Any] = {}
    for q in bank.questions:
        if visible(q, unit_kind, effective):
            shown.add(q.code)
            if q.code in answers:
                effective[q.code] = answers[q.code]
    return frozenset(shown)


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None
