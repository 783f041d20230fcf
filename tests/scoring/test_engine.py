"""Question, section, group and unit scores; bands; the critical rule; missing answers."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from survey_app.questionnaires.schema import Bank, Condition, RoutingRule
from survey_app.scoring import (
    Band,
    BottleneckKind,
    evaluate_question,
    round_score,
    score_group,
    score_unit,
)

from .factories import (
    KINDS,
    evidence,
    make_bank,
    multi,
    number,
    opt,
    random_answers,
    random_bank,
    ratio,
    severity,
    single,
    table,
    text_q,
    yes_no,
)

R = {"numerator": 1, "denominator": 2}  # a ratio of 0.5


def test_weighted_mean_over_counted_questions() -> None:
    bank = make_bank([yes_no("A", weight=2), single("B"), ratio("C", weight=3)])
    g = score_group(bank, "g1", "district", {"A": "yes", "B": "l1", "C": {"numerator": 1, "denominator": 4}})
    # (2·1 + 1·0.5 + 3·0.25) / 6 = 3.25 / 6
    assert g.score == 54.17  # 100 × 3.25 ÷ 6 = 54.1666…, displayed half up
    assert round_score(g.score or 0) == Decimal("54.17")
    assert g.band is Band.YELLOW
    assert g.missing == ()


def test_not_applicable_by_kind_is_left_out_not_zero() -> None:
    bank = make_bank([yes_no("A"), yes_no("B", applies_to=("commune",))])
    g = score_group(bank, "g1", "district", {"A": "yes"})
    assert g.score == 100.0
    assert g.missing == ()
    b = g.questions[1]
    assert (b.applicable, b.answered, b.score) == (False, False, None)


def test_hidden_answer_is_ignored() -> None:
    bank = make_bank([yes_no("A"), yes_no("B", applies_to=("commune",), critical=True)])
    g = score_group(bank, "g1", "district", {"A": "yes", "B": "no"})
    assert g.score == 100.0
    assert not g.critical_failed
    assert g.bottlenecks == ()


def test_condition_unmet_is_left_out() -> None:
    bank = make_bank([yes_no("A"), ratio("B", condition=Condition("A", equals="yes"), critical=True)])
    g = score_group(bank, "g1", "district", {"A": "no"})
    assert g.score == 0.0  # only A counts
    assert g.questions[1].applicable is False
    assert g.missing == ()
    assert not g.critical_failed
    g = score_group(bank, "g1", "district", {"A": "yes", "B": R})
    assert g.score == 75.0


def test_zero_denominator_is_left_out_with_a_reason() -> None:
    bank = make_bank([yes_no("A"), ratio("B", weight=5)])
    answers = {"A": "yes", "B": {"numerator": 0, "denominator": 0}}
    g = score_group(bank, "g1", "district", answers, comments={"B": "Chưa có hồ sơ nào trong kỳ"})
    assert g.score == 100.0
    r = g.questions[1]
    assert (r.applicable, r.answered, r.score, r.gap) == (False, True, None, False)
    assert g.missing == () and g.unjustified == ()
    # without a reason the group cannot be handed in
    g = score_group(bank, "g1", "district", answers)
    assert g.missing == ("B",) and g.unjustified == ("B",)


def test_unanswered_required_counts_zero_and_is_missing() -> None:
    bank = make_bank([yes_no("A"), yes_no("B")])
    g = score_group(bank, "g1", "district", {"A": "yes"})
    assert g.score == 50.0
    assert g.missing == ("B",)
    b = g.questions[1]
    assert (b.applicable, b.answered, b.score, b.gap) == (True, False, 0.0, False)
    assert all(x.kind is not BottleneckKind.GAP for x in g.bottlenecks)  # missing, not a gap


def test_unanswered_optional_is_left_out() -> None:
    bank = make_bank([yes_no("A"), yes_no("B", required=False)])
    g = score_group(bank, "g1", "district", {"A": "yes"})
    assert g.score == 100.0
    assert g.missing == ()
    assert g.questions[1].score is None


def test_unanswered_scored_evidence_counts_zero_even_if_optional() -> None:
    bank = make_bank([yes_no("A"), evidence("E", scored_if_present=True, required=False)])
    g = score_group(bank, "g1", "district", {"A": "yes"})
    assert g.score == 50.0
    assert g.missing == ()


def test_missing_lists_unscored_required_questions_too() -> None:
    bank = make_bank([yes_no("A"), text_q("T"), severity("S", required=False), table("TB")])
    g = score_group(bank, "g1", "district", {"A": "yes", "T": "  "})
    assert g.missing == ("T", "TB")


@pytest.mark.parametrize("value", ["maybe", "3", {"numerator": "x"}, [None], float("nan")])
def test_malformed_is_unanswered_never_an_error(value: object) -> None:
    bank = make_bank([yes_no("A"), ratio("B"), multi("C"), number("D")])
    u = score_unit(bank, "district", dict.fromkeys("ABCD", value))
    assert u.groups[0].score == 0.0
    assert u.missing == ("A", "B", "C", "D")


def test_nothing_applicable_gives_no_score_and_no_band() -> None:
    bank = make_bank([yes_no("A", applies_to=("commune",)), text_q("T")])
    g = score_group(bank, "g1", "district", {"T": "x"})
    assert (g.score, g.band) == (None, None)
    assert all(s.score is None and s.band is None for s in g.sections)
    u = score_unit(bank, "district", {"T": "x"})
    assert (u.index, u.band) == (None, None)


class TestCritical:
    def test_failed_critical_makes_the_group_red_whatever_its_score(self) -> None:
        bank = make_bank([ratio("C", critical=True)] + [yes_no(f"Y{i}") for i in range(20)])
        answers: dict[str, object] = {f"Y{i}": "yes" for i in range(20)}
        answers["C"] = {"numerator": 1, "denominator": 4}  # 0.25 < 0.5
        g = score_group(bank, "g1", "district", answers)
        assert g.score == 96.43
        assert g.critical_failed
        assert g.band is Band.RED
        assert g.sections[0].band is Band.RED
        kinds = [b.kind for b in g.bottlenecks]
        assert kinds == [BottleneckKind.CRITICAL_FAILED]  # not also a gap
        assert g.questions[0].gap and g.questions[0].failed_critical

    def test_at_threshold_passes(self) -> None:
        bank = make_bank([ratio("C", critical=True)])
        g = score_group(bank, "g1", "district", {"C": R})  # 0.5 is not below 0.5
        assert not g.critical_failed
        assert g.band is Band.YELLOW

    def test_fail_below_overrides_bank_threshold(self) -> None:
        bank = make_bank([ratio("C", critical=True, fail_below=1.0)])
        g = score_group(bank, "g1", "district", {"C": {"numerator": 9, "denominator": 10}})
        assert g.critical_failed and g.band is Band.RED

    def test_unanswered_critical_fails(self) -> None:
        bank = make_bank([yes_no("A"), yes_no("C", critical=True, required=False)])
        g = score_group(bank, "g1", "district", {"A": "yes"})
        assert g.critical_failed and g.band is Band.RED
        assert g.score == 100.0  # an optional question is left out of the score...
        assert g.bottlenecks[0].kind is BottleneckKind.CRITICAL_FAILED
        assert g.questions[1].answered is False  # ...but the failure is listed

    def test_not_applicable_critical_does_not_fail(self) -> None:
        bank = make_bank([yes_no("A"), ratio("C", critical=True)])
        g = score_group(bank, "g1", "district", {"A": "yes", "C": {"numerator": 0, "denominator": 0}})
        assert not g.critical_failed and g.band is Band.GREEN

    def test_all_critical_fail(self) -> None:
        bank = make_bank([yes_no("A", critical=True), ratio("B", critical=True, group="g2"),
                          single("C", critical=True, group="g2", section="g2-s2")])
        u = score_unit(bank, "district", {"A": "no", "B": {"numerator": 0, "denominator": 5}})
        assert [g.critical_failed for g in u.groups] == [True, True]
        assert [g.band for g in u.groups] == [Band.RED, Band.RED]
        assert [s.band for s in u.groups[1].sections] == [Band.RED, Band.RED]
        assert u.index == 0.0 and u.band is Band.RED
        assert [(b.question, b.kind.value, b.item_key) for b in u.bottlenecks] == [
            ("A", "critical_failed", ""), ("B", "critical_failed", ""), ("C", "critical_failed", "")]

    def test_unit_red_when_any_group_fails(self) -> None:
        bank = make_bank([yes_no("A"), yes_no("B", group="g2", critical=True)] + [
            yes_no(f"Y{i}", group="g2") for i in range(9)], group_weights={"g1": 0.5, "g2": 0.5})
        answers: dict[str, object] = {"A": "yes", "B": "no", **{f"Y{i}": "yes" for i in range(9)}}
        u = score_unit(bank, "district", answers)
        assert u.index == pytest.approx(0.95)
        assert u.band is Band.RED
        assert u.groups[0].band is Band.GREEN


class TestBands:
    @pytest.mark.parametrize(("yes", "total", "band"), [
        (4, 5, Band.GREEN), (3, 5, Band.YELLOW), (1, 2, Band.YELLOW), (2, 5, Band.RED), (5, 5, Band.GREEN),
    ])
    def test_thresholds_from_the_bank(self, yes: int, total: int, band: Band) -> None:
        bank = make_bank([yes_no(f"Q{i}") for i in range(total)])
        answers = {f"Q{i}": "yes" if i < yes else "no" for i in range(total)}
        assert score_group(bank, "g1", "district", answers).band is band

    def test_other_thresholds(self) -> None:
        bank = make_bank([yes_no(f"Q{i}") for i in range(5)], green=0.9, yellow=0.7)
        answers = {f"Q{i}": "yes" if i < 4 else "no" for i in range(5)}
        assert score_group(bank, "g1", "district", answers).band is Band.YELLOW

    def test_band_follows_the_displayed_score(self) -> None:
        # three answers worth 0.8 with weight 1.3: a float sum lands a hair under 80, the exact one on it
        bank = make_bank([single(f"A{i}", points=(0.8, 0.0), weight=1.3) for i in range(3)])
        g = score_group(bank, "g1", "district", {f"A{i}": "l0" for i in range(3)})
        assert g.score == 80.0
        assert g.band is Band.GREEN
        g = score_group(make_bank([single("A", points=(0.79996, 0.0))]), "g1", "district", {"A": "l0"})
        assert round_score(g.score or 0) == Decimal("80.00") and g.band is Band.GREEN
        g = score_group(make_bank([single("A", points=(0.79994, 0.0))]), "g1", "district", {"A": "l0"})
        assert round_score(g.score or 0) == Decimal("79.99") and g.band is Band.YELLOW


class TestIndex:
    def test_group_weights(self) -> None:
        bank = make_bank([yes_no("A"), yes_no("B", group="g2"), yes_no("C", group="g3")],
                         group_weights={"g1": 0.5, "g2": 0.3, "g3": 0.2})
        u = score_unit(bank, "district", {"A": "yes", "B": "no", "C": "yes"})
        assert u.index == pytest.approx(0.7)
        assert round_score(u.index or 0, 4) == Decimal("0.7000")
        assert u.band is Band.YELLOW

    def test_groups_without_a_score_are_left_out(self) -> None:
        bank = make_bank([yes_no("A"), yes_no("B", group="g2", applies_to=("commune",))],
                         group_weights={"g1": 0.2, "g2": 0.8})
        u = score_unit(bank, "district", {"A": "yes"})
        assert u.groups[1].score is None
        assert u.index == 1.0


class TestSections:
    def test_section_scores(self) -> None:
        bank = make_bank([yes_no("A", section="s1"), yes_no("B", section="s1"), ratio("C", section="s2"),
                          text_q("T", section="s3")])
        g = score_group(bank, "g1", "district", {"A": "yes", "B": "no", "C": {"numerator": 9, "denominator": 10}})
        assert [(s.code, s.score, s.band) for s in g.sections] == [
            ("s1", 50.0, Band.YELLOW), ("s2", 90.0, Band.GREEN), ("s3", None, None)]
        assert g.score == 63.33


class TestRegister:
    def bank(self) -> Bank:
        return make_bank(
            [
                ratio("C", critical=True, section="s1"),
                yes_no("G", section="s1"),
                severity("S", section="s2"),
                severity("S2", section="s2", severity_threshold=2),
                table("T", bottleneck_rows=True, section="s2"),
                multi("M", section="s2", options=(opt("o0", 0.5), opt("o1", 0.5), opt("bad", 0.0, True))),
            ],
            routing=[RoutingRule("g1", ("GROUP-LEAD",)), RoutingRule("s2", ("SECTION-LEAD", "CO"))],
        )

    def test_every_kind_with_comment_and_leads(self) -> None:
        bank = self.bank()
        answers = {
            "C": {"numerator": 1, "denominator": 10}, "G": "no", "S": 4, "S2": 2,
            "T": [{"name": "Task A", "amount": 500.0, "done": "no"}, {"name": ""}, {"name": "Task B"}],
            "M": ["o0", "bad"],
        }
        u = score_unit(bank, "district", answers, comments={"C": "not synced", "S": "no budget"})
        got = [(b.question, b.kind.value, b.severity, b.comment, b.item_key, b.row, b.lead_agencies)
               for b in u.bottlenecks]
        assert got == [
            ("C", "critical_failed", None, "not synced", "", None, ("GROUP-LEAD",)),
            ("G", "gap", None, "", "", None, ("GROUP-LEAD",)),
            ("S", "severity", 4, "no budget", "", None, ("SECTION-LEAD", "CO")),
            ("S2", "severity", 2, "", "", None, ("SECTION-LEAD", "CO")),
            ("T", "table_row", None, "", "0", (("name", "Task A"), ("amount", 500.0), ("done", "no")),
             ("SECTION-LEAD", "CO")),
            ("T", "table_row", None, "", "1", (("name", "Task B"),), ("SECTION-LEAD", "CO")),
            ("M", "option", None, "", "bad", None, ("SECTION-LEAD", "CO")),
        ]
        assert all(b.group == "g1" for b in u.bottlenecks)
        assert [b.section for b in u.bottlenecks] == ["s1", "s1"] + ["s2"] * 5

    def test_severity_below_threshold_is_not_listed(self) -> None:
        u = score_unit(self.bank(), "district", {"S": 3, "S2": 1})
        assert [b.question for b in u.bottlenecks if b.kind is BottleneckKind.SEVERITY] == []

    def test_explicit_leads(self) -> None:
        u = score_unit(self.bank(), "district", {"G": "no"}, leads={"g1": ("X",)})
        assert {b.lead_agencies for b in u.bottlenecks} == {("X",)}
        u = score_unit(self.bank(), "district", {"G": "no"}, leads={})
        assert {b.lead_agencies for b in u.bottlenecks} == {()}


def test_evaluate_question_contract() -> None:
    q = ratio("Q", critical=True)
    assert evaluate_question(q, False, R, 0.5) == evaluate_question(q, False, None, 0.5)
    r = evaluate_question(q, True, {"numerator": 1, "denominator": 5}, 0.5)
    assert (r.applicable, r.answered, r.score, r.gap, r.failed_critical) == (True, True, 0.2, True, True)


def test_score_group_matches_score_unit() -> None:
    for seed in range(30):
        rnd = random.Random(seed)
        bank = random_bank(rnd)
        kind, answers = rnd.choice(KINDS), random_answers(bank, rnd)
        u = score_unit(bank, kind, answers)
        for g in bank.groups:
            assert score_group(bank, g.code, kind, answers) == u.group(g.code)


def test_unknown_group() -> None:
    with pytest.raises(KeyError):
        score_group(make_bank([yes_no("A")]), "nope", "district", {})
