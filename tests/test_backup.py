"""Backup and restore as docs/operations.md says: a seeded database, backed up,
restored into an empty one, has every answer, evidence file and audit event."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Answer, AuditEvent, BankQuestion, EvidenceFile, Response, User
from survey_app.services.audit import record
from survey_app.services.demo import seed_demo

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def app_on(url: str, instance: Path) -> Flask:
    app = create_app({"SECRET_KEY": "backup-test", "DATABASE_URL": url})
    app.instance_path = str(instance)
    return app


def seed(app: Flask) -> None:
    """The demo province, plus evidence files (binary) and audit events."""
    with app.app_context():
        upgrade()
        seed_demo(today=date(2024, 5, 10))
        user = db.session.scalar(select(User).filter_by(username="stp-head"))
        for response in db.session.scalars(select(Response).limit(3)):
            question = db.session.scalar(select(BankQuestion).limit(1))
            data = PDF + bytes(range(256)) * (response.id % 5 + 1)
            db.session.add(EvidenceFile(response_id=response.id, question_id=question.id,
                                        filename=f"minh-chung-{response.id}.pdf", content_type="application/pdf",
                                        size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                                        uploaded_by_id=user.id))
            record("evidence.uploaded", actor_id=user.id, actor_name=user.username, object_type="response",
                   object_id=response.id, detail={"tên tệp": f"minh-chung-{response.id}.pdf"})
        record("login.succeeded", actor_id=user.id, actor_name=user.username)
        db.session.commit()
        db.engine.dispose()


def contents(app: Flask) -> dict[str, Any]:
    """Every answer, evidence file (by content hash) and audit event, comparable."""
    with app.app_context():
        answers = {(a.response_id, a.question_id, repr(a.value), a.comment, repr(a.evidence))
                   for a in db.session.scalars(select(Answer))}
        files = {(f.id, f.filename, hashlib.sha256(f.data).hexdigest(), f.sha256)
                 for f in db.session.scalars(select(EvidenceFile))}
        events = {(e.id, e.action, e.actor_name, e.at.replace(tzinfo=None).isoformat(), repr(e.detail))
                  for e in db.session.scalars(select(AuditEvent))}
        db.session.remove()
        db.engine.dispose()
    return {"answers": answers, "files": files, "events": events}


def test_sqlite_backup_and_restore(tmp_path: Path) -> None:
    live = tmp_path / "survey.sqlite3"
    original = app_on(f"sqlite:///{live}", tmp_path)
    seed(original)
    before = contents(original)
    assert len(before["answers"]) > 500 and len(before["files"]) == 3 and len(before["events"]) >= 4

    backup = tmp_path / "backup" / "survey-2026-11-30.sqlite3"
    backup.parent.mkdir()
    source, target = sqlite3.connect(live), sqlite3.connect(backup)  # what sqlite3's ".backup" does
    with target:
        source.backup(target)
    source.close()
    target.close()

    restored_path = tmp_path / "restored" / "survey.sqlite3"
    restored_path.parent.mkdir()
    shutil.copyfile(backup, restored_path)  # restore: copy the backup in place, app stopped
    assert contents(app_on(f"sqlite:///{restored_path}", tmp_path)) == before


def side_database(postgres_url: str, suffix: str) -> str:
    parts = urlsplit(postgres_url)
    name = parts.path.lstrip("/") + suffix
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return urlunsplit(parts._replace(path="/" + name))


@pytest.mark.postgres
def test_postgresql_backup_and_restore(tmp_path: Path, postgres_url: str,
                                       reset_schema: Callable[[str], None]) -> None:
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "apt-get install postgresql-client"
    live, empty = side_database(postgres_url, "_backup_live"), side_database(postgres_url, "_backup_restored")
    original = app_on(live, tmp_path)
    seed(original)
    before = contents(original)
    assert len(before["answers"]) > 500 and len(before["files"]) == 3 and len(before["events"]) >= 4

    dump = tmp_path / "survey-2026-11-30.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", live], check=True)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={empty}", str(dump)], check=True)
    assert contents(app_on(empty, tmp_path)) == before
    for url in (live, empty):
        reset_schema(url)
