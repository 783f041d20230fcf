"""Login throttling, per account name and per address, in the database.

Every app server reads and writes the same rows, so a crowd of guesses spread
over servers is counted once. After a few free failures each further attempt
must wait longer (2, 4, 8 … seconds, at most ``max_delay``); at ``lock_after``
failures the key is locked for ``lock_for``. Failures older than ``lock_for``
are forgotten. An address gets ``address_factor`` times the allowance of an
account, because a whole office may reach the server through one address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..clock import aware
from ..extensions import db
from ..models import LoginThrottle
from .audit import record


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures are free, when delays start and when a key locks."""

    free_failures: int = 3
    lock_after: int = 10
    max_delay: timedelta = timedelta(seconds=60)
    lock_for: timedelta = timedelta(minutes=15)
    address_factor: int = 5


@dataclass(frozen=True, slots=True)
class Refusal:
    """An attempt refused before its password is checked."""

    seconds: int  # how long to wait
    locked: bool  # a lock (many failures), not just a growing delay


def account_key(username: str) -> str:
    return "account:" + username.strip().lower()[:150]


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")[:150]


def _limits(key: str, policy: ThrottlePolicy) -> tuple[int, int]:
    factor = policy.address_factor if key.startswith("address:") else 1
    return policy.free_failures * factor, policy.lock_after * factor


def refusal(username: str, address: str | None, now: datetime) -> Refusal | None:
    """The wait still imposed on this account name or address, if any."""
    rows = db.session.scalars(select(LoginThrottle).where(
        LoginThrottle.key.in_([account_key(username), address_key(address)]))).all()
    waits = [(aware(r.not_before), r.locked) for r in rows if r.not_before is not None and aware(r.not_before) > now]
    if not waits:
        return None
    until, locked = max(waits)
    return Refusal(seconds=max(1, int((until - now).total_seconds() + 0.999)), locked=locked)


def _row(key: str, now: datetime) -> LoginThrottle:
    """The throttle row of ``key``, locked for update; created when missing."""
    query = select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
    row: LoginThrottle | None = db.session.scalar(query)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = LoginThrottle(key=key, failures=0, last_failure_at=now, locked=False)
            db.session.add(row)
    except IntegrityError:  # another server created it first
        row = db.session.scalar(query)
        assert row is not None
    return row


def count_failure(username: str, address: str | None, now: datetime, policy: ThrottlePolicy,
                  actor_id: int | None = None) -> None:
    """Count one failed attempt on both keys; lock a key that reached its limit.

    A lock is written to the audit trail (the failure itself is recorded by the caller).
    """
    for key in (account_key(username), address_key(address)):
        row = _row(key, now)
        if aware(row.last_failure_at) < now - policy.lock_for:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        free, lock_after = _limits(key, policy)
        if row.failures >= lock_after:
            row.not_before, row.locked = now + policy.lock_for, True
            record("login.locked", actor_id=actor_id if key.startswith("account:") else None,
                   actor_name=username[:80], object_type="login_throttle", object_id=key[:80],
                   detail={"failures": row.failures, "until": row.not_before.isoformat()})
        elif row.failures > free:
            delay = min(timedelta(seconds=2 ** (row.failures - free)), policy.max_delay)
            row.not_before, row.locked = now + delay, False


def forget_account(username: str) -> None:
    """A successful login clears its account's count (never the address's)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key(username)))
