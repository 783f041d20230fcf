"""Many editors of the same groups at once, under gunicorn on PostgreSQL.

The run of ``benchmarks/concurrency.py`` that issue 8 asks of CI: 50 clients
of 10 units for 60 s against gunicorn's workers (see there for what the
clients do and how the database is compared with what they were told):
nothing silently replaced, nothing acknowledged lost, no server error.
It uses a database of its own beside the test database
(``<name>_load``), created when missing.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("SURVEY_TEST_POSTGRES_URL")


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("concurrency", ROOT / "benchmarks" / "concurrency.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def own_database(url: str) -> str:
    """``url`` with ``_load`` added to the database name, created if needed."""
    base, name = url.rsplit("/", 1)
    load_name = f"{name}_load"
    engine = create_engine(f"{base}/postgres".replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": load_name}):
            conn.execute(text(f'CREATE DATABASE "{load_name}"'))
    engine.dispose()
    return f"{base}/{load_name}"


@pytest.mark.postgres
def test_concurrent_editors_never_lose_or_silently_replace_an_answer() -> None:
    if not POSTGRES_URL:
        pytest.skip("SURVEY_TEST_POSTGRES_URL is not set")
    harness = load_harness()
    report = harness.run(own_database(POSTGRES_URL), units=10, per_unit=5, seconds=60, workers=4)
    assert report.acknowledged > 0, report.summary()
    assert report.silently_replaced == [], report.summary()
    assert report.lost == [], report.summary()
    assert report.server_errors == [], report.summary()
