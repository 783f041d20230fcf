"""Fixtures for the real-browser tests: a live app and headless Chromium.

The app runs in a background thread on a free localhost port, with its own
SQLite database built by the migrations and filled with the demo province.
CSRF protection is on, so the forms are exercised exactly as in production.
Chromium is the Debian package (``/usr/bin/chromium``), driven through
Playwright's synchronous API; without it the tests skip, which the root
conftest turns into a failure in CI.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import delete, select, update
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from survey_app import create_app
from survey_app.extensions import db

CHROMIUM = os.environ.get("SURVEY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "Khao-sat-P06-2024"
ROUND = "P06-DIEM-NGHEN"
UNIT = "STP"  # Department of Justice; its head is stp-head
GROUP_URL = f"/rounds/{ROUND}/units/{UNIT}/groups/legal"


class QuietHandler(WSGIRequestHandler):
    """No access log on the test output."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


@dataclass
class LiveServer:
    app: Flask
    url: str

    def admin_code(self) -> str:
        """A code of the demo administrator's authenticator that the server has not yet spent.

        The server takes each time step once (no replay), and the browser tests of
        one worker share a server: a second log-in within the same 30 seconds needs
        the next step's code, which the server accepts one step early; if that one
        is spent too, wait for the clock to reach it.
        """
        import time

        import pyotp

        from survey_app.models import TwoFactor, User
        from survey_app.services.demo_security import DEMO_ADMIN_TOTP_SECRET

        totp = pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET)
        with self.app.app_context():
            last = db.session.scalar(select(TwoFactor.last_step).join(User, User.id == TwoFactor.user_id)
                                     .where(User.username == "admin"))
            db.session.remove()
        step = max(int(time.time()) // totp.interval, (last or 0) + 1)
        while step > int(time.time()) // totp.interval + 1:
            time.sleep(1)
        return totp.generate_otp(step)

    def reset_unit(self, unit_code: str = UNIT) -> None:
        """Forget everything the unit answered this round, and put its users
        back on Vietnamese, so each test starts from a not-started group."""
        from survey_app.models import Membership, Response, Round, Unit, User

        with self.app.app_context():
            unit_id = db.session.scalar(select(Unit.id).filter_by(code=unit_code))
            round_id = db.session.scalar(select(Round.id).filter_by(code=ROUND))
            # Foreign keys cascade (SQLite enforces them here): groups, answers,
            # revisions, events, bottlenecks and evidence files go with it.
            db.session.execute(delete(Response).where(Response.round_id == round_id, Response.unit_id == unit_id))
            members = select(Membership.user_id).where(Membership.unit_id == unit_id)
            db.session.execute(update(User).where(User.id.in_(members)).values(locale="vi"))
            db.session.commit()
            db.session.remove()

    def return_group(self, group_code: str, reason: str, unit_code: str = UNIT) -> None:
        """The lead agency's reviewer returns a submitted group with ``reason``."""
        from survey_app.models import Response, ResponseGroup, Round, Unit, User
        from survey_app.services.answers import transition
        from survey_app.workflow import Action

        with self.app.app_context():
            group = db.session.scalars(
                select(ResponseGroup).join(Response, Response.id == ResponseGroup.response_id)
                .join(Unit, Unit.id == Response.unit_id).join(Round, Round.id == Response.round_id)
                .where(Unit.code == unit_code, Round.code == ROUND, ResponseGroup.group_code == group_code)).one()
            reviewer = db.session.scalars(select(User).filter_by(username="vpubnd-reviewer")).one()
            transition(group, Action.RETURN, reviewer, frozenset({"reviewer"}), reason=reason)
            db.session.commit()
            db.session.remove()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app, migrated and seeded with the demo province, served over HTTP."""
    from flask_migrate import upgrade

    from survey_app.services.demo import seed_demo

    folder = tmp_path_factory.mktemp("browser-app")
    app = create_app({
        "SECRET_KEY": "browser-tests",
        "DATABASE_URL": f"sqlite:///{folder / 'survey.sqlite3'}",
        "WTF_CSRF_ENABLED": True,
        "TESTING": False,
        "AUTOSAVE_DELAY_MS": 400,  # the page's own pause before an autosave: short, so tests wait less
    })
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.remove()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium; the tests skip (fail in CI) without it."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium): browser tests skipped")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def stp(live_server: LiveServer) -> LiveServer:
    """The live server with the Department of Justice's answers wiped."""
    live_server.reset_unit(UNIT)
    return live_server


def new_page(browser: Browser, server: LiveServer, **context_options: object) -> Page:
    context = browser.new_context(base_url=server.url, locale="vi-VN", **context_options)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser: Browser, stp: LiveServer) -> Iterator[Page]:
    """A desktop-sized page in a fresh browser context (no cookies)."""
    p = new_page(browser, stp, viewport={"width": 1280, "height": 900})
    yield p
    p.context.close()


@pytest.fixture
def phone(browser: Browser, stp: LiveServer) -> Iterator[Page]:
    """A phone-sized page (390×844, touch, mobile viewport meta honoured)."""
    p = new_page(browser, stp, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                 has_touch=True)
    yield p
    p.context.close()

