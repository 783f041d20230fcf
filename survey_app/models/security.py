"""Account security: login throttles, second factors and recovery codes.

Throttles live in the database, so every app server sees the same counts
without a shared cache; second-factor secrets and recovery codes belong to
a user and go with them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .units import utcnow


class LoginThrottle(db.Model):  # type: ignore[name-defined,misc]
    """Failed logins for one account name or one address.

    ``key`` is ``account:<name as typed, lower case>`` or ``address:<ip>``.
    The count decays: failures older than the lock window are forgotten.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # no attempt until then
    locked: Mapped[bool] = mapped_column(default=False)  # not_before is a lock, not a delay


class TwoFactor(db.Model):  # type: ignore[name-defined,misc]
    """A user's TOTP secret (RFC 6238), once confirmed with a first code."""

    __tablename__ = "two_factors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_step: Mapped[int] = mapped_column(default=0)  # a code's time step is accepted once


class RecoveryCode(db.Model):  # type: ignore[name-defined,misc]
    """A one-use code that replaces the authenticator once; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
