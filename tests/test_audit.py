"""The audit trail: one append-only table written by one service."""

from __future__ import annotations

import ast
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.services import audit

PACKAGE = Path(__file__).resolve().parent.parent / "survey_app"


def test_record_keeps_origin_and_detail(app: Flask) -> None:
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}, headers={"X-Request-Id": "abc123"}):
        app.preprocess_request()
        audit.record("test.event", actor_name="someone", object_type="unit", object_id=7,
                     detail={"before": {"name": "A"}, "after": {"name": "B"}})
        db.session.commit()
        event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_name) == ("test.event", "someone")
    assert (event.object_type, event.object_id) == ("unit", "7")
    assert (event.source_ip, event.request_id) == ("10.1.2.3", "abc123")
    assert event.detail == {"before": {"name": "A"}, "after": {"name": "B"}}


def test_nothing_in_the_app_updates_or_deletes_audit_events() -> None:
    """Only services/audit.py names the model, and it only adds."""
    for path in PACKAGE.rglob("*.py"):
        if path.name == "audit.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"update", "delete"}:
                args = [a for a in node.args if isinstance(a, ast.Name)]
                assert not any(a.id == "AuditEvent" for a in args), f"{path} changes audit events"
