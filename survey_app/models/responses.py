"""A unit's response to a round: a status per group, and its answers.

Editing happens per group, so the optimistic-locking ``version`` lives on
:class:`ResponseGroup`: two people saving the same group at once are caught,
while two people working on different groups never block each other.
Every change to an answer is also kept in :class:`AnswerRevision`, so the
history of a value (and a before/after comparison) is always available.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .bank import BankQuestion
from .rounds import Round
from .units import Unit, User, utcnow


class GroupStatus(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class Response(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("round_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    round: Mapped[Round] = relationship()
    unit: Mapped[Unit] = relationship()
    groups: Mapped[list[ResponseGroup]] = relationship(back_populates="response", cascade="all, delete-orphan")
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class ResponseGroup(db.Model):  # type: ignore[name-defined,misc]
    """The status of one group of a response, with its lock version."""

    __tablename__ = "response_groups"
    __table_args__ = (UniqueConstraint("response_id", "group_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=GroupStatus.NOT_STARTED, index=True)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    score: Mapped[float | None] = mapped_column(Float)  # 0–100, stored on submission
    band: Mapped[str | None] = mapped_column(String(10))

    response: Mapped[Response] = relationship(back_populates="groups")
    submitted_by: Mapped[User | None] = relationship()

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Answer(db.Model):  # type: ignore[name-defined,misc]
    """The current answer to one question; ``value`` has the shape of its type
    (see docs/question-bank.md)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("bank_questions.id"), index=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[BankQuestion] = relationship()
    updated_by: Mapped[User | None] = relationship()


class AnswerRevision(db.Model):  # type: ignore[name-defined,misc]
    """One change to an answer: who, when, old and new value and comment."""

    __tablename__ = "answer_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    old_comment: Mapped[str | None] = mapped_column(Text)
    new_comment: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(40))  # e.g. "demo", "import"
