"""The bottleneck register as stored: upserted on its natural key, read in the reader's language.

An entry's natural key is ``(response_id, question_code, kind, item_key)``.
Scoring upserts on it (:func:`upsert_register`), so an entry keeps its id
through a recompute and through a return and resubmission with the same gap;
one no longer raised is kept with ``resolved_at``. Lead agencies are rows of
``bottleneck_leads``, so :func:`bottlenecks_led_by` is one indexed query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, delete, insert, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Bottleneck, BottleneckLead, Response, Unit, utcnow
from ..scoring import Bottleneck as ScoredBottleneck
from ..scoring import BottleneckKind
from ..scoring.bottlenecks import describe
from .banks import bank_for


@dataclass(frozen=True, slots=True)
class RegisterLine:
    """One stored bottleneck, with its detail rendered in the reader's language."""

    id: int
    group_code: str
    section_code: str
    question_code: str
    kind: str
    item_key: str
    severity: int | None
    comment: str | None
    detail: str
    lead_agencies: tuple[str, ...]  # unit codes
    first_seen_at: datetime
    resolved_at: datetime | None


def register_lines(response: Response, locale: str, *, resolved: bool = False) -> list[RegisterLine]:
    """The register of ``response`` in bank order (open entries; with ``resolved``, those too)."""
    bank = bank_for(response.round.bank_version)
    questions = {q.code: q for q in bank.questions}
    order = {q.code: i for i, q in enumerate(bank.questions)}
    stmt = select(Bottleneck).where(Bottleneck.response_id == response.id)
    if not resolved:
        stmt = stmt.where(Bottleneck.resolved_at.is_(None))
    rows = db.session.scalars(stmt.options(selectinload(Bottleneck.leads).joinedload(BottleneckLead.unit))).all()
    kinds = [k.value for k in BottleneckKind]
    rows = sorted(rows, key=lambda b: (order.get(b.question_code, len(order)), kinds.index(b.kind)
                                       if b.kind in kinds else 99, int(b.item_key) if b.item_key.isdigit() else 0,
                                       b.item_key))
    return [
        RegisterLine(b.id, b.group_code, b.section_code, b.question_code, b.kind, b.item_key, b.severity, b.comment,
                     describe(questions[b.question_code], b.kind, b.item_key, b.row, locale)
                     if b.question_code in questions else "",
                     tuple(sorted(lead.unit.code for lead in b.leads)), b.first_seen_at, b.resolved_at)
        for b in rows
    ]


def bottlenecks_led_by(unit_id: int, round_id: int | None = None) -> Select[tuple[Bottleneck]]:
    """The open bottlenecks an agency leads (optionally of one round): one indexed query."""
    stmt = (select(Bottleneck).join(BottleneckLead, BottleneckLead.bottleneck_id == Bottleneck.id)
            .where(BottleneckLead.unit_id == unit_id, Bottleneck.resolved_at.is_(None)))
    if round_id is not None:
        stmt = stmt.join(Response, Response.id == Bottleneck.response_id).where(Response.round_id == round_id)
    return stmt.order_by(Bottleneck.id)


def _key(question: str, kind: str, item_key: str) -> tuple[str, str, str]:
    return question, kind, item_key


def upsert_register(found: Mapping[int, tuple[int, Sequence[ScoredBottleneck]]]) -> None:
    """Bring the register of the given response groups in line with what scoring found.

    ``found`` maps a response group id to its response id and the entries
    raised. An entry already stored under the same natural key is updated
    in place (keeping its id, and clearing ``resolved_at`` if it had been
    resolved); a new one is inserted; a stored one no longer raised is
    marked resolved. Lead agencies are kept as rows. The caller commits.
    """
    if not found:
        return
    now = utcnow()
    existing: dict[tuple[int, tuple[str, str, str]], Row[Any]] = {}
    for start in range(0, len(found), 500):
        chunk = list(found)[start:start + 500]
        for row in db.session.execute(
            select(Bottleneck.id, Bottleneck.response_id, Bottleneck.response_group_id, Bottleneck.question_code,
                   Bottleneck.kind, Bottleneck.item_key, Bottleneck.severity, Bottleneck.comment, Bottleneck.row,
                   Bottleneck.section_code, Bottleneck.resolved_at)
            .where(Bottleneck.response_group_id.in_(chunk))
        ):
            existing[(row.response_id, _key(row.question_code, row.kind, row.item_key))] = row
    unit_ids: dict[str, int] = {code: uid for code, uid in db.session.execute(select(Unit.code, Unit.id))}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    leads_of: dict[tuple[int, tuple[str, str, str]], set[int]] = {}
    seen: set[int] = set()
    for gid, (rid, entries) in found.items():
        for b in entries:
            key = _key(b.question, b.kind.value, b.item_key)
            leads_of[(rid, key)] = {unit_ids[c] for c in b.lead_agencies if c in unit_ids}
            values = {"severity": b.severity, "comment": b.comment or None,
                      "row": dict(b.row) if b.row is not None else None, "section_code": b.section}
            old = existing.get((rid, key))
            if old is None:
                inserts.append({"response_id": rid, "response_group_id": gid, "group_code": b.group,
                                "question_code": b.question, "kind": b.kind.value, "item_key": b.item_key,
                                "first_seen_at": now, "resolved_at": None, **values})
                continue
            seen.add(old.id)
            if old.resolved_at is not None or any(getattr(old, k) != v for k, v in values.items()):
                updates.append({"bid": old.id, "resolved_at": None, **values})
    resolved = [{"bid": row.id, "resolved_at": now} for row in existing.values()
                if row.id not in seen and row.resolved_at is None]
    table = Bottleneck.__table__
    if updates:
        db.session.execute(update(table).where(table.c.id == bindparam("bid")).values(
            {c: bindparam(c) for c in ("severity", "comment", "row", "section_code", "resolved_at")}), updates)
    if resolved:
        db.session.execute(update(table).where(table.c.id == bindparam("bid")).values(
            resolved_at=bindparam("resolved_at")), resolved)
    for start in range(0, len(inserts), 5_000):
        db.session.execute(insert(Bottleneck), inserts[start:start + 5_000])
    _sync_leads(found, leads_of)


def _sync_leads(found: Mapping[int, tuple[int, Sequence[ScoredBottleneck]]],
                leads_of: dict[tuple[int, tuple[str, str, str]], set[int]]) -> None:
    """Make the lead rows of the given groups' entries what the routing says."""
    ids: dict[tuple[int, tuple[str, str, str]], int] = {}
    for start in range(0, len(found), 500):
        chunk = list(found)[start:start + 500]
        for row in db.session.execute(
            select(Bottleneck.id, Bottleneck.response_id, Bottleneck.question_code, Bottleneck.kind,
                   Bottleneck.item_key).where(Bottleneck.response_group_id.in_(chunk))
        ):
            ids[(row.response_id, _key(row.question_code, row.kind, row.item_key))] = row.id
    wanted = {(ids[k], unit) for k, units in leads_of.items() if k in ids for unit in units}
    have: set[tuple[int, int]] = set()
    all_ids = list(ids.values())
    for start in range(0, len(all_ids), 500):
        have |= {(b, u) for b, u in db.session.execute(
            select(BottleneckLead.bottleneck_id, BottleneckLead.unit_id)
            .where(BottleneckLead.bottleneck_id.in_(all_ids[start:start + 500])))}
    stale = [{"b": b, "u": u} for b, u in have - wanted]
    if stale:
        lead = BottleneckLead.__table__
        db.session.execute(delete(lead).where(lead.c.bottleneck_id == bindparam("b"),
                                              lead.c.unit_id == bindparam("u")), stale)
    new = [{"bottleneck_id": b, "unit_id": u} for b, u in wanted - have]
    for start in range(0, len(new), 10_000):
        db.session.execute(insert(BottleneckLead), new[start:start + 10_000])
