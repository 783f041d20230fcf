"""Users: create, edit, deactivate, roles in units, one-time passwords, inactivity, access review."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from ...extensions import db
from ...models import Membership, Role, Unit, User, utcnow
from . import AdminError, Msg, log_change
from .sheets import ImportRejected, RowProblem, read_rows, workbook

IMPORT_COLUMNS = ("username", "full_name", "unit", "roles")
IMPORT_OPTIONAL = ("email", "locale")
ROLES = tuple(r.value for r in Role)


def one_time_password() -> str:
    """A random password to hand over once; it must be changed at the next login."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(14))


def snapshot(user: User) -> dict[str, Any]:
    """What the audit trail keeps of an account (never the password)."""
    return {"username": user.username, "full_name": user.full_name, "email": user.email, "locale": user.locale,
            "active": user.active, "must_change_password": user.must_change_password,
            "memberships": sorted(f"{m.unit.code}:{m.role}" for m in user.memberships)}


def search(query: str = "", page: int = 1, per_page: int = 50) -> tuple[list[User], int]:
    stmt = select(User)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.full_name.ilike(like), User.email.ilike(like)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(db.session.scalars(stmt.order_by(User.username).limit(per_page).offset((page - 1) * per_page))), total


def get(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    return user


@dataclass(frozen=True, slots=True)
class UserData:
    username: str
    full_name: str
    email: str | None = None
    locale: str = "vi"
    memberships: tuple[tuple[str, str], ...] = field(default=())  # (unit code, role)


class UserInvalid(AdminError):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _f, m in errors))
        self.errors = errors


def _check(data: UserData, existing: User | None) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if not data.username or len(data.username) > 80 or not all(c.isalnum() or c in "-_." for c in data.username):
        errors.append(("username", Msg("Use 1 to 80 letters, digits, '-', '_' or '.'.")))
    else:
        other = db.session.scalar(select(User).filter_by(username=data.username))
        if other is not None and other is not existing:
            errors.append(("username", Msg("The username %(name)s is already taken.", name=data.username)))
    if not data.full_name.strip():
        errors.append(("full_name", Msg("The full name is required.")))
    if data.email and ("@" not in data.email or len(data.email) > 255):
        errors.append(("email", Msg("This is not an e-mail address.")))
    if data.locale not in ("vi", "en"):
        errors.append(("locale", Msg("Choose vi or en.")))
    for unit_code, role in data.memberships:
        if role not in ROLES:
            errors.append(("roles", Msg("Unknown role %(role)s; one of: %(roles)s.", role=role,
                                        roles=", ".join(ROLES))))
        if db.session.scalar(select(Unit.id).filter_by(code=unit_code)) is None:
            errors.append(("unit", Msg("No unit has the code %(code)s.", code=unit_code)))
    return errors


def _apply(user: User, data: UserData) -> None:
    user.username, user.full_name = data.username, data.full_name.strip()
    user.email, user.locale = data.email or None, data.locale
    wanted = set(data.memberships)
    for m in list(user.memberships):
        if (m.unit.code, m.role) not in wanted:
            user.memberships.remove(m)
    have = {(m.unit.code, m.role) for m in user.memberships}
    codes = {code for code, _role in wanted - have}
    by_code = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))} if codes else {}
    for unit_code, role in sorted(wanted - have):
        user.memberships.append(Membership(unit=by_code[unit_code], role=role))


def create(actor: User | None, data: UserData) -> tuple[User, str]:
    """Create an account with a one-time password; returns it with the password to hand over.

    :raises UserInvalid: listing each field's problem.
    """
    errors = _check(data, None)
    if errors:
        raise UserInvalid(errors)
    password = one_time_password()
    user = User(password_hash="", must_change_password=True)
    user.set_password(password)
    _apply(user, data)
    db.session.add(user)
    db.session.flush()
    log_change(actor, "user.create", "user", user.username, before=None, after=snapshot(user))
    db.session.commit()
    return user, password


def update(actor: User | None, user: User, data: UserData) -> None:
    errors = _check(data, user)
    if errors:
        raise UserInvalid(errors)
    before = snapshot(user)
    _apply(user, data)
    db.session.flush()
    log_change(actor, "user.update", "user", user.username, before=before, after=snapshot(user))
    db.session.commit()


def reset_password(actor: User | None, user: User) -> str:
    """Issue a new one-time password; every session of the user ends."""
    before = snapshot(user)
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.session_generation += 1
    log_change(actor, "user.reset_password", "user", user.username, before=before, after=snapshot(user))
    db.session.commit()
    return password


def set_active(actor: User | None, user: User, active: bool) -> None:
    """Deactivate (sessions end) or re-enable an account.

    Re-enabling counts as a fresh start for the inactivity rule, so the
    nightly job does not disable the account again before its owner logs in.
    """
    if actor is not None and actor.id == user.id and not active:
        raise AdminError(Msg("You cannot deactivate your own account."))
    before = snapshot(user)
    user.active = active
    if active:
        user.last_login_at = utcnow()
    else:
        user.session_generation += 1
    log_change(actor, "user.enable" if active else "user.disable", "user", user.username, before=before,
               after=snapshot(user))
    db.session.commit()


def disable_inactive(days: int, now: datetime | None = None) -> list[str]:
    """Disable every active account unused for ``days`` days (never logged in: counted from creation).

    Returns the usernames disabled; each is audited as done by the system.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    stale = db.session.scalars(select(User).where(
        User.active.is_(True),
        or_(User.last_login_at < cutoff, User.last_login_at.is_(None) & (User.created_at < cutoff)),
    ).order_by(User.username)).all()
    for user in stale:
        before = snapshot(user)
        user.active = False
        user.session_generation += 1
        log_change(None, "user.disable_inactive", "user", user.username, before=before, after=snapshot(user),
                   days=days)
    db.session.commit()
    return [u.username for u in stale]


def access_review(actor: User | None) -> bytes:
    """Who holds which role where, and when they last logged in (TCVN 14423:2026 account review).

    The download itself is recorded.
    """
    rows: list[list[Any]] = []
    users = db.session.scalars(select(User).order_by(User.username)).all()
    for user in users:
        memberships: list[Membership | None] = [*sorted(user.memberships, key=lambda m: (m.unit.code, m.role))]
        for m in memberships or [None]:
            rows.append([user.username, user.full_name, user.email or "", "active" if user.active else "disabled",
                         m.unit.code if m else "", m.unit.name_vi if m else "", m.role if m else "",
                         user.created_at, user.last_login_at, "yes" if user.must_change_password else ""])
    header = ["username", "full_name", "email", "status", "unit", "unit_name", "role", "created_at",
              "last_login_at", "must_change_password"]
    log_change(actor, "users.access_review_export", "users", None, before=None, after={"rows": len(rows)})
    db.session.commit()
    return workbook(header, rows, "access-review")


def import_users(actor: User | None, data: bytes) -> list[tuple[str, str]]:
    """Create the accounts listed in a workbook, all or nothing; returns (username, one-time password).

    ``roles`` may list several roles separated by commas, all in ``unit``.

    :raises ImportRejected: with every problem by row and column.
    """
    rows = read_rows(data, IMPORT_COLUMNS, IMPORT_OPTIONAL)
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    items: list[UserData] = []
    for number, cells in rows:
        roles = tuple(r.strip() for r in cells.get("roles", "").split(",") if r.strip())
        item = UserData(cells.get("username", ""), cells.get("full_name", ""), cells.get("email") or None,
                        cells.get("locale", "vi"), tuple((cells.get("unit", ""), r) for r in roles))
        if item.username in seen:
            problems.append(RowProblem(number, "username",
                                       Msg("duplicate username %(name)s (also row %(row)d)",
                                           name=item.username, row=seen[item.username])))
            continue
        seen[item.username] = number
        if not roles:
            problems.append(RowProblem(number, "roles",
                                       Msg("Give at least one role: %(roles)s.", roles=", ".join(ROLES))))
        problems += [RowProblem(number, f, m) for f, m in _check(item, None)]
        items.append(item)
    if problems:
        raise ImportRejected(problems)
    created = []
    for item in items:
        password = one_time_password()
        user = User(password_hash="", must_change_password=True)
        user.set_password(password)
        _apply(user, item)
        db.session.add(user)
        db.session.flush()
        log_change(actor, "user.create", "user", user.username, before=None, after=snapshot(user), source="import")
        created.append((user.username, password))
    db.session.commit()
    return created
