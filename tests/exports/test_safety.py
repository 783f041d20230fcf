"""What people typed stays text: no formula, no link, NFC, and long texts kept whole."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from survey_app.exports import CELL_LIMIT, WorkbookKind
from survey_app.extensions import db
from survey_app.models import Answer, BankQuestion, Response, Round, Unit, User
from survey_app.services.exports import Target, export_workbook

from .conftest import ROUND, open_book, rows

HOSTILE_ANSWERS = {"PL-10a": '=HYPERLINK("http://x","y")', "HT-12a": "@SUM(A1)"}
HOSTILE_COMMENTS = {"PL-01": "+1+1", "PL-02": "-2", "HT-01": "\tGiá trị bắt đầu bằng tab"}
# 40,000 characters of Vietnamese, typed in decomposed form (NFD), as some keyboards send it.
LONG = unicodedata.normalize("NFD", ("Vướng mắc về hạ tầng truyền dẫn ở xã vùng sâu, vùng xa. " * 720)[:40_000])


def _put(app: Flask) -> None:
    """Write the hostile values into STP's answers, as if typed."""
    with app.app_context():
        rnd = db.session.scalar(select(Round).filter_by(code=ROUND))
        unit = db.session.scalar(select(Unit).filter_by(code="STP"))
        response = db.session.scalar(select(Response).filter_by(round_id=rnd.id, unit_id=unit.id))
        if response is None:
            response = Response(round_id=rnd.id, unit_id=unit.id)
            db.session.add(response)
            db.session.flush()
        ids = dict(db.session.execute(select(BankQuestion.code, BankQuestion.id)
                                      .where(BankQuestion.bank_version_id == rnd.bank_version_id)).all())
        wanted = {**{q: (v, None) for q, v in HOSTILE_ANSWERS.items()}, "AN-12a": (LONG, LONG)}
        for q, comment in HOSTILE_COMMENTS.items():
            wanted[q] = (None, comment)
        for code, (value, comment) in wanted.items():
            answer = db.session.scalar(select(Answer).filter_by(response_id=response.id, question_id=ids[code]))
            if answer is None:
                answer = Answer(response_id=response.id, question_id=ids[code])
                db.session.add(answer)
            if value is not None:
                answer.value = value
            answer.comment = comment
        db.session.commit()


def test_typed_text_never_becomes_a_formula_or_link_and_long_text_is_kept_whole(seeded: Flask,
                                                                                  tmp_path: Path) -> None:
    _put(seeded)
    path = tmp_path / "stp.xlsx"
    with seeded.app_context():
        user = db.session.scalar(select(User).filter_by(username="stp-head"))
        result = export_workbook(user, ROUND, Target(WorkbookKind.UNIT, "STP"), "vi", path)
    assert result.stats.cut_texts == 2  # the long answer and the long comment
    book = open_book(path)
    found: dict[str, str] = {}
    for ws in book.worksheets:
        assert not ws._hyperlinks, ws.title
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    found.setdefault(cell.value, f"{ws.title}!{cell.coordinate}")
    for text in (*HOSTILE_ANSWERS.values(), *HOSTILE_COMMENTS.values()):
        assert text in found, text

    nfc = unicodedata.normalize("NFC", LONG)
    cut = [v for v, where in found.items() if v.startswith(nfc[:1000]) and not where.startswith("Văn bản dài")]
    assert cut, "the long text appears, cut, in its cells"
    for value in cut:
        assert len(value.encode("utf-16-le")) // 2 <= CELL_LIMIT
        assert "xem trang «Văn bản dài», dòng" in value
        assert nfc.startswith(value.split(" […]")[0])
    long = book["Văn bản dài"]
    parts: dict[str, list[str]] = {}
    for r in rows(long, 5):
        parts.setdefault(r[1], []).append(r[3])
    assert len(parts) == 2
    for place, texts in parts.items():
        assert "STP · AN-12a" in place
        assert "".join(texts) == nfc  # whole, and in NFC
    # The marker names the row where the text starts.
    first_rows = sorted(int(v.rsplit("dòng ", 1)[1]) for v in cut)
    for number in first_rows:
        assert long.cell(row=number, column=3).value.startswith("1/")
