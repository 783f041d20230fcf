"""Every administration page and action is refused to every role but ``admin``."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

SAMPLE = {"code": "STP", "version_id": 1, "user_id": 1}
OTHER_ROLES = {"editor": "stp-editor", "head": "stp-head", "reviewer": "stttt-reviewer",
               "coordinator": "catinh-coordinator"}


def admin_urls(app: Flask) -> list[tuple[str, str]]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            path = rule.build({k: SAMPLE[k] for k in rule.arguments}, append_unknown=False)[1]  # type: ignore[index]
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                urls.append((method, path))
    return urls


def test_the_sweep_covers_every_admin_route(app: Flask) -> None:
    urls = admin_urls(app)
    assert len({path for _m, path in urls}) >= 20
    assert ("POST", "/admin/routing") in urls and ("GET", "/admin/audit.xlsx") in urls


@pytest.mark.parametrize("role", sorted(OTHER_ROLES))
def test_every_admin_route_is_refused_to(role: str, demo: Flask, client: FlaskClient, auth: object) -> None:
    assert auth.login(OTHER_ROLES[role]).status_code == 302  # type: ignore[attr-defined]
    for method, path in admin_urls(demo):
        response = client.open(path, method=method, data={"active": "0", "scope": "security", "lead": "CA-TINH",
                                                          "valid_from": "2025-03-01"})
        assert response.status_code == 404, (role, method, path)
    assert "/admin/" not in client.get("/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_the_login_page(demo: Flask, client: FlaskClient) -> None:
    for method, path in admin_urls(demo):
        response = client.open(path, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, path)


def test_the_administrator_sees_the_link_and_every_page(admin: FlaskClient) -> None:
    assert 'href="/admin/"' in admin.get("/").get_data(as_text=True)
    for path in ("/admin/", "/admin/units", "/admin/units/new", "/admin/units/STP", "/admin/users",
                 "/admin/users/new", "/admin/rounds", "/admin/rounds/new", "/admin/rounds/P06-DIEM-NGHEN",
                 "/admin/routing", "/admin/banks", "/admin/audit", "/admin/audit.xlsx",
                 "/admin/users/access-review.xlsx", "/admin/rounds/new?from=P06-DIEM-NGHEN"):
        assert admin.get(path).status_code == 200, path
