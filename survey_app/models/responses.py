"""A unit's response to a round: a status per group, and its answers.

Editing happens per group, so the optimistic-locking ``version`` lives on
:class:`ResponseGroup`: two people saving the same group at once are caught,
while two people working on different groups never block each other.
Every change to an answer is also kept in :class:`AnswerRevision`, so the
history of a value (and a before/after comparison) is always available.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Float, ForeignKey, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..workflow import Status
from .bank import BankQuestion
from .rounds import Round
from .units import Unit, User, utcnow

GroupStatus = Status  # the workflow owns the statuses and their transitions


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
    # Stored when the group is submitted (and by `flask scores recompute`):
    score: Mapped[float | None] = mapped_column(Float)  # 0–100
    band: Mapped[str | None] = mapped_column(String(10))
    section_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # code → {"score", "band"}
    missing: Mapped[list[str] | None] = mapped_column(JSON)  # required questions left unanswered
    critical_failed: Mapped[bool] = mapped_column(default=False, server_default=false())
    scored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scored_fingerprint: Mapped[str | None] = mapped_column(String(64))  # bank content the score used

    response: Mapped[Response] = relationship(back_populates="groups")
    submitted_by: Mapped[User | None] = relationship()
    bottlenecks: Mapped[list[Bottleneck]] = relationship(back_populates="response_group",
                                                         cascade="all, delete-orphan")
    events: Mapped[list[GroupEvent]] = relationship(back_populates="response_group", cascade="all, delete-orphan",
                                                    order_by="GroupEvent.id")

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
    # Evidence given next to the answer: {"document_number", "document_date", "files": [ids]}
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[BankQuestion] = relationship()
    updated_by: Mapped[User | None] = relationship()


class AnswerRevision(db.Model):  # type: ignore[name-defined,misc]
    """One change to an answer: who, when, old and new value and comment.

    ``group_version`` is the version the group reached with this change, so
    the value an editor started from can be rebuilt when saves collide.
    """

    __tablename__ = "answer_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    response_group_id: Mapped[int | None] = mapped_column(ForeignKey("response_groups.id", ondelete="CASCADE"),
                                                          index=True)
    group_version: Mapped[int | None]
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    old_comment: Mapped[str | None] = mapped_column(Text)
    new_comment: Mapped[str | None] = mapped_column(Text)
    old_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(40))  # e.g. "demo", "import"

    answer: Mapped[Answer] = relationship()


class Bottleneck(db.Model):  # type: ignore[name-defined,misc]
    """A bottleneck of a unit's response, as the scoring engine raised it: the register.

    Its natural key is ``(response_id, question_code, kind, item_key)``
    (``item_key``: the option code of an ``option`` entry, the row's
    position as text for a ``table_row``, ``''`` otherwise). Scoring
    upserts on that key, so an entry keeps its id through ``flask scores
    recompute`` and through a return and resubmission with the same gap;
    one that is no longer raised gets ``resolved_at`` (cleared if it comes
    back). Entries hold codes, never labels: ``row`` maps a table row's
    column codes to its cells.
    """

    __tablename__ = "bottlenecks"
    __table_args__ = (UniqueConstraint("response_id", "question_code", "kind", "item_key",
                                       name="uq_bottlenecks_natural_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    response_group_id: Mapped[int] = mapped_column(ForeignKey("response_groups.id", ondelete="CASCADE"), index=True)
    group_code: Mapped[str] = mapped_column(String(40), index=True)
    section_code: Mapped[str] = mapped_column(String(40))
    question_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    item_key: Mapped[str] = mapped_column(String(80), default="", server_default="")
    severity: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    row: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    response_group: Mapped[ResponseGroup] = relationship(back_populates="bottlenecks")
    leads: Mapped[list[BottleneckLead]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class BottleneckLead(db.Model):  # type: ignore[name-defined,misc]
    """A lead agency of a bottleneck, from the routing in force on the round's opening day.

    Rows, not a list in a column, so "the bottlenecks my agency leads" is one
    indexed query on every engine.
    """

    __tablename__ = "bottleneck_leads"

    bottleneck_id: Mapped[int] = mapped_column(ForeignKey("bottlenecks.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True, index=True)

    unit: Mapped[Unit] = relationship()


class GroupEvent(db.Model):  # type: ignore[name-defined,misc]
    """A workflow transition of a group: submit, return, accept, reopen."""

    __tablename__ = "group_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_group_id: Mapped[int] = mapped_column(ForeignKey("response_groups.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    response_group: Mapped[ResponseGroup] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class EvidenceFile(db.Model):  # type: ignore[name-defined,misc]
    """An uploaded evidence file, kept in the database so every app server has it."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("bank_questions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    response: Mapped[Response] = relationship()
    question: Mapped[BankQuestion] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
