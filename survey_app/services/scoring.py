"""Scores, bands and bottlenecks, stored with the response.

A group's score is computed once, when it is submitted, and kept with the
content fingerprint of the bank that produced it. It changes again only
through :func:`recompute_round` (``flask scores recompute``), run on purpose
after a bank's scoring rules are corrected, never silently.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import pandas as pd
from sqlalchemy import Row, Select, bindparam, delete, func, insert, select, update

from ..extensions import db
from ..models import (
    Answer,
    BankQuestion,
    Bottleneck,
    Response,
    ResponseGroup,
    Round,
    Unit,
    utcnow,
)
from ..models.routing import RoutingRole, rules_on
from ..questionnaires import Bank
from ..scoring import GroupResult, RoundScores, UnitResult, round_score, score_round, score_unit
from ..scoring.bands import BandCuts
from ..scoring.engine import unit_index
from ..workflow import Status
from .banks import bank_for

#: Statuses whose scores count: the unit has handed the group in.
SCORED_STATUSES = (Status.SUBMITTED.value, Status.ACCEPTED.value)


def leads_on(day: date) -> dict[str, tuple[str, ...]]:
    """Group or section code → codes of its lead units, by the routing in force on ``day``."""
    leads: dict[str, list[int]] = defaultdict(list)
    for rule in rules_on(day):
        if rule.role == RoutingRole.LEAD:
            leads[rule.scope].append(rule.unit_id)
    wanted = {uid for ids in leads.values() for uid in ids}
    codes: dict[int, str] = {}
    if wanted:
        codes = {uid: code for uid, code in db.session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(wanted)))}
    return {scope: tuple(codes[uid] for uid in ids) for scope, ids in leads.items()}


def response_answers(response_id: int) -> tuple[dict[str, Any], dict[str, str]]:
    """Answer values and comments of a response, keyed by question code."""
    rows = db.session.execute(
        select(BankQuestion.code, Answer.value, Answer.comment)
        .join(Answer, Answer.question_id == BankQuestion.id)
        .where(Answer.response_id == response_id)
    )
    values: dict[str, Any] = {}
    comments: dict[str, str] = {}
    for code, value, comment in rows:
        if value is not None:
            values[code] = value
        if comment:
            comments[code] = comment
    return values, comments


def score_response_group(group: ResponseGroup) -> GroupResult:
    """Compute and store the score, band, section scores and bottlenecks of one group.

    Conditions may depend on answers of other groups, so the whole response
    is read. The caller commits.
    """
    response = group.response
    rnd: Round = response.round
    bank = bank_for(rnd.bank_version)
    values, comments = response_answers(response.id)
    result = score_unit(bank, response.unit.kind, values, comments, leads_on(rnd.opens_on))
    stored = _store_group(group, result.group(group.group_code), rnd.bank_version.fingerprint)
    _store_response_index(response, bank, result)
    return stored


def refresh_response_index(response: Response) -> None:
    """Recompute a response's index after a group entered or left the handed-in set
    (a return, an acceptance); the caller commits."""
    rnd: Round = response.round
    bank = bank_for(rnd.bank_version)
    values, comments = response_answers(response.id)
    _store_response_index(response, bank, score_unit(bank, response.unit.kind, values, comments,
                                                     leads_on(rnd.opens_on)))


def _store_group(group: ResponseGroup, result: GroupResult, fingerprint: str) -> GroupResult:
    group.score = _rounded(result.score)
    group.band = result.band.value if result.band is not None else None
    group.section_scores = {
        s.code: {"score": _rounded(s.score), "band": s.band.value if s.band is not None else None}
        for s in result.sections
    }
    group.missing = list(result.missing)
    group.critical_failed = result.critical_failed
    group.scored_at = utcnow()
    group.scored_fingerprint = fingerprint
    db.session.execute(delete(Bottleneck).where(Bottleneck.response_group_id == group.id))
    if result.bottlenecks:  # one statement however many (the ORM would insert them one by one)
        db.session.execute(insert(Bottleneck.__table__), [
            {"response_group_id": group.id, "group_code": b.group, "section_code": b.section,
             "question_code": b.question, "kind": b.kind.value, "severity": b.severity,
             "comment": b.comment or None, "detail": b.detail or None, "lead_agencies": list(b.lead_agencies)}
            for b in result.bottlenecks])
    return result


def _store_response_index(response: Response, bank: Bank, result: UnitResult) -> None:
    """The overall index over the groups handed in so far (0–1) and its band.

    Uses the unrounded group scores, exactly as a recompute of the round does.
    """
    handed_in = {g.group_code for g in response.groups if g.status in SCORED_STATUSES}
    empty = GroupResult("", None, None, (), (), (), (), False)
    counted = tuple(r if r.code in handed_in else empty for r in result.groups)
    index = unit_index(bank, counted)
    response.overall_index = None if index is None else float(round_score(index, 4))
    band = BandCuts(bank.scoring.bands).index_band(index, any(r.critical_failed for r in counted))
    response.band = band.value if band is not None else None


def _rounded(score: float | None) -> float | None:
    return None if score is None else float(round_score(score))


def recompute_round(round_code: str) -> int:
    """Recompute every handed-in group of a round; returns how many.

    For use after a bank's scoring rules were corrected: scores are never
    recomputed behind anyone's back.

    :raises LookupError: if there is no such round.
    """
    rnd = db.session.scalar(select(Round).filter_by(code=round_code))
    if rnd is None:
        raise LookupError(round_code)
    count = store_scores(rnd, select(Response.id).where(Response.round_id == rnd.id))
    db.session.commit()
    return count


def store_scores(rnd: Round, response_ids: Select[int]) -> int:
    """Score and store the handed-in groups of the given responses of ``rnd``.

    The whole set is scored in one vectorised pass (:func:`score_round`, the
    same arithmetic as a single submission) and written with bulk
    statements, so a national round of 10,000 units takes seconds. Returns
    how many groups were scored; the caller commits.
    """
    bank = bank_for(rnd.bank_version)
    ids = db.session.scalars(response_ids).all()
    handed_in = db.session.execute(
        select(ResponseGroup.id, ResponseGroup.response_id, ResponseGroup.group_code)
        .where(ResponseGroup.response_id.in_(ids), ResponseGroup.status.in_(SCORED_STATUSES))
    ).all()
    if not handed_in:
        return 0
    units = pd.DataFrame(db.session.execute(
        select(Response.id.label("unit_code"), Unit.kind).join(Unit, Unit.id == Response.unit_id)
        .where(Response.id.in_({r.response_id for r in handed_in}))
    ).all(), columns=["unit_code", "kind"])
    answers = pd.DataFrame(db.session.execute(
        select(Answer.response_id, BankQuestion.code, Answer.value, Answer.comment)
        .join(BankQuestion, BankQuestion.id == Answer.question_id)
        .where(Answer.response_id.in_(units["unit_code"].tolist()))
    ).all(), columns=["unit_code", "question_code", "value", "comment"])
    units["unit_code"] = units["unit_code"].astype(str)
    answers["unit_code"] = answers["unit_code"].astype(str)
    scores = score_round(bank, units, answers, leads_on(rnd.opens_on))
    _write_round(bank, scores, handed_in, rnd.bank_version.fingerprint)
    return len(handed_in)


def _write_round(bank: Bank, scores: RoundScores, handed_in: Sequence[Row[int, int, str]],
                 fingerprint: str) -> None:
    group_id = {(str(r.response_id), r.group_code): r.id for r in handed_in}
    required = {q.code for q in bank.questions if q.required}
    q = scores.questions
    q = q[q["applicable"] & ~q["answered"] & q["question"].astype(str).isin(required)]
    missing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for unit, group, code in zip(q["unit"].astype(str), q["group"].astype(str), q["question"].astype(str),
                                 strict=True):
        missing[(unit, group)].append(code)
    sections: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for row in scores.sections.itertuples(index=False):
        sections[(str(row.unit), str(row.group))][str(row.section)] = {
            "score": _rounded(_number(row.score)), "band": _text(row.band)}
    now = utcnow()
    updates = [
        {"gid": group_id[key], "score": _rounded(_number(row.score)), "band": _text(row.band),
         "section_scores": sections[key], "missing": missing.get(key, []),
         "critical_failed": bool(row.critical_failed), "scored_at": now, "scored_fingerprint": fingerprint}
        for row in scores.groups.itertuples(index=False)
        if (key := (str(row.unit), str(row.group))) in group_id
    ]
    table = ResponseGroup.__table__
    db.session.execute(
        update(table).where(table.c.id == bindparam("gid")).values(
            {c: bindparam(c) for c in ("score", "band", "section_scores", "missing", "critical_failed",
                                       "scored_at", "scored_fingerprint")}), updates)
    db.session.execute(delete(Bottleneck).where(Bottleneck.response_group_id.in_(group_id.values())))
    register = [
        {"response_group_id": group_id[key], "group_code": key[1], "section_code": str(b.section),
         "question_code": str(b.question), "kind": str(b.kind), "severity": _whole(b.severity),
         "comment": b.comment or None, "detail": b.detail or None,
         "lead_agencies": list(cast(tuple[str, ...], b.lead_agencies))}
        for b in scores.bottlenecks.itertuples(index=False)
        if (key := (str(b.unit), str(b.group))) in group_id
    ]
    for start in range(0, len(register), 10_000):
        db.session.execute(insert(Bottleneck), register[start:start + 10_000])
    _write_indexes(bank, scores, group_id)


def _write_indexes(bank: Bank, scores: RoundScores, group_id: dict[tuple[str, str], int]) -> None:
    """Each response's index over its handed-in groups, as on a single submission."""
    weights = {g.code: g.weight for g in bank.groups}
    cuts = BandCuts(bank.scoring.bands)
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    failed: dict[str, bool] = defaultdict(bool)
    for row in scores.groups.itertuples(index=False):
        key = (str(row.unit), str(row.group))
        if key not in group_id:
            continue
        failed[key[0]] |= bool(row.critical_failed)
        score = _number(row.score)
        if score is not None:
            totals[key[0]][0] += weights[key[1]] * score / 100.0
            totals[key[0]][1] += weights[key[1]]
    rows = []
    for unit in {k[0] for k in group_id}:
        num, den = totals[unit]
        index = num / den if den > 0 else None
        band = cuts.index_band(index, failed[unit])
        rows.append({"rid": int(unit), "overall_index": None if index is None else float(round_score(index, 4)),
                     "band": band.value if band is not None else None})
    table = Response.__table__
    db.session.execute(update(table).where(table.c.id == bindparam("rid")).values(
        overall_index=bindparam("overall_index"), band=bindparam("band")), rows)


def _missing(value: object) -> bool:
    """None, pandas' NA, or a float NaN (what frames hold for "no value")."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _number(value: object) -> float | None:
    return None if _missing(value) else float(cast(float, value))


def _whole(value: object) -> int | None:
    return None if _missing(value) else int(cast(int, value))


def _text(value: object) -> str | None:
    return None if _missing(value) else str(value)


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One unit and group of a round, as ``flask scores show`` prints it."""

    unit: str
    unit_name: str
    group: str
    status: str
    score: float | None
    band: str | None
    bottlenecks: int
    overall_index: float | None


def score_lines(round_code: str, unit_code: str | None = None) -> list[ScoreLine]:
    """Stored scores per unit and group of a round, in unit order.

    :raises LookupError: if there is no such round (or unit).
    """
    rnd = db.session.scalar(select(Round).filter_by(code=round_code))
    if rnd is None:
        raise LookupError(f"round {round_code}")
    counts = (
        select(Bottleneck.response_group_id, func.count().label("n"))
        .group_by(Bottleneck.response_group_id).subquery()
    )
    stmt = (
        select(Unit.code, Unit.name_vi, ResponseGroup.group_code, ResponseGroup.status, ResponseGroup.score,
               ResponseGroup.band, func.coalesce(counts.c.n, 0), Response.overall_index)
        .join(Response, Response.unit_id == Unit.id)
        .join(ResponseGroup, ResponseGroup.response_id == Response.id)
        .outerjoin(counts, counts.c.response_group_id == ResponseGroup.id)
        .where(Response.round_id == rnd.id)
        .order_by(Unit.sort_order, Unit.code, ResponseGroup.id)
    )
    if unit_code is not None:
        if db.session.scalar(select(Unit.id).filter_by(code=unit_code)) is None:
            raise LookupError(f"unit {unit_code}")
        stmt = stmt.where(Unit.code == unit_code)
    return [ScoreLine(*row) for row in db.session.execute(stmt)]

