"""The question bank as an Excel workbook: lossless both ways, every mistake placed."""

from __future__ import annotations

import io
import zipfile

import pytest

from survey_app.questionnaires import bank_path, read_bank
from survey_app.questionnaires.xlsx import SHEETS, WorkbookRejected, read_workbook, write_workbook

from .helpers import edit_workbook, sheet_rows


def shipped() -> tuple[dict[str, object], str]:
    _bank, source, fingerprint = read_bank(bank_path())
    return source, fingerprint


def column(data: bytes, sheet: str, name: str) -> int:
    return list(sheet_rows(data, sheet)[0]).index(name) + 1


def test_the_shipped_bank_reads_back_identical() -> None:
    source, fingerprint = shipped()
    bank, again, fp = read_workbook(write_workbook(source))
    assert fp == fingerprint and again == source
    assert len(bank.questions) == len(read_bank(bank_path())[0].questions)


def test_one_row_per_question_with_texts_in_both_languages_and_options_by_code() -> None:
    source, _ = shipped()
    data = write_workbook(source)
    header = sheet_rows(data, "questions")[0]
    for name in ("group", "code", "section", "type", "text.vi", "text.en", "weight", "critical", "applies_to",
                 "condition.question", "evidence.kinds", "scoring.target", "scoring.fail_below"):
        assert name in header
    questions = sheet_rows(data, "questions")[1:]
    assert len(questions) == len(read_bank(bank_path())[0].questions)
    options = sheet_rows(data, "options")
    assert options[0][:6] == ("question", "code", "label.vi", "label.en", "points", "bottleneck")
    assert ("AN-08", "none", "Chưa sao lưu định kỳ", "No regular backups", 0, True) in {row[:6] for row in options}


def test_a_new_schema_field_is_one_column_more() -> None:
    questions = next(s for s in SHEETS if s.name == "questions")
    assert "scoring.numerator_le_denominator" in dict(questions.columns)
    assert "bottleneck_rows" in dict(questions.columns)


def test_two_mistakes_are_both_reported_by_sheet_row_and_column() -> None:
    source, _ = shipped()
    data = write_workbook(source)
    weight, qtype = column(data, "questions", "weight"), column(data, "questions", "type")

    def mistakes(book: object) -> None:
        ws = book["questions"]  # type: ignore[index]
        ws.cell(row=5, column=weight, value="heavy")
        ws.cell(row=9, column=qtype, value="essay")

    with pytest.raises(WorkbookRejected) as caught:
        read_workbook(edit_workbook(data, mistakes))
    places = {(p.sheet, p.row, p.column) for p in caught.value.problems}
    assert ("questions", 5, "weight") in places
    assert ("questions", 9, "type") in places


def test_duplicate_codes_wrong_columns_and_empty_rows_are_reported() -> None:
    source, _ = shipped()
    data = write_workbook(source)
    code = column(data, "questions", "code")

    def break_it(book: object) -> None:
        ws = book["questions"]  # type: ignore[index]
        ws.cell(row=3, column=code, value=ws.cell(row=2, column=code).value)  # duplicate code
        ws.cell(row=1, column=ws.max_column + 1, value="colour")  # a column nobody knows
        ws.insert_rows(10)  # an empty row in the middle
        units = book["unit_kinds"]  # type: ignore[index]
        units.cell(row=1, column=1, value="kode")  # the code column misspelt

    with pytest.raises(WorkbookRejected) as caught:
        read_workbook(edit_workbook(data, break_it))
    text = [str(p) for p in caught.value.problems]
    assert any(p.sheet == "questions" and p.row == 3 and p.column == "code" and "duplicate" in p.message
               for p in caught.value.problems), text
    assert any(p.sheet == "questions" and p.row == 10 and "empty row" in p.message for p in caught.value.problems)
    assert any("colour" in (p.column or "") and p.message == "unknown column" for p in caught.value.problems)
    assert any(p.sheet == "unit_kinds" and p.column == "code" for p in caught.value.problems)


def test_not_an_excel_file() -> None:
    with pytest.raises(WorkbookRejected) as caught:
        read_workbook(b"code,group,section\nPL-01,legal,legal-framework\n")
    assert "not an Excel workbook" in caught.value.problems[0].message


def zip_bomb() -> bytes:
    """A small .xlsx whose worksheet unpacks to 200 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(200):
                member.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_opened() -> None:
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    with pytest.raises(WorkbookRejected) as caught:
        read_workbook(bomb)
    assert "unpacks to far more data" in caught.value.problems[0].message
