"""Each scorer of the registry, with its edge cases."""

from __future__ import annotations

import math
from datetime import date
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_app.questionnaires.schema import Band, EmptyRule, QuestionType, Scoring
from survey_app.scoring import SCORERS, Status, is_scored, score_answer
from survey_app.scoring.scorers import value_scorer

from .factories import (
    date_q,
    evidence,
    multi,
    number,
    opt,
    ratio,
    severity,
    single,
    table,
    text_q,
    yes_no,
)

U, NA, NS, INV = Status.UNANSWERED, Status.NOT_APPLICABLE, Status.NOT_SCORED, Status.INVALID


def _refused(value: object) -> Status:
    """No value is unanswered; anything the one door refuses is invalid, never re-read."""
    return U if value is None else INV


def test_registry_covers_every_type() -> None:
    assert set(SCORERS) == set(QuestionType)


class TestYesNo:
    def test_default_points(self) -> None:
        q = yes_no("Q", options=())
        assert score_answer(q, "yes") == 1.0
        assert score_answer(q, "no") == 0.0

    def test_option_points(self) -> None:
        q = yes_no("Q", options=(opt("yes", 1.0), opt("no", 0.25)))
        assert score_answer(q, "no") == 0.25

    @pytest.mark.parametrize("value", [None, "", "Yes", "có", True, 1, ["yes"], {"yes": 1}])
    def test_malformed_is_unanswered(self, value: object) -> None:
        assert score_answer(yes_no("Q"), value) is _refused(value)

    def test_unscored(self) -> None:
        assert score_answer(yes_no("Q", scored=False), "yes") is NS


class TestSingleChoice:
    def test_points_of_the_level(self) -> None:
        q = single("Q", points=(1.0, 0.6, 0.3, 0.0))
        assert [score_answer(q, f"l{i}") for i in range(4)] == [1.0, 0.6, 0.3, 0.0]

    @pytest.mark.parametrize("value", [None, "l9", 0, ["l0"], ""])
    def test_unknown_or_malformed(self, value: object) -> None:
        assert score_answer(single("Q"), value) is _refused(value)

    def test_points_are_clamped(self) -> None:
        q = single("Q", options=(opt("a", 1.5), opt("b", -1.0)))
        assert score_answer(q, "a") == 1.0
        assert score_answer(q, "b") == 0.0


class TestMultipleChoice:
    def test_sum_of_points(self) -> None:
        q = multi("Q")  # 4 × 0.25, max 1
        assert score_answer(q, ["o0", "o2"]) == 0.5
        assert score_answer(q, []) == 0.0

    def test_capped_at_max_points(self) -> None:
        q = multi("Q", points=(1.0, 1.0, 1.0), max_points=2.0)
        assert score_answer(q, ["o0"]) == 0.5
        assert score_answer(q, ["o0", "o1", "o2"]) == 1.0

    def test_default_cap_is_one(self) -> None:
        q = multi("Q", points=(0.7, 0.7))
        assert score_answer(q, ["o0", "o1"]) == 1.0

    def test_duplicates_are_refused(self) -> None:
        assert score_answer(multi("Q"), ["o1", "o1", "o1"]) is INV

    @pytest.mark.parametrize("value", [None, "o1", ["o1", "zz"], [1], {"o1": True}])
    def test_malformed(self, value: object) -> None:
        assert score_answer(multi("Q"), value) is _refused(value)

    def test_tuple_accepted(self) -> None:
        assert score_answer(multi("Q"), ("o0",)) == 0.25


class TestRatio:
    def test_plain(self) -> None:
        assert score_answer(ratio("Q"), {"numerator": 12, "denominator": 40}) == pytest.approx(0.3)

    def test_target_and_cap(self) -> None:
        q = ratio("Q", target=0.8)
        assert score_answer(q, {"numerator": 2, "denominator": 5}) == pytest.approx(0.5)
        assert score_answer(q, {"numerator": 9, "denominator": 10}) == 1.0

    def test_numerator_above_denominator_is_capped(self) -> None:
        assert score_answer(ratio("Q"), {"numerator": 50, "denominator": 40}) == 1.0

    def test_inverse(self) -> None:
        q = ratio("Q", inverse=True)
        assert score_answer(q, {"numerator": 1, "denominator": 4}) == 0.75
        assert score_answer(q, {"numerator": 8, "denominator": 4}) == 0.0

    def test_zero_denominator_is_not_applicable_not_zero(self) -> None:
        assert score_answer(ratio("Q"), {"numerator": 0, "denominator": 0}) is NA
        assert score_answer(ratio("Q", inverse=True), {"numerator": 3, "denominator": 0}) is NA

    def test_zero_numerator_is_zero(self) -> None:
        assert score_answer(ratio("Q"), {"numerator": 0, "denominator": 7}) == 0.0

    @pytest.mark.parametrize("value", [
        None, 0.5, "1/2", {"numerator": 1}, {"numerator": "1", "denominator": "2"},
        {"numerator": -1, "denominator": 2}, {"numerator": True, "denominator": 2},
        {"numerator": math.nan, "denominator": 2}, {"numerator": 1, "denominator": math.inf},
    ])
    def test_malformed(self, value: object) -> None:
        assert score_answer(ratio("Q"), value) is _refused(value)

    def test_floats_accepted(self) -> None:
        assert score_answer(ratio("Q"), {"numerator": 1.5, "denominator": 3.0}) == 0.5


class TestNumber:
    def test_bands_inclusive_upper_bounds(self) -> None:
        q = number("Q")  # ≤0: 1, ≤8: .75, ≤24: .5, else 0
        assert [score_answer(q, v) for v in (0, 0.5, 8, 8.01, 24, 25)] == [1.0, 0.75, 0.75, 0.5, 0.5, 0.0]

    def test_target(self) -> None:
        q = number("Q", target=12.0)
        assert score_answer(q, 9) == 0.75
        assert score_answer(q, 30) == 1.0
        assert score_answer(q, -3) == 0.0

    def test_inverse_target_lower_is_better(self) -> None:
        q = number("Q", target=10.0, inverse=True)
        assert score_answer(q, 0) == 1.0
        assert score_answer(q, 3) == 0.7
        assert score_answer(q, 10) == 0.0
        assert score_answer(q, 50) == 0.0

    def test_without_bands_or_target_not_scored(self) -> None:
        q = number("Q", scoring=Scoring())
        assert not is_scored(q)
        assert score_answer(q, 4) is NS

    @pytest.mark.parametrize("value", [None, "4", True, math.nan, math.inf, [4]])
    def test_malformed(self, value: object) -> None:
        assert score_answer(number("Q", target=4.0), value) is _refused(value)

    def test_last_band_catches_everything(self) -> None:
        q = number("Q", bands=(Band(1, 1.0), Band(None, 0.2)))
        assert score_answer(q, 1e12) == 0.2


class TestSeverity:
    @pytest.mark.parametrize("value", [1, 3, 5, 4.0])
    def test_never_scored(self, value: object) -> None:
        q = severity("Q", scored=True)  # even if a bank says so
        assert not is_scored(q)
        assert score_answer(q, value) is NS

    @pytest.mark.parametrize("value", [0, 6, 2.5, "4", True, None])
    def test_malformed(self, value: object) -> None:
        assert score_answer(severity("Q"), value) is _refused(value)


class TestDate:
    def test_deadline(self) -> None:
        q = date_q("Q", on_or_before=date(2024, 3, 31), late_points=0.4)
        assert score_answer(q, "2024-03-31") == 1.0
        assert score_answer(q, "2024-01-02") == 1.0
        assert score_answer(q, "2024-04-01") == 0.4
        assert score_answer(q, date(2024, 4, 1)) == 0.4

    def test_no_deadline_not_scored(self) -> None:
        assert score_answer(date_q("Q"), "2024-04-22") is NS

    @pytest.mark.parametrize("value", [None, "22/04/2024", "2024-13-01", 20240422, "20240422", "2024-4-1", " "])
    def test_malformed(self, value: object) -> None:
        blank = value is None or (isinstance(value, str) and not value.strip())
        assert score_answer(date_q("Q", on_or_before=date(2024, 1, 1)), value) is (U if blank else INV)


class TestText:
    def test_not_scored(self) -> None:
        assert score_answer(text_q("Q"), "ghi chú") is NS

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_blank_is_unanswered(self, value: object) -> None:
        assert score_answer(text_q("Q"), value) is U

    def test_not_text_is_refused(self) -> None:
        assert score_answer(text_q("Q"), 5) is INV


class TestTable:
    ROWS: ClassVar[list[dict[str, object]]] = [
        {"name": "a", "done": "yes"}, {"name": "b", "done": "no"}, {"name": "c", "done": "yes"},
        {"name": "d", "done": "yes"},
    ]

    def test_row_share(self) -> None:
        assert score_answer(table("Q", row_share=("done", "yes")), self.ROWS) == 0.75

    def test_no_rows_is_not_applicable(self) -> None:
        assert score_answer(table("Q", row_share=("done", "yes")), []) is NA

    def test_blank_rows_ignored(self) -> None:
        rows = [{"name": "a", "done": "yes"}, {"name": " ", "done": None}, {}]
        assert score_answer(table("Q", row_share=("done", "yes")), rows) == 1.0

    def test_number_cells_compare_as_numbers(self) -> None:
        q = table("Q", row_share=("amount", "3"))
        assert score_answer(q, [{"amount": 3}, {"amount": 3.0}, {"amount": 4}]) == pytest.approx(2 / 3)
        assert score_answer(q, [{"amount": "3"}]) is INV  # text in a number column is refused

    def test_without_row_share_not_scored(self) -> None:
        assert score_answer(table("Q"), self.ROWS) is NS
        assert score_answer(table("Q"), []) is NS

    @pytest.mark.parametrize("value", [None, {"name": "a"}, ["a"], [{"name": "a"}, 3], "rows"])
    def test_malformed(self, value: object) -> None:
        assert score_answer(table("Q", row_share=("done", "yes")), value) is _refused(value)


class TestEvidence:
    def test_scored_if_present(self) -> None:
        q = evidence("Q", scored_if_present=True)
        assert score_answer(q, {"document_number": "1470/UBND-NC", "document_date": "2024-04-22"}) == 1.0
        assert score_answer(q, {"files": [3]}) == 1.0

    @pytest.mark.parametrize("value", [None, {}, {"document_number": " "}, {"files": []}])
    def test_nothing_given_is_unanswered(self, value: object) -> None:
        assert score_answer(evidence("Q", scored_if_present=True), value) is U

    @pytest.mark.parametrize("value", [{"document_date": "x"}, {"document_date": "20240422"}, "x", {"files": "a"}])
    def test_malformed_is_refused(self, value: object) -> None:
        assert score_answer(evidence("Q", scored_if_present=True), value) is INV

    def test_otherwise_not_scored(self) -> None:
        assert score_answer(evidence("Q"), {"files": [1]}) is NS


ALL_QUESTIONS = [
    yes_no("A"), single("B"), multi("C", points=(0.9, 0.9, 0.9), max_points=2.0), ratio("D"),
    ratio("E", inverse=True), ratio("F", target=0.5), number("G"), number("H", target=3.0),
    number("I", target=3.0, inverse=True), severity("J"), date_q("K", on_or_before=date(2024, 1, 1), late_points=0.3),
    text_q("L"), table("M", row_share=("done", "yes")), table("N", bottleneck_rows=True),
    evidence("O", scored_if_present=True),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 100) | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["yes", "no", "l0", "l1", "o0", "o1", "2024-01-01", "", "x"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["numerator", "denominator", "done", "files", "document_number", "name"]),
                      children, max_size=3),
    max_leaves=8,
)


@given(value=json_values)
def test_every_outcome_is_in_unit_interval_or_a_status(value: object) -> None:
    for q in ALL_QUESTIONS:
        out = score_answer(q, value)
        assert isinstance(out, Status) or (isinstance(out, float) and 0.0 <= out <= 1.0), (q.code, value, out)
        assert value_scorer(q)(value) == out or (out is value_scorer(q)(value))


@given(a=st.integers(0, 10_000), b=st.integers(0, 10_000), target=st.floats(0.01, 2.0))
def test_ratio_in_unit_interval(a: int, b: int, target: float) -> None:
    out = score_answer(ratio("Q", target=target), {"numerator": a, "denominator": b})
    assert out is NA if b == 0 else 0.0 <= out <= 1.0  # type: ignore[operator]


@pytest.mark.parametrize(("rule", "expected"), [("justify", NA), ("fail", 0.0), ("pass", 1.0)])
def test_ratio_zero_over_zero_follows_the_bank(rule: str, expected: object) -> None:
    q = ratio("Q", empty=EmptyRule(rule))
    assert score_answer(q, {"numerator": 0, "denominator": 0}) == expected


@pytest.mark.parametrize(("rule", "expected"), [("justify", NA), ("fail", 0.0), ("pass", 1.0)])
def test_empty_scored_table_follows_the_bank(rule: str, expected: object) -> None:
    q = table("Q", row_share=("done", "yes"), empty=EmptyRule(rule))
    assert score_answer(q, []) == expected
