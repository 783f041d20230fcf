"""Reminder notices shown on a unit's home page, and the e-mail outbox.

No request waits on a mail server: a reminder adds a notice and queues one
outbox row per recipient; ``flask reminders send`` delivers the queue. A
row is claimed before it is sent and marked sent after, so a retry never
sends a message twice, and a failed send stays queued with its error.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .rounds import Round
from .units import Unit, utcnow


class Notice(db.Model):  # type: ignore[name-defined,misc]
    """A reminder shown to a unit's members for one round."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # not_started, partial, returned
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    unit: Mapped[Unit] = relationship()
    round: Mapped[Round] = relationship()


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    """One e-mail to send. ``dedup_key`` makes queueing the same message twice a no-op."""

    __tablename__ = "outbox_messages"
    __table_args__ = (UniqueConstraint("dedup_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
