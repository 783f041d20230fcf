"""Consolidated workbooks: read what one needs, check who asks, record it.

:func:`export_workbook` is the one entry point, for the download views and
the ``flask export`` command alike. It reads the round from the database
into plain values (:class:`survey_app.exports.WorkbookData`), lets the pure
builder write the file in constant memory, and records the export in the
audit trail in the same transaction.

Each source is read by its own small function (``_group_rows``,
``_scope_reviews``, ``_bottlenecks``, ``_answers``, ``_appraisals``,
``_proposals``). Each reads the whole round in one query (a unit's workbook
filters in SQL) and keeps, while reading, only what the workbook may hold:
a lead's workbook only its scopes' statuses, returns, appraisals and
proposals, a unit's workbook only its own.

The review comes from the review tables: a scope's status from
``scope_reviews`` (its group's status before the scope has a row, as on the
dashboards), acceptances and returns from ``scope_events``, the lead's
scores of single answers from ``appraisals`` and the scope's appraised
score by :func:`survey_app.scoring.scope_scores`, the one rule the review
pages use, and the proposals from ``proposals``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, NamedTuple

from flask import current_app
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import aliased

from ..exports import (
    AnswerCell,
    BottleneckLine,
    BuildStats,
    Proposal,
    ReturnInfo,
    RoutingLine,
    Scope,
    ScopeState,
    UnitLine,
    WorkbookData,
    WorkbookKind,
    build_workbook,
)
from ..extensions import db
from ..models import (
    Answer,
    BankQuestion,
    Bottleneck,
    BottleneckLead,
    GroupEvent,
    Response,
    ResponseGroup,
    Round,
    RoundUnit,
    Unit,
    User,
    utcnow,
)
from ..models.review import Appraisal, ScopeEvent, ScopeReview
from ..models.review import Proposal as ProposalRow
from ..models.routing import RoutingRole, rules_on
from ..models.units import unit_name
from ..questionnaires import Bank
from ..scoring import question_scores, scope_scores, score_group
from ..scoring.bottlenecks import describe
from ..scoring.index import IndexView
from ..workflow import Action, ScopeAction
from .access import NotAllowed, may_export_lead, may_export_province, may_export_unit
from .audit import record
from .banks import bank_for
from .export_scopes import Cells, answer_cell, answer_parts, scopes_of, unit_kind_names
from .review.scopes import ReviewSettings
from .scoring import SCORED_STATUSES, index_views

#: The province's time zone: every time in a workbook is shown in it.
PROVINCE_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True, slots=True)
class Target:
    """Whose workbook: the province's, a lead agency's (by unit code) or a unit's."""

    kind: WorkbookKind
    unit_code: str | None = None


@dataclass(frozen=True, slots=True)
class ExportResult:
    filename: str
    stats: BuildStats
    units: int


def export_workbook(user: User | None, round_code: str, target: Target, locale: str,
                    out: str | Path | IO[bytes], channel: str = "web") -> ExportResult:
    """Write the workbook of ``target`` for ``round_code`` to ``out``, and record it.

    ``user`` is None only for the operator's command line, which the
    server's operator runs with full rights; everyone else is checked by
    :mod:`survey_app.services.access`.

    :raises LookupError: if there is no such round or unit.
    :raises NotAllowed: if ``user`` may not download this workbook.
    """
    rnd = db.session.scalar(select(Round).filter_by(code=round_code))
    if rnd is None:
        raise LookupError(f"round {round_code}")
    unit = None
    if target.kind is not WorkbookKind.PROVINCE:
        unit = db.session.scalar(select(Unit).filter_by(code=target.unit_code))
        if unit is None:
            raise LookupError(f"unit {target.unit_code}")
    if user is not None and not _allowed(user, target.kind, unit, rnd.opens_on):
        raise NotAllowed
    now = utcnow()
    author = f"{user.full_name} ({user.username})" if user is not None else "flask export (CLI)"
    data = workbook_data(rnd, target.kind, unit, locale, author, now)
    stats = build_workbook(data, out)
    record("export.workbook", actor_id=user.id if user is not None else None,
           actor_name=user.username if user is not None else "cli", object_type="round", object_id=rnd.code,
           unit_id=unit.id if unit is not None else None, round_id=rnd.id,
           detail={"kind": target.kind.value, "unit": unit.code if unit is not None else None, "channel": channel,
                   "units": len(data.units), "scopes": [s.code for s in data.scopes], "cells": stats.cells,
                   "cut_texts": stats.cut_texts, "locale": locale})
    db.session.commit()
    subject = unit.code if unit is not None else "province"
    filename = f"{rnd.code}_{target.kind.value}_{subject}_{data.generated_at.astimezone(_zone()):%Y%m%d-%H%M}.xlsx"
    return ExportResult(filename, stats, len(data.units))


def _allowed(user: User, kind: WorkbookKind, unit: Unit | None, day: date) -> bool:
    if kind is WorkbookKind.PROVINCE:
        return may_export_province(user)
    assert unit is not None
    if kind is WorkbookKind.LEAD:
        return may_export_lead(user, unit, day)
    return may_export_unit(user, unit)


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(PROVINCE_TIMEZONE)


def workbook_data(rnd: Round, kind: WorkbookKind, unit: Unit | None, locale: str, author: str,
                  now: datetime) -> WorkbookData:
    """Everything the workbook of ``kind`` holds, read in a bounded number of queries."""
    bank = bank_for(rnd.bank_version)
    day = rnd.opens_on
    rules = rules_on(day)
    lead_id = unit.id if kind is WorkbookKind.LEAD and unit is not None else None
    scopes = scopes_of(bank, rules, locale, lead_id)
    scope_codes = {s.code for s in scopes}
    units = _units(rnd, unit.id if kind is WorkbookKind.UNIT and unit is not None else None, locale)
    ids = [u.id for u in units]
    split = {q.group for s in scopes for q in s.questions if s.code != s.group}
    groups = _group_rows(rnd, ids, {s.group for s in scopes if s.code != s.group})
    by_id = {u.id: u for u in units}
    events = _events(rnd, ids)
    reviews = _scope_reviews(rnd, ids, scope_codes, ReviewSettings.from_config(current_app.config), locale)
    kinds = unit_kind_names(bank, locale)
    indexes = index_views(bank, ((g.response_id, by_id[g.unit_id].kind, g.group_code, g.status, g.score,
                                  g.critical_failed) for g in groups)) if kind is not WorkbookKind.LEAD else {}
    in_scope = {q.code: s.code for s in scopes for q in s.questions}
    appraisals = _appraisals(rnd, ids, in_scope)
    answers, appraised_values = _answers(rnd, bank, units, groups, in_scope, appraisals, locale)
    appraised = _appraised_scores(bank, scopes, {u.id: u.kind for u in units}, appraised_values, appraisals)
    names = {r.unit.code: r.unit.name(locale) for r in rules}
    register, counts = _register(rnd, bank, scopes, split, units, _proposals(rnd, ids, scope_codes, locale),
                                 names, locale, only_own=kind is WorkbookKind.UNIT)
    states = _states(scopes, groups, reviews, events, counts, appraised)
    response_of = {g.unit_id: g.response_id for g in groups}
    lines = tuple(
        UnitLine(u.code, u.name, kinds.get(u.kind, u.kind), states.get(u.id, {}),
                 *(_index(response_of.get(u.id), indexes) if kind is not WorkbookKind.LEAD else (None, None, None)))
        for u in units
    )
    subject = unit.name(locale) if unit is not None else ("Toàn tỉnh" if locale != "en" else "Whole province")
    return WorkbookData(
        kind=kind, locale=locale, title=subject, subject=subject, round_code=rnd.code, round_name=rnd.name(locale),
        opens_on=rnd.opens_on, due_on=rnd.due_on, routing_day=day, bank_code=bank.code, bank_version=bank.version,
        bank_title=bank.title.get(locale), bank_fingerprint=rnd.bank_version.fingerprint,
        thresholds=(bank.scoring.bands.green, bank.scoring.bands.yellow), scopes=scopes,
        routing=_routing_lines(rules, bank, locale), units=lines, answers=answers, bottlenecks=register,
        generated_at=now, generated_by=author, timezone=PROVINCE_TIMEZONE, show_index=kind is not WorkbookKind.LEAD,
    )


def _rows(stmt: Any) -> Any:
    """The rows of ``stmt`` as plain Core rows, fetched as they are iterated.

    The large reads go through the session's connection rather than the ORM:
    they select columns only, and the ORM's result layer would build every
    row again and hold the whole result at once.
    """
    return db.session.connection().execute(stmt)


class _Json:
    """JSON texts decoded once each: most repeat (an option code, the same table
    row), so this is far cheaper than decoding every row. A decoded value is
    shared by every row with the same text, and never changed."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, Any]] = {}

    def __call__(self, raw: str | None) -> tuple[str | None, Any]:
        """``raw`` (one shared copy of the text) and its value; (None, None) for SQL NULL."""
        if raw is None:
            return None, None
        known = self.seen.get(raw)
        if known is None:
            known = self.seen[raw] = (raw, json.loads(raw))
        return known


class _Unit(NamedTuple):
    """A unit of the workbook, its name in the reader's language."""

    id: int
    code: str
    name: str
    kind: str


def _units(rnd: Round, only: int | None, locale: str) -> list[_Unit]:
    """The round's participants (or the one unit), in administrative order."""
    stmt = (select(Unit.id, Unit.code, Unit.name_vi, Unit.name_en, Unit.kind)
            .join(RoundUnit, RoundUnit.unit_id == Unit.id).where(RoundUnit.round_id == rnd.id)
            .order_by(Unit.sort_order, Unit.code))
    if only is not None:
        stmt = stmt.where(Unit.id == only)
    return [_Unit(uid, code, unit_name(vi, en, locale), kind) for uid, code, vi, en, kind in _rows(stmt)]


class _Group(NamedTuple):
    """A group of a response: status, stored scores, who submitted it and when."""

    id: int
    response_id: int
    unit_id: int
    group_code: str
    status: str
    score: float | None
    band: str | None
    section_scores: dict[str, Any] | None  # only of the groups a scope splits (else None)
    submitted_at: datetime | None
    submitted_by: str | None
    critical_failed: bool


def _group_rows(rnd: Round, unit_ids: list[int], sectioned: set[str]) -> list[_Group]:
    """Each group of each response; the stored section scores of the ``sectioned`` groups."""
    submitter = aliased(User)
    rows = _rows(
        select(ResponseGroup.id, Response.id, Response.unit_id, ResponseGroup.group_code, ResponseGroup.status,
               ResponseGroup.score, ResponseGroup.band, cast(ResponseGroup.section_scores, Text),
               ResponseGroup.submitted_at, submitter.full_name, ResponseGroup.critical_failed)
        .join(Response, Response.id == ResponseGroup.response_id)
        .outerjoin(submitter, submitter.id == ResponseGroup.submitted_by_id)
        .where(Response.round_id == rnd.id, *_few(unit_ids))
    )
    wanted = set(unit_ids)
    decoded = _Json()
    return [_Group(gid, rid, uid, code, status, score, band, decoded(sections)[1] if code in sectioned else None,
                   at, by, critical)
            for gid, rid, uid, code, status, score, band, sections, at, by, critical in rows if uid in wanted]


def _events(rnd: Round, unit_ids: list[int]) -> dict[int, list[tuple[str, datetime, str, str]]]:
    """Acceptances and returns per group: (action, at, by whom, reason), oldest first.

    Only a scope without a review row (see :func:`_scope_reviews`) shows them.
    """
    rows = db.session.execute(
        select(GroupEvent.response_group_id, Response.unit_id, GroupEvent.action, GroupEvent.at, User.full_name,
               GroupEvent.reason)
        .join(ResponseGroup, ResponseGroup.id == GroupEvent.response_group_id)
        .join(Response, Response.id == ResponseGroup.response_id)
        .outerjoin(User, User.id == GroupEvent.actor_id)
        .where(Response.round_id == rnd.id, GroupEvent.action.in_((Action.ACCEPT.value, Action.RETURN.value)),
               *_few(unit_ids))
        .order_by(GroupEvent.id)
    )
    wanted = set(unit_ids)
    out: dict[int, list[tuple[str, datetime, str, str]]] = defaultdict(list)
    for gid, unit_id, action, at, who, reason in rows:
        if unit_id in wanted:
            out[gid].append((action, aware(at) or utcnow(), who or "", reason or ""))
    return out


@dataclass(frozen=True, slots=True)
class _Review:
    """A scope's review row: its status, its last acceptance and its returns."""

    status: str
    accepted_at: datetime | None
    accepted_by: str
    returns: tuple[ReturnInfo, ...]


def _scope_reviews(rnd: Round, unit_ids: list[int], scopes: set[str], settings: ReviewSettings, locale: str
                   ) -> dict[tuple[int, str], _Review]:
    """Each scope review row of the units in ``scopes``, by (unit id, scope), with its
    last acceptance and every return (reason code label in ``locale``, and text)."""
    wanted = set(unit_ids)
    rows = db.session.execute(
        select(ScopeReview.id, Response.unit_id, ScopeReview.scope, ScopeReview.status)
        .join(Response, Response.id == ScopeReview.response_id)
        .where(Response.round_id == rnd.id, *_few(unit_ids))
    )
    kept = {rid: (unit_id, scope, status) for rid, unit_id, scope, status in rows
            if unit_id in wanted and scope in scopes}
    history: dict[int, list[tuple[str, datetime, str, str | None, str]]] = defaultdict(list)
    if kept:
        events = db.session.execute(
            select(ScopeEvent.scope_review_id, ScopeEvent.action, ScopeEvent.at, User.full_name,
                   ScopeEvent.reason_code, ScopeEvent.reason)
            .join(ScopeReview, ScopeReview.id == ScopeEvent.scope_review_id)
            .join(Response, Response.id == ScopeReview.response_id)
            .outerjoin(User, User.id == ScopeEvent.actor_id)
            .where(Response.round_id == rnd.id,
                   ScopeEvent.action.in_((ScopeAction.ACCEPT.value, ScopeAction.RETURN.value)), *_few(unit_ids))
            .order_by(ScopeEvent.id)
        )
        for rid, action, at, who, code, reason in events:
            if rid in kept:
                history[rid].append((action, aware(at) or utcnow(), who or "", code, reason or ""))
    out: dict[tuple[int, str], _Review] = {}
    for rid, (unit_id, scope, status) in kept.items():
        lines = history.get(rid, [])
        accepts = [e for e in lines if e[0] == ScopeAction.ACCEPT.value]
        returns = tuple(ReturnInfo(at, by, reason, settings.reason_label(code, locale) if code else "")
                        for action, at, by, code, reason in lines if action == ScopeAction.RETURN.value)
        out[(unit_id, scope)] = _Review(status, accepts[-1][1] if accepts else None,
                                        accepts[-1][2] if accepts else "", returns)
    return out


def _few(unit_ids: list[int]) -> tuple[Any, ...]:
    """A SQL filter on the units when they are few (a unit's workbook); a whole
    round is read without one and filtered while reading, which is cheaper."""
    return (Response.unit_id.in_(unit_ids),) if len(unit_ids) <= 500 else ()


def _appraisals(rnd: Round, unit_ids: list[int], in_scope: dict[str, str]) -> dict[tuple[int, str], tuple[float, str]]:
    """The lead's appraised score (0–1) and reason per (unit id, question code), for
    the workbook's units and the questions of its scopes."""
    rows = db.session.execute(
        select(Response.unit_id, Appraisal.question_code, Appraisal.score, Appraisal.reason)
        .join(Response, Response.id == Appraisal.response_id)
        .where(Response.round_id == rnd.id, *_few(unit_ids))
    )
    wanted = set(unit_ids)
    return {(unit_id, code): (score, reason or "") for unit_id, code, score, reason in rows
            if unit_id in wanted and code in in_scope}


def _appraised_scores(bank: Bank, scopes: tuple[Scope, ...], kinds: dict[int, str],
                      values: dict[int, dict[str, Any]], appraisals: dict[tuple[int, str], tuple[float, str]]
                      ) -> dict[tuple[int, str], float | None]:
    """Each appraised scope's score (0–100) by (unit id, scope): the review pages'
    rule (:func:`survey_app.scoring.scope_scores`) over the unit's question results
    (:func:`survey_app.scoring.score_group`, as the review page scores them).
    ``values`` holds the answered values of the appraised units.

    A scope with no appraisal has none: its cell stays empty until the lead appraises.
    """
    scope_of = {q.code: s for s in scopes for q in s.questions}
    wanted: dict[int, dict[Scope, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for (unit_id, code), (score, _reason) in appraisals.items():
        wanted[unit_id][scope_of[code]][code] = score
    if not wanted:
        return {}
    questions = {q.code: q for q in bank.questions}
    out: dict[tuple[int, str], float | None] = {}
    for unit_id, per_scope in wanted.items():
        results: dict[str, dict[str, Any]] = {}
        for scope, appraised in per_scope.items():
            if scope.group not in results:
                scored = score_group(bank, scope.group, kinds[unit_id], values.get(unit_id, {}))
                results[scope.group] = {r.code: r for r in scored.questions}
            out[(unit_id, scope.code)] = scope_scores([questions[q.code] for q in scope.questions],
                                                      results[scope.group], appraised)[1]
    return out


@dataclass(frozen=True, slots=True)
class _Proposal:
    """A proposal of the round, with its bottleneck's keys and its lead's name."""

    id: int
    scope: str
    question: str
    bottleneck_id: int | None
    response_id: int | None
    unit_id: int | None
    kind: str | None
    item_key: str | None
    lead: str
    line: Proposal


def _proposals(rnd: Round, unit_ids: list[int], scopes: set[str], locale: str) -> list[_Proposal]:
    """The proposals of the round in ``scopes``, by deadline: the question-wide ones,
    and those about one of the workbook's units."""
    responsible, lead = aliased(Unit), aliased(Unit)
    rows = db.session.execute(
        select(ProposalRow.id, ProposalRow.scope, ProposalRow.question_code, ProposalRow.bottleneck_id,
               ProposalRow.response_id, Response.unit_id, ProposalRow.kind, ProposalRow.item_key,
               lead.name_vi, lead.name_en, ProposalRow.solution, responsible.name_vi, responsible.name_en,
               ProposalRow.deadline, ProposalRow.level, ProposalRow.status)
        .outerjoin(Response, Response.id == ProposalRow.response_id)
        .join(responsible, responsible.id == ProposalRow.responsible_unit_id)
        .join(lead, lead.id == ProposalRow.lead_unit_id)
        .where(ProposalRow.round_id == rnd.id)
        .order_by(ProposalRow.deadline, ProposalRow.id)
    )
    wanted = set(unit_ids)
    return [_Proposal(pid, scope, question, bid, rid, uid, kind, item, unit_name(lead_vi, lead_en, locale),
                      Proposal(solution, unit_name(resp_vi, resp_en, locale), deadline, level, status))
            for (pid, scope, question, bid, rid, uid, kind, item, lead_vi, lead_en, solution, resp_vi, resp_en,
                 deadline, level, status) in rows
            if scope in scopes and (rid is None or uid in wanted)]


def _register(rnd: Round, bank: Bank, scopes: tuple[Scope, ...], split: set[str], units: list[_Unit],
              proposals: list[_Proposal], names: dict[str, str], locale: str, only_own: bool
              ) -> tuple[tuple[BottleneckLine, ...], dict[tuple[int, str], int]]:
    """The bottleneck sheet's lines, and the number of open entries per (unit id, scope).

    The lines are each open entry of the units' stored register, in unit and
    register order, with its proposal; then a line for each proposal not on
    an entry. A proposal goes on its bottleneck's line, found by the
    bottleneck's id, or, once a re-scoring replaced that row, by its natural
    key (response, question, kind, item; a proposal without an item takes the
    unit's first entry of that question and kind). Question-wide proposals,
    and a second proposal for the same entry, get lines of their own after
    the register; in a unit's workbook, only the question-wide proposals of
    questions on which the unit has an open bottleneck.

    The register is read as plain rows, as they come: a table row's JSON is
    decoded, and its detail described, once per distinct row, and the texts
    a line shares with others (unit, scope, question, lead agencies) are
    shared objects, so the lines of a large province stay small.
    """
    unit_ids = [u.id for u in units]
    by_unit = {u.id: u for u in units}
    leads = _lead_names(rnd, unit_ids, names)
    rows = _rows(
        select(Bottleneck.id, Bottleneck.response_id, Response.unit_id, Bottleneck.group_code,
               Bottleneck.section_code, Bottleneck.question_code, Bottleneck.kind, Bottleneck.severity,
               Bottleneck.item_key, cast(Bottleneck.row, Text), Bottleneck.comment)
        .join(Response, Response.id == Bottleneck.response_id)
        .join(Unit, Unit.id == Response.unit_id)
        .where(Response.round_id == rnd.id, Bottleneck.resolved_at.is_(None), *_few(unit_ids))
        .order_by(Unit.sort_order, Unit.code, Bottleneck.id)
    )
    scope_of = {(s.group, s.code if s.code != s.group else None): s for s in scopes}
    by_code = {s.code: s for s in scopes}
    questions = {q.code: q for q in bank.questions}
    by_id: dict[int, list[_Proposal]] = defaultdict(list)
    by_key: dict[tuple[int, str, str | None], list[_Proposal]] = defaultdict(list)
    for p in proposals:
        if p.bottleneck_id is not None:
            by_id[p.bottleneck_id].append(p)
        elif p.response_id is not None:
            by_key[(p.response_id, p.question, p.kind)].append(p)
    placed: set[int] = set()

    def proposal_of(bid: int, response_id: int, question: str, kind: str, item_key: str) -> Proposal | None:
        candidates = by_id.get(bid, []) + [p for p in by_key.get((response_id, question, kind), [])
                                           if p.item_key in (None, item_key)]
        for p in candidates:
            if p.id not in placed:
                placed.add(p.id)
                return p.line
        return None

    counts: dict[tuple[int, str], int] = defaultdict(int)
    decoded = _Json()
    details: dict[tuple[str, str, str, str | None], str] = {}
    shared: dict[str, str] = {}  # one copy of each repeated code (kinds, questions not in the bank)
    texts = {code: q.text.get(locale) for code, q in questions.items()}
    lines: list[BottleneckLine] = []
    own_questions: set[str] = set()
    for bid, response_id, unit_id, group, section, question, kind, severity, item_key, raw, comment in rows:
        u = by_unit.get(unit_id)
        if u is None:
            continue
        counts[(unit_id, section if group in split else group)] += 1
        scope = scope_of.get((group, section if group in split else None))
        if scope is None:
            continue
        q = questions.get(question)
        question = q.code if q is not None else shared.setdefault(question, question)
        kind = shared.setdefault(kind, kind)
        own_questions.add(question)
        detail = ""
        if q is not None:
            key = (question, kind, item_key, raw)
            known = details.get(key)
            if known is None:
                known = details[key] = describe(q, kind, item_key, decoded(raw)[1], locale)
            detail = known
        lines.append(BottleneckLine(
            u.code, u.name, scope.code, scope.name, question, texts[question] if q is not None else "", kind,
            severity, detail, comment or "", leads.get(bid, ""),
            proposal_of(bid, response_id, question, kind, item_key)
            if bid in by_id or (response_id, question, kind) in by_key else None))
    order = {code: i for i, code in enumerate(questions)}
    scope_order = {s.code: i for i, s in enumerate(scopes)}
    rest = sorted((p for p in proposals if p.id not in placed),
                  key=lambda p: (scope_order[p.scope], order.get(p.question, len(order)), p.response_id is not None))
    for p in rest:
        scope = by_code[p.scope]
        q = questions.get(p.question)
        text = q.text.get(locale) if q is not None else ""
        if p.response_id is None:
            if only_own and p.question not in own_questions:
                continue
            lines.append(BottleneckLine("", "", scope.code, scope.name, p.question, text, "", None, "", "", p.lead,
                                        p.line, across=True))
        elif p.unit_id in by_unit:
            u = by_unit[p.unit_id]
            lines.append(BottleneckLine(u.code, u.name, scope.code, scope.name, p.question, text,
                                        p.kind or "", None, "", "", p.lead, p.line))
    return tuple(lines), counts


def _lead_names(rnd: Round, unit_ids: list[int], names: dict[str, str]) -> dict[int, str]:
    """The lead agencies of each open bottleneck, as the sheet shows them: their
    names (else codes) in code order, joined; each distinct text kept once."""
    rows = _rows(
        select(BottleneckLead.bottleneck_id, Unit.code).join(Unit, Unit.id == BottleneckLead.unit_id)
        .join(Bottleneck, Bottleneck.id == BottleneckLead.bottleneck_id)
        .join(Response, Response.id == Bottleneck.response_id)
        .where(Response.round_id == rnd.id, Bottleneck.resolved_at.is_(None), *_few(unit_ids))
        .order_by(BottleneckLead.bottleneck_id, Unit.code))
    joined: dict[tuple[str, ...], str] = {}
    out: dict[int, str] = {}
    for bid, of_one in groupby(rows, key=itemgetter(0)):
        key = tuple(code for _bid, code in of_one)
        text = joined.get(key)
        if text is None:
            text = joined[key] = ", ".join(names.get(c, c) for c in key)
        out[bid] = text
    return out


def _states(scopes: tuple[Scope, ...], groups: list[_Group], reviews: dict[tuple[int, str], _Review],
            events: dict[int, list[tuple[str, datetime, str, str]]], counts: dict[tuple[int, str], int],
            appraised: dict[tuple[int, str], float | None]) -> dict[int, dict[str, ScopeState]]:
    """Each unit's state in each scope: the scope's review row where there is one,
    else (before its first submission) its group's status and history.
    ``counts`` are the open bottlenecks per (unit id, scope)."""
    of_group: dict[str, list[Scope]] = defaultdict(list)
    for scope in scopes:
        of_group[scope.group].append(scope)
    out: dict[int, dict[str, ScopeState]] = defaultdict(dict)
    for g in groups:
        for scope in of_group.get(g.group_code, ()):
            score, band = g.score, g.band
            if scope.code != scope.group:
                kept = (g.section_scores or {}).get(scope.code, {})
                score, band = kept.get("score"), kept.get("band")
            review = reviews.get((g.unit_id, scope.code))
            if review is None and g.id not in events:
                review = _Review(g.status, None, "", ())
            elif review is None:
                history = events[g.id]
                accepts = [e for e in history if e[0] == Action.ACCEPT.value]
                review = _Review(g.status, accepts[-1][1] if accepts else None,
                                 accepts[-1][2] if accepts else "",
                                 tuple(ReturnInfo(at, by, reason) for action, at, by, reason in history
                                       if action == Action.RETURN.value))
            out[g.unit_id][scope.code] = ScopeState(
                status=review.status, score=score, band=band,
                appraised_score=appraised.get((g.unit_id, scope.code)),
                bottlenecks=counts.get((g.unit_id, scope.code), 0),
                submitted_at=aware(g.submitted_at), submitted_by=g.submitted_by or "",
                reviewed_at=review.accepted_at, reviewed_by=review.accepted_by, returns=review.returns,
            )
    return out


def _index(response_id: int | None, indexes: dict[int, IndexView]) -> tuple[float | None, str | None, float | None]:
    """The unit's index (derived from its handed-in groups), its band, and its
    coverage: the share of the groups it answers that are counted. None for a
    unit without groups."""
    view = indexes.get(response_id) if response_id is not None else None
    if view is None:
        return None, None, None
    coverage = view.counted_groups / view.applicable_groups if view.applicable_groups else None
    return view.index, view.band.value if view.band is not None else None, coverage


#: How many units' answers are read, scored and turned into cells at a time.
#: Only their cells stay: a province's raw answers are never all in memory.
ANSWER_CHUNK = 1000


def _answers(rnd: Round, bank: Bank, units: list[_Unit], groups: list[_Group], in_scope: dict[str, str],
             appraisals: dict[tuple[int, str], tuple[float, str]], locale: str
             ) -> tuple[dict[str, Cells], dict[int, dict[str, Any]]]:
    """Readable answers of the scopes' questions, with the question scores of
    handed-in groups and the lead's appraisals; and the answered values of the
    appraised units (for their scopes' appraised scores).

    Question scores come from the same engine as the stored group scores
    (conditions may look across groups, so every answer of a unit is read).
    Units are read :data:`ANSWER_CHUNK` at a time, in one query each, and
    only their cells are kept: a unit's answers are all in its chunk, and its
    scores depend on its own answers only, so the cells do not depend on where
    the chunks end. Within a chunk each distinct JSON text is decoded once,
    each distinct value of a question formatted once, and a cell without a
    comment or appraisal is shared by the units that gave the same answer with
    the same score (cells are frozen). (Keeping the short texts' work for the
    whole round was tried: it held 15 MB more and saved no time.)
    """
    by_id = {u.id: u for u in units}
    handed: dict[int, set[str]] = defaultdict(set)
    for g in groups:
        if g.status in SCORED_STATUSES:
            handed[g.unit_id].add(g.group_code)
    appraised_units = {unit_id for unit_id, _code in appraisals}
    position = {q.code: j for j, q in enumerate(bank.questions)}
    shown_of = {q.code: (q, position[q.code]) for q in bank.questions if q.code in in_scope}
    codes: dict[int, str] = {qid: code for qid, code in _rows(select(BankQuestion.id, BankQuestion.code))}
    responses = _responses(rnd, [u.id for u in units])
    out: dict[str, Cells] = defaultdict(dict)
    values: dict[int, dict[str, Any]] = defaultdict(dict)
    for first in range(0, len(responses), ANSWER_CHUNK):
        chunk = dict(responses[first:first + ANSWER_CHUNK])
        seen = _Seen()
        columns = _chunk_rows(chunk, codes, seen)
        unit_ids, questions, answered = columns[0], columns[1], columns[2]
        scored = {u: i for i, u in enumerate(u for u in chunk.values() if u in handed)}
        scores = question_scores(bank, [by_id[u].kind for u in scored],
                                 ((scored[u], c, v) for u, c, v in zip(unit_ids, questions, answered, strict=True)
                                  if u in scored)).tolist()
        for unit_id, code, value, comment, raw in zip(*columns, strict=True):
            if unit_id in appraised_units and value is not None:
                values[unit_id][code] = value
            known = shown_of.get(code)
            if known is None:
                continue
            appraisal = appraisals.get((unit_id, code)) if appraisals else None
            if value is None and not comment and appraisal is None:
                continue
            q, j = known
            score = None
            if q.group in handed.get(unit_id, ()):
                score = scores[j][scored[unit_id]]
                if score != score:  # NaN: the question does not count
                    score = None
            plain = not comment and appraisal is None
            cell = seen.cells.get((code, raw, score)) if plain else None
            if cell is None:
                shown = seen.parts.get((code, raw))
                if shown is None:
                    shown = seen.parts[(code, raw)] = answer_parts(q, value, locale)
                appraised, reason = appraisal if appraisal is not None else (None, "")
                cell = AnswerCell(shown[0], shown[1], shown[2], score, comment or "", appraised, reason)
                if plain:
                    seen.cells[(code, raw, score)] = cell
            out[by_id[unit_id].code][code] = cell
        members = set(chunk.values())
        for (unit_id, code), (appraised, reason) in appraisals.items():  # appraised, but never answered
            if unit_id in members and code not in out[by_id[unit_id].code]:
                q, j = shown_of[code]
                score = None
                if q.group in handed.get(unit_id, ()):
                    score = scores[j][scored[unit_id]]
                    if score != score:
                        score = None
                out[by_id[unit_id].code][code] = answer_cell(q, None, "", score, appraised, reason, locale)
    return dict(out), values


class _Seen:
    """What a chunk's JSON texts were decoded, formatted and made into (see :func:`_answers`)."""

    __slots__ = ("cells", "parts", "values")

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.parts: dict[tuple[str, str | None], tuple[str, float | None, date | None]] = {}
        self.cells: dict[tuple[str, str | None, float | None], AnswerCell] = {}


def _chunk_rows(chunk: dict[int, int], codes: dict[int, str], seen: _Seen
                ) -> tuple[list[int], list[str], list[Any], list[str | None], list[str | None]]:
    """The answers of the ``chunk``'s responses (response id → unit id), as columns:
    unit ids, question codes, values, comments, and the values' JSON texts. Each
    text is decoded once (into ``seen``).
    (Five lists rather than a tuple per answer: fewer objects for the cycle
    collector to go through while the chunk is alive.)"""
    units: list[int] = []
    questions: list[str] = []
    values: list[Any] = []
    comments: list[str | None] = []
    raws: list[str | None] = []
    for response_id, question_id, raw, comment in _rows(
            select(Answer.response_id, Answer.question_id, cast(Answer.value, Text), Answer.comment)
            .where(Answer.response_id.in_(list(chunk)))):
        code = codes.get(question_id)
        if code is None:
            continue
        value = None
        if raw is not None:
            value = seen.values.get(raw, _UNSEEN)
            if value is _UNSEEN:
                value = seen.values[raw] = json.loads(raw)
        units.append(chunk[response_id])
        questions.append(code)
        values.append(value)
        comments.append(comment)
        raws.append(raw)
    return units, questions, values, comments, raws


_UNSEEN = object()


def _responses(rnd: Round, unit_ids: list[int]) -> list[tuple[int, int]]:
    """The units' responses to the round: (response id, unit id), by response id."""
    wanted = set(unit_ids)
    rows = _rows(select(Response.id, Response.unit_id).where(Response.round_id == rnd.id, *_few(unit_ids))
                 .order_by(Response.id))
    return [(rid, uid) for rid, uid in rows if uid in wanted]


def _routing_lines(rules: Any, bank: Bank, locale: str) -> tuple[RoutingLine, ...]:
    names = {g.code: g.name.get(locale) for g in bank.groups} | {s.code: s.name.get(locale) for s in bank.sections}
    return tuple(RoutingLine(r.scope, names.get(r.scope, r.scope), RoutingRole(r.role).value, r.unit.code,
                             r.unit.name(locale), r.valid_from, r.valid_to) for r in rules)


def aware(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC time (SQLite gives back naive ones)."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
