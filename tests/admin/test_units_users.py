"""Units and users as an administrator manages them, with Excel imports that are all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Membership, Response, Unit, User

from .helpers import sheet_rows, upload, workbook
from .test_bank_workbook import zip_bomb


def units_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Unit)) or 0


def test_create_edit_search_and_deactivate_a_unit(demo: Flask, admin: FlaskClient) -> None:
    created = admin.post("/admin/units/new", data={"code": "XA-HOA-BINH", "name_vi": "UBND xã Hòa Bình",
                                                  "name_en": "Hoa Binh Commune People's Committee",
                                                  "kind": "commune", "parent": "UBND-HDL"})
    assert created.status_code == 302
    page = admin.get("/admin/units?q=Hòa+Bình").get_data(as_text=True)
    assert "XA-HOA-BINH" in page and "STP" not in page
    twice = admin.post("/admin/units/new", data={"code": "XA-HOA-BINH", "name_vi": "UBND xã khác",
                                                "kind": "commune"})
    assert twice.status_code == 422
    html = twice.get_data(as_text=True)
    assert "already used" in html or "đã được dùng" in html
    assert admin.post("/admin/units/XA-HOA-BINH/active", data={"active": "0"}).status_code == 302
    with demo.app_context():
        unit = db.session.scalars(select(Unit).filter_by(code="XA-HOA-BINH")).one()
        assert unit.parent.code == "UBND-HDL" and unit.active is False
        actions = [e.action for e in db.session.scalars(
            select(AuditEvent).filter_by(object_id="XA-HOA-BINH").order_by(AuditEvent.id))]
        assert actions == ["unit.create", "unit.deactivate"]
        last = db.session.scalars(select(AuditEvent).filter_by(action="unit.deactivate")).one()
        assert last.detail["before"]["active"] is True and last.detail["after"]["active"] is False


def test_a_merger_keeps_the_old_units_responses_readable_under_the_new_one(demo: Flask,
                                                                          admin: FlaskClient) -> None:
    assert admin.post("/admin/units/new", data={"code": "SKHCN-2025", "name_vi": "Sở Khoa học và Công nghệ (mới)",
                                                "name_en": "Department of Science and Technology",
                                                "kind": "department"}).status_code == 302
    merged = admin.post("/admin/units/SKHCN-2025/merge", data={"replaced": ["STTTT", "SKHCN"], "on": "2025-03-01"})
    assert merged.status_code == 302
    page = admin.get("/admin/units/SKHCN-2025").get_data(as_text=True)
    assert "STTTT" in page and "SKHCN" in page
    with demo.app_context():
        old = db.session.scalars(select(Unit).filter_by(code="STTTT")).one()
        assert old.successor.code == "SKHCN-2025" and old.active_to.isoformat() == "2025-03-01"
        had_response = db.session.scalar(select(func.count()).select_from(Response).where(Response.unit_id == old.id))
    if had_response:
        assert "/rounds/P06-DIEM-NGHEN/units/STTTT" in page
        assert admin.get("/rounds/P06-DIEM-NGHEN/units/STTTT").status_code == 200


def test_import_units_from_excel(demo: Flask, admin: FlaskClient) -> None:
    good = workbook([["code", "name_vi", "name_en", "kind", "parent"],
                     ["XA-01", "UBND xã Tân Lập", "Tan Lap Commune", "commune", "UBND-HDL"],
                     ["XA-02", "UBND phường Bình Minh", "Binh Minh Ward", "commune", "XA-01"],
                     ["STP", "Sở Tư pháp tỉnh", "Department of Justice", "department", None]])
    response = upload(admin, "/admin/units/import", good)
    assert response.status_code == 302
    with demo.app_context():
        assert db.session.scalars(select(Unit).filter_by(code="XA-02")).one().parent.code == "XA-01"
        assert db.session.scalars(select(Unit).filter_by(code="STP")).one().name_vi == "Sở Tư pháp tỉnh"


def test_broken_unit_lists_are_reported_by_row_and_column_and_nothing_is_imported(demo: Flask,
                                                                                   admin: FlaskClient) -> None:
    before = units_count(demo)
    cases = {
        "wrong columns": workbook([["ma", "ten", "name_en", "kind"], ["XA-9", "UBND xã A", "A", "commune"]]),
        "duplicate codes": workbook([["code", "name_vi", "name_en", "kind"], ["XA-9", "UBND xã A", "A", "commune"],
                                     ["XA-9", "UBND xã B", "B", "commune"]]),
        "empty rows": workbook([["code", "name_vi", "name_en", "kind"], ["XA-9", "UBND xã A", "A", "commune"],
                                [None, None, None, None], ["XA-10", "UBND xã B", "B", "village"]]),
        "not excel": b"code;name_vi\nXA-9;UBND xa A\n",
        "zip bomb": zip_bomb(),
    }
    expected = {"wrong columns": "<td>1</td><td>code</td>", "duplicate codes": "<td>3</td><td>code</td>",
                "empty rows": "<td>3</td>", "not excel": "Excel", "zip bomb": "MB"}
    for name, data in cases.items():
        response = upload(admin, "/admin/units/import", data)
        assert response.status_code == 422, name
        assert expected[name] in response.get_data(as_text=True), name
    bad_kind = workbook([["code", "name_vi", "name_en", "kind"], ["XA-9", "UBND xã A", "A", "commune"],
                         ["XA-10", "UBND xã B", "B", "village"], ["XA-11", "", "C", "commune"]])
    html = upload(admin, "/admin/units/import", bad_kind).get_data(as_text=True)
    assert "<td>3</td><td>kind</td>" in html and "<td>4</td><td>name_vi</td>" in html
    assert units_count(demo) == before


def test_a_new_user_gets_a_one_time_password_to_change(demo: Flask, admin: FlaskClient, client: FlaskClient,
                                                       auth: object) -> None:
    response = admin.post("/admin/users/new", data={"username": "nguyen.van.an", "full_name": "Nguyễn Văn An",
                                                   "email": "an@stp.example.gov.vn", "locale": "vi",
                                                   "unit": "STP", "roles": ["editor", "head"]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    password = html.split('id="one-time-password">', 1)[1].split("<", 1)[0]
    assert len(password) >= 12
    with demo.app_context():
        user = db.session.scalars(select(User).filter_by(username="nguyen.van.an")).one()
        assert user.must_change_password and user.check_password(password)
        assert {(m.unit.code, m.role) for m in user.memberships} == {("STP", "editor"), ("STP", "head")}
        event = db.session.scalars(select(AuditEvent).filter_by(action="user.create")).one()
        assert password not in str(event.detail) and event.detail["after"]["must_change_password"] is True
    reset = admin.post(f"/admin/users/{user.id}/password")
    new_password = reset.get_data(as_text=True).split('id="one-time-password">', 1)[1].split("<", 1)[0]
    assert new_password != password
    with demo.app_context():
        assert db.session.get(User, user.id).session_generation == 1


def test_edit_roles_and_deactivate_then_reenable(demo: Flask, admin: FlaskClient) -> None:
    with demo.app_context():
        user = db.session.scalars(select(User).filter_by(username="stp-editor")).one()
        uid = user.id
    edited = admin.post(f"/admin/users/{uid}", data={"username": "stp-editor", "full_name": "Chuyên viên STP",
                                                     "locale": "vi", "keep": [], "unit": "SNV",
                                                     "roles": ["reviewer"]})
    assert edited.status_code == 302
    assert admin.post(f"/admin/users/{uid}/active", data={"active": "0"}).status_code == 302
    with demo.app_context():
        user = db.session.get(User, uid)
        assert {(m.unit.code, m.role) for m in user.memberships} == {("SNV", "reviewer")}
        assert not user.active
    assert admin.post(f"/admin/users/{uid}/active", data={"active": "1"}).status_code == 302
    with demo.app_context():
        assert db.session.get(User, uid).active


def test_accounts_unused_for_45_days_are_disabled_by_the_command(demo: Flask, runner: FlaskCliRunner) -> None:
    now = datetime.now(UTC)
    with demo.app_context():
        for user in db.session.scalars(select(User)):
            user.last_login_at = now - timedelta(days=1)
        stale = db.session.scalars(select(User).filter_by(username="stp-head")).one()
        stale.last_login_at = now - timedelta(days=46)
        db.session.commit()
    result = runner.invoke(args=["accounts", "disable-inactive"])
    assert result.exit_code == 0, result.output
    assert "1 account(s)" in result.output and "stp-head" in result.output
    with demo.app_context():
        assert not db.session.scalars(select(User).filter_by(username="stp-head")).one().active
        event = db.session.scalars(select(AuditEvent).filter_by(action="user.disable_inactive")).one()
        assert event.detail["days"] == 45
    again = runner.invoke(args=["accounts", "disable-inactive", "--days", "30"])
    assert "0 account(s)" in again.output


def test_access_review_export_lists_roles_and_last_login(demo: Flask, admin: FlaskClient) -> None:
    response = admin.get("/admin/users/access-review.xlsx")
    rows = sheet_rows(response.data)
    assert rows[0][:7] == ("username", "full_name", "email", "status", "unit", "unit_name", "role")
    assert any(r[0] == "stttt-reviewer" and r[4] == "STTTT" and r[6] == "reviewer" for r in rows)
    with demo.app_context():
        assert db.session.scalars(select(AuditEvent).filter_by(action="users.access_review_export")).one()


def test_import_users_all_or_nothing(demo: Flask, admin: FlaskClient) -> None:
    bad = workbook([["username", "full_name", "unit", "roles", "email"],
                    ["tran.b", "Trần Thị B", "STP", "editor", "b@example.gov.vn"],
                    ["le.c", "Lê Văn C", "NO-SUCH", "editor", None],
                    ["tran.b", "Trần Thị B", "STP", "boss", None]])
    response = upload(admin, "/admin/users/import", bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<td>3</td><td>unit</td>" in html and "<td>4</td><td>username</td>" in html
    with demo.app_context():
        assert db.session.scalar(select(User).filter_by(username="tran.b")) is None
    good = workbook([["username", "full_name", "unit", "roles", "email"],
                     ["tran.b", "Trần Thị B", "STP", "editor, head", "b@example.gov.vn"]])
    response = upload(admin, "/admin/users/import", good)
    assert response.status_code == 200 and "tran.b" in response.get_data(as_text=True)
    with demo.app_context():
        user = db.session.scalars(select(User).filter_by(username="tran.b")).one()
        assert user.must_change_password
        assert db.session.scalar(select(func.count()).select_from(Membership).filter_by(user_id=user.id)) == 2


def test_members_of_the_new_unit_may_read_the_replaced_units_responses(demo: Flask, admin: FlaskClient) -> None:
    from datetime import date

    from survey_app.services.access import reads_through_merger
    from survey_app.services.admin import units as unit_service

    with demo.app_context():
        stttt, skhcn, snv = (unit_service.get(c) for c in ("STTTT", "SKHCN", "SNV"))
        unit_service.merge(None, [stttt], skhcn, date(2025, 3, 1))
        member = db.session.scalars(select(User).join(Membership).where(Membership.unit_id == skhcn.id)).first()
        outsider = db.session.scalars(select(User).filter_by(username="snv-head")).one()
        assert member is not None
        assert reads_through_merger(member, unit_service.get("STTTT"))
        assert not reads_through_merger(outsider, unit_service.get("STTTT"))
        assert not reads_through_merger(member, snv)
