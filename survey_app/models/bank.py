"""Question-bank versions as loaded from the bank files.

``BankVersion.source`` keeps the parsed files, from which the pure
:class:`survey_app.questionnaires.Bank` is rebuilt; the group, section,
question and option rows are the same content in relational form, for
queries, joins and exports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .units import utcnow


class BankVersion(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "bank_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    title_vi: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Read only where it is used (the pure bank is cached per fingerprint):
    # every request loads its round's version, and decoding this each time
    # cost milliseconds.
    source: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    groups: Mapped[list[BankGroup]] = relationship(
        back_populates="bank_version", cascade="all, delete-orphan", order_by="BankGroup.position"
    )

    def __repr__(self) -> str:
        return f"<BankVersion {self.code} {self.version}>"


class BankGroup(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "bank_groups"
    __table_args__ = (UniqueConstraint("bank_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_version_id: Mapped[int] = mapped_column(ForeignKey("bank_versions.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    weight: Mapped[float] = mapped_column(Float)
    position: Mapped[int]

    bank_version: Mapped[BankVersion] = relationship(back_populates="groups")
    sections: Mapped[list[BankSection]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="BankSection.position"
    )


class BankSection(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "bank_sections"
    __table_args__ = (UniqueConstraint("group_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("bank_groups.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    position: Mapped[int]

    group: Mapped[BankGroup] = relationship(back_populates="sections")
    questions: Mapped[list[BankQuestion]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="BankQuestion.position"
    )


class BankQuestion(db.Model):  # type: ignore[name-defined,misc]
    """A question of one bank version. ``spec`` holds its type-specific details."""

    __tablename__ = "bank_questions"
    __table_args__ = (UniqueConstraint("bank_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_version_id: Mapped[int] = mapped_column(ForeignKey("bank_versions.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("bank_sections.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(20))
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float)
    critical: Mapped[bool]
    required: Mapped[bool]
    scored: Mapped[bool]
    applies_to: Mapped[list[str]] = mapped_column(JSON)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)

    bank_version: Mapped[BankVersion] = relationship()
    section: Mapped[BankSection] = relationship(back_populates="questions")
    options: Mapped[list[BankOption]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="BankOption.position"
    )


class BankOption(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "bank_options"
    __table_args__ = (UniqueConstraint("question_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("bank_questions.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    label_vi: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float)
    bottleneck: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int]

    question: Mapped[BankQuestion] = relationship(back_populates="options")
