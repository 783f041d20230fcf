"""``flask demo seed``: the demo province, idempotent and reproducible."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (
    Answer,
    GroupStatus,
    Membership,
    Response,
    ResponseGroup,
    Role,
    Round,
    RoundUnit,
    RoutingRule,
    Unit,
    User,
)
from survey_app.services.demo import DEMO_PASSWORD


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Unit, User, Membership, RoutingRule, Round, RoundUnit, Response, ResponseGroup, Answer)}


def answer_snapshot() -> list[tuple[str, str, object]]:
    rows = db.session.execute(
        select(Unit.code, Answer.question_id, Answer.value).join(Response, Response.id == Answer.response_id)
        .join(Unit, Unit.id == Response.unit_id).order_by(Unit.code, Answer.question_id)
    )
    return [(code, str(qid), value) for code, qid, value in rows]


def test_seed_builds_the_province_of_seed_000(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output and "admin" in result.output
    with app.app_context():
        kinds = dict(db.session.execute(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
        assert kinds["district"] == 11
        assert 18 <= kinds["department"] + kinds["board"] <= 22
        roles = set(db.session.scalars(select(Membership.role)))
        assert roles == {r.value for r in Role}
        statuses = set(db.session.scalars(select(ResponseGroup.status)))
        assert {GroupStatus.SUBMITTED, GroupStatus.DRAFT, GroupStatus.NOT_STARTED} <= statuses
        responded = db.session.scalar(select(func.count()).select_from(Response))
        participants = db.session.scalar(select(func.count()).select_from(RoundUnit))
        assert 0 < responded < participants  # some units have not started at all
        leads = {(r.scope, r.unit.code, r.role) for r in db.session.scalars(select(RoutingRule))}
        assert ("legal", "VP-UBND", "lead") in leads
        assert {("infrastructure", "STTTT", "lead"), ("data", "STTTT", "lead"), ("security", "STTTT", "lead")} <= leads
        assert ("resources-budget", "STC", "lead") in leads and ("resources-budget", "SKHDT", "coordinating") in leads
        assert ("resources-people", "SNV", "lead") in leads


def test_seed_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "seed"])
    with app.app_context():
        before, answers = counts(), answer_snapshot()
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0
    assert "0 units, 0 users, 0 routing rules, round kept, 0 responses, 0 answers added" in again.output
    with app.app_context():
        assert counts() == before and answer_snapshot() == answers


def test_generated_units_and_seed_are_reproducible(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "seed", "--units", "25", "--seed", "7"])
    with app.app_context():
        first = answer_snapshot()
        assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.kind == "commune")) == 25
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    runner.invoke(args=["demo", "seed", "--units", "25", "--seed", "7"])
    with app.app_context():
        assert [(c, v) for c, _, v in answer_snapshot()] == [(c, v) for c, _, v in first]


def test_demo_logins_work(client: FlaskClient, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "seed"])
    response = client.post("/login", data={"username": "stp-head", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Sở Tư pháp" in home and "Thủ trưởng đơn vị" in home
    assert "Khảo sát 05 nhóm vấn đề điểm nghẽn Đề án 06" in home and "Pháp lý" in home



@pytest.mark.parametrize("today", [date(2026, 11, 30), date(2031, 1, 5)])
def test_the_demo_round_is_coherent_in_any_year(app: Flask, today: date) -> None:
    """Finding 17 of issue 8: a round about 2024 fell due in 2026. The demo round's
    code names no year, its name names the year it opens, and every date of its
    history lies between its opening and today."""
    from survey_app.models import GroupEvent
    from survey_app.services.demo import seed_demo

    with app.app_context():
        seed_demo(today=today)
        rnd = db.session.scalars(select(Round)).one()
        assert not re.search(r"(19|20)\d\d", rnd.code)
        assert str(rnd.opens_on.year) in rnd.name_vi and str(rnd.opens_on.year) in rnd.name_en
        assert rnd.opens_on <= today <= rnd.due_on
        moments = [e.at.date() for e in db.session.scalars(select(GroupEvent))]
        assert moments and all(rnd.opens_on <= day <= today for day in moments)
        db.session.remove()
