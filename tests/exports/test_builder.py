"""The pure builder: formatting people expect, in both languages, without an app."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO

from survey_app.exports import (
    AnswerCell,
    AnswerShape,
    BottleneckLine,
    OptionInfo,
    Proposal,
    QuestionInfo,
    ReturnInfo,
    RoutingLine,
    Scope,
    ScopeState,
    SectionInfo,
    UnitLine,
    WorkbookData,
    WorkbookKind,
    build_workbook,
)
from survey_app.exports.book import sheet_name

from .conftest import open_book

SUBMITTED = datetime(2024, 5, 2, 17, 30, tzinfo=UTC)  # 00:30 on 3 May in Hà Nội


def _data(locale: str = "vi") -> WorkbookData:
    q1 = QuestionInfo("PL-01", "legal", "s1", "legal", "Có kế hoạch?", "yes_no", AnswerShape.TEXT, 1.0, True, True,
                      True, options=(OptionInfo("yes", "Có", 1, False), OptionInfo("no", "Không", 0, True)))
    q2 = QuestionInfo("PL-02", "legal", "s1", "legal", "Tỷ lệ thủ tục", "ratio", AnswerShape.RATIO, 2.0, False,
                      True, True)
    q3 = QuestionInfo("PL-03", "legal", "s2", "legal", "Kinh phí", "number", AnswerShape.NUMBER, 1.0, False, True,
                      False, unit_label="triệu đồng")
    q4 = QuestionInfo("PL-04", "legal", "s2", "legal", "Ngày ban hành", "date", AnswerShape.DATE, 1.0, False, False,
                      False)
    scope = Scope("legal", "legal", "Pháp lý", 0.2, (SectionInfo("s1", "Kế hoạch"), SectionInfo("s2", "Nguồn lực")),
                  (q1, q2, q3, q4), ("Văn phòng UBND tỉnh",))
    states = {"legal": ScopeState("submitted", 79.99, "yellow", 85.0, 1, SUBMITTED, "Thủ trưởng", SUBMITTED,
                                  "Chuyên viên", (ReturnInfo(SUBMITTED, "Chuyên viên", "Bổ sung văn bản"),))}
    units = (UnitLine("STP", "Sở Tư pháp", "Sở", states, 0.7999, "yellow", 0.2),
             UnitLine("SYT", "Sở Y tế", "Sở", {"legal": ScopeState("not_started")}))
    answers = {"STP": {"PL-01": AnswerCell("Có", score=1.0, comment="Đã ban hành"),
                       "PL-02": AnswerCell("3 / 4", 0.75, score=0.75, appraised_score=0.5,
                                           appraisal_reason="Thiếu minh chứng"),
                       "PL-03": AnswerCell(number=1250.5), "PL-04": AnswerCell(day=date(2024, 4, 22))}}
    register = (BottleneckLine("STP", "Sở Tư pháp", "legal", "Pháp lý", "PL-01", "Có kế hoạch?", "gap", 4, "Chưa",
                               "", "Văn phòng UBND tỉnh",
                               Proposal("Ban hành kế hoạch", "Sở Tư pháp", date(2024, 6, 30), "Tỉnh", "Đang làm")),)
    return WorkbookData(WorkbookKind.PROVINCE, locale, "T", "Toàn tỉnh", "P06", "Đợt 1", date(2024, 4, 22),
                        date(2024, 5, 31), date(2024, 4, 22), "de-an-06", "2024.1", "Bộ câu hỏi", "abc",
                        (0.8, 0.5), (scope,), (RoutingLine("legal", "Pháp lý", "lead", "VP-UBND", "Văn phòng",
                                                           date(2024, 4, 22), None),),
                        units, answers, register, SUBMITTED, "Người lập")


def _build(data: WorkbookData) -> bytes:
    out = BytesIO()
    build_workbook(data, out)
    return out.getvalue()


def test_sheets_are_frozen_filtered_and_print_on_a4_landscape_one_page_wide() -> None:
    book = open_book(_build(_data()))
    assert book.sheetnames == ["Tổng hợp", "1. Pháp lý", "Điểm nghẽn", "Tiến độ", "Bộ câu hỏi", "Thông tin"]
    expected = {"Tổng hợp": ("D5", "$3:$4", "A4:L6"), "1. Pháp lý": ("D6", "$3:$5", "A5:U7"),
                "Điểm nghẽn": ("D4", "$3:$3", "A3:P4"), "Tiến độ": ("D4", "$3:$3", "A3:K5")}
    for name, (freeze, titles, filt) in expected.items():
        ws = book[name]
        assert (ws.freeze_panes, ws.print_title_rows, ws.auto_filter.ref) == (freeze, titles, filt), name
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 is the default
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
        assert ws.cell(row=ws.max_row if name != "Tổng hợp" else 3, column=1).alignment is not None


def test_numbers_dates_and_bands_are_typed_and_shown_as_officials_expect() -> None:
    book = open_book(_build(_data()))
    summary = book["Tổng hợp"]
    score, band = summary["F5"], summary["G5"]
    assert score.value == 79.99 and score.data_type == "n" and score.number_format == "0.00"
    assert band.value == "Vàng" and band.fill.fgColor.rgb == score.fill.fgColor.rgb == "FFFFEB9C"
    assert summary["H5"].value == 85.0 and summary["J5"].value == 0.7999
    assert summary["L5"].value == 0.2 and summary["L5"].number_format == "0.0%"
    legal = book["1. Pháp lý"]
    row = {legal.cell(row=5, column=c).value: legal.cell(row=6, column=c) for c in range(7, 24)
           if legal.cell(row=6, column=c).value is not None}
    values = [c.value for c in legal[6]]
    assert "3 / 4" in values and 0.75 in values and 1250.5 in values and "Thiếu minh chứng" in values
    pct = next(c for c in legal[6] if c.value == 0.75 and c.number_format == "0.0%")
    assert pct.data_type == "n"
    day = next(c for c in legal[6] if isinstance(c.value, datetime))
    assert day.value == datetime(2024, 4, 22) and day.number_format == "dd/mm/yyyy"
    assert row  # the answer columns are labelled
    progress = book["Tiến độ"]
    assert progress["F4"].value == datetime(2024, 5, 3, 0, 30)  # shown in Asia/Ho_Chi_Minh
    assert progress["F4"].number_format == "dd/mm/yyyy hh:mm"
    assert progress["K4"].value == "03/05/2024 (Chuyên viên): Bổ sung văn bản"
    bottlenecks = book["Điểm nghẽn"]
    assert [c.value for c in bottlenecks[4]][11:] == ["Ban hành kế hoạch", "Sở Tư pháp", datetime(2024, 6, 30),
                                                      "Tỉnh", "Đang làm"]


def test_english_labels_and_a_native_chart() -> None:
    raw = _build(_data("en"))
    book = open_book(raw)
    assert book.sheetnames[0] == "Summary" and book["Summary"]["G5"].value == "Yellow"
    assert book["Summary"]["D4"].value == "Unit kind"
    with zipfile.ZipFile(BytesIO(raw)) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart and "Summary" in chart


def test_a_lead_workbook_leaves_the_index_out() -> None:
    data = replace(_data(), kind=WorkbookKind.LEAD, show_index=False)
    summary = open_book(_build(data))["Tổng hợp"]
    assert [c.value for c in summary[4]][-1] == "Số điểm nghẽn"


def test_sheet_names_are_valid_and_unique() -> None:
    assert sheet_name("An ninh: an toàn/bảo mật [2025]?", []) == "An ninh  an toàn bảo mật  2025"
    assert sheet_name("x" * 40, ["x" * 31]) == "x" * 27 + " (2)"
