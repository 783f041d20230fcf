"""Rounds (participants, dates, closing, the next round) and routing by date, with its safety check."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, BankVersion, Round, RoundUnit, RoutingRule, Unit, User
from survey_app.services.access import leads_scope
from survey_app.services.admin import AdminError, routing

TODAY = date.today()


def round_form(version_id: int, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {"code": "P06-2025", "name_vi": "Khảo sát điểm nghẽn Đề án 06 năm 2025",
                               "name_en": "Project 06 bottleneck survey 2025", "bank_version": version_id,
                               "opens_on": TODAY.isoformat(), "due_on": (TODAY + timedelta(days=30)).isoformat()}
    data.update(extra)
    return data


def version_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalars(select(BankVersion.id)).one()


def test_open_a_round_for_all_departments(demo: Flask, admin: FlaskClient) -> None:
    response = admin.post("/admin/rounds/new", data=round_form(version_id(demo), participants="kind",
                                                               kinds=["department"]))
    assert response.status_code == 302
    with demo.app_context():
        rnd = db.session.scalars(select(Round).filter_by(code="P06-2025")).one()
        departments = set(db.session.scalars(select(Unit.code).filter_by(kind="department", active=True)))
        assert {p.unit.code for p in rnd.participants} == departments
        event = db.session.scalars(select(AuditEvent).filter_by(action="round.create")).one()
        assert event.detail["after"]["participants"] == len(departments)


def test_units_one_by_one_a_later_due_date_closing_and_the_next_round(demo: Flask, admin: FlaskClient) -> None:
    vid = version_id(demo)
    assert admin.post("/admin/rounds/new", data=round_form(vid, participants="list",
                                                           units=["STP", "SNV", "UBND-HDL"])).status_code == 302
    later = (TODAY + timedelta(days=45)).isoformat()
    due = (TODAY + timedelta(days=35)).isoformat()
    assert admin.post("/admin/rounds/P06-2025/dates", data={"opens_on": TODAY.isoformat(), "due_on": due}
                      ).status_code == 302
    assert admin.post("/admin/rounds/P06-2025/extend", data={"unit": "SNV", "due_on": later}).status_code == 302
    with demo.app_context():
        rnd = db.session.scalars(select(Round).filter_by(code="P06-2025")).one()
        from survey_app.services.admin.rounds import due_on_for
        snv = db.session.scalars(select(Unit).filter_by(code="SNV")).one()
        stp = db.session.scalars(select(Unit).filter_by(code="STP")).one()
        assert due_on_for(rnd, snv.id).isoformat() == later and due_on_for(rnd, stp.id) == rnd.due_on
        assert rnd.due_on.isoformat() == due
        assert db.session.scalars(select(AuditEvent).filter_by(action="round.dates")).one().detail["after"][
            "due_on"] == due
    assert admin.post("/admin/rounds/P06-2025/close").status_code == 302
    page = admin.get("/admin/rounds/P06-2025").get_data(as_text=True)
    assert 'action="/admin/rounds/P06-2025/extend"' not in page
    refused = admin.post("/admin/rounds/P06-2025/extend", data={"unit": "STP", "due_on": later}, follow_redirects=True)
    assert "closed" in refused.get_data(as_text=True) or "đã đóng" in refused.get_data(as_text=True)
    with demo.app_context():
        stp_due = db.session.scalar(select(RoundUnit.due_on).join(Unit).where(Unit.code == "STP"))
        assert stp_due is None
    nxt = admin.post("/admin/rounds/new?from=P06-2025", data=round_form(vid, code="P06-2026"))
    assert nxt.status_code == 302
    with demo.app_context():
        rnd = db.session.scalars(select(Round).filter_by(code="P06-2026")).one()
        assert {p.unit.code for p in rnd.participants} == {"STP", "SNV", "UBND-HDL"}


def test_security_moves_to_the_provincial_police_from_1_march_2025(demo: Flask, admin: FlaskClient) -> None:
    response = admin.post("/admin/routing", data={"scope": "security", "lead": "CA-TINH", "valid_from": "2025-03-01"})
    assert response.status_code == 302
    before = admin.get("/admin/routing?day=2025-02-28").get_data(as_text=True)
    after = admin.get("/admin/routing?day=2025-03-01").get_data(as_text=True)
    assert '<th scope="row">security</th>' in before
    assert before.split('<th scope="row">security</th>')[1].split("</tr>")[0].count("(STTTT)") == 1
    assert after.split('<th scope="row">security</th>')[1].split("</tr>")[0].count("(CA-TINH)") == 1
    with demo.app_context():
        reviewer = db.session.scalars(select(User).filter_by(username="stttt-reviewer")).one()
        assert leads_scope(reviewer, {"security"}, date(2025, 2, 28))
        assert not leads_scope(reviewer, {"security"}, date(2025, 3, 1))
        assert leads_scope(reviewer, {"data"}, date(2025, 3, 1))
        event = db.session.scalars(select(AuditEvent).filter_by(action="routing.change")).one()
        assert "lead STTTT 2024-04-22–…" in event.detail["before"]["rules"]
        assert "lead CA-TINH 2025-03-01–…" in event.detail["after"]["rules"]


def test_a_routing_that_leaves_a_scope_without_a_lead_is_refused(demo: Flask, admin: FlaskClient) -> None:
    with demo.app_context():
        rules_before = db.session.scalar(select(func.count()).select_from(RoutingRule))
    response = admin.post("/admin/routing", data={"scope": "legal", "lead": "", "valid_from": "2025-03-01"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="routing-refused"' in html and "legal" in html and "P06-DIEM-NGHEN" in html
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(RoutingRule)) == rules_before
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "routing.change")) == 0
        try:
            routing.set_scope(None, "security", ["CA-TINH", "SKHCN"], [], date(2025, 3, 1))
        except AdminError as exc:
            assert "2 leads" in str(exc)
        else:
            raise AssertionError("two leads were accepted")
