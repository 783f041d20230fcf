"""Units (agencies), users and the roles users hold in units."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint, false, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..workflow import Role  # defined next to the workflow; re-exported here for existing imports


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (a callable default, evaluated per row)."""
    return datetime.now(UTC)


def unit_name(name_vi: str, name_en: str | None, locale: str) -> str:
    """A unit's name in ``locale``: the English name in English when there is one, else the Vietnamese
    (:meth:`Unit.name`, for code that reads the two names as plain columns)."""
    return name_en if locale == "en" and name_en else name_vi


class UnitKind(StrEnum):
    """Kinds of unit; the question bank says which questions apply to which."""

    PROVINCE = "province"  # the Provincial People's Committee itself
    DEPARTMENT = "department"  # sở
    BOARD = "board"  # ban, ngành (boards, sector agencies, the Provincial Police)
    DISTRICT = "district"  # UBND cấp huyện (abolished 1/7/2025; kept for history)
    COMMUNE = "commune"  # UBND cấp xã, phường, đặc khu



class Unit(db.Model):  # type: ignore[name-defined,misc]
    """An agency that answers the survey or leads a group.

    ``active_from``/``active_to`` and ``successor`` record mergers: a unit merged
    into another stops on the day of the merger and points at its successor, so
    older rounds still show it under its own name.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    active_from: Mapped[date | None] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # e.g. the district of a commune
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    successor: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[successor_id])
    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    memberships: Mapped[list[Membership]] = relationship(back_populates="unit")

    def name(self, locale: str) -> str:
        return unit_name(self.name_vi, self.name_en, locale)

    def is_active_on(self, day: date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day < self.active_to
        )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A person who logs in. What they may do comes from their memberships."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Account security (TCVN 14423:2026 level 2): a one-time password must be
    # changed at the next login; accounts unused for long are disabled; bumping
    # the session generation ends every session of the user on every server.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def roles_in(self, unit_id: int) -> set[Role]:
        return {Role(m.role) for m in self.memberships if m.unit_id == unit_id}

    def has_role(self, role: Role) -> bool:
        return any(m.role == role for m in self.memberships)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Membership(db.Model):  # type: ignore[name-defined,misc]
    """A user's role in a unit; a user may hold several."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "unit_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship(back_populates="memberships")


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).filter_by(code=code))
