"""Logging in, changing a password and ending sessions.

Login costs the same whether the username exists or not: an unknown name is
checked against a dummy hash, and both paths count the failure and write the
audit event. Ending a user's sessions bumps ``users.session_generation``,
which every session and "remember me" cookie carries; a cookie of an older
generation is refused by every app server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import User
from . import throttle
from .audit import record
from .passwords import Problem, password_problems
from .two_factor import has_second_factor


@cache
def _dummy_hash() -> str:
    """A hash of the same kind as real ones, checked when the username is unknown."""
    return generate_password_hash("no user has this password")


@dataclass(frozen=True, slots=True)
class LoginCheck:
    """The outcome of a username and password: a user, a refusal or a failure."""

    user: User | None = None
    refusal: throttle.Refusal | None = None


def check_login(username: str, password: str, address: str | None, now: datetime,
                policy: throttle.ThrottlePolicy) -> LoginCheck:
    """Check a username and password, throttled per account and address.

    A failure is counted and recorded; the caller finishes a success with
    :func:`complete_login` (after the second factor, when the user has one).
    """
    waiting = throttle.refusal(username, address, now)
    if waiting is not None:
        record("login.refused", actor_name=username[:80],
               detail={"wait_seconds": waiting.seconds, "locked": waiting.locked})
        db.session.commit()
        return LoginCheck(refusal=waiting)
    user = db.session.scalar(select(User).where(User.username == username))
    matches = check_password_hash(user.password_hash if user is not None else _dummy_hash(), password)
    if user is not None and matches and user.active:
        return LoginCheck(user=user)
    fail_login(username, address, now, policy, user, "password" if user is not None and user.active else "account")
    return LoginCheck()


def fail_login(username: str, address: str | None, now: datetime, policy: throttle.ThrottlePolicy,
               user: User | None, reason: str) -> None:
    """Count and record one failed attempt (a password, or a second-factor code)."""
    throttle.count_failure(username, address, now, policy, actor_id=user.id if user is not None else None)
    record("login.failed", actor_id=user.id if user is not None else None, actor_name=username[:80],
           object_type="user" if user is not None else None, object_id=user.id if user is not None else None,
           detail={"reason": reason})
    db.session.commit()


def complete_login(user: User, now: datetime, *, second_factor: bool) -> None:
    """Record a successful login and clear its account's failure count."""
    throttle.forget_account(user.username)
    user.last_login_at = now
    record("login.succeeded", actor_id=user.id, actor_name=user.username, object_type="user", object_id=user.id,
           detail={"second_factor": second_factor})
    db.session.commit()


def end_sessions(user: User, *, actor: User | None = None, reason: str = "logout") -> None:
    """End every session of ``user`` on every server, "remember me" included."""
    user.session_generation = (user.session_generation or 0) + 1
    record("sessions.ended", actor_id=(actor or user).id, actor_name=(actor or user).username,
           object_type="user", object_id=user.id, detail={"reason": reason})
    db.session.commit()


class PasswordRefused(Exception):
    """The new password breaks the rules, or the current one is wrong."""

    def __init__(self, problems: list[Problem], wrong_current: bool = False) -> None:
        super().__init__(", ".join(problems) or "wrong current password")
        self.problems = problems
        self.wrong_current = wrong_current


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; end every other session.

    :raises PasswordRefused: with the reasons, nothing changed.
    """
    if not check_password_hash(user.password_hash, current):
        raise PasswordRefused([], wrong_current=True)
    problems = password_problems(new, username=user.username, has_second_factor=has_second_factor(user))
    if new == current:
        problems.append(Problem.SAME_AS_CURRENT)
    if problems:
        raise PasswordRefused(problems)
    user.password_hash = generate_password_hash(new)
    user.must_change_password = False
    record("password.changed", actor_id=user.id, actor_name=user.username, object_type="user", object_id=user.id)
    end_sessions(user, reason="password changed")
