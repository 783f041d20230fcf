"""A group the lead agency returned comes first, opens again, and can be resubmitted."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import GroupEvent, Response, ResponseGroup, Unit
from survey_app.services.answers import transition
from survey_app.services.demo import DEMO_PASSWORD
from survey_app.workflow import Action


def returned_group(app: Flask) -> tuple[str, int]:
    """The unit code and id of the demo's returned legal group."""
    with app.app_context():
        code, gid = db.session.execute(
            select(Unit.code, ResponseGroup.id).join(Response, Response.unit_id == Unit.id)
            .join(ResponseGroup, ResponseGroup.response_id == Response.id)
            .where(ResponseGroup.status == "returned", ResponseGroup.group_code == "legal")
        ).one()
        return code, gid


@pytest.mark.usefixtures("demo")
def test_returned_group_is_on_top_with_its_reason_and_can_be_resubmitted(app: Flask, client: FlaskClient) -> None:
    unit, gid = returned_group(app)
    client.post("/login", data={"username": f"{unit.lower()}-head", "password": DEMO_PASSWORD})
    home = client.get(f"/rounds/P06-DIEM-NGHEN/units/{unit}").get_data(as_text=True)
    first = home.index('class="card group-line')
    assert home.index("returned", first) < home.index("Hạ tầng công nghệ")  # the returned group comes first
    assert "Cơ quan chủ trì trả lại:" in home and "PL-01" in home

    page = client.get(f"/rounds/P06-DIEM-NGHEN/units/{unit}/groups/legal").get_data(as_text=True)
    assert 'id="group-form"' in page  # open for editing again
    version = page.split('name="base_version" type="hidden" value="')[1].split('"')[0]
    saved = client.post(f"/rounds/P06-DIEM-NGHEN/units/{unit}/groups/legal",
                        data={"base_version": version, "q_PL_10a-answer": "Đã bổ sung theo yêu cầu"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(ResponseGroup, gid).status == "returned"  # still returned until resubmitted

    version = client.get(saved.headers["Location"]).get_data(as_text=True).split(
        'name="base_version" type="hidden" value="')[1].split('"')[0]
    submitted = client.post(f"/rounds/P06-DIEM-NGHEN/units/{unit}/groups/legal",
                            data={"base_version": version, "action": "submit", "confirm": "yes"})
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:500]
    with app.app_context():
        group = db.session.get(ResponseGroup, gid)
        assert group.status == "submitted" and group.score is not None
        actions = [e.action for e in db.session.scalars(
            select(GroupEvent).where(GroupEvent.response_group_id == gid).order_by(GroupEvent.id))]
        assert actions == ["return", "submit"]


@pytest.mark.usefixtures("demo")
def test_the_index_counts_only_handed_in_groups(app: Flask) -> None:
    """Returning every handed-in group empties the unit's index until it resubmits."""
    from survey_app.models import User
    from survey_app.services.scoring import unit_index_view

    with app.app_context():
        response = next(r for r in db.session.scalars(select(Response).order_by(Response.id))
                        if unit_index_view(r).index is not None)
        assert unit_index_view(response).band is not None
        reviewer = db.session.scalars(select(User).filter_by(username="vpubnd-reviewer")).one()
        for group in [g for g in response.groups if g.status == "submitted"]:
            transition(group, Action.RETURN, reviewer, frozenset({"reviewer"}), reason="Thiếu tài liệu")
        db.session.commit()
        refreshed = db.session.get(Response, response.id)
        assert refreshed is not None
        view = unit_index_view(refreshed)
        assert view.index is None and view.band is None and view.counted_groups == 0
