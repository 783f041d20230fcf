"""The one door for answer values, reason by reason, and entries rendered in the reader's language."""

from __future__ import annotations

from datetime import date

import pytest

from survey_app.questionnaires.answers import Reason, check_value, read_value
from survey_app.questionnaires.schema import Column, ColumnType, Option, Question, Text
from survey_app.scoring.bottlenecks import describe

from .factories import date_q, evidence, multi, number, opt, ratio, severity, single, table, text_q, yes_no

NONE = Option("none", Text("Không có", "None"), 0.0, exclusive=True)
CHOICE_TABLE = table("T", columns=(
    Column("name", Text("Tên", "Name")),
    Column("level", Text("Cấp", "Level"), ColumnType.CHOICE,
           options=(Option("central", Text("Trung ương", "Central government"), 0.0),)),
    Column("on", Text("Ngày", "Date"), ColumnType.DATE),
))


@pytest.mark.parametrize(("question", "value", "reason"), [
    (yes_no("A"), "có", Reason.UNKNOWN_OPTION),
    (yes_no("A"), True, Reason.WRONG_SHAPE),
    (single("B"), "l9", Reason.UNKNOWN_OPTION),
    (multi("C"), "o1", Reason.WRONG_SHAPE),
    (multi("C"), ["o1", "o1"], Reason.DUPLICATE_OPTION),
    (multi("C", options=(opt("o0", 0.5), NONE)), ["none", "o0"], Reason.EXCLUSIVE_OPTION),
    (ratio("D"), {"numerator": "3", "denominator": 4}, Reason.NOT_A_NUMBER),
    (ratio("D"), {"numerator": 3, "denominator": -4}, Reason.NEGATIVE),
    (ratio("D", numerator_le_denominator=True), {"numerator": 5, "denominator": 4},
     Reason.NUMERATOR_ABOVE_DENOMINATOR),
    (number("E", min_value=0.0), -1, Reason.BELOW_MINIMUM),
    (number("E", max_value=10.0), 11, Reason.ABOVE_MAXIMUM),
    (severity("F"), 2.5, Reason.NOT_A_SEVERITY),
    (date_q("G"), "20240301", Reason.NOT_AN_ISO_DATE),
    (date_q("G"), "01/03/2024", Reason.NOT_AN_ISO_DATE),
    (text_q("H"), 12, Reason.WRONG_SHAPE),
    (CHOICE_TABLE, [{"name": "A", "extra": 1}], Reason.UNKNOWN_COLUMN),
    (CHOICE_TABLE, [{"name": "A", "level": "commune"}], Reason.BAD_CELL),
    (CHOICE_TABLE, [{"name": "A", "on": "20240301"}], Reason.BAD_CELL),
    (evidence("I"), {"document_date": "20240301"}, Reason.NOT_AN_ISO_DATE),
])
def test_each_refusal_names_its_reason(question: Question, value: object, reason: Reason) -> None:
    refusal = check_value(question, value)
    assert refusal is not None and refusal.reason is reason


@pytest.mark.parametrize(("question", "value", "read"), [
    (multi("C", options=(opt("o0", 0.5), opt("o1", 0.5), NONE)), ["o1", "o0"], ("o0", "o1")),
    (multi("C", options=(opt("o0", 0.5), NONE)), ["none"], ("none",)),
    (ratio("D"), {"numerator": 0, "denominator": 0}, (0, 0)),
    (date_q("G"), "2024-03-01", date(2024, 3, 1)),
    (date_q("G"), "", None),
    (text_q("H"), "  ", None),
    (CHOICE_TABLE, [{"name": "A", "level": "central"}, {"name": " "}], [{"name": "A", "level": "central"}]),
    (evidence("I"), {"document_number": " "}, None),
])
def test_valid_values_are_read_in_their_usable_form(question: Question, value: object, read: object) -> None:
    assert check_value(question, value) is None
    assert read_value(question, value) == read


def test_entries_are_codes_rendered_in_the_readers_language() -> None:
    row = {"name": "Hộ tịch", "level": "central", "on": "2024-03-01"}
    assert describe(CHOICE_TABLE, "table_row", "0", row, "vi") == "Hộ tịch | Trung ương | 2024-03-01"
    assert describe(CHOICE_TABLE, "table_row", "0", row, "en") == "Hộ tịch | Central government | 2024-03-01"
    q = multi("M", options=(Option("dup", Text("Trùng lặp", "Duplicated"), 0.0, bottleneck=True),))
    assert describe(q, "option", "dup", None, "en") == "Duplicated"
    assert describe(q, "gap", "", None, "vi") == ""
