"""A post that leaves questions out never erases their stored answers."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from survey_app.extensions import db
from survey_app.models import Answer, BankQuestion, Response, Unit
from survey_app.services.demo import DEMO_PASSWORD

URL = "/rounds/P06-DIEM-NGHEN/units/STP/groups/legal"


def version(client: FlaskClient) -> str:
    return client.get(URL).get_data(as_text=True).split('name="base_version" type="hidden" value="')[1].split('"')[0]


def stored(app: Flask) -> dict[str, object]:
    with app.app_context():
        rows = db.session.execute(
            select(BankQuestion.code, Answer.value).join(Answer, Answer.question_id == BankQuestion.id)
            .join(Response, Response.id == Answer.response_id).join(Unit, Unit.id == Response.unit_id)
            .where(Unit.code == "STP"))
        return dict(rows.all())


@pytest.mark.usefixtures("demo")
def test_partial_post_keeps_what_it_does_not_mention(app: Flask,
                                                     client: FlaskClient) -> None:
    with app.app_context():
        db.session.execute(delete(Response).where(Response.unit_id == select(Unit.id).filter_by(code="STP")
                                                  .scalar_subquery()))
        db.session.commit()
    client.post("/login", data={"username": "stp-editor", "password": DEMO_PASSWORD})
    first = client.post(URL, data={"base_version": version(client), "q_PL_01-present": "1", "q_PL_01-answer": "yes",
                                   "q_PL_10a-present": "1",
                                   "q_PL_10a-answer": "Giữ nguyên", "q_PL_02-present": "1",
                                   "q_PL_02-answer": ["person", "task"]})
    assert first.status_code == 302
    # Only PL-04 is on this post: PL-01, PL-10a and PL-02 must stay as they are.
    second = client.post(URL, data={"base_version": version(client), "q_PL_04-present": "1", "q_PL_04-answer": "7"})
    assert second.status_code == 302
    assert stored(app) == {"PL-01": "yes", "PL-10a": "Giữ nguyên", "PL-02": ["person", "task"], "PL-04": 7}
    # A question that is on the post with every box unticked is cleared, as a browser means it.
    third = client.post(URL, data={"base_version": version(client), "q_PL_02-present": "1"})
    assert third.status_code == 302
    assert "PL-02" not in stored(app) or stored(app)["PL-02"] is None
