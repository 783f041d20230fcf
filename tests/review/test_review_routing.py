"""The routing holds from a date: security moves to the Provincial Police on 1 March 2025."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.models import Membership, Round, RoutingRule, Unit, User
from survey_app.services.demo import DEMO_PASSWORD

MOVE = date(2025, 3, 1)


def move_security_to_police(review: Any) -> None:
    with review.app.app_context():
        dic = db.session.scalar(select(Unit.id).filter_by(code="STTTT"))
        police = db.session.scalar(select(Unit).filter_by(code="CA-TINH"))
        db.session.execute(update(RoutingRule).where(RoutingRule.scope == "security", RoutingRule.unit_id == dic)
                           .values(valid_to=MOVE))
        db.session.add(RoutingRule(scope="security", unit=police, role="lead", valid_from=MOVE))
        reviewer = User(username="catinh-reviewer", full_name="Trần Văn An Ninh", locale="vi")
        reviewer.set_password(DEMO_PASSWORD)
        reviewer.memberships.append(Membership(unit=police, role="reviewer"))
        db.session.add(reviewer)
        db.session.commit()
        db.session.remove()


def set_round_opening(review: Any, day: date) -> None:
    with review.app.app_context():
        db.session.execute(update(Round).where(Round.code == review.round).values(opens_on=day))
        db.session.commit()
        db.session.remove()


def test_dashboards_and_access_follow_the_routing_date(review: Any) -> None:
    unit = review.unit_with("security", kind="department", exclude=("CA-TINH", "STTTT"))
    move_security_to_police(review)
    dic, police = review.client("stttt-reviewer"), review.client("catinh-reviewer")
    security = f"/review/rounds/{review.round}/scopes/security/bottlenecks"

    set_round_opening(review, date(2025, 4, 1))  # a round after the move: the Police lead security
    board = dic.get(f"/review/rounds/{review.round}").get_data(as_text=True)
    assert security not in board and f"/review/rounds/{review.round}/scopes/data/bottlenecks" in board
    assert dic.get(security).status_code == 404
    assert dic.get(review.scope_url("security", unit)).status_code == 404
    assert dic.post(review.scope_url("security", unit, "accept")).status_code == 404
    assert security in police.get(f"/review/rounds/{review.round}").get_data(as_text=True)
    assert police.get(security).status_code == 200
    assert police.post(review.scope_url("security", unit, "accept")).status_code == 303
    assert review.scope(unit, "security")["status"] == "accepted"
    assert police.get(review.scope_url("data", unit)).status_code == 404

    set_round_opening(review, date(2025, 2, 1))  # a round before it: the DIC again
    assert police.get(f"/review/rounds/{review.round}").status_code == 404  # it leads nothing then
    assert police.get(security).status_code == 404
    assert security in dic.get(f"/review/rounds/{review.round}").get_data(as_text=True)
    assert dic.get(review.scope_url("security", unit)).status_code == 200
