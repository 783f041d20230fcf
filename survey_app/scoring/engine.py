"""Scores of one unit: questions, sections, groups and the overall index.

A section or group score is the weighted mean of its counted questions,
times 100, computed exactly and rounded half up once. A question is
*counted* when it is visible to the unit, scored, applicable, and either
answered or required (an unanswered or refused required question counts 0;
an unanswered optional one is left out). The index is
:func:`~.index.index_value` of the displayed group scores. :mod:`.batch`
repeats this over a whole round with floats and gets the same displayed
values, falling back on :func:`exact_question_scores` near a boundary.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from survey_app.questionnaires.schema import Bank, Group, Question

from .bands import BandCuts, exact
from .bottlenecks import Leads, critical_failed, default_leads, is_gap, lead_agencies, question_bottlenecks
from .conditions import bank_visibility
from .index import index_value, index_view, shown_score
from .results import Bottleneck, GroupResult, QuestionResult, SectionResult, UnitResult
from .scorers import Status, exact_score, is_missing, is_scored, zero_when_unanswered


def evaluate_question(q: Question, visible: bool, value: object, gap_threshold: float,
                      comment: str = "") -> QuestionResult:
    """The result of one question for one unit (``comment``: the unit's note, the
    reason a not-applicable answer needs)."""
    if not visible:
        return QuestionResult(q.code, False, False, None, False, False)
    outcome = exact_score(q, value)
    invalid = outcome is Status.INVALID
    answered = outcome is not Status.UNANSWERED and not invalid
    applicable = outcome is not Status.NOT_APPLICABLE
    unjustified = not applicable and not comment.strip()
    score: Fraction | None = None
    gap = failed = False
    if is_scored(q) and applicable:
        if isinstance(outcome, Fraction):
            score = outcome
            gap = is_gap(q, outcome, gap_threshold)
        elif not answered and zero_when_unanswered(q):
            score = Fraction(0)
        failed = critical_failed(q, gap, not answered)
    return QuestionResult(q.code, applicable, answered, None if score is None else float(score), gap, failed,
                          invalid, unjustified, score)


def _shown(questions: tuple[Question, ...], results: Mapping[str, QuestionResult]) -> Decimal | None:
    return shown_score((exact(q.weight), r.exact) for q in questions
                       if (r := results[q.code]).exact is not None)


def _score_group(
    bank: Bank,
    group: Group,
    visible: Mapping[str, bool],
    answers: Mapping[str, object],
    comments: Mapping[str, str],
    leads: Leads,
    cuts: BandCuts,
) -> GroupResult:
    gap_threshold = bank.scoring.gap_threshold
    results: dict[str, QuestionResult] = {}
    missing: list[str] = []
    register: list[Bottleneck] = []
    for q in group.questions:
        value = answers.get(q.code)
        comment = comments.get(q.code) or ""
        r = evaluate_question(q, visible[q.code], value, gap_threshold, comment)
        results[q.code] = r
        if not visible[q.code]:
            continue
        if is_missing(q, not r.answered, r.invalid, r.unjustified):
            missing.append(q.code)
        register.extend(
            question_bottlenecks(
                q,
                value,
                failed_critical=r.failed_critical,
                gap=r.gap,
                bank_severity=bank.scoring.severity_threshold,
                comment=comment,
                leads=lead_agencies(leads, group.code, q.section),
            )
        )
    sections = []
    for s in group.sections:
        s_score = _shown(s.questions, results)
        s_failed = any(results[q.code].failed_critical for q in s.questions)
        sections.append(SectionResult(s.code, _float(s_score), cuts.score_band(s_score, s_failed)))
    score = _shown(group.questions, results)
    failed = any(r.failed_critical for r in results.values())
    return GroupResult(
        code=group.code,
        score=_float(score),
        band=cuts.score_band(score, failed),
        missing=tuple(missing),
        sections=tuple(sections),
        questions=tuple(results[q.code] for q in group.questions),
        bottlenecks=tuple(register),
        critical_failed=failed,
        invalid=tuple(r.code for r in results.values() if r.invalid),
        unjustified=tuple(r.code for r in results.values() if r.unjustified),
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def score_group(
    bank: Bank,
    group_code: str,
    unit_kind: str,
    answers: Mapping[str, object],
    comments: Mapping[str, str] | None = None,
    leads: Leads | None = None,
) -> GroupResult:
    """Score one group of ``bank`` for a unit of ``unit_kind``.

    ``answers`` maps question codes to answer values (JSON shapes); conditions
    may look at answers of earlier groups, so pass them all. ``comments`` maps
    question codes to the unit's comments; ``leads`` maps group or section
    codes to lead unit codes (default: the bank's routing).

    :raises KeyError: if the bank has no group ``group_code``.
    """
    group = bank.group(group_code)
    visible = bank_visibility(bank, unit_kind, answers)
    return _score_group(
        bank, group, visible, answers, comments or {},
        default_leads(bank) if leads is None else leads, BandCuts(bank.scoring.bands),
    )


def unit_index(bank: Bank, groups: tuple[GroupResult, ...]) -> float | None:
    """The displayed index over ``groups`` that have a score (see :func:`~.index.index_value`)."""
    value = index_value(bank, {r.code: r.score for r in groups})
    return None if value is None else float(value)


def score_unit(
    bank: Bank,
    unit_kind: str,
    answers: Mapping[str, object],
    comments: Mapping[str, str] | None = None,
    leads: Leads | None = None,
) -> UnitResult:
    """Score every group of ``bank`` for one unit, and its overall index.

    The unit's band is that of its index, and red when any critical
    question failed.
    """
    visible = bank_visibility(bank, unit_kind, answers)
    cuts = BandCuts(bank.scoring.bands)
    comments = comments or {}
    leads = default_leads(bank) if leads is None else leads
    groups = tuple(_score_group(bank, g, visible, answers, comments, leads, cuts) for g in bank.groups)
    view = index_view(bank, unit_kind, {g.code: g.score for g in groups}, any(g.critical_failed for g in groups))
    return UnitResult(view.index, view.band, groups, view.counted_groups, view.applicable_groups)
