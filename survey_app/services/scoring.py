"""Scores, bands and bottlenecks, stored with the response.

A group's score is computed once, when it is submitted, and kept with the
content fingerprint of the bank that produced it. It changes again only
through :func:`recompute_round` (``flask scores recompute``), run on purpose
after a bank's scoring rules are corrected, never silently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import joinedload, selectinload

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
from ..scoring import GroupResult, round_score, score_unit
from ..scoring.bands import BandCuts
from ..scoring.engine import unit_index
from ..workflow import Status
from .banks import bank_for

#: Statuses whose scores count: the unit has handed the group in.
SCORED_STATUSES = (Status.SUBMITTED.value, Status.ACCEPTED.value)


def leads_on(day: date) -> dict[str, tuple[str, ...]]:
    """Group or section code → codes of its lead units, by the routing in force on ``day``."""
    leads: dict[str, list[str]] = defaultdict(list)
    for rule in rules_on(day):
        if rule.role == RoutingRole.LEAD:
            leads[rule.scope].append(rule.unit.code)
    return {scope: tuple(codes) for scope, codes in leads.items()}


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
    _store_response_index(response, bank, {group.group_code: stored})
    return stored


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
    db.session.add_all(
        Bottleneck(response_group_id=group.id, group_code=b.group, section_code=b.section, question_code=b.question,
                   kind=b.kind.value, severity=b.severity, comment=b.comment or None, detail=b.detail or None,
                   lead_agencies=list(b.lead_agencies))
        for b in result.bottlenecks
    )
    return result


def _store_response_index(response: Response, bank: Bank, fresh: dict[str, GroupResult]) -> None:
    """The overall index over the groups handed in so far (0–1) and its band."""
    handed_in = {g.group_code: g for g in response.groups if g.status in SCORED_STATUSES}
    results = []
    failed = False
    for group in bank.groups:
        if group.code in fresh and group.code in handed_in:
            r = fresh[group.code]
        elif group.code in handed_in and handed_in[group.code].score is not None:
            stored = handed_in[group.code]
            r = GroupResult(group.code, stored.score, None, (), (), (), (), stored.critical_failed)
        else:
            r = GroupResult(group.code, None, None, (), (), (), (), False)
        failed = failed or r.critical_failed
        results.append(r)
    index = unit_index(bank, tuple(results))
    response.overall_index = None if index is None else float(round_score(index, 4))
    band = BandCuts(bank.scoring.bands).index_band(index, failed)
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

    Returns how many groups were scored; the caller commits.
    """
    bank = bank_for(rnd.bank_version)
    leads = leads_on(rnd.opens_on)
    fingerprint = rnd.bank_version.fingerprint
    count = 0
    responses = db.session.scalars(
        select(Response).where(Response.id.in_(response_ids)).options(selectinload(Response.groups),
                                                                         joinedload(Response.unit))
    )
    for response in responses:
        handed_in = [g for g in response.groups if g.status in SCORED_STATUSES]
        if not handed_in:
            continue
        values, comments = response_answers(response.id)
        result = score_unit(bank, response.unit.kind, values, comments, leads)
        fresh = {g.group_code: _store_group(g, result.group(g.group_code), fingerprint) for g in handed_in}
        _store_response_index(response, bank, fresh)
        count += len(handed_in)
    return count


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

