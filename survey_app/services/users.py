"""Creating users for a real deployment."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Membership, Role, Unit, User
from .passwords import MIN_LENGTH, password_problems


class UserError(Exception):
    """The user cannot be created as asked; the message says why."""


def create_user(username: str, full_name: str, password: str, unit_code: str, roles: list[str],
                email: str | None = None, locale: str = "vi") -> User:
    """Create a user with roles in one unit.

    :raises UserError: if the username is taken, the unit is unknown, a role
        is unknown, or the password breaks the password rules (:mod:`.passwords`).
    """
    if db.session.scalar(select(User).filter_by(username=username)) is not None:
        raise UserError(f"The username {username!r} is already taken.")
    unit = db.session.scalar(select(Unit).filter_by(code=unit_code))
    if unit is None:
        raise UserError(f"No unit has the code {unit_code!r}.")
    known = {r.value for r in Role}
    bad = [r for r in roles if r not in known]
    if bad or not roles:
        raise UserError(f"Unknown role(s) {', '.join(bad) or '(none given)'}; choose from {', '.join(sorted(known))}.")
    problems = password_problems(password, username=username)
    if problems:
        raise UserError(f"The password breaks the rules ({', '.join(problems)}): at least {MIN_LENGTH} characters, "
                        "not a common password, not containing the username.")
    user = User(username=username, full_name=full_name, email=email, locale=locale)
    user.set_password(password)
    for role in roles:
        user.memberships.append(Membership(unit=unit, role=role))
    db.session.add(user)
    db.session.commit()
    return user
