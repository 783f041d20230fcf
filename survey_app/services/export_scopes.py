"""From the bank and the routing to the workbook's scopes and cells.

A scope is a group, or a section of a group that the routing in force
splits (``resources``: budget to Finance, people to Home Affairs). A lead
agency's workbook holds the scopes it leads, and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeAlias

from ..exports import AnswerCell, AnswerShape, OptionInfo, QuestionInfo, Scope, SectionInfo
from ..models import RoutingRule
from ..models.routing import RoutingRole
from ..questionnaires import Bank, Question
from ..questionnaires.display import format_number, format_value
from ..questionnaires.schema import QuestionType, Section

Cells: TypeAlias = dict[str, AnswerCell]

_SHAPES = {QuestionType.NUMBER: AnswerShape.NUMBER, QuestionType.RATIO: AnswerShape.RATIO,
           QuestionType.DATE: AnswerShape.DATE}


def scopes_of(bank: Bank, rules: Sequence[RoutingRule], locale: str, lead_unit_id: int | None = None
              ) -> tuple[Scope, ...]:
    """The review scopes under ``rules``, in bank order; only those ``lead_unit_id`` leads when given."""
    routed = {r.scope for r in rules}
    leads: dict[str, list[str]] = {}
    led_by_unit: set[str] = set()
    for r in rules:
        if r.role == RoutingRole.LEAD:
            leads.setdefault(r.scope, []).append(r.unit.name(locale))
            if r.unit_id == lead_unit_id:
                led_by_unit.add(r.scope)
    scopes: list[Scope] = []
    for g in bank.groups:
        parts: list[tuple[str, str, tuple[Section, ...]]]
        if any(s.code in routed for s in g.sections):
            parts = [(s.code, s.name.get(locale), (s,)) for s in g.sections]
        else:
            parts = [(g.code, g.name.get(locale), g.sections)]
        for code, name, sections in parts:
            if lead_unit_id is not None and code not in led_by_unit and g.code not in led_by_unit:
                continue
            label = name if code == g.code else f"{g.name.get(locale)}: {name}"
            questions = tuple(_question(q, code, locale) for s in sections for q in s.questions)
            scopes.append(Scope(code, g.code, label, g.weight,
                                tuple(SectionInfo(s.code, s.name.get(locale)) for s in sections), questions,
                                tuple(leads.get(code, leads.get(g.code, []))), name))
    return tuple(scopes)


def _question(q: Question, scope: str, locale: str) -> QuestionInfo:
    return QuestionInfo(
        code=q.code, group=q.group, section=q.section, scope=scope, text=q.text.get(locale), type=q.type.value,
        shape=_SHAPES.get(q.type, AnswerShape.TEXT), weight=q.weight, critical=q.critical, required=q.required,
        scored=q.scored, applies_to=q.applies_to, unit_label=q.unit.get(locale) if q.unit else "",
        options=tuple(OptionInfo(o.code, o.label.get(locale), o.points, o.bottleneck) for o in q.options),
    )


def unit_kind_names(bank: Bank, locale: str) -> dict[str, str]:
    return {k.code: k.name.get(locale) for k in bank.unit_kinds}


def answer_cell(q: Question, value: Any, comment: str, score: float | None, appraised: float | None,
                reason: str, locale: str) -> AnswerCell:
    """One answer as its cells: labels for choices, a number, ``a / b`` with its share, a date."""
    text, number, day = answer_parts(q, value, locale)
    return AnswerCell(text, number, day, score, comment, appraised, reason)


def answer_parts(q: Question, value: Any, locale: str) -> tuple[str, float | None, date | None]:
    """The readable text, number and date of one answer value (see :func:`answer_cell`)."""
    if value is None:
        return "", None, None
    number: float | None = None
    day: date | None = None
    text = ""
    if q.type is QuestionType.NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif q.type is QuestionType.RATIO and isinstance(value, dict):
        a, b = value.get("numerator"), value.get("denominator")
        text = f"{_num(a, locale)} / {_num(b, locale)}"
        if isinstance(a, int | float) and isinstance(b, int | float) and b:
            number = a / b
    elif q.type is QuestionType.DATE and isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            text = value
    if number is None and day is None and not text:
        text = format_value(q, value, locale) or "—"  # answered, with nothing picked or listed
    return text, number, day


def _num(value: Any, locale: str) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else format_number(value, locale)
    return "" if value is None else str(value)
