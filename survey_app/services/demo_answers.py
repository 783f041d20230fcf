"""Plausible answers for demos, tests and benchmarks.

A unit's ``quality`` (0–1) tilts its answers from poor to good, so a demo
province shows the spread of bands an official would expect. Values have
the shapes of ``docs/question-bank.md``; the same seed gives the same
answers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..questionnaires.schema import Bank, Column, ColumnType, Question, QuestionType
from ..scoring import applies_to_kind, condition_holds

_WORDS = (
    "Chưa có hướng dẫn thống nhất", "Thiếu kinh phí", "Phần mềm chưa kết nối",
    "Dữ liệu chưa được làm sạch", "Thiếu nhân lực chuyên trách", "Đang chờ phê duyệt",
    "Vướng quy định về thủ tục đầu tư", "Đã báo cáo Sở chuyên ngành",
)


def sample_answers(bank: Bank, unit_kind: str, quality: float, rng: random.Random,
                   groups: set[str] | None = None) -> dict[str, Any]:
    """Answers of one unit for the questions visible to it, in bank order.

    ``groups`` limits the answers to those groups (all when None). A question
    hidden by its condition gets no answer, as in a real form.
    """
    answers: dict[str, Any] = {}
    by_code = {q.code: q for q in bank.questions}
    for q in bank.questions:
        if groups is not None and q.group not in groups:
            continue
        if not applies_to_kind(q, unit_kind):
            continue
        cond = q.condition
        if cond is not None and not condition_holds(cond, by_code[cond.question], answers.get(cond.question)):
            continue
        answers[q.code] = sample_value(q, quality, rng)
    return answers


def sample_value(q: Question, quality: float, rng: random.Random) -> Any:
    """One plausible value for ``q``; better with higher ``quality``."""
    good = rng.random() < quality
    match q.type:
        case QuestionType.YES_NO:
            return "yes" if good else "no"
        case QuestionType.SINGLE_CHOICE:
            ranked = sorted(q.options, key=lambda o: o.points, reverse=True)
            index = 0 if good else rng.randrange(len(ranked))
            return ranked[index].code
        case QuestionType.MULTIPLE_CHOICE:
            picked = [o.code for o in q.options
                      if not o.exclusive and rng.random() < (quality if o.points > 0 else 1 - quality)]
            return picked or [o.code for o in q.options if o.exclusive][:1]  # "none of these" stands alone
        case QuestionType.RATIO:
            denominator = rng.randint(5, 200)
            share = min(1.0, max(0.0, rng.gauss(quality, 0.2)))
            return {"numerator": round(denominator * share), "denominator": denominator}
        case QuestionType.NUMBER:
            return _number(q, quality, rng)
        case QuestionType.SEVERITY:
            return max(1, min(5, round(rng.gauss(5 - 4 * quality, 1))))
        case QuestionType.DATE:
            deadline = q.scoring.on_or_before or date(2024, 4, 30)
            return (deadline + timedelta(days=rng.randint(-60, 0) if good else rng.randint(1, 90))).isoformat()
        case QuestionType.TEXT:
            return rng.choice(_WORDS)
        case QuestionType.TABLE:
            return [_row(q.columns, quality, rng) for _ in range(rng.randint(1, 4))]
        case QuestionType.EVIDENCE:
            if not good:
                return None
            return {"document_number": f"{rng.randint(10, 2999)}/QĐ-UBND",
                    "document_date": date(2024, rng.randint(1, 4), rng.randint(1, 28)).isoformat(), "files": []}
    raise ValueError(q.type)  # pragma: no cover - every type is matched above


def _number(q: Question, quality: float, rng: random.Random) -> float:
    low = q.min_value if q.min_value is not None else 0.0
    if q.scoring.bands:
        finite = [b.upto for b in q.scoring.bands if b.upto is not None]
        high = (finite[-1] if finite else 10.0) * 1.5
    else:
        high = q.max_value if q.max_value is not None else (q.scoring.target or 10.0) * 1.5
    share = min(1.0, max(0.0, rng.gauss(quality, 0.25)))
    if q.scoring.inverse or (q.scoring.bands and q.scoring.bands[0].points > q.scoring.bands[-1].points):
        share = 1 - share
    return float(round(low + (high - low) * share))


def _row(columns: tuple[Column, ...], quality: float, rng: random.Random) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for c in columns:
        match c.type:
            case ColumnType.TEXT:
                row[c.code] = rng.choice(_WORDS)
            case ColumnType.NUMBER:
                row[c.code] = rng.randint(0, 100)
            case ColumnType.DATE:
                row[c.code] = date(2024, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
            case ColumnType.YES_NO:
                row[c.code] = "yes" if rng.random() < quality else "no"
            case ColumnType.CHOICE:
                row[c.code] = rng.choice(c.options).code
    return row


def sample_evidence(q: Question, value: Any, unit_code: str) -> dict[str, Any] | None:
    """A document number and date for an answer that claims something, as a
    unit would cite them; None where the bank asks none or the answer is a no."""
    if q.evidence is None or value is None or q.type is QuestionType.EVIDENCE:
        return None
    picked = q.option(str(value)) if q.options and isinstance(value, str) else None
    if picked is not None and picked.points == 0:
        return None
    number = sum(map(ord, unit_code + q.code)) % 900 + 100
    return {"document_number": f"{number}/QĐ-{unit_code}", "document_date": "2024-03-15", "files": []}
