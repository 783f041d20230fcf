"""Sessions that can be ended: logout, a password change and an administrator's
"end sessions" refuse every copy of every cookie of the user; sessions end
after the idle timeout and the absolute lifetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any as AuthActions  # the fixture type lives in conftest

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app import clock
from survey_app.extensions import db
from survey_app.models import AuditEvent, Membership, Role, Unit, User
from survey_app.services.accounts import end_sessions

PASSWORD = "Khao-sat-P06-2024"
START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = START
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def moved(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def users(app: Flask) -> None:
    with app.app_context():
        unit = Unit(code="STP", name_vi="Sở Tư pháp", name_en="Department of Justice", kind="department")
        for username, role in (("stp-head", Role.HEAD), ("admin", Role.ADMIN)):
            u = User(username=username, full_name=username, locale="vi")
            u.set_password(PASSWORD)
            u.memberships.append(Membership(unit=unit, role=role.value))
            db.session.add(u)
        db.session.commit()


def logged_in(app: Flask, username: str = "stp-head", remember: bool = False) -> FlaskClient:
    c = app.test_client()
    data = {"username": username, "password": PASSWORD} | ({"remember": "y"} if remember else {})
    assert c.post("/login", data=data).status_code == 302
    assert c.get("/").status_code == 200
    return c


def replay(app: Flask, source: FlaskClient, *names: str) -> FlaskClient:
    """A new browser holding copies of ``source``'s cookies, as a thief would."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        thief.set_cookie(name, cookie.value)
    return thief


def test_a_replayed_session_cookie_is_refused_after_logout(app: Flask, users: None) -> None:
    c = logged_in(app)
    thief = replay(app, c, "session")
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    c.post("/logout")
    assert c.get("/").status_code == 302
    assert thief.get("/").status_code == 302


def test_a_replayed_remember_cookie_is_refused_after_logout(app: Flask, users: None) -> None:
    c = logged_in(app, remember=True)
    thief = replay(app, c, "remember_token")  # no session cookie: "remember me" logs it in
    assert thief.get("/").status_code == 200
    c.post("/logout")
    assert replay(app, c, "session").get("/").status_code == 302
    thief.delete_cookie("session")
    assert thief.get("/").status_code == 302


def test_logout_ends_every_session_of_the_user_but_not_others(app: Flask, users: None) -> None:
    phone, desk, other = logged_in(app), logged_in(app), logged_in(app, "admin")
    phone.post("/logout")
    assert desk.get("/").status_code == 302
    assert other.get("/").status_code == 200


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app: Flask, users: None) -> None:
    here, elsewhere = logged_in(app), logged_in(app, remember=True)
    r = here.post("/account/password", data={"current": PASSWORD, "new": "Mot cau dai de nho 2026",
                                              "confirm": "Mot cau dai de nho 2026"})
    assert r.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "stp-head", "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"username": "stp-head", "password": "Mot cau dai de nho 2026"}).status_code == 302


def test_an_administrator_ends_a_users_sessions(app: Flask, users: None) -> None:
    c = logged_in(app, remember=True)
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="stp-head"))
        admin = db.session.scalar(select(User).filter_by(username="admin"))
        end_sessions(user, actor=admin, reason="device lost")
        event = db.session.scalar(select(AuditEvent).filter_by(action="sessions.ended"))
        assert event.actor_name == "admin" and event.object_id == str(user.id)
        assert event.detail == {"reason": "device lost"}
    assert c.get("/").status_code == 302


def test_an_idle_session_ends(app: Flask, users: None, moved: Clock) -> None:
    c = logged_in(app)
    moved.advance(minutes=29)
    assert c.get("/").status_code == 200  # activity keeps it alive
    moved.advance(minutes=29)
    assert c.get("/").status_code == 200
    moved.advance(minutes=31)
    r = c.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert "Phiên làm việc đã kết thúc" in c.get(r.headers["Location"]).get_data(as_text=True)
    assert c.get("/").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(app: Flask, users: None, moved: Clock) -> None:
    c = logged_in(app)
    for _ in range(11 * 3):  # a request every 20 minutes for 11 hours
        moved.advance(minutes=20)
        assert c.get("/").status_code == 200
    moved.advance(hours=1, minutes=1)
    assert c.get("/").status_code == 302


def test_a_remembered_login_outlives_idleness_but_not_its_duration(app: Flask, users: None, moved: Clock) -> None:
    c = logged_in(app, remember=True)
    moved.advance(days=3)
    assert c.get("/").status_code == 200
    moved.advance(days=4, minutes=1)
    assert c.get("/").status_code == 302


def test_a_forged_or_old_style_session_id_is_refused(app: Flask, users: None) -> None:
    c = logged_in(app)
    with c.session_transaction() as s:
        token = s["_user_id"]
        s["_user_id"] = token.split(".")[0]  # the bare user id of the old scheme
    assert c.get("/").status_code == 302


def test_a_one_time_password_must_be_changed_before_anything_else(app: Flask, users: None,
                                                                   auth: AuthActions) -> None:
    with app.app_context():
        db.session.scalar(select(User).filter_by(username="stp-head")).must_change_password = True
        db.session.commit()
    r = auth.login("stp-head")
    assert r.status_code == 302
    for path in ("/", "/account", "/rounds/P06-DIEM-NGHEN/units/STP"):
        r = auth._client.get(path)
        assert r.status_code == 302 and r.headers["Location"] == "/account/password", path
    page = auth._client.get("/account/password").get_data(as_text=True)
    assert "quản trị viên cấp" in page
    r = auth._client.post("/account/password", data={"current": PASSWORD, "new": "ngan", "confirm": "ngan"})
    assert r.status_code == 422 and "Ít nhất 14 ký tự." in r.get_data(as_text=True)
    new = "Doi mat khau lan dau 2026"
    assert auth._client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new}
                             ).status_code == 302
    assert auth._client.get("/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="stp-head"))
        assert not user.must_change_password and user.last_login_at is not None
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["login.succeeded", "password.changed", "sessions.ended"]


@pytest.mark.parametrize(("new", "message"), [
    ("mat khau ngan", "Ít nhất 14 ký tự."),
    ("password12345678", "quá phổ biến"),
    ("abcabcabcabcabcabc", "lặp lại"),
    ("stp-head dai dai dai", "tên đăng nhập"),
    (PASSWORD, "khác mật khẩu hiện tại"),
])
def test_weak_new_passwords_are_refused_with_a_reason(app: Flask, users: None, new: str, message: str) -> None:
    c = logged_in(app)
    r = c.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert c.get("/").status_code == 200  # nothing changed, still logged in
