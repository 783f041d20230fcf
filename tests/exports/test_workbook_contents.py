"""Each workbook read back (openpyxl) and checked against the database."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from survey_app.exports import WorkbookKind
from survey_app.extensions import db
from survey_app.models import Answer, BankQuestion, Bottleneck, Response, ResponseGroup, RoundUnit, Unit, User
from survey_app.services.exports import Target, export_workbook

from .conftest import ROUND, header_index, open_book, rows

SCOPE_SHEETS_VI = ["1. Pháp lý", "2. Hạ tầng công nghệ", "3. Dữ liệu", "4. An ninh, an toàn, bảo mật",
                   "5. Kinh phí, ngân sách", "6. Con người"]


def _export(app: Flask, username: str, target: Target, path: Path, locale: str = "vi") -> None:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username=username))
        export_workbook(user, ROUND, target, locale, path)


def _answers(app: Flask, unit: str | None = None) -> dict[tuple[str, str], tuple[object, str | None]]:
    with app.app_context():
        stmt = (select(Unit.code, BankQuestion.code, Answer.value, Answer.comment)
                .join(Response, Response.unit_id == Unit.id).join(Answer, Answer.response_id == Response.id)
                .join(BankQuestion, BankQuestion.id == Answer.question_id))
        if unit:
            stmt = stmt.where(Unit.code == unit)
        return {(u, q): (v, c) for u, q, v, c in db.session.execute(stmt)}


def _scope_cells(book, sheet: str) -> dict[tuple[str, str], object]:  # type: ignore[no-untyped-def]
    """(unit code, question code) → the answer cell of a scope sheet (None when empty)."""
    ws = book[sheet]
    codes = [c.value for c in ws[4]]
    labels = [c.value for c in ws[5]]
    answer_cols: dict[int, str] = {}
    current = None
    for i, (code, label) in enumerate(zip(codes, labels, strict=False)):
        if isinstance(code, str) and ". " in code and code.split(". ")[0].count("-") >= 1:
            current = code.split(". ")[0]
        if label in ("Trả lời", "Answer") and current:
            answer_cols[i] = current
    out = {}
    for row in rows(ws, 6):
        for i, q in answer_cols.items():
            out[(row[1], q)] = row[i]
    return out


def test_province_workbook_holds_every_unit_answer_score_and_bottleneck(seeded: Flask, tmp_path: Path) -> None:
    path = tmp_path / "province.xlsx"
    _export(seeded, "catinh-coordinator", Target(WorkbookKind.PROVINCE), path)
    book = open_book(path)
    assert book.sheetnames == ["Tổng hợp", *SCOPE_SHEETS_VI, "Điểm nghẽn", "Tiến độ", "Bộ câu hỏi", "Thông tin"]

    with seeded.app_context():
        participants = set(db.session.scalars(
            select(Unit.code).join(RoundUnit, RoundUnit.unit_id == Unit.id)))
        stored = {(u, g): (s, b, sec) for u, g, s, b, sec in db.session.execute(
            select(Unit.code, ResponseGroup.group_code, ResponseGroup.score, ResponseGroup.band,
                   ResponseGroup.section_scores)
            .join(Response, Response.unit_id == Unit.id).join(ResponseGroup, ResponseGroup.response_id == Response.id))}
        register = Counter(db.session.execute(
            select(Unit.code, Bottleneck.question_code, Bottleneck.kind)
            .join(Response, Response.unit_id == Unit.id)
            .join(ResponseGroup, ResponseGroup.response_id == Response.id)
            .join(Bottleneck, Bottleneck.response_group_id == ResponseGroup.id)).all())

    summary = book["Tổng hợp"]
    units = [r[1] for r in rows(summary, 5) if r[0] is not None and isinstance(r[0], int)]
    assert sorted(units) == sorted(participants) and len(units) == len(set(units))
    # Every stored score is in the summary, in its scope's "Điểm" column, with its band's name beside it.
    scope_names = [c.value for c in summary[3]]
    sub = [c.value for c in summary[4]]
    group_col = {name: i for i, name in enumerate(scope_names) if name}
    for r in rows(summary, 5):
        if not isinstance(r[0], int):
            continue
        for (unit, group), (score, band, _sections) in stored.items():
            if unit != r[1] or group == "resources":
                continue
            name = {"legal": "Pháp lý", "infrastructure": "Hạ tầng công nghệ", "data": "Dữ liệu",
                    "security": "An ninh, an toàn, bảo mật"}[group]
            col = group_col[name]
            assert sub[col + 1] == "Điểm"
            assert r[col + 1] == score
            assert r[col + 2] == ({"green": "Xanh", "yellow": "Vàng", "red": "Đỏ"}[band] if band else None)
        budget = stored.get((r[1], "resources"))
        if budget and budget[2]:
            col = group_col["Nguồn lực triển khai: Kinh phí, ngân sách"]
            assert r[col + 1] == budget[2]["resources-budget"]["score"]

    # Every answer of the database is in its scope's sheet.
    answers = _answers(seeded)
    cells: dict[tuple[str, str], object] = {}
    for sheet in SCOPE_SHEETS_VI:
        cells.update(_scope_cells(book, sheet))
    for (unit, q), (value, _comment) in answers.items():
        if value is not None:
            assert cells.get((unit, q)) not in (None, ""), (unit, q, value)

    # Every stored bottleneck is listed once; the lines without a unit are question-wide proposals.
    sheet = book["Điểm nghẽn"]
    cols = header_index(sheet, 3)
    lines = [r for r in rows(sheet, 4) if r[0] is not None]
    listed = Counter((r[cols["Mã đơn vị"]], r[cols["Câu hỏi"]]) for r in lines if r[cols["Mã đơn vị"]] is not None)
    assert all(r[cols["Đề xuất giải pháp"]] for r in lines if r[cols["Mã đơn vị"]] is None)
    assert sum(listed.values()) == sum(register.values())
    assert listed == Counter((u, q) for (u, q, _k) in register.elements())


def test_finance_workbook_has_only_the_budget_section(seeded: Flask, tmp_path: Path) -> None:
    path = tmp_path / "stc.xlsx"
    _export(seeded, "stc-reviewer", Target(WorkbookKind.LEAD, "STC"), path, locale="en")
    book = open_book(path)
    assert book.sheetnames == ["Summary", "1. Budget and funding", "Bottlenecks", "Progress", "Question bank",
                               "About"]
    with seeded.app_context():
        people = set(db.session.scalars(select(BankQuestion.code).join(BankQuestion.section)
                                        .where(BankQuestion.section.has(code="resources-people"))))
        budget = set(db.session.scalars(select(BankQuestion.code)
                                        .where(BankQuestion.section.has(code="resources-budget"))))
    text = "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)
    assert people and all(code not in text for code in people)
    assert all(code in text for code in budget)
    assert "Legal" not in [c.value for c in book["Summary"][3]]
    bank_codes = {r[3] for r in rows(book["Question bank"], 4) if r[3]}
    assert bank_codes == budget
    bottleneck_questions = {r[4] for r in rows(book["Bottlenecks"], 4) if r[0] is not None}
    assert bottleneck_questions <= budget
    progress_scopes = {r[3] for r in rows(book["Progress"], 4) if r[0] is not None}
    assert progress_scopes == {"Implementation resources: Budget and funding"}


def test_unit_workbook_holds_the_unit_and_no_other(seeded: Flask, tmp_path: Path) -> None:
    path = tmp_path / "stp.xlsx"
    _export(seeded, "stp-head", Target(WorkbookKind.UNIT, "STP"), path)
    book = open_book(path)
    with seeded.app_context():
        others = set(db.session.scalars(select(Unit.code).where(Unit.code != "STP")))
    for ws in book.worksheets:
        if ws.title in ("Thông tin", "Bộ câu hỏi"):
            continue
        unit_cells = {r[1] for r in rows(ws, 4) if isinstance(r[0], int)}
        assert unit_cells <= {"STP"}, ws.title
        assert not unit_cells & others
    answers = _answers(seeded, "STP")
    cells: dict[tuple[str, str], object] = {}
    for sheet in SCOPE_SHEETS_VI:
        cells.update(_scope_cells(book, sheet))
    assert {k for k, v in cells.items() if v not in (None, "")} == {k for k, (v, _c) in answers.items()
                                                                    if v is not None}
