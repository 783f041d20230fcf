"""Survey rounds (đợt khảo sát): which bank, when, and who takes part."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .bank import BankVersion
from .units import Unit


class Round(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    bank_version_id: Mapped[int] = mapped_column(ForeignKey("bank_versions.id"))
    opens_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    # Set when the coordinators close the round: no more saves or submissions.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    bank_version: Mapped[BankVersion] = relationship()
    participants: Mapped[list[RoundUnit]] = relationship(back_populates="round", cascade="all, delete-orphan")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_vi

    def is_open_on(self, day: date) -> bool:
        return self.opens_on <= day <= self.due_on


class RoundUnit(db.Model):  # type: ignore[name-defined,misc]
    """A unit that takes part in a round."""

    __tablename__ = "round_units"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    due_on: Mapped[date | None] = mapped_column(Date)  # a later due date for this unit only

    round: Mapped[Round] = relationship(back_populates="participants")
    unit: Mapped[Unit] = relationship()


class RoundChange(db.Model):  # type: ignore[name-defined,misc]
    """One change of what the review dashboards count in a round, written by the
    database's triggers (migrations 0011 and 0012), never by the app: the dashboards keep
    what they counted under a stamp read from these rows (``services/review/counted.py``).
    ``group_code`` names the questionnaire group a change belongs to (a group's status or
    score, a scope review, a bottleneck); empty for a change of every group (a response,
    a participant, a unit). ``unit_id`` names the unit changed (migration 0014; empty in
    rows written before it), so that a process re-reads only the units that changed
    (``services/review/dashboards.py``)."""

    __tablename__ = "round_changes"
    __table_args__ = (Index("ix_round_changes_round_id", "round_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int]
    group_code: Mapped[str | None] = mapped_column(String(40))
    unit_id: Mapped[int | None]  # no foreign key, as round_id: rows may outlive a deleted unit


class KeptResult(db.Model):  # type: ignore[name-defined,misc]
    """What one app process counted for a dashboard page, under the stamp it counted at, for
    the other processes and servers (``services/review/counted.py``; PostgreSQL only).
    ``family`` is a hash of what the page shows, the stamp aside: one row per page,
    replaced by a newer stamp's count."""

    __tablename__ = "kept_results"

    family: Mapped[str] = mapped_column(String(64), primary_key=True)
    stamp_top: Mapped[int]
    stamp_recent: Mapped[int]
    value: Mapped[str] = mapped_column(Text)
    kept_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
