"""Fixtures: an app per database engine, a client, a CLI runner, a login helper.

Tests that use ``app`` run once on SQLite and once on PostgreSQL; ``demo``
is the same app holding the demo province, seeded once per engine and
restored from a snapshot for each test (much faster than seeding it again).
PostgreSQL
is the database of ``SURVEY_TEST_POSTGRES_URL`` (its ``public`` schema is
wiped): without it those runs skip with a message, except in CI
(``CI=true``), where every skip is a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, Integer, create_engine, event, select, text

from survey_app import create_app
from survey_app.extensions import db
from survey_app.services.demo import DEMO_PASSWORD

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _per_worker(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own PostgreSQL database beside the
    configured one (``test`` → ``test_gw0``), created on first use, so workers
    never wipe each other's schema. Tests that read the variable see it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_{worker}"
    own = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                               isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception:  # unreachable: the fixtures below report it (skip, or fail in CI)
        return url
    os.environ["SURVEY_TEST_POSTGRES_URL"] = own
    return own


POSTGRES_URL = _per_worker(os.environ.get("SURVEY_TEST_POSTGRES_URL"))


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
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE"))
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        # A test database needs no durability: commits stop waiting for the disk.
        conn.execute(text("SELECT set_config('synchronous_commit', 'off', false)"))
        conn.execute(text(f'ALTER DATABASE "{conn.scalar(text("SELECT current_database()"))}" '
                          "SET synchronous_commit = off"))
    engine.dispose()


def _engine_url(engine: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    if not POSTGRES_URL:
        _skip_or_fail("SURVEY_TEST_POSTGRES_URL is not set, so the PostgreSQL runs are skipped")
    assert POSTGRES_URL is not None
    try:
        reset_postgres(POSTGRES_URL)
    except Exception as exc:
        _skip_or_fail(f"PostgreSQL at SURVEY_TEST_POSTGRES_URL is not reachable: {exc}")
    return POSTGRES_URL


class Engines:
    """Both engines' migrated apps and demo snapshots, built once per session and
    kept side by side.

    A session-scoped fixture parametrized by engine would hold one engine at a
    time: pytest tears it down and builds the other each time the engine
    changes, which under ``--dist loadfile`` is every file (migrations and a
    demo seed, 4–6 s each time).
    """

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp = tmp_path_factory
        self.urls: dict[str, str] = {}
        self.apps: dict[str, Flask] = {}
        self.snapshots: dict[str, Snapshot] = {}

    def url(self, engine: str) -> str:
        if engine not in self.urls:
            self.urls[engine] = _engine_url(engine, self.tmp)
        return self.urls[engine]

    def app(self, engine: str) -> Flask:
        if engine not in self.apps:
            from flask_migrate import upgrade

            app = make_app(self.url(engine), self.tmp.mktemp("instance"))
            with app.app_context():
                upgrade()
            self.apps[engine] = app
        return self.apps[engine]

    def snapshot(self, engine: str) -> Snapshot:
        if engine not in self.snapshots:
            self.snapshots[engine] = _seed_snapshot(self.app(engine))
        return self.snapshots[engine]

    def close(self) -> None:
        for app in self.apps.values():
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engines]:
    kept = Engines(tmp_path_factory)
    yield kept
    kept.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    """The database engine of the test: every test that uses ``app`` runs on both."""
    return str(request.param)


@pytest.fixture
def database_url(engine: str, engines: Engines) -> str:
    return engines.url(engine)


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


@pytest.fixture
def migrated_app(engine: str, engines: Engines) -> Flask:
    """An app whose database was built by the migrations, once per engine."""
    return engines.app(engine)


def empty_tables(app: Flask) -> None:
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


@pytest.fixture
def app(migrated_app: Flask, engine: str, engines: Engines, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The migrated app, its tables empty, or holding the demo province when the
    test also asks for ``demo``: only the tables written since the last test are
    put back (see :class:`Held`)."""
    wants_demo = "demo" in request.fixturenames
    HELD.prepare(migrated_app, engines.snapshot(engine) if wants_demo else None)
    yield migrated_app
    from survey_app.services.banks import _bank_from_fingerprint
    from survey_app.services.review import counted

    _bank_from_fingerprint.cache_clear()
    counted.forget()  # the next test restores the database under the same change stamps


Snapshot = dict[str, list[dict[str, Any]]]
#: On PostgreSQL the demo's rows are also kept in tables of this schema, and
#: restored by the server itself (INSERT … SELECT), without a round trip per row.
SNAPSHOT_SCHEMA = "demo_snapshot"


def take_snapshot(app: Flask) -> Snapshot:
    """Every row of every table, by table name."""
    with app.app_context():
        snap = {t.name: [dict(r) for r in db.session.execute(select(t)).mappings()] for t in db.metadata.sorted_tables}
        db.session.remove()
        return snap


def keep_snapshot_in_postgres(app: Flask, snap: Snapshot) -> None:
    """Copy the snapshot into tables of :data:`SNAPSHOT_SCHEMA` (PostgreSQL only)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        db.session.execute(text(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE"))
        db.session.execute(text(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}"))
        for table in db.metadata.sorted_tables:
            # No defaults copied: nothing may depend on public's sequences (migrations drop them).
            db.session.execute(text(f"CREATE TABLE {SNAPSHOT_SCHEMA}.{table.name} (LIKE public.{table.name})"))
            if snap[table.name]:
                db.session.execute(table.insert(), snap[table.name])
                db.session.execute(text(f"INSERT INTO {SNAPSHOT_SCHEMA}.{table.name} "
                                        f"SELECT * FROM public.{table.name}"))
        db.session.commit()
        db.session.remove()
    empty_tables(app)


#: A statement that writes rows, and the table it writes (with or without the schema).
_WRITES = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:"?public"?\.)?"?(\w+)', re.IGNORECASE)
#: A statement that changes the schema: after it, nothing is known of the contents.
_DDL = re.compile(r"^\s*(?:CREATE|DROP|ALTER|TRUNCATE)\b", re.IGNORECASE)


class Held:
    """What each test database holds, so that a test starts from the state it
    asks for without rewriting every table.

    Every statement any engine of this process sends is watched
    (``before_cursor_execute``): the tables it writes are marked dirty, and a
    change of schema (migrations, the snapshot's own schema) makes the contents
    unknown. Before a test, :meth:`prepare` empties the dirty tables, or deletes
    and re-inserts them from the demo snapshot; a database whose contents are
    unknown, or that holds the other state, has every table cleared and filled.
    Foreign keys are not checked during the copy (SQLite ``foreign_keys=OFF``,
    PostgreSQL ``session_replication_role = replica``): a clean table may point
    at rows of a dirty one, which are put back with the same ids, and no
    cascade may touch a clean table. (Nothing but this process writes the test
    databases: the gunicorn, live-server and backup tests use databases of
    their own.)
    """

    def __init__(self) -> None:
        self.contents: dict[str, str] = {}  # database url -> "empty", "demo" or "unknown"
        self.dirty: dict[str, set[str]] = {}

    def watch(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        url = conn.engine.url.render_as_string()
        if _DDL.match(statement):
            self.contents[url] = "unknown"
        else:
            self.dirty.setdefault(url, set()).update(m.group(1).lower() for m in _WRITES.finditer(statement))

    def prepare(self, app: Flask, snap: Snapshot | None) -> None:
        want = "demo" if snap is not None else "empty"
        with app.app_context():
            db.session.rollback()
            db.session.remove()
            url = db.engine.url.render_as_string()
            tables = db.metadata.sorted_tables
            if self.contents.get(url, "unknown") == want:
                dirty = self.dirty.get(url, set())
                tables = [t for t in tables if t.name in dirty]
            # The database's own triggers write round_changes (no statement of ours
            # names it), SQLite's even while rows are copied: always put it back, last.
            tables = [t for t in tables if t.name != "round_changes"] + [db.metadata.tables["round_changes"]]
            postgres = db.engine.dialect.name == "postgresql"
            with db.engine.connect() as conn:
                if not postgres:  # outside a transaction, or SQLite ignores it
                    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                try:
                    self._copy(conn, tables, snap, postgres)
                finally:
                    if not postgres:
                        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            self.contents[url] = want
            self.dirty[url] = set()

    @staticmethod
    def _copy(conn: Any, tables: list[Any], snap: Snapshot | None, postgres: bool) -> None:
        if postgres:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")

        def put_back(table: Any) -> None:
            assert snap is not None
            if snap[table.name] and postgres:
                conn.execute(text(f"INSERT INTO public.{table.name} "
                                  f"SELECT * FROM {SNAPSHOT_SCHEMA}.{table.name}"))
            elif snap[table.name]:
                conn.execute(table.insert(), snap[table.name])
            if postgres and "id" in table.c and isinstance(table.c.id.type, Integer) \
                    and table.c.id.primary_key:  # the sequence follows the ids put back
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))

        *tables, last = tables  # round_changes, last (see prepare)
        for table in reversed(tables):
            conn.execute(table.delete())
        for table in tables if snap is not None else ():
            put_back(table)
        conn.execute(last.delete())
        if snap is not None:
            put_back(last)
        conn.commit()


HELD = Held()
event.listen(Engine, "before_cursor_execute", HELD.watch)


def _seed_snapshot(migrated_app: Flask) -> Snapshot:
    """The demo province, seeded once per engine and kept as rows."""
    empty_tables(migrated_app)
    result = migrated_app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    snap = take_snapshot(migrated_app)
    empty_tables(migrated_app)
    # The same password, hashed with one round instead of scrypt: a test logs
    # in several people, and each scrypt check costs half a second of CPU.
    from werkzeug.security import generate_password_hash

    quick = generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1")
    for row in snap["users"]:
        row["password_hash"] = quick
    keep_snapshot_in_postgres(migrated_app, snap)
    return snap


@pytest.fixture
def demo_snapshot(engine: str, engines: Engines) -> Snapshot:
    return engines.snapshot(engine)


@pytest.fixture
def demo(app: Flask) -> Flask:
    """The app holding the demo province (units, users, routing, the open
    round P06-DIEM-NGHEN and its answers), as ``flask demo seed`` leaves it;
    the ``app`` fixture restores it."""
    return app


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
