"""The audit log viewer: filters, an Excel download, retention with a recorded purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent

from .helpers import sheet_rows


def test_filters_by_who_action_object_and_dates(demo: Flask, admin: FlaskClient) -> None:
    admin.post("/admin/units/STP/active", data={"active": "0"})
    admin.post("/admin/units/SNV/active", data={"active": "0"})
    page = admin.get("/admin/audit?who=admin&action=unit.&object=unit:STP").get_data(as_text=True)
    assert "unit.deactivate" in page and "unit:STP" in page and "unit:SNV" not in page
    today = datetime.now(UTC).date()
    empty = admin.get(f"/admin/audit?action=unit.&to={(today - timedelta(days=1)).isoformat()}")
    assert "unit.deactivate" not in empty.get_data(as_text=True)
    logins = admin.get("/admin/audit?action=login").get_data(as_text=True)
    assert "unit.deactivate" not in logins


def test_the_excel_download_has_before_and_after_and_is_itself_recorded(demo: Flask, admin: FlaskClient) -> None:
    admin.post("/admin/units/STP/active", data={"active": "0"})
    response = admin.get("/admin/audit.xlsx?action=unit.")
    rows = sheet_rows(response.data)
    assert rows[0][:3] == ("at_utc", "who", "action")
    line = next(r for r in rows if r[2] == "unit.deactivate")
    assert line[1] == "admin" and line[4] == "STP"
    assert '"active": true' in line[7] and '"active": false' in line[8]
    with demo.app_context():
        assert db.session.scalars(select(AuditEvent).filter_by(action="audit.export")).one()


def test_purge_keeps_at_least_twelve_months_and_records_itself(demo: Flask, runner: FlaskCliRunner) -> None:
    now = datetime.now(UTC)
    with demo.app_context():
        db.session.add_all([AuditEvent(action="login.success", actor_name="old", at=now - timedelta(days=400)),
                            AuditEvent(action="login.success", actor_name="recent", at=now - timedelta(days=300))])
        db.session.commit()
    refused = runner.invoke(args=["audit", "purge", "--months", "6"])
    assert refused.exit_code == 1 and "12 months" in refused.output
    result = runner.invoke(args=["audit", "purge"])
    assert result.exit_code == 0 and "1 audit event(s)" in result.output
    with demo.app_context():
        names = set(db.session.scalars(select(AuditEvent.actor_name)))
        assert "old" not in names and "recent" in names
        purge = db.session.scalars(select(AuditEvent).filter_by(action="audit.purge")).one()
        assert purge.detail["after"]["deleted"] == 1
