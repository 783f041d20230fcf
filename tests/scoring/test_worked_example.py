"""The worked example of docs/scoring.md, number for number.

If this test changes, change the document with it (and the reverse).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from survey_app.questionnaires.schema import Band as NumberBand
from survey_app.questionnaires.schema import Column, ColumnType, Condition, RoutingRule
from survey_app.scoring import Band, answers_frame, frames_from_results, round_score, score_round, score_unit

from .factories import (
    date_q,
    evidence,
    make_bank,
    multi,
    number,
    opt,
    ratio,
    severity,
    single,
    table,
    text_q,
    txt,
    yes_no,
)

LEGAL, DATA, RES = "legal", "data", "resources"

BANK = make_bank(
    [
        # legal (weight 0.3), one section
        yes_no("PL-01", group=LEGAL, section="legal-plan", weight=2, critical=True),
        single("PL-02", group=LEGAL, section="legal-plan",
               options=(opt("head", 1.0), opt("deputy", 0.5), opt("none", 0.0))),
        date_q("PL-03", group=LEGAL, section="legal-plan", on_or_before=date(2024, 3, 31), late_points=0.5),
        evidence("PL-04", group=LEGAL, section="legal-plan", scored_if_present=True),
        table("PL-05", group=LEGAL, section="legal-plan", bottleneck_rows=True,
              columns=(Column("document", txt("Văn bản")), Column("problem", txt("Vướng mắc")),
                       Column("level", txt("Thẩm quyền"), ColumnType.CHOICE,
                              options=(opt("central", 0.0), opt("province", 0.0))))),
        text_q("PL-06", group=LEGAL, section="legal-plan", required=False),
        # data (weight 0.4), two sections
        ratio("DL-01", group=DATA, section="data-quality", weight=2, critical=True),
        multi("DL-02", group=DATA, section="data-quality",
              options=(opt("catalogue", 0.4), opt("dictionary", 0.3), opt("open", 0.3))),
        multi("DL-03", group=DATA, section="data-quality", scored=False,
              options=(opt("duplicated", 0.0, True), opt("no-api", 0.0, True), opt("other", 0.0))),
        ratio("DL-04", group=DATA, section="data-sharing", target=0.9),
        ratio("DL-05", group=DATA, section="data-sharing", inverse=True),
        ratio("DL-06", group=DATA, section="data-sharing"),
        table("DL-07", group=DATA, section="data-sharing", row_share=("connected", "yes"),
              columns=(Column("system", txt("Hệ thống")), Column("connected", txt("Đã kết nối"), ColumnType.YES_NO))),
        # resources (weight 0.3), one section
        number("NL-01", group=RES, section="resources", target=12.0),
        number("NL-02", group=RES, section="resources",
               bands=(NumberBand(1, 1.0), NumberBand(3, 0.5), NumberBand(None, 0.0))),
        number("NL-03", group=RES, section="resources", target=10.0, inverse=True),
        severity("NL-04", group=RES, section="resources"),
        yes_no("NL-05", group=RES, section="resources"),
        yes_no("NL-06", group=RES, section="resources", condition=Condition("NL-05", equals="yes")),
        ratio("NL-07", group=RES, section="resources", applies_to=("commune",)),
        ratio("NL-08", group=RES, section="resources"),
        single("NL-09", group=RES, section="resources", required=False),
    ],
    group_weights={LEGAL: 0.3, DATA: 0.4, RES: 0.3},
    green=0.80, yellow=0.50, gap=0.5, severity_threshold=4,
    routing=[RoutingRule(LEGAL, ("VP-UBND",)), RoutingRule(DATA, ("STTTT",)),
             RoutingRule("data-quality", ("CA-TINH",)), RoutingRule(RES, ("STC",))],
)

ANSWERS: dict[str, object] = {
    "PL-01": "yes",
    "PL-02": "deputy",
    "PL-03": "2024-04-22",
    "PL-04": {"document_number": "1470/UBND-NC", "document_date": "2024-04-22"},
    "PL-05": [
        {"document": "NĐ 47/2024", "problem": "Chưa có hướng dẫn chia sẻ dữ liệu", "level": "central"},
        {"document": "QĐ 12/2023", "problem": "Quy trình liên thông chưa cập nhật", "level": "province"},
    ],
    "PL-06": "Đề nghị tập huấn thêm",
    "DL-01": {"numerator": 1200, "denominator": 3000},
    "DL-02": ["catalogue", "dictionary"],
    "DL-03": ["duplicated", "no-api"],
    "DL-04": {"numerator": 450, "denominator": 600},
    "DL-05": {"numerator": 30, "denominator": 600},
    "DL-06": {"numerator": 0, "denominator": 0},
    "DL-07": [{"system": "Một cửa điện tử", "connected": "yes"}, {"system": "Hộ tịch", "connected": "yes"},
              {"system": "Quản lý cán bộ", "connected": "no"}],
    "NL-01": 9,
    "NL-02": 2,
    "NL-03": 3,
    "NL-04": 4,
    "NL-05": "no",
    "NL-06": "yes",  # left over from an earlier draft: NL-06 is hidden, so it is ignored
    "NL-07": {"numerator": 5, "denominator": 8},  # NL-07 is for communes only: ignored
}
COMMENTS = {"DL-01": "Dữ liệu chưa đồng bộ với CSDLQG về dân cư", "NL-04": "Thiếu kinh phí 2025",
            "DL-06": "Huyện không lưu sổ hộ tịch cũ; sổ do UBND xã quản lý"}  # the reason 0 / 0 needs

RESULT = score_unit(BANK, "district", ANSWERS, COMMENTS)


def q_scores(group: str) -> dict[str, float | None]:
    return {r.code: r.score for r in RESULT.group(group).questions}


def shown(value: float | None, places: int = 2) -> str:
    assert value is not None
    return str(round_score(value, places))


def test_question_scores() -> None:
    legal, data, res = q_scores(LEGAL), q_scores(DATA), q_scores(RES)
    assert legal == {"PL-01": 1.0, "PL-02": 0.5, "PL-03": 0.5, "PL-04": 1.0, "PL-05": None, "PL-06": None}
    assert {k: None if v is None else shown(v, 4) for k, v in data.items()} == {
        "DL-01": "0.4000", "DL-02": "0.7000", "DL-03": None, "DL-04": "0.8333", "DL-05": "0.9500",
        "DL-06": None, "DL-07": "0.6667"}
    assert res == {"NL-01": 0.75, "NL-02": 0.5, "NL-03": 0.7, "NL-04": None, "NL-05": 0.0, "NL-06": None,
                   "NL-07": None, "NL-08": 0.0, "NL-09": None}


def test_applicability() -> None:
    by_code = {r.code: r for g in RESULT.groups for r in g.questions}
    assert not by_code["DL-06"].applicable and by_code["DL-06"].answered  # b = 0
    assert not by_code["NL-06"].applicable and not by_code["NL-06"].answered  # condition unmet
    assert not by_code["NL-07"].applicable  # communes only
    assert by_code["NL-08"].applicable and not by_code["NL-08"].answered  # required, unanswered: 0
    assert by_code["NL-09"].applicable and by_code["NL-09"].score is None  # optional, unanswered: left out


def test_section_and_group_scores() -> None:
    legal, data, res = RESULT.groups
    assert (shown(legal.score), legal.band) == ("80.00", Band.GREEN)
    assert [(s.code, shown(s.score), s.band) for s in data.sections] == [
        ("data-quality", "50.00", Band.RED), ("data-sharing", "81.67", Band.GREEN)]
    assert (shown(data.score), data.band, data.critical_failed) == ("65.83", Band.RED, True)
    assert (shown(res.score), res.band) == ("39.00", Band.RED)
    assert [g.missing for g in RESULT.groups] == [(), (), ("NL-08",)]


def test_index() -> None:
    assert shown(RESULT.index, 4) == "0.6203"
    assert RESULT.band is Band.RED  # yellow by its value, red because DL-01 (critical) failed


def test_bottleneck_register() -> None:
    got = [(b.group, b.section, b.question, b.kind.value, b.severity, b.comment, b.item_key, b.row, b.lead_agencies)
           for b in RESULT.bottlenecks]
    assert got == [
        (LEGAL, "legal-plan", "PL-05", "table_row", None, "", "0",
         (("document", "NĐ 47/2024"), ("problem", "Chưa có hướng dẫn chia sẻ dữ liệu"), ("level", "central")),
         ("VP-UBND",)),
        (LEGAL, "legal-plan", "PL-05", "table_row", None, "", "1",
         (("document", "QĐ 12/2023"), ("problem", "Quy trình liên thông chưa cập nhật"), ("level", "province")),
         ("VP-UBND",)),
        (DATA, "data-quality", "DL-01", "critical_failed", None, "Dữ liệu chưa đồng bộ với CSDLQG về dân cư", "",
         None, ("CA-TINH",)),
        (DATA, "data-quality", "DL-03", "option", None, "", "duplicated", None, ("CA-TINH",)),
        (DATA, "data-quality", "DL-03", "option", None, "", "no-api", None, ("CA-TINH",)),
        (RES, "resources", "NL-04", "severity", 4, "Thiếu kinh phí 2025", "", None, ("STC",)),
        (RES, "resources", "NL-05", "gap", None, "", "", None, ("STC",)),
    ]


def test_a_zero_denominator_without_its_reason_keeps_the_group_from_being_handed_in() -> None:
    without = {k: v for k, v in COMMENTS.items() if k != "DL-06"}
    data = score_unit(BANK, "district", ANSWERS, without).group(DATA)
    assert data.missing == ("DL-06",) and data.unjustified == ("DL-06",)
    assert data.score == RESULT.group(DATA).score  # the score itself does not change


def test_the_whole_round_path_agrees() -> None:
    units = pd.DataFrame({"unit_code": ["HUYEN-A"], "kind": ["district"]})
    got = score_round(BANK, units, answers_frame({"HUYEN-A": ANSWERS}, {"HUYEN-A": COMMENTS}))
    expected = frames_from_results(BANK, [("HUYEN-A", "district", RESULT)])
    pd.testing.assert_frame_equal(got.groups, expected.groups)
    assert round_score(float(got.units["index"].iloc[0]), 4) == Decimal("0.6203")
