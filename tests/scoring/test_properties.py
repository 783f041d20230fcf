"""Properties of the scores, over random banks and answers (hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from survey_app.questionnaires.schema import Bank
from survey_app.scoring import UnitResult, answers_frame, frames_from_results, score_answer, score_round, score_unit
from survey_app.scoring.scorers import exact_score

from .factories import KINDS, random_answers, random_bank, random_value, with_weights, without_question

seeds = st.integers(0, 2**32 - 1)


def _setup(seed: int) -> tuple[random.Random, Bank, str, dict[str, object]]:
    rnd = random.Random(seed)
    bank = random_bank(rnd, n_questions=rnd.randint(3, 30), n_groups=rnd.randint(1, 4))
    return rnd, bank, rnd.choice(KINDS), random_answers(bank, rnd)


def _sources(bank: Bank) -> set[str]:
    return {q.condition.question for q in bank.questions if q.condition is not None}


@given(seeds)
def test_every_score_in_range(seed: int) -> None:
    _, bank, kind, answers = _setup(seed)
    u = score_unit(bank, kind, answers)
    assert u.index is None or 0.0 <= u.index <= 1.0
    for g in u.groups:
        assert g.score is None or 0.0 <= g.score <= 100.0
        assert all(s.score is None or 0.0 <= s.score <= 100.0 for s in g.sections)
        assert all(q.score is None or 0.0 <= q.score <= 1.0 for q in g.questions)


@given(seeds, st.data())
@settings(max_examples=200)
def test_raising_one_answer_never_lowers_its_group_score(seed: int, data: st.DataObject) -> None:
    rnd, bank, kind, answers = _setup(seed)
    sources = _sources(bank)
    candidates = [q for q in bank.questions if q.code not in sources]
    assume(candidates)
    q = data.draw(st.sampled_from(candidates))
    v1, v2 = random_value(q, rnd), random_value(q, rnd)
    r1 = _question(score_unit(bank, kind, {**answers, q.code: v1}), q.group, q.code)
    r2 = _question(score_unit(bank, kind, {**answers, q.code: v2}), q.group, q.code)
    s1, s2 = r1[1], r2[1]
    if s1 is None or s2 is None:  # left out: not a raise of a score
        return
    low, high = (v1, v2) if s1 <= s2 else (v2, v1)
    g_low = score_unit(bank, kind, {**answers, q.code: low}).group(q.group).score
    g_high = score_unit(bank, kind, {**answers, q.code: high}).group(q.group).score
    assert g_low is not None and g_high is not None
    assert g_high >= g_low


def _question(u: UnitResult, group: str, code: str) -> tuple[bool, float | None]:
    r = next(x for x in u.group(group).questions if x.code == code)
    return r.applicable, r.score


@given(seeds, st.decimals(Decimal("0.001"), Decimal("1000"), places=3), st.data())
def test_scaling_a_groups_weights_changes_nothing(seed: int, factor: Decimal, data: st.DataObject) -> None:
    assume(factor > 0)
    _, bank, kind, answers = _setup(seed)
    group = data.draw(st.sampled_from([g.code for g in bank.groups]))
    before = score_unit(bank, kind, answers)
    after = score_unit(with_weights(bank, group, factor), kind, answers)
    assert (before.index, before.band) == (after.index, after.band)
    for a, b in zip(before.groups, after.groups, strict=True):
        assert (a.score, a.band) == (b.score, b.band)
        assert [(s.score, s.band) for s in a.sections] == [(s.score, s.band) for s in b.sections]
        assert a.bottlenecks == b.bottlenecks and a.missing == b.missing
        assert a.questions == b.questions


def _same(a: float | None, b: float | None) -> None:
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert abs(a - b) <= 1e-9 * max(1.0, abs(a))


@given(seeds, st.data())
def test_removing_a_not_applicable_question_changes_nothing(seed: int, data: st.DataObject) -> None:
    _, bank, kind, answers = _setup(seed)
    u = score_unit(bank, kind, answers)
    sources = _sources(bank)
    not_applicable = [r.code for g in u.groups for r in g.questions if not r.applicable and r.code not in sources]
    assume(not_applicable)
    code = data.draw(st.sampled_from(not_applicable))
    v = score_unit(without_question(bank, code), kind, answers)
    assert v.index == u.index and v.band == u.band
    for a, b in zip(u.groups, v.groups, strict=True):
        # (a not-applicable answer still needs its reason, so it may be listed as missing)
        assert (a.score, a.band, tuple(c for c in a.missing if c != code), a.bottlenecks, a.critical_failed) == (
            b.score, b.band, b.missing, b.bottlenecks, b.critical_failed)
        assert [x for x in a.questions if x.code != code] == list(b.questions)
        assert [(s.code, s.score, s.band) for s in a.sections] == [(s.code, s.score, s.band) for s in b.sections]


@given(seeds)
def test_question_scores_come_from_the_registry(seed: int) -> None:
    _, bank, kind, answers = _setup(seed)
    u = score_unit(bank, kind, answers)
    for g in u.groups:
        for r in g.questions:
            if r.applicable and r.answered and r.score is not None:
                q = next(x for x in bank.questions if x.code == r.code)
                assert exact_score(q, answers.get(r.code)) == r.exact
                assert score_answer(q, answers.get(r.code)) == pytest.approx(r.score, rel=1e-12)


@given(seeds, st.integers(1, 6))
@settings(max_examples=60)
def test_the_round_pass_raises_the_register_of_the_single_unit_pass(seed: int, n: int) -> None:
    """Over random banks (every type, conditions, critical questions, flagged options,
    bottleneck tables) and answers (some missing or refused): the same entries, with
    the same kinds, keys, rows, severities, comments and leads, in the same order."""
    rnd, bank, _, _ = _setup(seed)
    units = [(f"U{i}", rnd.choice(KINDS)) for i in range(n)]
    answers = {u: random_answers(bank, rnd) for u, _ in units}
    comments = {u: {c: f"note {u} {c}" for c in sorted(a)[:2]} for u, a in answers.items()}
    got = score_round(bank, pd.DataFrame(units, columns=["unit_code", "kind"]), answers_frame(answers, comments))
    expected = frames_from_results(bank, [(u, k, score_unit(bank, k, answers[u], comments[u])) for u, k in units])
    pd.testing.assert_frame_equal(got.bottlenecks, expected.bottlenecks, check_exact=True, obj="bottlenecks")
