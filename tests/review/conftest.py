"""Fixtures for the review pages: the demo province and helpers to find units
in a given state, log people in and read what the database holds.

Requests are never made while a test holds an app context: each request then
gets its own session, as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Response, ResponseGroup, Round, Unit, User
from survey_app.models.review import ScopeReview

ROUND = "P06-DIEM-NGHEN"
from survey_app.services.demo import DEMO_PASSWORD as PASSWORD  # noqa: E402


class Review:
    round = ROUND

    def __init__(self, app: Flask) -> None:
        self.app = app

    def client(self, username: str | None = None) -> FlaskClient:
        c = self.app.test_client()
        if username is not None:
            r = c.post("/login", data={"username": username, "password": PASSWORD})
            assert r.status_code == 302, f"login of {username} failed"
        return c

    def scope_url(self, scope: str, unit: str, action: str | None = None) -> str:
        url = f"/review/rounds/{ROUND}/scopes/{scope}/units/{unit}"
        return f"{url}/{action}" if action else url

    def unit_with(self, group: str, status: str = "submitted", kind: str | None = None,
                  exclude: tuple[str, ...] = ()) -> str:
        """The code of a demo unit whose ``group`` has ``status`` (and no scope decision yet)."""
        with self.app.app_context():
            stmt = (select(Unit.code).join(Response, Response.unit_id == Unit.id)
                    .join(Round, Round.id == Response.round_id)
                    .join(ResponseGroup, ResponseGroup.response_id == Response.id)
                    .where(Round.code == ROUND, ResponseGroup.group_code == group, ResponseGroup.status == status,
                           ~Response.id.in_(select(ScopeReview.response_id).where(
                               ScopeReview.group_code == group, ScopeReview.status != "submitted")),
                           Unit.code.not_in(exclude))
                    .order_by(Unit.sort_order))
            if kind:
                stmt = stmt.where(Unit.kind == kind)
            code = db.session.scalars(stmt).first()
            db.session.remove()
        assert code is not None, f"the demo has no unit with {group} {status}"
        return code

    def group_status(self, unit: str, group: str) -> str:
        with self.app.app_context():
            status = db.session.scalar(
                select(ResponseGroup.status).join(Response, Response.id == ResponseGroup.response_id)
                .join(Unit, Unit.id == Response.unit_id).join(Round, Round.id == Response.round_id)
                .where(Unit.code == unit, Round.code == ROUND, ResponseGroup.group_code == group))
            db.session.remove()
        return str(status)

    def scope(self, unit: str, scope: str) -> dict[str, Any] | None:
        with self.app.app_context():
            row = db.session.scalar(
                select(ScopeReview).join(Response, Response.id == ScopeReview.response_id)
                .join(Unit, Unit.id == Response.unit_id).where(Unit.code == unit, ScopeReview.scope == scope))
            out = None if row is None else {
                "status": row.status, "returns_used": row.returns_used,
                "events": [(e.action, e.from_status, e.to_status, e.reason_code, e.reason) for e in row.events]}
            db.session.remove()
        return out

    def audit(self, action: str) -> list[AuditEvent]:
        with self.app.app_context():
            rows = list(db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
            db.session.expunge_all()
            db.session.remove()
        return rows

    def submit(self, unit: str, group: str, username: str) -> tuple[str, ...]:
        """The unit's head hands a group in again (through the respondent service)."""
        from survey_app.services.answers import submit_group, unit_round

        with self.app.app_context():
            user = db.session.scalar(select(User).filter_by(username=username))
            outcome = submit_group(unit_round(user, ROUND, unit), group, user)
            db.session.remove()
        return outcome.missing


@pytest.fixture
def seeded(demo: Flask) -> Flask:
    return demo


@pytest.fixture
def review(seeded: Flask) -> Review:
    return Review(seeded)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


@pytest.fixture
def count_queries(app: Flask) -> Iterator[QueryCounter]:
    """Counts the statements the app sends to the database while a test runs."""
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)
