"""Scores of one unit: questions, sections, groups and the overall index.

A section or group score is the weighted mean of its counted questions,
times 100. A question is *counted* when it is visible to the unit, scored,
applicable, and either answered or required (an unanswered required
question counts 0; an unanswered optional one is left out). The index is
the mean of the group scores (÷ 100) weighted by the group weights, over
groups with a score. Sums run in bank order; :mod:`.batch` repeats the same
arithmetic over a whole round and gets the same floats.
"""

from __future__ import annotations

from collections.abc import Mapping

from survey_app.questionnaires.schema import Bank, Group, Question

from .bands import BandCuts
from .bottlenecks import Leads, default_leads, lead_agencies, question_bottlenecks
from .conditions import bank_visibility
from .results import Bottleneck, GroupResult, QuestionResult, SectionResult, UnitResult
from .scorers import Status, fail_threshold, is_scored, score_answer, zero_when_unanswered


def evaluate_question(q: Question, visible: bool, value: object, gap_threshold: float) -> QuestionResult:
    """The result of one question for one unit."""
    if not visible:
        return QuestionResult(q.code, False, False, None, False, False)
    outcome = score_answer(q, value)
    answered = outcome is not Status.UNANSWERED
    applicable = outcome is not Status.NOT_APPLICABLE
    score: float | None = None
    gap = failed = False
    if is_scored(q) and applicable:
        if isinstance(outcome, float):
            score = outcome
            gap = outcome < fail_threshold(q, gap_threshold)
            failed = q.critical and gap
        elif outcome is Status.UNANSWERED:
            score = 0.0 if zero_when_unanswered(q) else None
            failed = q.critical
    return QuestionResult(q.code, applicable, answered, score, gap, failed)


def _weighted(questions: tuple[Question, ...], results: Mapping[str, QuestionResult]) -> float | None:
    """100 × Σ wᵢ·qᵢ ÷ Σ wᵢ over counted questions; None if none counts."""
    num = den = 0.0
    for q in questions:
        s = results[q.code].score
        if s is not None:
            num += q.weight * s
            den += q.weight
    return 100.0 * num / den if den > 0 else None


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
        r = evaluate_question(q, visible[q.code], value, gap_threshold)
        results[q.code] = r
        if not visible[q.code]:
            continue
        if not r.answered and q.required:
            missing.append(q.code)
        register.extend(
            question_bottlenecks(
                q,
                value,
                answered=r.answered,
                failed_critical=r.failed_critical,
                gap=r.gap,
                bank_severity=bank.scoring.severity_threshold,
                comment=comments.get(q.code) or "",
                leads=lead_agencies(leads, group.code, q.section),
            )
        )
    sections = []
    for s in group.sections:
        s_score = _weighted(s.questions, results)
        s_failed = any(results[q.code].failed_critical for q in s.questions)
        sections.append(SectionResult(s.code, s_score, cuts.score_band(s_score, s_failed)))
    score = _weighted(group.questions, results)
    failed = any(r.failed_critical for r in results.values())
    return GroupResult(
        code=group.code,
        score=score,
        band=cuts.score_band(score, failed),
        missing=tuple(missing),
        sections=tuple(sections),
        questions=tuple(results[q.code] for q in group.questions),
        bottlenecks=tuple(register),
        critical_failed=failed,
    )


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
    """Σ W_g·(G_g ÷ 100) ÷ Σ W_g over groups with a score; None if none has one."""
    num = den = 0.0
    for g, r in zip(bank.groups, groups, strict=True):
        if r.score is not None:
            num += g.weight * (r.score / 100.0)
            den += g.weight
    return num / den if den > 0 else None


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
    index = unit_index(bank, groups)
    return UnitResult(index, cuts.index_band(index, any(g.critical_failed for g in groups)), groups)
