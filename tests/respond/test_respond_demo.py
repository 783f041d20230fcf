"""The demo province makes sense to an official reading it (finding 17)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, BankQuestion, GroupEvent, ResponseGroup
from survey_app.services.demo_answers import _WORDS


def test_the_return_reason_asks_for_something_actually_missing(survey: Any) -> None:
    with survey.app.app_context():
        event = db.session.scalars(  # the Office's return of the Department of Transport's legal group
            select(GroupEvent).join(ResponseGroup, ResponseGroup.id == GroupEvent.response_group_id)
            .where(GroupEvent.action == "return", ResponseGroup.group_code == "legal")).one()
        group = db.session.get(ResponseGroup, event.response_group_id)
        assert event.reason
        cited = re.search(r"số (\S+) \(câu ([A-Z]+-\d+[a-z]?)\)", event.reason)
        assert cited, event.reason
        number, code = cited.groups()
        evidence = db.session.scalar(
            select(Answer.evidence).join(BankQuestion, BankQuestion.id == Answer.question_id)
            .where(Answer.response_id == group.response_id, BankQuestion.code == code))
        assert evidence["document_number"] == number  # the document the unit cites...
        assert not evidence.get("files")  # ...whose scan is indeed missing
        db.session.remove()


def test_demo_table_cells_are_plausible_rows(seeded: Flask) -> None:
    with seeded.app_context():
        tables = db.session.scalars(select(Answer.value).join(BankQuestion, BankQuestion.id == Answer.question_id)
                                    .where(BankQuestion.type == "table")).all()
        db.session.remove()
    cells = [v for rows in tables for row in rows or [] for v in row.values() if isinstance(v, str)]
    assert cells and not set(cells) & set(_WORDS)
    rows = [row for rows in tables for row in rows or [] if "procedure" in row]
    assert rows and all(("Nghị định" in r["blocking_document"] or "Thông tư" in r["blocking_document"]
                         or "Luật" in r["blocking_document"]) for r in rows)
