"""Security headers on every route, no inline script or style, production cookies and keys."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import EvidenceFile
from survey_app.services.demo import DEMO_PASSWORD

TEMPLATES = Path(__file__).resolve().parent.parent / "survey_app" / "templates"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
VALUES: dict[str, Any] = {"round_code": "P06-DIEM-NGHEN", "unit_code": "STP", "group_code": "legal",
                          "question_code": "PL-01", "code": "en", "version_id": 1, "user_id": 1,
                          "proposal_id": 1, "scope_code": "legal", "action": "accept"}


def check(response: Any, where: str, static: bool = False) -> None:
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp, where
    assert "unsafe-inline" not in csp, where
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("Referrer-Policy") == "same-origin", where
    assert h.get("X-Frame-Options") == "DENY", where
    if not static:
        assert h.get("Cache-Control") == "no-store", where


@pytest.fixture
def head(demo: Flask) -> FlaskClient:
    c = demo.test_client()
    assert c.post("/login", data={"username": "stp-head", "password": DEMO_PASSWORD}).status_code == 302
    return c


def test_headers_on_every_route_of_the_url_map(app: Flask, head: FlaskClient) -> None:
    with app.app_context():
        file_id = db.session.scalar(select(EvidenceFile.id).limit(1)) or 1
    seen = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "auth.logout":
            continue  # requested last, below
        with app.test_request_context():
            url = url_for(rule.endpoint, **{n: (file_id if n == "file_id" else "app.css" if n == "filename"
                                               else VALUES[n]) for n in rule.arguments})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            r = head.get(url) if method == "GET" else head.post(url, data={"action": "save"})
            r.close()
            assert r.status_code != 500, f"{method} {url}"
            check(r, f"{method} {url} -> {r.status_code}", static=rule.endpoint == "static")
            seen.add(rule.endpoint)
    check(head.post("/logout"), "POST /logout")
    check(app.test_client().get("/"), "anonymous GET /")
    check(app.test_client().get("/no-such-page"), "404")
    assert {"respond.group_page", "respond.evidence", "auth.login", "main.home", "static"} <= seen


def test_downloads_are_not_sniffed_nor_cached(app: Flask, head: FlaskClient) -> None:
    url = "/rounds/P06-DIEM-NGHEN/units/STP/groups/legal"
    page = head.get(url).get_data(as_text=True)
    hidden = {}
    for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            hidden[name.group(1)] = value.group(1) if value else ""
    data: dict[str, Any] = hidden | {"action": "save", "q_PL_07-file": (BytesIO(PDF), "ke-hoach.pdf")}
    assert head.post(url, data=data).status_code == 302
    with app.app_context():
        file_id = db.session.scalar(select(EvidenceFile.id).filter_by(filename="ke-hoach.pdf"))
    r = head.get(f"/evidence/{file_id}")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    check(r, "evidence download")


def test_static_files_may_be_cached_but_not_sniffed(client: FlaskClient) -> None:
    r = client.get("/static/app.css")
    r.close()
    check(r, "static", static=True)
    assert r.headers.get("Cache-Control") != "no-store"


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://survey.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_nginx_the_forwarded_scheme_and_address_count(tmp_path: Path) -> None:
    app = create_app({"SECRET_KEY": "x" * 32, "DATABASE_URL": "sqlite://", "PROXY_COUNT": 1})

    @app.get("/__where")
    def where() -> dict[str, Any]:
        from flask import request

        return {"addr": request.remote_addr, "secure": request.is_secure}

    r = app.test_client().get("/__where", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert r.json == {"addr": "203.0.113.7", "secure": True}
    assert "Strict-Transport-Security" in r.headers


def test_no_template_has_inline_script_style_or_event_handler() -> None:
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        # Jinja expressions are not markup (``only='x'`` is a keyword argument, not a handler).
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        # A JSON data block is not executed, so the policy allows it.
        for pattern in (r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", r"<style\b",
                        r"\sstyle\s*=", r"\son[a-z]+\s*="):
            offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)]
    assert offenders == []


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path: Path) -> None:
    from flask_login import login_user

    app = create_app({"ENV": "production", "SECRET_KEY": "k" * 32, "DATABASE_URL": "sqlite://"})

    @app.get("/__login")
    def fake_login() -> str:
        from survey_app.models import User

        user = User(id=1, username="x", full_name="x", password_hash="x", session_generation=0, active=True)
        login_user(user, remember=True)
        return "ok"

    r = app.test_client().get("/__login", base_url="https://survey.example")
    cookies = {c.split("=", 1)[0]: c for c in r.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"session", "remember_token"}
    for name, cookie in cookies.items():
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, name


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "x", "a" * 31])
def test_production_refuses_a_missing_or_short_secret_key(key: str | None) -> None:
    config: dict[str, Any] = {"ENV": "production", "DATABASE_URL": "sqlite://"}
    if key is not None:
        config["SECRET_KEY"] = key
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        create_app(config)
