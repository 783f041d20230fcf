"""Sessions that can be ended, and that end by themselves.

The Flask-Login id kept in the session and in the "remember me" cookie is a
token ``<user id>.<session generation>.<issued at>.<r|s>``. Every request
checks it against the database, so bumping the user's generation (logout,
password change, an administrator's "end sessions") refuses every copy of
every cookie on every server. A session ends after ``SESSION_IDLE_MINUTES``
without a request and ``SESSION_MAX_HOURS`` after login; a remembered login
instead lasts ``REMEMBER_COOKIE_DURATION`` from login, idle or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from .. import clock
from ..extensions import db
from ..models import Membership, Role, User
from ..security import note_user

SEEN_KEY = "seen_at"
SEEN_RESOLUTION = 60  # seconds: the cookie is rewritten at most once a minute


@dataclass(frozen=True, slots=True)
class Token:
    user_id: int
    generation: int
    issued: int  # seconds since the epoch
    remembered: bool

    def __str__(self) -> str:
        return f"{self.user_id}.{self.generation}.{self.issued}.{'r' if self.remembered else 's'}"

    @classmethod
    def parse(cls, text: str) -> Token | None:
        parts = text.split(".")
        if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]) or parts[3] not in ("r", "s"):
            return None
        return cls(int(parts[0]), int(parts[1]), int(parts[2]), parts[3] == "r")


def _lifetime(remembered: bool) -> timedelta:
    if remembered:
        duration = current_app.config["REMEMBER_COOKIE_DURATION"]
        return duration if isinstance(duration, timedelta) else timedelta(seconds=int(duration))
    return timedelta(hours=float(current_app.config["SESSION_MAX_HOURS"]))


def load_user(text: str) -> User | None:
    """The user of a session token, or None when it is stale, expired or forged."""
    token = Token.parse(text)
    if token is None:
        return None
    # With the memberships and their units: every page asks what the user may do, and
    # many name the user's units; one statement is cheaper than two or three.
    user = db.session.get(User, token.user_id, options=[joinedload(User.memberships).joinedload(Membership.unit)])
    if user is None or not user.active or user.session_generation != token.generation:
        return None
    if clock.now() - datetime.fromtimestamp(token.issued, clock.now().tzinfo) > _lifetime(token.remembered):
        return None
    note_user(user)
    return user


def start_session(user: User, remember: bool) -> None:
    """Log ``user`` in on this browser with a fresh session (nothing of the old one kept but the language)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    now = int(clock.now().timestamp())
    login_user(user, remember=remember)
    session["_user_id"] = str(Token(user.id, user.session_generation, now, remember))
    session[SEEN_KEY] = now


def end_session() -> None:
    """Log out this browser (the caller ends the user's other sessions)."""
    locale = session.get("locale")
    logout_user()
    for key in [k for k in session if k != "_remember"]:
        session.pop(key)
    if locale:
        session["locale"] = locale


def _idle_expired() -> bool:
    token = Token.parse(str(session.get("_user_id", "")))
    if token is None or token.remembered:
        return False
    now = int(clock.now().timestamp())
    seen = session.get(SEEN_KEY)
    if isinstance(seen, int) and now - seen > float(current_app.config["SESSION_IDLE_MINUTES"]) * 60:
        return True
    if not isinstance(seen, int) or now - seen >= SEEN_RESOLUTION:
        session[SEEN_KEY] = now
    return False


#: Pages a user may open before changing a one-time password or enrolling a second factor.
OPEN_ENDPOINTS = {"static", "auth.logout", "auth.set_language", "main.healthz"}


def needs_second_factor(user: User) -> bool:
    """An administrator without a second factor, where the app requires one."""
    from ..services.two_factor import has_second_factor

    return (bool(current_app.config["TWO_FACTOR"]) and user.has_role(Role.ADMIN)
            and not has_second_factor(user))


def init_app(app: Flask) -> None:
    @app.before_request
    def _check_session() -> ResponseReturnValue | None:
        if request.endpoint in ("static", "main.healthz"):
            return None
        if "_user_id" in session and _idle_expired():
            end_session()
            flash(_("Your session ended after a long time without activity. Please log in again."), "info")
            back = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("auth.login", next=back))
        if not current_user.is_authenticated or request.endpoint in OPEN_ENDPOINTS:
            return None
        if current_user.must_change_password:
            if request.endpoint != "auth.change_password":
                return redirect(url_for("auth.change_password"))
        elif needs_second_factor(current_user) and request.endpoint != "auth.two_factor_setup":
            return redirect(url_for("auth.two_factor_setup"))
        return None
