"""One test per finding of the audit of the scoring rules (issue 7), on the shipped bank where it is named."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from survey_app.questionnaires import bank_path
from survey_app.questionnaires.answers import Reason, check_value
from survey_app.questionnaires.loader import BankValidationError, bank_from_source, read_bank
from survey_app.questionnaires.schema import Bank, ColumnType, Condition, Question, QuestionType
from survey_app.scoring import Band, BottleneckKind, answers_frame, rank_units, score_round, score_unit
from survey_app.scoring.bottlenecks import default_leads, lead_agencies
from survey_app.scoring.conditions import condition_holds

from .factories import date_q, make_bank, ratio

BANK, SOURCE, _ = read_bank(bank_path())
QUESTIONS = {q.code: q for q in BANK.questions}


# --- values that earn full points, to hold everything else fixed -----------------


def _row(q: Question) -> dict[str, object]:
    row: dict[str, object] = {}
    for c in q.columns:
        match c.type:
            case ColumnType.CHOICE:
                row[c.code] = c.options[0].code
            case ColumnType.YES_NO:
                row[c.code] = "yes"
            case ColumnType.NUMBER:
                row[c.code] = 1
            case ColumnType.DATE:
                row[c.code] = "2024-01-15"
            case _:
                row[c.code] = "Hệ thống một cửa điện tử"
    if q.scoring.row_share is not None:
        row[q.scoring.row_share[0]] = q.scoring.row_share[1]
    return row


def best_value(q: Question) -> object:
    """An answer that earns ``q`` its full points (or, unscored, a plain valid answer)."""
    match q.type:
        case QuestionType.YES_NO | QuestionType.SINGLE_CHOICE:
            return max(q.options, key=lambda o: o.points).code if q.options else "yes"
        case QuestionType.MULTIPLE_CHOICE:
            return [o.code for o in q.options if o.points > 0 and not o.exclusive] or [q.options[0].code]
        case QuestionType.RATIO:
            return {"numerator": 0 if q.scoring.inverse else 10, "denominator": 10}
        case QuestionType.NUMBER:
            if q.scoring.bands:
                top = max(b.points for b in q.scoring.bands)
                band = next(b for b in q.scoring.bands if b.points == top)
                return band.upto if band.upto is not None else 10**6
            if q.scoring.target is not None:
                return 0 if q.scoring.inverse else q.scoring.target
            return 3
        case QuestionType.SEVERITY:
            return 1
        case QuestionType.DATE:
            return (q.scoring.on_or_before or date(2024, 1, 15)).isoformat()
        case QuestionType.TEXT:
            return "Đã thực hiện theo kế hoạch"
        case QuestionType.TABLE:
            return [_row(q)]
        case QuestionType.EVIDENCE:
            return {"document_number": "15/QĐ-UBND", "document_date": "2024-01-15"}
    raise AssertionError(q.type)


def best_answers(bank: Bank, kind: str) -> dict[str, object]:
    return {q.code: best_value(q) for q in bank.questions if not q.applies_to or kind in q.applies_to}


# --- finding 1: rounding at band edges -------------------------------------------


@pytest.mark.parametrize("weight", [1.0, 0.2, 0.1, 3.0])
def test_1_band_edge_is_the_exact_value_rounded_half_up(weight: float) -> None:
    bank = make_bank([ratio("A", weight=weight), ratio("B", weight=weight)])
    answers = {"A": {"numerator": 3, "denominator": 4}, "B": {"numerator": 8499, "denominator": 10000}}
    g = score_unit(bank, "district", answers).group("g1")
    assert (g.score, g.band) == (80.0, Band.GREEN)  # exactly 79.995 → 80,00, green, whatever the weights
    got = score_round(bank, pd.DataFrame({"unit_code": ["U"], "kind": ["district"]}), answers_frame({"U": answers}))
    assert got.groups["score"].tolist() == [80.0] and got.groups["band"].astype(str).tolist() == ["green"]


# --- finding 2: a zero denominator no longer escapes a critical failure -----------


def test_2_nl05_no_posts_approved_is_the_critical_failure() -> None:
    answers = best_answers(BANK, "district")
    answers["NL-05"] = {"numerator": 0, "denominator": 0}
    u = score_unit(BANK, "district", answers)
    res = u.group("resources")
    assert res.critical_failed and res.band is Band.RED and u.band is Band.RED
    assert [b.kind for b in res.bottlenecks if b.question == "NL-05"] == [BottleneckKind.CRITICAL_FAILED]


def test_2_every_other_zero_denominator_needs_a_reason_the_reviewers_see() -> None:
    answers = best_answers(BANK, "district")
    zero = [q.code for q in BANK.questions if q.type is QuestionType.RATIO and q.code != "NL-05"
            and (not q.applies_to or "district" in q.applies_to) and q.condition is None]
    for code in zero:
        answers[code] = {"numerator": 0, "denominator": 0}
    u = score_unit(BANK, "district", answers)
    assert sorted(c for g in u.groups for c in g.unjustified) == sorted(zero)
    assert sorted(c for g in u.groups for c in g.missing) == sorted(zero)  # cannot be handed in without it
    justified = score_unit(BANK, "district", answers, {c: "Đơn vị chưa được giao nhiệm vụ này" for c in zero})
    assert all(g.missing == () for g in justified.groups)


# --- finding 3: an empty critical table no longer escapes -------------------------


@pytest.mark.parametrize(("code", "group"), [("HT-05", "infrastructure"), ("AN-02", "security")])
def test_3_nothing_to_list_in_a_critical_list_fails(code: str, group: str) -> None:
    answers = best_answers(BANK, "district")
    full = score_unit(BANK, "district", answers).group(group)
    answers[code] = []
    empty = score_unit(BANK, "district", answers).group(group)
    assert empty.critical_failed and empty.band is Band.RED
    assert empty.score is not None and full.score is not None and empty.score < full.score


# --- finding 4: disclosure is never punished for itself ---------------------------


def _hiding_and_disclosing(cond: Condition, parent: Question) -> tuple[object, object]:
    """A parent answer that hides the follow-up ("nothing to report") and the best one that shows it."""
    if cond.at_least is not None:
        return max(parent.min_value or 0, 0), cond.at_least
    candidates = [o for o in parent.options] if parent.options else []
    shows = [o for o in candidates if condition_holds(cond, parent, o.code)]
    hides = [o for o in candidates if not condition_holds(cond, parent, o.code)]
    return max(hides, key=lambda o: o.points).code, max(shows, key=lambda o: o.points).code


PAIRS = [(q, QUESTIONS[q.condition.question]) for q in BANK.questions if q.condition is not None]
CASES = [(q, p, kind) for q, p in PAIRS for kind in (k.code for k in BANK.unit_kinds)
         if all(not x.applies_to or kind in x.applies_to for x in (q, p))]


def test_4_the_shipped_bank_has_conditional_pairs() -> None:
    assert {(q.code, p.code) for q, p in PAIRS} >= {("PL-04a", "PL-04"), ("AN-05a", "AN-05")}


@pytest.mark.parametrize(("follow_up", "parent", "kind"), CASES,
                         ids=[f"{p.code}->{q.code}-{k}" for q, p, k in CASES])
def test_4_best_disclosure_scores_at_least_as_high_as_nothing_to_report(
        follow_up: Question, parent: Question, kind: str) -> None:
    assert follow_up.condition is not None
    hiding, disclosing = _hiding_and_disclosing(follow_up.condition, parent)
    base = best_answers(BANK, kind)
    hidden = score_unit(BANK, kind, {**base, parent.code: hiding}).group(follow_up.group)
    shown = score_unit(BANK, kind, {**base, parent.code: disclosing}).group(follow_up.group)
    order = [Band.RED, Band.YELLOW, Band.GREEN]
    assert hidden.score is not None and shown.score is not None
    assert shown.score >= hidden.score
    assert hidden.band is not None and shown.band is not None
    assert order.index(shown.band) >= order.index(hidden.band)
    gaps = [b for b in shown.bottlenecks if b.kind in (BottleneckKind.GAP, BottleneckKind.CRITICAL_FAILED)]
    assert not any(b.question in (parent.code, follow_up.code) for b in gaps)


def _legal_and_security(answers: dict[str, object]) -> tuple[float | None, float | None]:
    u = score_unit(BANK, "department", answers)
    return u.group("legal").score, u.group("security").score


def test_4_reviewing_and_amending_most_documents_beats_reviewing_none() -> None:
    base = best_answers(BANK, "department")
    none_reviewed = _legal_and_security({**base, "PL-04": 0})[0]
    worked = _legal_and_security({**base, "PL-04": 5, "PL-04a": {"numerator": 4, "denominator": 5}})[0]
    assert none_reviewed is not None and worked is not None and worked >= none_reviewed


@pytest.mark.parametrize("hours", [0.5, 4, 12, 24])
def test_4_an_incident_recovered_within_a_day_costs_nothing(hours: float) -> None:
    base = best_answers(BANK, "department")
    quiet = _legal_and_security({**base, "AN-05": 0})[1]
    reported = _legal_and_security({**base, "AN-05": 1, "AN-05a": hours})[1]
    assert quiet is not None and reported is not None and reported >= quiet


# --- finding 5: units are ranked like with like ------------------------------------


def test_5_partial_indexes_are_not_ranked_beside_complete_ones() -> None:
    units = pd.DataFrame({
        "group": ["index"] * 4, "unit": ["ONE-GROUP", "FULL-A", "FULL-B", "THREE"],
        "score": [1.0, 0.82, 0.64, 0.9], "counted_groups": [1, 5, 5, 3], "applicable_groups": [5, 5, 5, 5],
    })
    ranked = rank_units(units).set_index("unit")
    assert ranked.loc["FULL-A", "rank"] == 1 and ranked.loc["FULL-B", "rank"] == 2
    assert pd.isna(ranked.loc["ONE-GROUP", "rank"]) and pd.isna(ranked.loc["THREE", "rank"])
    assert ranked.loc["THREE", "coverage"] == "3/5"


def test_5_a_unit_result_carries_its_coverage() -> None:
    answers = {k: v for k, v in best_answers(BANK, "district").items() if QUESTIONS[k].group == "legal"}
    u = score_unit(BANK, "district", answers)
    assert (u.counted_groups, u.applicable_groups) == (5, 5)  # unanswered required questions count 0
    only_legal = score_round(BANK, pd.DataFrame({"unit_code": ["U"], "kind": ["district"]}),
                             answers_frame({"U": answers}))
    assert only_legal.units[["counted_groups", "applicable_groups"]].values.tolist() == [[5, 5]]


# --- finding 6: unstated rules are now rules of the bank ---------------------------


def _source_without(code: str, key: str) -> dict[str, Any]:
    source = copy.deepcopy(SOURCE)
    for _file, group in source["groups"]:
        for q in group.get("questions", []):
            if q["code"] == code:
                q.pop(key)
    return source


@pytest.mark.parametrize("code", ["DL-11", "NL-04", "HT-02a", "AN-05", "PL-05"])
def test_6_an_unscorable_question_must_say_scored_false(code: str) -> None:
    with pytest.raises(BankValidationError) as err:
        bank_from_source(_source_without(code, "scored"))
    assert any(p.question == code and p.field == "scored" for p in err.value.errors)


def test_6_every_unscored_question_of_the_shipped_bank_is_marked() -> None:
    raw = {q["code"]: q for _f, g in SOURCE["groups"] for q in g.get("questions", [])}
    for q in BANK.questions:
        if not q.scored and q.type not in (QuestionType.SEVERITY, QuestionType.TEXT):
            assert raw[q.code].get("scored") is False, q.code


# --- finding 7: one door for values -------------------------------------------------


def test_7_contradictory_multiple_choice_is_refused_and_not_scored() -> None:
    q = QUESTIONS["AN-10"]
    refusal = check_value(q, ["none", "access_log"])
    assert refusal is not None and refusal.reason is Reason.EXCLUSIVE_OPTION
    r = next(x for x in score_unit(BANK, "district", {"AN-10": ["none", "access_log"]}).group("security").questions
             if x.code == "AN-10")
    assert r.invalid and not r.answered and r.score == 0.0


def test_7_a_row_with_unknown_columns_is_refused_and_raises_no_bottleneck() -> None:
    q = QUESTIONS["NL-03"]
    value = [{"tên": "Nâng cấp phần mềm", "kinh_phi": 500}]
    refusal = check_value(q, value)
    assert refusal is not None and refusal.reason is Reason.UNKNOWN_COLUMN
    u = score_unit(BANK, "district", {"NL-03": value})
    assert [b for b in u.bottlenecks if b.question == "NL-03"] == []
    assert "NL-03" in u.group("resources").invalid


def test_7_negative_ratio_parts_are_refused_not_missing() -> None:
    q = QUESTIONS["NL-07"]
    refusal = check_value(q, {"numerator": -3, "denominator": 10})
    assert refusal is not None and refusal.reason is Reason.NEGATIVE
    assert "NL-07" in score_unit(BANK, "district", {"NL-07": {"numerator": -3, "denominator": 10}}
                                 ).group("resources").invalid


def test_7_dates_only_in_iso_form() -> None:
    q = date_q("D", on_or_before=date(2024, 3, 31))
    refusal = check_value(q, "20240301")
    assert refusal is not None and refusal.reason is Reason.NOT_AN_ISO_DATE
    assert check_value(q, "2024-03-01") is None
    assert check_value(QUESTIONS["PL-01a"], "20240301") is not None


# --- finding 9: people requests go to Home Affairs -----------------------------------


def test_9_nl12_sits_in_the_people_section_and_goes_to_home_affairs() -> None:
    q = QUESTIONS["NL-12"]
    assert q.section == "resources-people"
    assert lead_agencies(default_leads(BANK), q.group, q.section) == ("SNV",)


def test_exact_arithmetic_survives_the_shipped_bank() -> None:
    u = score_unit(BANK, "district", best_answers(BANK, "district"))
    assert all(g.score == 100.0 and g.band is Band.GREEN for g in u.groups)
    assert Decimal(repr(u.index)) == Decimal("1")
