"""Fixtures for the respondent pages: the demo province, logged-in clients,
a reader of the group form as a browser would post it, and database helpers.

Requests are never made while a test holds an app context: each request then
gets its own session, as in production.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AnswerRevision,
    BankQuestion,
    Bottleneck,
    EvidenceFile,
    GroupEvent,
    Response,
    ResponseGroup,
    Round,
    Unit,
)
from survey_app.services.demo import DEMO_PASSWORD

ROUND = "P06-DIEM-NGHEN"
PASSWORD = DEMO_PASSWORD


def group_url(unit: str, group: str) -> str:
    return f"/rounds/{ROUND}/units/{unit}/groups/{group}"


class _FormReader(HTMLParser):
    """The fields a browser would send for ``<form id="group-form">``."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: tuple[str, list[str]] | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
            return
        if tag == "option":
            if self._select is not None:
                self._select[1].append((attrs.get("value") or "", "selected" in attrs))
            return
        name = attrs.get("name")
        if not name or "disabled" in attrs or not (self.in_form or attrs.get("form") == self.form_id):
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value") or ("on" if kind in ("radio", "checkbox") else "")))
        elif tag == "textarea":
            self._textarea = (name, [])
        elif tag == "select":
            self._select = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea[1])
            text = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
            self.fields.append((self._textarea[0], text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = next((v for v, sel in options if sel), options[0][0] if options else "")
            self.fields.append((name, chosen))
            self._select = None


def form_data(html: str, form_id: str = "group-form") -> dict[str, list[str]]:
    """The group form's current values, as a browser would post them."""
    reader = _FormReader(form_id)
    reader.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in reader.fields:
        out.setdefault(name, []).append(value)
    return out


def field(name: str) -> str:
    """The form prefix of a question: ``PL-01`` → ``q_PL_01``."""
    return "q_" + name.replace("-", "_")


class Survey:
    """Database and client helpers bound to the test's app."""

    round = ROUND
    url = staticmethod(group_url)
    form_data = staticmethod(form_data)
    field = staticmethod(field)

    def __init__(self, app: Flask) -> None:
        self.app = app

    # Clients

    def client(self, username: str | None = None) -> FlaskClient:
        c = self.app.test_client()
        if username is not None:
            r = c.post("/login", data={"username": username, "password": PASSWORD})
            assert r.status_code == 302, f"login of {username} failed"
        return c

    def page(self, c: FlaskClient, unit: str, group: str) -> tuple[str, dict[str, list[str]]]:
        r = c.get(group_url(unit, group))
        assert r.status_code == 200, r.status_code
        html = r.get_data(as_text=True)
        return html, form_data(html)

    # Database

    def reset_unit(self, unit_code: str) -> None:
        """Forget everything the unit answered in the round (the demo may have seeded some)."""
        with self.app.app_context():
            response_ids = select(Response.id).join(Unit, Unit.id == Response.unit_id).join(
                Round, Round.id == Response.round_id).where(Unit.code == unit_code, Round.code == ROUND)
            group_ids = select(ResponseGroup.id).where(ResponseGroup.response_id.in_(response_ids))
            answer_ids = select(Answer.id).where(Answer.response_id.in_(response_ids))
            db.session.execute(delete(AnswerRevision).where(AnswerRevision.answer_id.in_(answer_ids)))
            db.session.execute(delete(Bottleneck).where(Bottleneck.response_group_id.in_(group_ids)))
            db.session.execute(delete(GroupEvent).where(GroupEvent.response_group_id.in_(group_ids)))
            db.session.execute(delete(EvidenceFile).where(EvidenceFile.response_id.in_(response_ids)))
            db.session.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
            db.session.execute(delete(ResponseGroup).where(ResponseGroup.response_id.in_(response_ids)))
            db.session.execute(delete(Response).where(Response.id.in_(response_ids)))
            db.session.commit()
            db.session.remove()

    def _response_id(self, unit_code: str) -> int | None:
        return db.session.scalar(select(Response.id).join(Unit, Unit.id == Response.unit_id).join(
            Round, Round.id == Response.round_id).where(Unit.code == unit_code, Round.code == ROUND))

    def answers(self, unit_code: str) -> dict[str, Answer]:
        """The unit's stored answers by question code (detached copies)."""
        with self.app.app_context():
            rows = db.session.execute(
                select(BankQuestion.code, Answer).join(Answer, Answer.question_id == BankQuestion.id)
                .where(Answer.response_id == self._response_id(unit_code)))
            out = {code: answer for code, answer in rows}
            db.session.expunge_all()
            db.session.remove()
            return out

    def values(self, unit_code: str) -> dict[str, Any]:
        return {code: a.value for code, a in self.answers(unit_code).items()}

    def group(self, unit_code: str, group_code: str) -> ResponseGroup | None:
        with self.app.app_context():
            row = db.session.scalar(select(ResponseGroup).where(
                ResponseGroup.response_id == self._response_id(unit_code), ResponseGroup.group_code == group_code))
            if row is not None:
                _ = row.bottlenecks  # loaded before the session goes
                db.session.expunge_all()
            db.session.remove()
            return row

    def revisions(self, unit_code: str, question_code: str) -> list[AnswerRevision]:
        with self.app.app_context():
            rows = list(db.session.scalars(
                select(AnswerRevision).join(Answer, Answer.id == AnswerRevision.answer_id)
                .join(BankQuestion, BankQuestion.id == Answer.question_id)
                .where(Answer.response_id == self._response_id(unit_code), BankQuestion.code == question_code)
                .order_by(AnswerRevision.id)))
            db.session.expunge_all()
            db.session.remove()
            return rows

    def files(self, unit_code: str) -> list[EvidenceFile]:
        with self.app.app_context():
            rows = list(db.session.scalars(select(EvidenceFile).where(
                EvidenceFile.response_id == self._response_id(unit_code)).order_by(EvidenceFile.id)))
            db.session.expunge_all()
            db.session.remove()
            return rows


@pytest.fixture
def seeded(demo: Flask) -> Flask:
    """The demo province (units, users, routing, the open round P06-DIEM-NGHEN),
    restored from the session's snapshot rather than seeded again."""
    return demo


@pytest.fixture
def survey(seeded: Flask) -> Survey:
    return Survey(seeded)


@pytest.fixture
def login(survey: Survey) -> Callable[[str], FlaskClient]:
    """A new client logged in as the given demo user."""
    return survey.client


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_server_errors(app: Flask) -> Iterator[None]:
    """Fail any test during which the app answered 500 (its handler logs the error)."""
    handler = _Errors()
    app.logger.addHandler(handler)
    yield
    app.logger.removeHandler(handler)
    assert not handler.records, f"the app answered 500: {handler.records[0].exc_info!r}"
