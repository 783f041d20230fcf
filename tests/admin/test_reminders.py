"""Reminders to late units through a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Membership, Notice, OutboxMessage, Role, Round, User
from survey_app.services.admin.reminders import late_units


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mail(demo: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, Inbox]]:
    """Heads and editors get e-mail addresses; the app points at a port where nothing listens yet."""
    port = free_port()
    monkeypatch.setitem(demo.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(demo.config, "MAIL_PORT", port)
    monkeypatch.setitem(demo.config, "MAIL_FROM", "khaosat@ubnd.example.gov.vn")
    with demo.app_context():
        for user in db.session.scalars(select(User)):
            user.email = f"{user.username}@example.gov.vn"
        db.session.commit()
    yield port, Inbox()


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_one_message_per_late_unit_in_vietnamese_delivered_once_after_the_server_was_down(
        demo: Flask, admin: FlaskClient, runner: FlaskCliRunner, mail: tuple[int, Inbox]) -> None:
    port, inbox = mail
    with demo.app_context():
        rnd = db.session.scalars(select(Round)).one()
        late = {lu.unit.code: lu.kind for lu in late_units(rnd)}
    assert {"not_started", "partial", "returned"} <= set(late.values())

    response = admin.post("/admin/rounds/P06-DIEM-NGHEN/remind",
                          data={"kinds": ["not_started", "partial", "returned"]})
    assert response.status_code == 302
    with demo.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Notice)) == len(late)
        queued = db.session.scalars(select(OutboxMessage)).all()
        assert len(queued) == len(late)

    down = runner.invoke(args=["reminders", "send"])  # nothing listens on the port yet
    assert down.exit_code == 1 and f"0 sent, {len(late)} failed" in down.output
    with demo.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert all(r.sent_at is None and r.attempts == 1 and r.last_error for r in rows)

    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        up = runner.invoke(args=["reminders", "send"])
        assert up.exit_code == 0 and f"{len(late)} sent, 0 failed" in up.output
        again = runner.invoke(args=["reminders", "send"])
        assert "0 sent, 0 failed" in again.output
    finally:
        controller.stop()

    assert len(inbox.messages) == len(late)
    by_unit: dict[str, Message] = {}
    for message in inbox.messages:
        recipients = message["To"]
        codes = {code for code in late if f"{code.lower().replace('-', '')}-head@" in recipients}
        assert len(codes) == 1, recipients
        code = codes.pop()
        assert f"{code.lower().replace('-', '')}-editor@" in recipients
        by_unit[code] = message
    assert set(by_unit) == set(late)
    for code, kind in late.items():
        body = by_unit[code].get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
        assert "Hạn nộp" in body and "Khảo sát Đề án 06" in subject(by_unit[code])
        if kind == "returned":
            assert "trả lại" in body
        elif kind == "partial":
            assert "một phần" in body
        else:
            assert "chưa bắt đầu" in body


def test_the_notice_shows_on_the_units_home_page(demo: Flask, admin: FlaskClient, client: FlaskClient,
                                                auth: Any) -> None:
    with demo.app_context():
        rnd = db.session.scalars(select(Round)).one()
        late = late_units(rnd)[0]
        editor = db.session.scalars(select(User).join(Membership).where(
            Membership.unit_id == late.unit.id, Membership.role == Role.EDITOR.value)).first()
        assert editor is not None
        username, unit_name = editor.username, late.unit.name_vi
    admin.post("/admin/rounds/P06-DIEM-NGHEN/remind", data={"kinds": [late.kind]})
    admin.post("/logout")
    auth.login(username)
    home = client.get("/").get_data(as_text=True)
    assert "notices-title" in home and unit_name in home
    with demo.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 0  # no mail server set


def test_reviewers_get_one_daily_digest(demo: Flask, runner: FlaskCliRunner, mail: tuple[int, Inbox]) -> None:
    port, inbox = mail
    first = runner.invoke(args=["reminders", "digest"])
    second = runner.invoke(args=["reminders", "digest"])
    assert first.exit_code == 0 and second.output.startswith("0 digest(s)")
    queued = int(first.output.split()[0])
    assert queued >= 1
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == queued
    assert all(m["To"].endswith("-reviewer@example.gov.vn") for m in inbox.messages)
    assert all("chờ thẩm định" in m.get_payload(decode=True).decode("utf-8") for m in inbox.messages)  # type: ignore[union-attr]
