"""Displayed scores against an exact reference written here with fractions.Fraction.

Hypothesis draws the bank (weights, points, targets, group weights, all as the
decimals a bank file holds) and the answers. The reference applies the
documented formula with exact rationals and rounds half up once; the engine,
the round pass and a bank with every weight scaled must all display exactly
that, and cut the band on it.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.questionnaires.schema import Bank, QuestionType
from survey_app.scoring import Band, answers_frame, frames_from_results, score_round, score_unit

from .factories import make_bank, opt, ratio, single, with_weights

weights = st.decimals(Decimal("0.1"), Decimal("5"), places=2)
points = st.decimals(Decimal("0"), Decimal("1"), places=2)
targets = st.sampled_from([Decimal("1"), Decimal("0.9"), Decimal("0.5"), Decimal("0.01"), Decimal("0.75"),
                           Decimal("0.8")])
#: ``fail_below``: the gap threshold of a ratio (bands and scores do not depend on it)
thresholds = st.decimals(Decimal("0.05"), Decimal("0.95"), places=2)


@st.composite
def banks_and_answers(draw: st.DrawFn) -> tuple[Bank, dict[str, object]]:
    questions = []
    answers: dict[str, object] = {}
    n_groups = draw(st.integers(1, 3))
    group_weights = {f"g{i}": float(draw(weights)) for i in range(n_groups)}
    for i in range(draw(st.integers(1, 10))):
        code, group = f"Q{i}", f"g{draw(st.integers(0, n_groups - 1))}"
        w = float(draw(weights))
        if draw(st.booleans()):
            target, fail_below = draw(targets), draw(thresholds)
            questions.append(ratio(code, group=group, weight=w, target=float(target), fail_below=float(fail_below)))
            on_threshold = Fraction(fail_below) * Fraction(target)  # a / b that scores exactly fail_below
            if on_threshold <= 1 and draw(st.booleans()):
                k = draw(st.integers(1, 400))
                a, b = on_threshold.numerator * k, on_threshold.denominator * k
            else:
                b = draw(st.integers(1, 20_000))
                a = draw(st.integers(0, b))
            answers[code] = {"numerator": a, "denominator": b}
        else:
            pts = draw(st.lists(points, min_size=2, max_size=4))
            if not any(pts):  # all-zero options make an unscored question (tested elsewhere)
                pts.append(Decimal(1))
            questions.append(single(code, group=group, weight=w,
                                    options=tuple(opt(f"l{k}", float(p)) for k, p in enumerate(pts))))
            answers[code] = f"l{draw(st.integers(0, len(pts) - 1))}"
    return make_bank(questions, group_weights=group_weights), answers


def _exact(x: float) -> Fraction:
    return Fraction(Decimal(repr(x)))


def _half_up(value: Fraction, places: int) -> Decimal:
    scaled = value * 10**places
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-places)


def _band(shown: Decimal, scale: int, bank: Bank) -> Band:
    t = bank.scoring.bands
    if Fraction(shown) >= _exact(t.green) * scale:
        return Band.GREEN
    if Fraction(shown) >= _exact(t.yellow) * scale:
        return Band.YELLOW
    return Band.RED


def reference(bank: Bank, answers: dict[str, object]) -> tuple[dict[str, tuple[Decimal, Band]], Decimal]:
    """Group scores and bands, and the index: the documented formula in exact rationals."""
    groups: dict[str, tuple[Decimal, Band]] = {}
    for g in bank.groups:
        num = den = Fraction(0)
        for q in g.questions:
            value = answers[q.code]
            if q.type is QuestionType.RATIO:
                assert isinstance(value, dict)
                score = min(Fraction(value["numerator"], value["denominator"]) / _exact(q.scoring.target or 1.0),
                            Fraction(1))
            else:
                score = _exact(next(o.points for o in q.options if o.code == value))
            num += _exact(q.weight) * score
            den += _exact(q.weight)
        shown = _half_up(100 * num / den, 2)
        groups[g.code] = (shown, _band(shown, 100, bank))
    num = sum((_exact(g.weight) * Fraction(groups[g.code][0]) / 100 for g in bank.groups), Fraction(0))
    den = sum((_exact(g.weight) for g in bank.groups), Fraction(0))
    return groups, _half_up(num / den, 4)


@given(banks_and_answers())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_displayed_scores_and_bands_are_the_exact_ones(case: tuple[Bank, dict[str, object]]) -> None:
    bank, answers = case
    groups, index = reference(bank, answers)
    u = score_unit(bank, "district", answers)
    assert {g.code: (Decimal(repr(g.score)), g.band) for g in u.groups} == groups
    assert Decimal(repr(u.index)) == index
    assert u.band == _band(index, 1, bank)


@given(banks_and_answers(), st.decimals(Decimal("0.001"), Decimal("1000"), places=3))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_scaling_every_weight_changes_no_displayed_score_or_band(case: tuple[Bank, dict[str, object]],
                                                                 factor: Decimal) -> None:
    bank, answers = case
    before = score_unit(bank, "district", answers)
    after = score_unit(with_weights(bank, None, factor), "district", answers)
    assert [(g.score, g.band) for g in before.groups] == [(g.score, g.band) for g in after.groups]
    assert (before.index, before.band) == (after.index, after.band)


@given(st.lists(banks_and_answers(), min_size=1, max_size=1), st.integers(1, 8))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_round_pass_displays_what_the_single_unit_pass_displays(cases: list[tuple[Bank, dict[str, object]]],
                                                                    n: int) -> None:
    bank, answers = cases[0]
    # the same bank, n units: the drawn answers, then variations of them
    per_unit = {f"U{i}": {**answers, **({} if i == 0 else _vary(answers, i))} for i in range(n)}
    units = pd.DataFrame({"unit_code": list(per_unit), "kind": ["district"] * n})
    got = score_round(bank, units, answers_frame(per_unit))
    for code, values in per_unit.items():
        one = score_unit(bank, "district", values)
        rows = got.groups[got.groups["unit"] == code]
        assert rows["score"].tolist() == [g.score for g in one.groups]
        assert rows["band"].astype(str).tolist() == [g.band.value if g.band else "nan" for g in one.groups]
        u = got.units[got.units["unit"] == code].iloc[0]
        assert (u["index"], u["band"]) == (one.index, one.band.value if one.band else None)
    # and the same register: gaps decided on the exact score, also exactly at a threshold
    expected = frames_from_results(bank, [(code, "district", score_unit(bank, "district", values))
                                          for code, values in per_unit.items()])
    pd.testing.assert_frame_equal(got.bottlenecks, expected.bottlenecks, check_exact=True, obj="bottlenecks")
    flags = ["gap", "failed_critical"]
    pd.testing.assert_frame_equal(got.questions[flags], expected.questions[flags], obj="question flags")


def _vary(answers: dict[str, object], i: int) -> dict[str, object]:
    out: dict[str, object] = {}
    for code, value in answers.items():
        if isinstance(value, dict):
            b = value["denominator"]
            out[code] = {"numerator": (value["numerator"] * (i + 3)) % (b + 1), "denominator": b}
    return out
