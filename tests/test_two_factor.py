"""Two-step login (TOTP) with recovery codes; required of administrators."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app import clock
from survey_app.extensions import db
from survey_app.models import AuditEvent, Membership, Role, TwoFactor, Unit, User

PASSWORD = "Khao-sat-P06-2024"


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def moved(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Clock:
    monkeypatch.setitem(app.config, "TWO_FACTOR", True)
    return Clock(monkeypatch)


@pytest.fixture
def users(app: Flask) -> None:
    with app.app_context():
        unit = Unit(code="VP-UBND", name_vi="Văn phòng UBND tỉnh", name_en="Office", kind="department")
        for username, role in (("admin", Role.ADMIN), ("vp-editor", Role.EDITOR)):
            u = User(username=username, full_name=username, locale="vi")
            u.set_password(PASSWORD)
            u.memberships.append(Membership(unit=unit, role=role.value))
            db.session.add(u)
        db.session.commit()


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def enrol(c: FlaskClient, moved: Clock) -> tuple[str, list[str]]:
    page = c.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]{32})</code>', page).group(1)  # type: ignore[union-attr]
    assert 'src="data:image/svg+xml' in page  # the QR code, served inline as a data: image
    assert c.post("/account/two-factor", data={"code": "000000" if code_at(secret, moved.at) != "000000"
                                                 else "111111"}).status_code == 200
    r = c.post("/account/two-factor", data={"code": code_at(secret, moved.at)})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", r.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def login(c: FlaskClient, username: str) -> str:
    r = c.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302
    return r.headers["Location"]


def test_an_administrator_must_enrol_before_anything_else(app: Flask, client: FlaskClient, users: None,
                                                          moved: Clock) -> None:
    login(client, "admin")
    for path in ("/", "/account", "/account/password"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"] == "/account/two-factor", path
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Quản trị viên phải dùng đăng nhập hai bước" in page
    enrol(client, moved)
    assert client.get("/").status_code == 200


def test_login_asks_for_the_code_and_takes_each_code_once(app: Flask, users: None, moved: Clock) -> None:
    first = app.test_client()
    login(first, "admin")
    secret, _codes = enrol(first, moved)
    c = app.test_client()
    assert login(c, "admin") == "/login/code"
    assert c.get("/").status_code == 302  # not logged in yet
    r = c.post("/login/code", data={"code": code_at(secret, moved.at)})  # the code used at enrolment
    assert r.status_code == 200 and "Mã này không hợp lệ" in r.get_data(as_text=True)
    moved.advance(seconds=30)
    assert c.post("/login/code", data={"code": code_at(secret, moved.at)}).status_code == 302
    assert c.get("/").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).filter_by(action="login.succeeded").order_by(
            AuditEvent.id.desc()))
        assert event.detail == {"second_factor": True}
        failed = db.session.scalar(select(AuditEvent).filter_by(action="login.failed"))
        assert failed.detail == {"reason": "code"}


def test_a_recovery_code_replaces_the_phone_once(app: Flask, users: None, moved: Clock) -> None:
    c = app.test_client()
    login(c, "vp-editor")  # available to everyone, not only administrators
    assert c.get("/").status_code == 200
    _secret, codes = enrol(c, moved)
    for attempt, expected in ((codes[3].upper(), 302), (codes[3], 200)):
        other = app.test_client()
        assert login(other, "vp-editor") == "/login/code"
        assert other.post("/login/code", data={"code": attempt}).status_code == expected
    assert "Còn 9 mã dự phòng" in c.get("/account").get_data(as_text=True)


def test_a_pending_login_expires(app: Flask, users: None, moved: Clock) -> None:
    c = app.test_client()
    login(c, "admin")
    secret, _ = enrol(c, moved)
    other = app.test_client()
    login(other, "admin")
    moved.advance(minutes=6)
    r = other.post("/login/code", data={"code": code_at(secret, moved.at)})
    assert r.status_code == 302 and r.headers["Location"] == "/login"


def test_code_guessing_is_throttled_like_passwords(app: Flask, users: None, moved: Clock) -> None:
    c = app.test_client()
    login(c, "admin")
    enrol(c, moved)
    other = app.test_client()
    login(other, "admin")
    for _ in range(4):
        other.post("/login/code", data={"code": "123456"})
    assert other.post("/login/code", data={"code": "654321"}).status_code == 429


def test_with_a_second_factor_8_characters_are_enough(app: Flask, users: None, moved: Clock) -> None:
    c = app.test_client()
    login(c, "vp-editor")
    enrol(c, moved)
    r = c.post("/account/password", data={"current": PASSWORD, "new": "Tr4ng-Xa", "confirm": "Tr4ng-Xa"})
    assert r.status_code == 302


def test_the_demo_admin_has_a_second_factor(app: Flask, runner: object) -> None:
    from survey_app.services.demo_security import DEMO_ADMIN_TOTP_SECRET

    result = runner.invoke(args=["demo", "seed"])  # type: ignore[attr-defined]
    assert result.exit_code == 0
    with app.app_context():
        admin = db.session.scalar(select(User).filter_by(username="admin"))
        assert db.session.get(TwoFactor, admin.id).secret == DEMO_ADMIN_TOTP_SECRET
