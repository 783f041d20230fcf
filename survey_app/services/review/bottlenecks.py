"""The bottlenecks of a scope across units: share per question, heatmap, drill-down.

Bottlenecks are filtered by scope through their group and section codes,
never through the lead agencies copied onto them, so a change of routing
moves them with the scope. The share of a question is the number of units
with a bottleneck on it divided by the units that handed the scope in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from ...extensions import db
from ...models import Answer, BankQuestion, Bottleneck, Response, ResponseGroup, Round, Unit
from ...models.review import ScopeReview
from ...questionnaires import Bank
from ...questionnaires.schema import Question
from ...scoring.bottlenecks import describe
from ...workflow import Status
from . import counted
from .scopes import ScopeDef

HEATMAP_UNITS = 30
DRILL_LIMIT = 200
_COUNTED = (Status.SUBMITTED.value, Status.ACCEPTED.value, Status.RETURNED.value)


@dataclass(frozen=True, slots=True)
class QuestionGap:
    question: Question
    units: int
    share: float  # 0–1 of the units that handed the scope in


@dataclass(frozen=True, slots=True)
class TopBottlenecks:
    scope: ScopeDef
    handed_in: int
    questions: list[QuestionGap]  # sorted, largest share first
    heat_units: list[tuple[int, str, str, str]]  # (id, code, name_vi, name_en) of the units with most gaps
    heat: set[tuple[int, str]]  # (unit id, question code) with a bottleneck


def _in_scope(scope: ScopeDef) -> ColumnElement[bool]:
    return and_(Bottleneck.group_code == scope.group, Bottleneck.section_code.in_(scope.sections),
                Bottleneck.resolved_at.is_(None))  # open entries only: a resolved one is history


def _handed_in(rnd: Round, scope: ScopeDef) -> int:
    """Units whose group is handed in (each scope of a submitted group is)."""
    return db.session.scalar(
        select(func.count()).select_from(ResponseGroup).join(Response, Response.id == ResponseGroup.response_id)
        .where(Response.round_id == rnd.id, ResponseGroup.group_code == scope.group,
               ResponseGroup.status.in_(_COUNTED))
    ) or 0


def top_bottlenecks(rnd: Round, bank: Bank, scope: ScopeDef) -> TopBottlenecks:
    """Per question of ``scope``, how many units have a bottleneck, and the heatmap (four queries)."""
    base = (select(Response.unit_id, Bottleneck.question_code)
            .join(ResponseGroup, ResponseGroup.id == Bottleneck.response_group_id)
            .join(Response, Response.id == ResponseGroup.response_id)
            .where(Response.round_id == rnd.id, ResponseGroup.status.in_(_COUNTED), _in_scope(scope)))
    per_question = _per_question(base.subquery())
    handed_in = _handed_in(rnd, scope)
    questions = {q.code: q for q in scope.questions(bank)}
    gaps = sorted((QuestionGap(questions[code], n, n / handed_in if handed_in else 0.0)
                   for code, n in per_question.items() if code in questions),
                  key=lambda g: (-g.units, g.question.code))
    sub = base.subquery()
    worst = (select(sub.c.unit_id, func.count(sub.c.question_code.distinct()).label("n")).group_by(sub.c.unit_id)
             .order_by(func.count(sub.c.question_code.distinct()).desc(), sub.c.unit_id).limit(HEATMAP_UNITS)
             .subquery())
    heat_units = [tuple(r) for r in db.session.execute(
        select(Unit.id, Unit.code, Unit.name_vi, Unit.name_en).join(worst, worst.c.unit_id == Unit.id)
        .order_by(worst.c.n.desc(), Unit.sort_order))]
    ids = [u[0] for u in heat_units]
    heat = {(u, q) for u, q in db.session.execute(base.where(Response.unit_id.in_(ids)))} if ids else set()
    return TopBottlenecks(scope, handed_in, gaps, heat_units, heat)  # type: ignore[arg-type]


def _per_question(sub: Any) -> dict[str, int]:
    rows = db.session.execute(select(sub.c.question_code, func.count(sub.c.unit_id.distinct()))
                              .group_by(sub.c.question_code))
    return {code: n for code, n in rows}


@dataclass(frozen=True, slots=True)
class DrillRow:
    unit_code: str
    unit_name_vi: str
    unit_name_en: str
    kind: str
    detail: str | None
    value: Any
    comment: str | None
    evidence: dict[str, Any] | None
    status: str

    def unit_name(self, locale: str) -> str:
        return self.unit_name_en if locale == "en" and self.unit_name_en else self.unit_name_vi


def units_with_gap(rnd: Round, bank: Bank, scope: ScopeDef, question_code: str, locale: str = "vi"
                   ) -> list[DrillRow]:
    """The units with a bottleneck on one question, with their answer, comment and evidence."""
    question_id = select(BankQuestion.id).where(BankQuestion.bank_version_id == rnd.bank_version_id,
                                                BankQuestion.code == question_code).scalar_subquery()
    rows = db.session.execute(
        select(Unit.code, Unit.name_vi, Unit.name_en, Bottleneck.kind, Bottleneck.item_key, Bottleneck.row,
               Answer.value, Answer.comment, Answer.evidence, func.coalesce(ScopeReview.status, ResponseGroup.status))
        .join(ResponseGroup, ResponseGroup.id == Bottleneck.response_group_id)
        .join(Response, Response.id == ResponseGroup.response_id)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(Answer, and_(Answer.response_id == Response.id, Answer.question_id == question_id))
        .outerjoin(ScopeReview, and_(ScopeReview.response_id == Response.id, ScopeReview.scope == scope.code))
        .where(Response.round_id == rnd.id, ResponseGroup.status.in_(_COUNTED), _in_scope(scope),
               Bottleneck.question_code == question_code, Bottleneck.resolved_at.is_(None))
        .order_by(Unit.sort_order, Unit.code).limit(DRILL_LIMIT)
    )
    question = next((q for q in bank.questions if q.code == question_code), None)
    return [DrillRow(code, vi, en, kind,
                     describe(question, kind, item_key, row, locale) if question is not None else "",
                     value, comment, evidence, status)
            for code, vi, en, kind, item_key, row, value, comment, evidence, status in rows]


@dataclass(frozen=True, slots=True)
class Recurrent:
    scope: ScopeDef
    question: Question
    units: int


def recurrent_bottlenecks(rnd: Round, bank: Bank, scopes: tuple[ScopeDef, ...], limit: int = 10) -> list[Recurrent]:
    """The questions with a bottleneck at the most units across the province (one query,
    kept under the round's change stamp: see :mod:`.counted`)."""
    def count() -> list[tuple[Any, ...]]:
        return [tuple(r) for r in db.session.execute(
            select(Bottleneck.group_code, Bottleneck.section_code, Bottleneck.question_code,
                   func.count(Response.unit_id.distinct()))
            .join(ResponseGroup, ResponseGroup.id == Bottleneck.response_group_id)
            .join(Response, Response.id == ResponseGroup.response_id)
            .where(Response.round_id == rnd.id, ResponseGroup.status.in_(_COUNTED), Bottleneck.resolved_at.is_(None))
            .group_by(Bottleneck.group_code, Bottleneck.section_code, Bottleneck.question_code))]

    rows = counted.kept(("recurrent", rnd.id), counted.round_stamp(rnd.id), count,
                        counted.Codec(lambda r: r, lambda v: [tuple(r) for r in v]))
    questions = {q.code: q for q in bank.questions}
    by_section = {sec: s for s in scopes for sec in s.sections}
    found = [Recurrent(by_section[sec], questions[q], n) for _g, sec, q, n in rows
             if sec in by_section and q in questions]
    return sorted(found, key=lambda r: (-r.units, r.question.code))[:limit]
