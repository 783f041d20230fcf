"""Fixtures: an app per database engine, a client, a CLI runner, a login helper.

Tests that use ``app`` run once on SQLite and once on PostgreSQL. PostgreSQL
is the database of ``SURVEY_TEST_POSTGRES_URL`` (its ``public`` schema is
wiped): without it those runs skip with a message, except in CI
(``CI=true``), where every skip is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from survey_app import create_app
from survey_app.extensions import db

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get("SURVEY_TEST_POSTGRES_URL")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """In CI nothing may be skipped: a skipped test is reported as failed."""
    report: pytest.TestReport = yield  # type: ignore[misc]
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, which counts as a failure: {report.longrepr}"
    return report  # type: ignore[return-value]


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: skipping is not allowed)")
    pytest.skip(reason)


def reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    if not POSTGRES_URL:
        _skip_or_fail("SURVEY_TEST_POSTGRES_URL is not set, so the PostgreSQL runs are skipped")
    assert POSTGRES_URL is not None
    try:
        reset_postgres(POSTGRES_URL)
    except Exception as exc:
        _skip_or_fail(f"PostgreSQL at SURVEY_TEST_POSTGRES_URL is not reachable: {exc}")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The server of SURVEY_TEST_POSTGRES_URL, for tests that need PostgreSQL itself
    (several app servers, pg_dump); they make databases of their own beside it."""
    if not POSTGRES_URL:
        _skip_or_fail("SURVEY_TEST_POSTGRES_URL is not set: this test needs PostgreSQL")
    assert POSTGRES_URL is not None
    return POSTGRES_URL


@pytest.fixture(scope="session")
def reset_schema() -> Callable[[str], None]:
    """Empty the ``public`` schema of a PostgreSQL database."""
    return reset_postgres


def make_app(database_url: str, instance: Path, **extra: object) -> Flask:
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "TWO_FACTOR": False,  # tests of the second factor turn it on
    }
    config.update(extra)
    app = create_app(config)
    app.instance_path = str(instance)
    return app


@pytest.fixture(scope="session")
def migrated_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app whose database was built by the migrations, once per engine."""
    from flask_migrate import upgrade

    app = make_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(migrated_app: Flask) -> Iterator[Flask]:
    """The migrated app; every table is emptied after each test."""
    yield migrated_app
    with migrated_app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
    from survey_app.services.banks import _bank_from_fingerprint

    _bank_from_fingerprint.cache_clear()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class AuthActions:
    """Log a test client in and out, as a person would."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str, password: str = "Khao-sat-P06-2024", next_url: str | None = None):  # type: ignore[no-untyped-def]
        url = "/login" + (f"?next={next_url}" if next_url else "")
        return self._client.post(url, data={"username": username, "password": password})

    def logout(self):  # type: ignore[no-untyped-def]
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
