"""Hostile input never answers 500: control characters, line breaks where one line
is expected, oversized bodies, on both engines, with a message in the user's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.demo import DEMO_PASSWORD

REFUSED_VI = "Yêu cầu có ký tự không lưu được"
REFUSED_EN = "The request contains characters that cannot be saved"
GROUP = "/rounds/P06-DIEM-NGHEN/units/STP/groups/legal"


@pytest.fixture
def head(demo: Flask) -> FlaskClient:
    c = demo.test_client()
    assert c.post("/login", data={"username": "stp-head", "password": DEMO_PASSWORD}).status_code == 302
    return c


def refused(r: Any, message: str = REFUSED_VI) -> bool:
    return r.status_code == 400 and message in r.get_data(as_text=True)


@pytest.mark.parametrize("username", ["stp\x00head", "stp-head\r\nX-Injected: 1", "\x00", "a\x1bb"])
def test_control_characters_in_the_login_name(client: FlaskClient, username: str) -> None:
    assert refused(client.post("/login", data={"username": username, "password": "x" * 20}))


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: a=b", "/%0d%0aLocation: //evil", "/\x00", "/ok\n"])
def test_line_breaks_in_the_login_next(client: FlaskClient, target: str) -> None:
    r = client.post("/login", query_string={"next": target}, data={"username": "u", "password": "p"})
    assert r.status_code != 500
    assert refused(r) or r.headers.get("Location") in (None, "/")


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: a=b", "/x\x00", "\n/"])
def test_line_breaks_in_the_language_forms_next(client: FlaskClient, target: str) -> None:
    assert refused(client.post("/language/en", data={"next": target}), REFUSED_VI)


def test_the_message_follows_the_users_language(client: FlaskClient) -> None:
    client.post("/language/en", data={"next": "/login"})
    assert refused(client.post("/login", data={"username": "a\x00", "password": "p"}), REFUSED_EN)


@pytest.mark.parametrize("path", ["/rounds/P06%002024/units/STP", "/rounds/P06-DIEM-NGHEN/units/ST%00P/groups/legal",
                                  "/evidence/1%00"])
def test_nul_in_the_path(head: FlaskClient, path: str) -> None:
    r = head.get(path)
    assert r.status_code in (400, 404)


def test_nul_in_the_query_and_in_a_header(head: FlaskClient) -> None:
    assert refused(head.get(GROUP, query_string={"add_row": "PL-05\x00"}))
    assert refused(head.get(GROUP, headers={"X-Request-Id": "a\x00b"}))


def test_a_button_value_with_a_line_break(head: FlaskClient) -> None:
    """The group form checks its own values (tests/respond/test_respond_findings.py): an odd
    button value saves like "Save draft" and never reaches a header."""
    r = head.post(GROUP, data={"action": "add_row:PL-05\r\nSet-Cookie: x=y"})
    assert r.status_code == 302 and "\n" not in r.headers["Location"] and "Set-Cookie" not in r.headers["Location"]


def test_nul_in_an_answer_and_line_breaks_kept_in_a_text_answer(app: Flask, head: FlaskClient) -> None:
    r = head.post(GROUP, data={"action": "save", "q_PL_10a-present": "1", "q_PL_10a-answer": "Ban\x00đầu"})
    assert r.status_code == 422 and "Ban" in r.get_data(as_text=True)  # a message next to it; the text stays
    r = head.post(GROUP + "/autosave", data={"q_PL_10a-present": "1", "q_PL_10a-answer": "Dòng 1\r\nDòng 2"})
    assert r.status_code != 400 and r.status_code != 500


def test_nul_in_a_file_name(head: FlaskClient) -> None:
    from io import BytesIO

    r = head.post(GROUP, data={"action": "save", "q_PL_07-file": (BytesIO(b"%PDF-1.4"), "a\x00.pdf")})
    assert refused(r)


def test_an_oversized_body_is_refused_with_a_message(app: Flask, client: FlaskClient) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b"username=u&password=" + b"x" * (limit + 10)  # bytes: the test client spools a dict to a file
    r = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413 and "quá lớn" in r.get_data(as_text=True)


def test_a_form_with_too_many_fields_is_refused(app: Flask, client: FlaskClient) -> None:
    from werkzeug.datastructures import MultiDict
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart(MultiDict({f"f{i}": "x" for i in range(app.config["MAX_FORM_PARTS"] + 10)}))
    r = client.post("/login", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 413


def test_the_500_handler_rolls_the_session_back(tmp_path: Path) -> None:
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    with app.app_context():
        db.create_all()

    @app.get("/__half-done")
    def half_done() -> str:
        db.session.add(Unit(code="HALF", name_vi="x", name_en="x", kind="department"))
        db.session.flush()
        raise ValueError("secret internals")

    @app.get("/__count")
    def count() -> str:
        return str(db.session.scalar(select(func.count()).select_from(Unit)))

    c = app.test_client()
    r = c.get("/__half-done")
    assert r.status_code == 500 and "secret internals" not in r.get_data(as_text=True)
    assert c.get("/__count").get_data(as_text=True) == "0"


def test_debug_mode_still_shows_the_debugger() -> None:
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": "sqlite://", "DEBUG": True})

    @app.get("/__boom")
    def boom() -> str:
        raise ValueError("for the debugger")

    with pytest.raises(ValueError, match="for the debugger"):  # propagated to the Werkzeug debugger
        app.test_client().get("/__boom")
