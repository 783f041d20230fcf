"""Review by lead agencies: a status per response and scope, its history,
appraisals of single answers and proposals to remove bottlenecks.

A *scope* is a group, or a section where the routing splits a group. A
:class:`ScopeReview` row exists from the first submission of the scope on;
before that the scope simply follows its group's status.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .units import Unit, User, utcnow


class ScopeReview(db.Model):  # type: ignore[name-defined,misc]
    """The review status of one scope of one response."""

    __tablename__ = "scope_reviews"
    __table_args__ = (UniqueConstraint("response_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    returns_used: Mapped[int] = mapped_column(default=0, server_default="0")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    events: Mapped[list[ScopeEvent]] = relationship(back_populates="scope_review", cascade="all, delete-orphan",
                                                    order_by="ScopeEvent.id")


class ScopeEvent(db.Model):  # type: ignore[name-defined,misc]
    """One transition (or comment) of a scope: who, when, from, to and why."""

    __tablename__ = "scope_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_review_id: Mapped[int] = mapped_column(ForeignKey("scope_reviews.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    scope_review: Mapped[ScopeReview] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Appraisal(db.Model):  # type: ignore[name-defined,misc]
    """The lead agency's score for one answer, kept beside the unit's own."""

    __tablename__ = "appraisals"
    __table_args__ = (UniqueConstraint("response_id", "question_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(40))
    question_code: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)  # 0–1, like a question's own score
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    by: Mapped[User | None] = relationship()


class Proposal(db.Model):  # type: ignore[name-defined,misc]
    """A proposal to remove a bottleneck: who does what, by when, at which level.

    It hangs either on one unit's bottleneck (``bottleneck_id``) or on a
    question across units (``round_id`` and ``question_code``). The
    bottleneck's natural key (response, question, kind, item) is copied, so
    the proposal survives a re-scoring that replaces the bottleneck row.
    """

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(40), index=True)
    question_code: Mapped[str] = mapped_column(String(40))
    bottleneck_id: Mapped[int | None] = mapped_column(ForeignKey("bottlenecks.id", ondelete="SET NULL"))
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    item_key: Mapped[str | None] = mapped_column(String(80))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    solution: Mapped[str] = mapped_column(Text)
    responsible_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    deadline: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(20))  # central / province / unit
    status: Mapped[str] = mapped_column(String(20), default="proposed")  # proposed / in_progress / done
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    responsible_unit: Mapped[Unit] = relationship(foreign_keys=[responsible_unit_id])
