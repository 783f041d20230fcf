"""Login throttling per account and per address, shared through the database;
equal login time for known and unknown usernames."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from survey_app import clock
from survey_app.extensions import db
from survey_app.models import AuditEvent, LoginThrottle, Membership, Role, Unit, User
from survey_app.services import accounts

PASSWORD = "Khao-sat-P06-2024"


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def moved(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def quick_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Throttling is not about the cost of a hash: but for the timing test, the
    user's hash and the unknown-name dummy take one round of PBKDF2 instead of
    scrypt (which costs half a second a login here, 50 logins in this file)."""
    if request.node.name.startswith("test_login_time"):
        return
    quick = generate_password_hash("no user has this password", method="pbkdf2:sha256:1")
    monkeypatch.setattr(accounts, "_dummy_hash", lambda: quick)
    monkeypatch.setattr(User, "set_password", lambda self, password: setattr(
        self, "password_hash", generate_password_hash(password, method="pbkdf2:sha256:1")))


@pytest.fixture
def user(app: Flask) -> None:
    with app.app_context():
        unit = Unit(code="STP", name_vi="Sở Tư pháp", name_en="Department of Justice", kind="department")
        u = User(username="stp-head", full_name="Nguyễn Văn A", locale="vi")
        u.set_password(PASSWORD)
        u.memberships.append(Membership(unit=unit, role=Role.HEAD.value))
        db.session.add(u)
        db.session.commit()


def attempt(c: FlaskClient, username: str, password: str, address: str = "10.0.0.1") -> tuple[int, str]:
    r = c.post("/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address})
    return r.status_code, r.get_data(as_text=True)


def count(app: Flask, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(action=action)) or 0


def test_growing_delays_then_a_lock_then_success_after_the_wait(app: Flask, client: FlaskClient, user: None,
                                                               moved: Clock) -> None:
    for _ in range(3):  # the free failures
        assert attempt(client, "stp-head", "wrong")[0] == 200
    assert attempt(client, "stp-head", "wrong")[0] == 200  # the 4th fails and starts a 2 s delay
    status, page = attempt(client, "stp-head", PASSWORD)  # even the right password must wait
    assert status == 429 and "Chờ 2 giây" in page
    for delay in (2, 4, 8, 16, 32):  # each failure doubles the wait (failures 5 to 9), at most 60 s
        moved.advance(seconds=delay)
        assert attempt(client, "stp-head", "wrong")[0] == 200
    status, page = attempt(client, "stp-head", "wrong")
    assert status == 429 and "Chờ 60 giây" in page
    moved.advance(seconds=60)
    assert attempt(client, "stp-head", "wrong")[0] == 200  # the 10th failure locks
    moved.advance(minutes=10)
    status, page = attempt(client, "stp-head", PASSWORD)
    assert status == 429 and "bị khóa trong 5 phút" in page
    assert count(app, "login.failed") == 10 and count(app, "login.locked") == 1
    assert count(app, "login.refused") == 3
    moved.advance(minutes=5, seconds=1)
    assert attempt(client, "stp-head", PASSWORD)[0] == 302  # success after the wait
    with app.app_context():  # and the account's count starts again from zero
        assert db.session.get(LoginThrottle, "account:stp-head") is None
        assert db.session.get(LoginThrottle, "address:10.0.0.1").failures == 10


def test_the_lock_holds_for_the_account_from_any_address_and_server(app: Flask, user: None, moved: Clock) -> None:
    server_a, server_b = app.test_client(), app.test_client()  # the rows are in the database both see
    for i in range(10):
        moved.advance(seconds=61)
        attempt(server_a if i % 2 else server_b, "STP-head ", "wrong", address=f"10.0.1.{i}")
    status, page = attempt(app.test_client(), "stp-head", PASSWORD, address="10.9.9.9")
    assert status == 429 and "bị khóa" in page


def test_an_address_guessing_many_names_is_locked(app: Flask, client: FlaskClient, user: None, moved: Clock,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_FACTOR", 2)  # 6 free, lock at 20
    for i in range(20):
        moved.advance(seconds=61)
        assert attempt(client, f"guess-{i}", "wrong")[0] == 200
    status, page = attempt(client, "stp-head", PASSWORD)
    assert status == 429 and "bị khóa" in page
    assert attempt(client, "stp-head", PASSWORD, address="10.0.0.2")[0] == 302  # other addresses are not


def test_old_failures_are_forgotten(app: Flask, client: FlaskClient, user: None, moved: Clock) -> None:
    for _ in range(9):
        moved.advance(seconds=61)
        attempt(client, "stp-head", "wrong")
    moved.advance(minutes=16)
    attempt(client, "stp-head", "wrong")  # counts as the first again
    assert attempt(client, "stp-head", PASSWORD)[0] == 302


def test_login_time_does_not_tell_whether_a_username_exists(app: Flask, client: FlaskClient, user: None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Median time of a wrong password for an existing user and for unknown names, as a ratio."""
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_FACTOR", 100)
    known: list[float] = []
    unknown: list[float] = []
    attempt(client, "warm-up", "wrong")
    for i in range(7):  # interleaved, so that a busy machine slows both alike
        with app.app_context():
            db.session.query(LoginThrottle).delete()
            db.session.commit()
        for name, times in (("stp-head", known), (f"nobody-{i}", unknown)):
            started = time.perf_counter()
            assert attempt(client, name, "wrong password")[0] == 200
            times.append(time.perf_counter() - started)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.6 < ratio < 1.6, f"unknown/known = {ratio:.2f}"
