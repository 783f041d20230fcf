from __future__ import annotations

from typing import Any as AuthActions  # the fixture type lives in conftest

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey_app.extensions import db
from survey_app.models import Membership, Role, Unit, User

PASSWORD = "Khao-sat-P06-2024"  # the default of AuthActions.login


@pytest.fixture
def user(app: Flask) -> None:
    with app.app_context():
        unit = Unit(code="STP", name_vi="Sở Tư pháp", name_en="Department of Justice", kind="department")
        u = User(username="stp-head", full_name="Nguyễn Văn A", locale="vi")
        u.set_password(PASSWORD)
        u.memberships.append(Membership(unit=unit, role=Role.HEAD.value))
        db.session.add(u)
        db.session.commit()


def test_login_page_is_vietnamese_by_default(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page and "Tên đăng nhập" in page


def test_home_requires_login(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_login_and_logout(client: FlaskClient, auth: AuthActions, user: None) -> None:
    response = auth.login("stp-head")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Nguyễn Văn A" in home and "Sở Tư pháp" in home and "Thủ trưởng đơn vị" in home
    auth.logout()
    assert client.get("/").status_code == 302


def test_wrong_password_fails_with_a_message(client: FlaskClient, auth: AuthActions, user: None) -> None:
    response = auth.login("stp-head", "wrong")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    assert 'value="stp-head"' in page  # what the user typed is kept


def test_unknown_user_gets_the_same_message(client: FlaskClient, auth: AuthActions, user: None) -> None:
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in auth.login("nobody").get_data(as_text=True)


def test_empty_form_names_each_field(client: FlaskClient) -> None:
    page = client.post("/login", data={}).get_data(as_text=True)
    assert "Nhập tên đăng nhập." in page and "Nhập mật khẩu." in page


@pytest.mark.parametrize("next_url", ["/?tab=1", "/healthz"])
def test_local_next_is_followed(auth: AuthActions, user: None, next_url: str) -> None:
    assert auth.login("stp-head", next_url=next_url).headers["Location"] == next_url


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_foreign_next_is_ignored(auth: AuthActions, user: None, next_url: str) -> None:
    assert auth.login("stp-head", next_url=next_url).headers["Location"] == "/"


def test_switch_to_english_is_saved_on_the_user(app: Flask, client: FlaskClient, auth: AuthActions, user: None) -> None:
    auth.login("stp-head")
    client.post("/language/en", data={"next": "/"})
    assert "Your units and roles" in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).filter_by(username="stp-head").one().locale == "en"


def test_forms_need_a_csrf_token(migrated_app: Flask) -> None:
    migrated_app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = migrated_app.test_client().post("/login", data={"username": "x", "password": "y"})
    finally:
        migrated_app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
