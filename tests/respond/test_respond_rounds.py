"""A round's window: saves and submissions only while it is open, on the
province's calendar; the home page still lists a round that is past due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Round, User
from survey_app.services.answers import AnswerInput, save_group, submit_group, unit_round
from survey_app.services.rounds import RoundNotOpen, RoundState, Window, local_date, province_today

Q = "PL-10a"


def test_today_is_the_provinces_date() -> None:
    late_evening_utc = datetime(2024, 3, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 April in Hà Nội
    assert local_date(late_evening_utc, "Asia/Ho_Chi_Minh") == date(2024, 4, 1)
    assert local_date(late_evening_utc, "UTC") == date(2024, 3, 31)


def test_the_timezone_is_a_setting(app: Flask) -> None:
    now = datetime(2024, 3, 31, 17, 30, tzinfo=UTC)
    with app.app_context():
        assert province_today(now) == date(2024, 4, 1)
        before = app.config["ROUND_TIMEZONE"]
        app.config["ROUND_TIMEZONE"] = "UTC"
        try:
            assert province_today(now) == date(2024, 3, 31)
        finally:
            app.config["ROUND_TIMEZONE"] = before


def test_window_states() -> None:
    win = Window(date(2024, 3, 1), date(2024, 3, 31), closed=False)
    assert win.state(date(2024, 2, 29)) is RoundState.UPCOMING
    assert win.state(date(2024, 3, 1)) is RoundState.OPEN
    assert win.state(date(2024, 3, 31)) is RoundState.OPEN
    assert win.state(date(2024, 4, 1)) is RoundState.PAST_DUE
    assert Window(date(2024, 3, 1), date(2024, 3, 31), closed=True).state(date(2024, 3, 15)) is RoundState.CLOSED


def set_round(app: Flask, survey: Any, **fields: Any) -> None:
    with app.app_context():
        rnd = db.session.scalar(select(Round).filter_by(code=survey.round))
        for name, value in fields.items():
            setattr(rnd, name, value)
        db.session.commit()
        db.session.remove()


def shifted(app: Flask, state: str) -> dict[str, Any]:
    with app.app_context():
        today = province_today()
    return {
        "past_due": {"opens_on": today - timedelta(days=330), "due_on": today - timedelta(days=300)},
        "upcoming": {"opens_on": today + timedelta(days=3), "due_on": today + timedelta(days=30)},
        "closed": {"closed_at": datetime.now(UTC)},
    }[state]


MESSAGES = {"past_due": "Ask the coordinators", "upcoming": "cannot be saved yet", "closed": "This round is closed"}


@pytest.mark.parametrize("state", ["past_due", "upcoming", "closed"])
def test_outside_its_window_a_round_takes_no_answers(survey: Any, state: str) -> None:
    app = survey.app
    survey.reset_unit("STP")
    head = survey.client("stp-head")
    head.post("/language/en")
    _html, data = survey.page(head, "STP", "legal")
    data[f"{survey.field(Q)}-answer"] = ["Quá hạn"]
    set_round(app, survey, **shifted(app, state))

    auto = head.post(survey.url("STP", "legal") + "/autosave", data=data)
    assert auto.status_code == 409
    assert auto.get_json()["ok"] is False and MESSAGES[state] in auto.get_json()["message"]
    page = head.post(survey.url("STP", "legal"), data={**data, "action": ["save"]})
    assert MESSAGES[state] in page.get_data(as_text=True)
    submit = head.post(survey.url("STP", "legal"), data={**data, "action": ["submit"]}, follow_redirects=True)
    assert MESSAGES[state] in submit.get_data(as_text=True)
    assert survey.values("STP") == {}
    assert survey.group("STP", "legal") is None or survey.group("STP", "legal").status == "not_started"


def test_the_service_itself_refuses(survey: Any) -> None:
    """Not only the views: any caller of the service is held to the window."""
    app = survey.app
    set_round(app, survey, **shifted(app, "past_due"))
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="stp-head"))
        ur = unit_round(user, survey.round, "STP")
        with pytest.raises(RoundNotOpen) as refused:
            save_group(ur, "legal", {Q: AnswerInput("x")}, None, user)
        assert refused.value.state is RoundState.PAST_DUE
        with pytest.raises(RoundNotOpen):
            submit_group(ur, "legal", user)
        db.session.remove()


def test_the_home_page_lists_a_past_due_round_with_its_state(survey: Any) -> None:
    app = survey.app
    set_round(app, survey, **shifted(app, "past_due"))
    head = survey.client("stp-head")
    head.post("/language/en")
    html = head.get("/").get_data(as_text=True)
    assert "Past due" in html
    assert f'href="/rounds/{survey.round}/units/STP/groups/legal"' in html  # group names are links
    set_round(app, survey, closed_at=datetime.now(UTC))
    assert f"/rounds/{survey.round}/units/STP" not in head.get("/").get_data(as_text=True)


def test_a_units_window_follows_its_round(app: Flask) -> None:
    """Built from factories: one unit, one editor, one round that closed last week."""
    import factories

    with app.app_context():
        today = province_today()
        unit = factories.unit("SXD")
        editor = factories.user("sxd-editor", unit)
        factories.survey_round("R-LATE", [unit], today - timedelta(days=40), today - timedelta(days=7))
        db.session.commit()
        ur = unit_round(editor, "R-LATE", "SXD")
        with pytest.raises(RoundNotOpen) as refused:
            save_group(ur, "legal", {Q: AnswerInput("x")}, 0, editor)
        assert refused.value.state is RoundState.PAST_DUE
        db.session.remove()
