"""Visibility: applicability by unit kind and conditions on earlier answers."""

from __future__ import annotations

import pytest

from survey_app.questionnaires.schema import Condition
from survey_app.scoring import applies_to_kind, condition_holds, visibility

from .factories import KINDS, make_bank, multi, number, ratio, severity, single, yes_no


def test_empty_applies_to_means_every_kind() -> None:
    assert all(applies_to_kind(yes_no("Q"), k) for k in KINDS)


def test_applies_to_lists_kinds() -> None:
    q = yes_no("Q", applies_to=("commune",))
    assert applies_to_kind(q, "commune")
    assert not applies_to_kind(q, "district")


@pytest.mark.parametrize(("cond", "value", "expected"), [
    (Condition("S", equals="yes"), "yes", True),
    (Condition("S", equals="yes"), "no", False),
    (Condition("S", equals="yes"), None, False),
    (Condition("S", equals="yes"), "YES", False),
    (Condition("S", equals=True), "yes", True),  # a TOML boolean reads as yes/no
])
def test_equals_on_yes_no(cond: Condition, value: object, expected: bool) -> None:
    assert condition_holds(cond, yes_no("S"), value) is expected


def test_equals_and_any_of_on_choices() -> None:
    s1, m = single("S"), multi("M")
    assert condition_holds(Condition("S", equals="l1"), s1, "l1")
    assert condition_holds(Condition("S", any_of=("l0", "l1")), s1, "l1")
    assert not condition_holds(Condition("S", any_of=("l0",)), s1, "l2")
    assert condition_holds(Condition("M", equals="o2"), m, ["o1", "o2"])
    assert condition_holds(Condition("M", any_of=("o3", "o2")), m, ["o2"])
    assert not condition_holds(Condition("M", any_of=("o3",)), m, [])
    assert not condition_holds(Condition("M", any_of=("o3",)), m, ["o3", "bogus"])  # malformed answer


def test_at_least_and_numeric_equals() -> None:
    n = number("N", target=5.0)
    assert condition_holds(Condition("N", at_least=1), n, 1)
    assert condition_holds(Condition("N", at_least=1), n, 2.5)
    assert not condition_holds(Condition("N", at_least=1), n, 0)
    assert not condition_holds(Condition("N", at_least=1), n, "3")
    assert condition_holds(Condition("N", equals=3), n, 3.0)
    assert condition_holds(Condition("V", at_least=4), severity("V"), 5)
    assert not condition_holds(Condition("V", at_least=4), severity("V"), 7)  # not a severity


def test_visibility_chain_and_kinds() -> None:
    bank = make_bank([
        yes_no("A"),
        yes_no("B", condition=Condition("A", equals="yes")),
        ratio("C", condition=Condition("B", equals="yes")),
        ratio("D", applies_to=("commune",)),
        yes_no("E", condition=Condition("D", equals="yes")),  # D is not a choice: never "yes"
    ])
    vis = visibility(bank.questions, "district", {"A": "no", "B": "yes", "C": {"numerator": 1, "denominator": 1}})
    # B is hidden (A = no), so its stale "yes" cannot show C
    assert vis == {"A": True, "B": False, "C": False, "D": False, "E": False}
    vis = visibility(bank.questions, "commune", {"A": "yes", "B": "yes"})
    assert vis == {"A": True, "B": True, "C": True, "D": True, "E": False}


def test_condition_on_unknown_or_later_question_hides() -> None:
    bank = make_bank([yes_no("A", condition=Condition("B", equals="yes")), yes_no("B"),
                      yes_no("C", condition=Condition("ZZ", equals="yes"))])
    assert visibility(bank.questions, "district", {"B": "yes"}) == {"A": False, "B": True, "C": False}
