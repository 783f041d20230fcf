"""Loading question-bank versions into the database, and reading them back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import BankGroup, BankOption, BankQuestion, BankSection, BankVersion, Round, RoundUnit, Unit
from ..questionnaires import Bank, Question, bank_from_source, read_bank


class BankInUse(Exception):
    """A round already uses this version, so its content may not change."""


class LoadStatus(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    status: LoadStatus
    version: BankVersion
    bank: Bank


def load_bank_version(path: str | Path) -> LoadOutcome:
    """Store the bank in ``path`` as a version, if it is new or changed.

    Loading the same content again changes nothing. Different content under
    a version no round uses replaces it; under a version a round uses, it is
    refused, because answers already refer to those questions.

    :raises BankValidationError: if the bank does not validate.
    :raises BankInUse: if the version is used by a round and differs.
    """
    bank, source, fingerprint = read_bank(path)
    outcome = store_version(bank, source, fingerprint)
    db.session.commit()
    return outcome


def store_version(bank: Bank, source: dict[str, Any], fingerprint: str) -> LoadOutcome:
    """Store a validated bank as a version, read from files or a workbook; the caller commits.

    :raises BankInUse: if the version is used by a round and differs.
    """
    existing = db.session.scalar(select(BankVersion).filter_by(code=bank.code, version=bank.version))
    if existing is not None and existing.fingerprint == fingerprint:
        return LoadOutcome(LoadStatus.UNCHANGED, existing, bank)
    if existing is not None:
        rounds = db.session.scalars(select(Round.code).filter_by(bank_version_id=existing.id)).all()
        if rounds:
            raise BankInUse(
                f"Bank {bank.code} version {bank.version} is used by round(s) {', '.join(rounds)} and its "
                "content differs from the files; publish the change under a new version instead."
            )
        db.session.delete(existing)  # cascades to its groups, sections, questions and options
        db.session.flush()
    version = _store(bank, source, fingerprint)
    db.session.flush()
    return LoadOutcome(LoadStatus.REPLACED if existing is not None else LoadStatus.CREATED, version, bank)


def _store(bank: Bank, source: dict[str, Any], fingerprint: str) -> BankVersion:
    version = BankVersion(
        code=bank.code, version=bank.version, title_vi=bank.title.vi, title_en=bank.title.en,
        fingerprint=fingerprint, source=source,
    )
    db.session.add(version)
    position = 0
    for g_pos, group in enumerate(bank.groups):
        g_row = BankGroup(code=group.code, name_vi=group.name.vi, name_en=group.name.en, weight=group.weight,
                          position=g_pos)
        version.groups.append(g_row)
        for s_pos, section in enumerate(group.sections):
            s_row = BankSection(code=section.code, name_vi=section.name.vi, name_en=section.name.en, position=s_pos)
            g_row.sections.append(s_row)
            for question in section.questions:
                position += 1
                s_row.questions.append(_question_row(question, position, version))
    return version


def _question_row(q: Question, position: int, version: BankVersion) -> BankQuestion:
    row = BankQuestion(
        bank_version=version, code=q.code, position=position, type=q.type.value, text_vi=q.text.vi,
        text_en=q.text.en, weight=q.weight, critical=q.critical, required=q.required, scored=q.scored,
        applies_to=list(q.applies_to), spec=_spec(q),
    )
    for pos, opt in enumerate(q.options):
        row.options.append(BankOption(code=opt.code, label_vi=opt.label.vi, label_en=opt.label.en,
                                      points=opt.points, bottleneck=opt.bottleneck, position=pos))
    return row


def _spec(q: Question) -> dict[str, Any]:
    """The type-specific details of a question, for reports that read SQL."""
    spec: dict[str, Any] = {}
    if q.unit is not None:
        spec["unit"] = {"vi": q.unit.vi, "en": q.unit.en}
    if q.columns:
        spec["columns"] = [c.code for c in q.columns]
    if q.condition is not None:
        spec["condition"] = q.condition.question
    if q.evidence is not None:
        spec["evidence"] = [k.value for k in q.evidence.kinds]
    return spec


def bank_for(version: BankVersion) -> Bank:
    """The pure bank of a stored version (cached per content fingerprint)."""
    return _bank_from_fingerprint(version.fingerprint, version.id)


@lru_cache(maxsize=16)
def _bank_from_fingerprint(fingerprint: str, version_id: int) -> Bank:
    version = db.session.get_one(BankVersion, version_id)
    return bank_from_source(version.source)


def open_round_banks() -> list[tuple[str, Bank, frozenset[str]]]:
    """The banks of the rounds not yet closed, each with its fingerprint and the kinds
    of the units taking part (to warm a process's caches before it serves)."""
    rows = db.session.execute(
        select(BankVersion.id, BankVersion.fingerprint, Unit.kind).distinct()
        .join(Round, Round.bank_version_id == BankVersion.id).join(RoundUnit, RoundUnit.round_id == Round.id)
        .join(Unit, Unit.id == RoundUnit.unit_id).where(Round.closed_at.is_(None))
    ).all()
    kinds: dict[tuple[int, str], set[str]] = {}
    for version_id, fingerprint, kind in rows:
        kinds.setdefault((version_id, fingerprint), set()).add(kind)
    return [(fingerprint, _bank_from_fingerprint(fingerprint, version_id), frozenset(unit_kinds))
            for (version_id, fingerprint), unit_kinds in kinds.items()]


def question_ids(version: BankVersion) -> dict[str, int]:
    """Question code → row id for one version, in one query."""
    rows = db.session.execute(
        select(BankQuestion.code, BankQuestion.id).where(BankQuestion.bank_version_id == version.id)
    )
    return {code: qid for code, qid in rows}


def count_versions() -> int:
    return db.session.scalar(select(func.count()).select_from(BankVersion)) or 0
