from __future__ import annotations

from flask.testing import FlaskClient

from survey_app import create_app


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Trang này không tồn tại" in response.get_data(as_text=True)


def test_unexpected_error_shows_no_stack_trace() -> None:
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": "sqlite://"})  # not TESTING: errors are handled

    @app.get("/__boom")
    def boom() -> str:
        raise ValueError("secret internals")

    response = app.test_client().get("/__boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Hệ thống gặp sự cố" in page
    assert "Traceback" not in page and "secret internals" not in page
