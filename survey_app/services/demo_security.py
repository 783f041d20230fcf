"""The demo's accounts follow the security rules: the demo administrator has a
second factor, with a fixed key printed by ``make run`` so that whoever tries
the demo can add it to an authenticator app."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import TwoFactor, User

DEMO_ADMIN_TOTP_SECRET = "DEMOQUANTRIKHAOSATDEANSAUTINHXYZ"  # base32; public, like the demo password


def secure_demo_accounts() -> None:
    """Give the demo ``admin`` its second factor (once; an existing one is kept)."""
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    if admin is not None and db.session.get(TwoFactor, admin.id) is None:
        db.session.add(TwoFactor(user_id=admin.id, secret=DEMO_ADMIN_TOTP_SECRET))
