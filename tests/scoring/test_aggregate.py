"""Aggregation across the units of a round."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest

from survey_app.questionnaires.schema import RoutingRule
from survey_app.scoring import (
    RoundScores,
    group_score_distribution,
    question_gap_share,
    rank_units,
    score_round,
    top_bottlenecks,
)

from .factories import KINDS, make_bank, multi, opt, random_answers, random_bank, ratio, severity, text_q, yes_no


def _round() -> RoundScores:
    bank = make_bank(
        [
            yes_no("A", section="s1"),
            ratio("B", section="s1", critical=True),
            multi("M", section="s2", options=(opt("x", 0.5), opt("y", 0.5, True), opt("z", 0.0, True))),
            severity("S", group="g2"),
            yes_no("C", group="g2", applies_to=("commune",)),
            text_q("T", group="g2"),
        ],
        routing=[RoutingRule("g1", ("L1",)), RoutingRule("g2", ("L2",))],
    )
    units = pd.DataFrame({"unit_code": ["U1", "U2", "U3", "U4"],
                          "kind": ["district", "district", "commune", "commune"]})
    rows = [
        ("U1", "A", "yes"), ("U1", "B", {"numerator": 1, "denominator": 4}), ("U1", "M", ["x", "y"]), ("U1", "S", 5),
        ("U2", "A", "no"), ("U2", "B", {"numerator": 0, "denominator": 0}), ("U2", "M", ["z"]), ("U2", "S", 2),
        ("U3", "A", "no"), ("U3", "B", {"numerator": 4, "denominator": 4}), ("U3", "M", ["x"]), ("U3", "S", 4),
        ("U3", "C", "yes"),
        ("U4", "A", "yes"), ("U4", "M", ["y"]), ("U4", "C", "no"), ("U4", "T", "ok"),
    ]
    answers = pd.DataFrame(rows, columns=["unit_code", "question_code", "value"])
    return score_round(bank, units, answers)


def test_question_gap_share() -> None:
    share = question_gap_share(_round().questions).set_index("question")
    assert list(share.index) == ["A", "B", "M", "S", "C", "T"]  # bank order
    assert share.loc["A", ["applicable", "answered", "gaps"]].tolist() == [4, 4, 2]
    assert share.loc["A", "share"] == 0.5
    # B: U2 has b = 0 (not applicable), U4 left it unanswered (counted 0, failed, but no gap)
    assert share.loc["B", ["applicable", "answered", "gaps", "critical_failed"]].tolist() == [3, 2, 1, 2]
    assert share.loc["B", "share"] == 0.5
    assert share.loc["M", "gaps"] == 1 and share.loc["M", "share"] == 0.25  # U2: z = 0; U4: y = 0.5 is no gap
    assert share.loc["C", ["applicable", "answered", "gaps"]].tolist() == [2, 2, 1]
    assert math.isnan(share.loc["S", "share"]) and math.isnan(share.loc["T", "share"])  # not scored
    assert share.loc["A", "group"] == "g1" and share.loc["S", "section"] == "g2-s1"


def test_group_score_distribution() -> None:
    r = _round()
    dist = group_score_distribution(r.groups).set_index("group")
    g1 = r.groups[r.groups["group"] == "g1"]["score"]
    assert dist.loc["g1", "units"] == 4
    assert dist.loc["g1", "mean"] == pytest.approx(g1.mean())
    assert dist.loc["g1", "median"] == pytest.approx(g1.median())
    assert g1.tolist() == [75.0, 0.0, 50.0, 50.0]  # U1 and U4 are red anyway: B failed
    assert dist.loc["g1", ["red", "yellow", "green"]].tolist() == [3, 1, 0]
    assert dist.loc["g1", ["min", "q1", "median", "q3", "max"]].tolist() == [0.0, 37.5, 50.0, 56.25, 75.0]
    # g2 has a score only for the communes (C); S and T are not scored
    assert dist.loc["g2", ["units", "no_score"]].tolist() == [2, 2]
    assert dist.loc["g2", ["green", "red"]].tolist() == [1, 1]


def test_group_bands_in_the_distribution_match_the_units() -> None:
    r = _round()
    dist = group_score_distribution(r.groups).set_index("group")
    counts = r.groups.groupby("group", observed=False)["band"].value_counts().unstack()
    for g in ("g1", "g2"):
        for b in ("red", "yellow", "green"):
            assert dist.loc[g, b] == counts.loc[g, b]


def test_top_bottlenecks_per_group_with_one_denominator() -> None:
    r = _round()
    top = top_bottlenecks(r.bottlenecks, "group", questions=r.questions)
    g1 = top[top["group"] == "g1"]
    rows = list(zip(g1["question"].astype(str), g1["kind"].astype(str), g1["item"], g1["units"], g1["answered"],
                    strict=True))
    assert rows == [
        ("A", "gap", "", 2, 4),  # U2, U3 answered no
        ("B", "critical_failed", "", 2, 3),  # U1 (0.25) and U4 (unanswered), of U1, U3, U4 (U2: b = 0)
        ("M", "option", "y", 2, 4),  # picked by U1 and U4; ties in bank order
        ("M", "gap", "", 1, 4),
        ("M", "option", "z", 1, 4),
    ]
    assert (top["rate"] <= 1).all()
    assert top["rate"].iloc[0] == 0.5
    g2 = top[top["group"] == "g2"]
    assert list(zip(g2["question"].astype(str), g2["kind"].astype(str), g2["units"], strict=True)) == [
        ("S", "severity", 2), ("C", "gap", 1)]
    assert g1["rank"].tolist() == list(range(1, len(g1) + 1))


def test_top_bottlenecks_per_section_and_n() -> None:
    r = _round()
    top = top_bottlenecks(r.bottlenecks, "section", n=1)
    assert top["section"].astype(str).tolist() == ["s1", "s2", "g2-s1"]
    assert top["question"].astype(str).tolist() == ["A", "M", "S"]
    assert "rate" not in top.columns
    with pytest.raises(ValueError):
        top_bottlenecks(r.bottlenecks, "unit")  # type: ignore[arg-type]


def test_rank_units_dense() -> None:
    groups = pd.DataFrame({
        "unit": ["U1", "U2", "U3", "U4", "U5", "U1", "U2"],
        "group": ["g1"] * 5 + ["g2"] * 2,
        "score": [80.0, 66.66666666666667, 66.666666666666, 90.0, float("nan"), 10.0, 20.0],
    })
    ranked = rank_units(groups)
    g1 = ranked[ranked["group"] == "g1"]
    assert g1["unit"].tolist() == ["U4", "U1", "U2", "U3", "U5"]
    assert g1["rank"].tolist()[:4] == [1, 2, 3, 3]  # 66.67 shown for both: a tie
    assert pd.isna(g1["rank"].tolist()[4])
    g2 = ranked[ranked["group"] == "g2"]
    assert list(zip(g2["unit"], g2["rank"], strict=True)) == [("U2", 1), ("U1", 2)]


def test_records_are_accepted() -> None:
    r = _round()
    records = r.questions.astype({"unit": str, "group": str, "section": str, "question": str}).to_dict("records")
    from_records = question_gap_share(records).set_index("question")
    from_frame = question_gap_share(r.questions).set_index("question")
    for col in ("applicable", "answered", "gaps"):
        assert from_records[col].to_dict() == from_frame[col].to_dict()
    groups = r.groups.astype({"unit": str, "group": str, "band": object}).to_dict("records")
    assert group_score_distribution(groups)["units"].tolist() == [4, 2]
    ranked = rank_units(r.groups.astype({"unit": str, "group": str}).to_dict("records"))
    assert len(ranked) == 8


def test_on_a_random_round() -> None:
    rnd = random.Random(3)
    bank = random_bank(rnd, n_questions=40, n_groups=4)
    units = pd.DataFrame({"unit_code": [f"U{i}" for i in range(200)], "kind": [rnd.choice(KINDS) for _ in range(200)]})
    rows = [(u, c, v) for u in units["unit_code"] for c, v in random_answers(bank, rnd).items()]
    r = score_round(bank, units, pd.DataFrame(rows, columns=["unit_code", "question_code", "value"]))
    share = question_gap_share(r.questions)
    assert ((share["share"].dropna() >= 0) & (share["share"].dropna() <= 1)).all()
    assert (share["gaps"] <= share["answered"]).all() and (share["answered"] <= share["applicable"]).all()
    dist = group_score_distribution(r.groups)
    assert (dist[["red", "yellow", "green"]].sum(axis=1) + dist["no_score"] >= dist["units"]).all()
    top = top_bottlenecks(r.bottlenecks, "section", n=3, questions=r.questions)
    assert (top["rate"] <= 1).all() and (top.groupby("section", observed=True).size() <= 3).all()
    ranked = rank_units(r.groups)
    assert ranked.groupby("group", observed=True)["rank"].min().dropna().eq(1).all()
