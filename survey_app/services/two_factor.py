"""The second factor: TOTP codes (RFC 6238, pyotp) and one-use recovery codes.

A secret is made at enrolment, shown to the user once (as text and as a QR
code for an authenticator app) and stored when the user types a first valid
code. Each code's time step is accepted once, so a code seen over a shoulder
cannot be replayed. Recovery codes are shown once and kept as hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, select

from ..extensions import db
from ..models import RecoveryCode, TwoFactor, User
from .audit import record

ISSUER = "Khao sat De an 06"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def has_second_factor(user: User) -> bool:
    return db.session.get(TwoFactor, user.id) is not None


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side), else None."""
    digits = "".join(code.split())
    if not (digits.isdigit() and len(digits) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), digits):
            return candidate
    return None


def confirm_enrolment(user: User, secret: str, code: str, now: datetime) -> list[str] | None:
    """Store ``secret`` for ``user`` if ``code`` is valid for it; return new recovery codes.

    An existing secret and its recovery codes are replaced.
    """
    step = _matching_step(secret, code, now)
    if step is None:
        return None
    existing = db.session.get(TwoFactor, user.id)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    db.session.add(TwoFactor(user_id=user.id, secret=secret, confirmed_at=now, last_step=step))
    codes = _new_recovery_codes(user)
    record("two_factor.enrolled", actor_id=user.id, actor_name=user.username, object_type="user", object_id=user.id)
    db.session.commit()
    return codes


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def verify(user: User, code: str, now: datetime) -> bool:
    """Whether ``code`` is the user's current TOTP code or an unused recovery code.

    A used code is spent (its time step, or the recovery code); the caller commits.
    """
    factor = db.session.scalar(select(TwoFactor).where(TwoFactor.user_id == user.id).with_for_update())
    if factor is None:
        return False
    step = _matching_step(factor.secret, code, now)
    if step is not None:
        if step <= factor.last_step:
            return False  # already used
        factor.last_step = step
        return True
    digest = _hash(code)
    for row in db.session.scalars(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))):
        if hmac.compare_digest(row.code_hash, digest):
            row.used_at = now
            record("two_factor.recovery_code_used", actor_id=user.id, actor_name=user.username,
                   object_type="user", object_id=user.id)
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())
