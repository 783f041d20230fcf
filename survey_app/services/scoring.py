"""Scores, bands and bottlenecks, stored with the response.

A group's score is computed once, when it is submitted, and kept with the
content fingerprint of the bank that produced it. It changes again only
through :func:`recompute_round` (``flask scores recompute``), run on purpose
after a bank's scoring rules are corrected, never silently. The unit's index
is not stored: :func:`unit_index_view` and :func:`indexes_for_round` (and
:func:`index_views`, for stored groups read elsewhere) derive it from the
stored group scores on every read.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import pandas as pd
from sqlalchemy import Row, Select, bindparam, func, select, update

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
from ..scoring import Bottleneck as ScoredBottleneck
from ..scoring import BottleneckKind, GroupResult, RoundScores, score_round, score_unit
from ..scoring.index import IndexView, index_view
from ..workflow import Status
from .banks import bank_for
from .register import RegisterLine, bottlenecks_led_by, register_lines, upsert_register

__all__ = [
    "IndexView",
    "RecomputeReport",
    "RegisterLine",
    "ScoreLine",
    "bottlenecks_led_by",
    "index_views",
    "indexes_for_round",
    "recompute_round",
    "register_lines",
    "score_lines",
    "score_response_group",
    "store_scores",
    "unit_index_view",
]

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
    is read. The bottleneck register is upserted on its natural key. The
    caller commits.
    """
    response = group.response
    rnd: Round = response.round
    bank = bank_for(rnd.bank_version)
    values, comments = response_answers(response.id)
    result = score_unit(bank, response.unit.kind, values, comments, leads_on(rnd.opens_on)).group(group.group_code)
    group.score = result.score
    group.band = result.band.value if result.band is not None else None
    group.section_scores = {s.code: {"score": s.score, "band": s.band.value if s.band is not None else None}
                            for s in result.sections}
    group.missing = list(result.missing)
    group.critical_failed = result.critical_failed
    group.scored_at = utcnow()
    group.scored_fingerprint = rnd.bank_version.fingerprint
    db.session.flush()
    upsert_register({group.id: (response.id, result.bottlenecks)})
    return result


# --- the overall index, derived on read -------------------------------------


def unit_index_view(response: Response) -> IndexView:
    """The index of ``response`` over its handed-in groups, from their stored scores.

    Derived on every read, so no interleaving of submissions can leave it
    stale: it is a function of the group scores each submission stored.
    """
    bank = bank_for(response.round.bank_version)
    counted = [g for g in response.groups if g.status in SCORED_STATUSES]
    return index_view(bank, response.unit.kind, {g.group_code: g.score for g in counted},
                      any(g.critical_failed for g in counted))


def indexes_for_round(round_id: int) -> dict[int, IndexView]:
    """:func:`unit_index_view` of every response of a round, in one query."""
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise LookupError(f"round {round_id}")
    bank = bank_for(rnd.bank_version)
    rows = db.session.execute(
        select(Response.id, Unit.kind, ResponseGroup.group_code, ResponseGroup.status, ResponseGroup.score,
               ResponseGroup.critical_failed)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(ResponseGroup, ResponseGroup.response_id == Response.id)
        .where(Response.round_id == round_id)
    ).all()
    return index_views(bank, rows)


def index_views(bank: Bank, rows: Iterable[tuple[int, str, str | None, str | None, float | None, bool | None]]
                ) -> dict[int, IndexView]:
    """:func:`unit_index_view` of each response of ``rows``, read elsewhere: one row
    per stored group, ``(response id, unit kind, group code, status, score,
    critical failed)``, or one with a None group for a response without groups."""
    kinds: dict[int, str] = {}
    shown: dict[int, dict[str, float | None]] = defaultdict(dict)
    failed: dict[int, bool] = defaultdict(bool)
    for rid, kind, code, status, score, critical in rows:
        kinds[rid] = kind
        if code is not None and status in SCORED_STATUSES:
            shown[rid][code] = score
            failed[rid] |= bool(critical)
    return {rid: index_view(bank, kind, shown[rid], failed[rid]) for rid, kind in kinds.items()}


def recompute_round(round_code: str) -> RecomputeReport:
    """Recompute every handed-in group of a round.

    For use after a bank's scoring rules were corrected: scores are never
    recomputed behind anyone's back. Stored values the one door refuses are
    reported, and counted as unanswered, never scored as something else.

    :raises LookupError: if there is no such round.
    """
    rnd = db.session.scalar(select(Round).filter_by(code=round_code))
    if rnd is None:
        raise LookupError(round_code)
    report = _store(rnd, select(Response.id).where(Response.round_id == rnd.id))
    db.session.commit()
    return report


@dataclass(frozen=True, slots=True)
class RecomputeReport:
    """What a recomputation did: how many groups it scored, and the refused stored values."""

    groups: int
    invalid: tuple[tuple[str, str], ...]  # (unit code, question code)


def store_scores(rnd: Round, response_ids: Select[Any]) -> int:
    """Score and store the handed-in groups of the given responses of ``rnd``.

    The whole set is scored in one vectorised pass (:func:`score_round`: the
    same rules as a single submission, and the same stored values) and
    written with bulk statements. Returns how many groups were scored; the
    caller commits.
    """
    return _store(rnd, response_ids).groups


def _store(rnd: Round, response_ids: Select[Any]) -> RecomputeReport:
    bank = bank_for(rnd.bank_version)
    ids = db.session.scalars(response_ids).all()
    handed_in = db.session.execute(
        select(ResponseGroup.id, ResponseGroup.response_id, ResponseGroup.group_code)
        .where(ResponseGroup.response_id.in_(ids), ResponseGroup.status.in_(SCORED_STATUSES))
    ).all()
    if not handed_in:
        return RecomputeReport(0, ())
    units = pd.DataFrame(db.session.execute(
        select(Response.id.label("unit_code"), Unit.kind, Unit.code).join(Unit, Unit.id == Response.unit_id)
        .where(Response.id.in_({r.response_id for r in handed_in}))
    ).all(), columns=["unit_code", "kind", "code"])
    answers = pd.DataFrame(db.session.execute(
        select(Answer.response_id, BankQuestion.code, Answer.value, Answer.comment)
        .join(BankQuestion, BankQuestion.id == Answer.question_id)
        .where(Answer.response_id.in_(units["unit_code"].tolist()))
    ).all(), columns=["unit_code", "question_code", "value", "comment"])
    units["unit_code"] = units["unit_code"].astype(str)
    answers["unit_code"] = answers["unit_code"].astype(str)
    scores = score_round(bank, units[["unit_code", "kind"]], answers, leads_on(rnd.opens_on))
    _write_round(bank, scores, handed_in, rnd.bank_version.fingerprint)
    q = scores.questions
    bad = q[q["invalid"]]
    code_of = dict(zip(units["unit_code"], units["code"], strict=True))
    invalid = tuple((code_of[str(u)], str(c)) for u, c in zip(bad["unit"], bad["question"], strict=True))
    return RecomputeReport(len(handed_in), invalid)


def _write_round(bank: Bank, scores: RoundScores, handed_in: Sequence[Row[int, int, str]],
                 fingerprint: str) -> None:
    group_id = {(str(r.response_id), r.group_code): r.id for r in handed_in}
    required = {q.code for q in bank.questions if q.required}
    q = scores.questions
    q = q[(q["applicable"] & ~q["answered"] & q["question"].astype(str).isin(required)) | q["invalid"]]
    missing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for unit, group, code in zip(q["unit"].astype(str), q["group"].astype(str), q["question"].astype(str),
                                 strict=True):
        missing[(unit, group)].append(code)
    sections: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for row in scores.sections.itertuples(index=False):
        sections[(str(row.unit), str(row.group))][str(row.section)] = {
            "score": _number(row.score), "band": _text(row.band)}
    now = utcnow()
    updates = [
        {"gid": group_id[key], "score": _number(row.score), "band": _text(row.band),
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
    found: dict[int, tuple[int, list[ScoredBottleneck]]] = {gid: (int(k[0]), []) for k, gid in group_id.items()}
    for b in scores.bottlenecks.itertuples(index=False):
        gid = group_id.get((str(b.unit), str(b.group)))
        if gid is not None:
            found[gid][1].append(ScoredBottleneck(
                str(b.group), str(b.section), str(b.question), BottleneckKind(str(b.kind)), _whole(b.severity),
                str(b.comment), str(b.item_key), cast(Any, b.row), cast(tuple[str, ...], b.lead_agencies)))
    upsert_register(found)


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
    overall_index: float | None  # the unit's index (derived), the same on every line of a unit


def score_lines(round_code: str, unit_code: str | None = None) -> list[ScoreLine]:
    """Stored scores per unit and group of a round, in unit order.

    :raises LookupError: if there is no such round (or unit).
    """
    rnd = db.session.scalar(select(Round).filter_by(code=round_code))
    if rnd is None:
        raise LookupError(f"round {round_code}")
    counts = (
        select(Bottleneck.response_group_id, func.count().label("n"))
        .where(Bottleneck.resolved_at.is_(None))
        .group_by(Bottleneck.response_group_id).subquery()
    )
    stmt = (
        select(Unit.code, Unit.name_vi, ResponseGroup.group_code, ResponseGroup.status, ResponseGroup.score,
               ResponseGroup.band, func.coalesce(counts.c.n, 0), Response.id)
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
    indexes = indexes_for_round(rnd.id)
    return [ScoreLine(unit, name, group, status, score, band, count, indexes[rid].index)
            for unit, name, group, status, score, band, count, rid in db.session.execute(stmt)]

