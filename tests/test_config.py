from __future__ import annotations

from pathlib import Path

import pytest

from survey_app import create_app
from survey_app.config import database_uri


def test_sqlite_in_instance_folder_by_default(tmp_path: Path) -> None:
    assert database_uri(None, str(tmp_path)) == f"sqlite:///{tmp_path}/survey.sqlite3"


@pytest.mark.parametrize("url", ["postgres://u:p@h/db", "postgresql://u:p@h/db"])
def test_postgres_urls_use_psycopg3(url: str) -> None:
    assert database_uri(url, "/x") == "postgresql+psycopg://u:p@h/db"


def test_production_refuses_the_development_secret_key() -> None:
    with pytest.raises(RuntimeError, match="SURVEY_SECRET_KEY"):
        create_app({"ENV": "production", "DATABASE_URL": "sqlite://"})


def test_production_starts_with_a_real_secret_key() -> None:
    app = create_app({"ENV": "production", "SECRET_KEY": "a-long-random-value-1234567890-abcdef", "DATABASE_URL": "sqlite://"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_environment_variables_with_survey_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("SURVEY_MAX_EVIDENCE_MB", "20")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.sqlite3"
    assert app.config["MAX_EVIDENCE_MB"] == 20
