"""What the lead dashboard and the province view show, in a fixed number of queries.

Every query reads the whole round at once (units, group statuses and scores,
scope statuses, bottleneck counts) and the rows are assembled here, so a
province of 20 units and one of 10,000 cost the same number of round trips.
Filters apply to the assembled rows; one page of rows is rendered.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, null, select

from ...extensions import db
from ...models import Bottleneck, Response, ResponseGroup, Round, RoundUnit, Unit
from ...models.review import ScopeReview
from ...workflow import Status
from .scopes import ReviewSettings, Routing, ScopeDef

PAGE_SIZE = 100
NOT_STARTED = Status.NOT_STARTED.value
WAITING = (Status.SUBMITTED.value,)
HANDED_IN = (Status.SUBMITTED.value, Status.ACCEPTED.value)
SCORED = (*HANDED_IN, Status.RETURNED.value)


@dataclass(frozen=True, slots=True)
class Cell:
    """One unit's state in one scope."""

    scope: str
    status: str
    score: float | None
    band: str | None
    bottlenecks: int
    days_waiting: int | None  # days since submission, while it waits for a decision
    stale: bool  # waiting longer than the configured number of days
    returns_used: int


@dataclass(frozen=True, slots=True)
class UnitRow:
    unit_id: int
    code: str
    name_vi: str
    name_en: str
    kind: str
    cells: tuple[Cell, ...]
    late: bool  # past the due date with a scope not handed in
    red_groups: int

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_vi

    @property
    def stale(self) -> bool:
        return any(c.stale for c in self.cells)


@dataclass(frozen=True, slots=True)
class Progress:
    scope: ScopeDef
    participating: int
    submitted: int  # handed in: submitted or accepted
    accepted: int
    returned: int
    waiting_long: int

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.participating) if self.participating else 0


@dataclass(frozen=True, slots=True)
class Filters:
    kind: str = ""
    status: str = ""
    band: str = ""
    only: str = ""  # "late", "stale" or "call_in"
    page: int = 1

    def keep(self, row: UnitRow) -> bool:
        if self.kind and row.kind != self.kind:
            return False
        if self.status and not any(c.status == self.status for c in row.cells):
            return False
        if self.band and not any(c.band == self.band for c in row.cells):
            return False
        if self.only == "late" and not row.late:
            return False
        if self.only == "stale" and not row.stale:
            return False
        return not (self.only == "call_in" and not call_in(row))


def call_in(row: UnitRow) -> bool:
    """Units to call to a working session: late, stalled, or red in two groups or more."""
    return row.late or row.stale or row.red_groups >= 2


@dataclass
class Dashboard:
    round: Round
    routing: Routing
    scopes: tuple[ScopeDef, ...]
    rows: list[UnitRow]  # the page shown
    total: int  # rows matching the filters
    filters: Filters
    progress: list[Progress]
    waiting: int  # scope submissions waiting for a decision
    waiting_long: int
    late_units: int
    call_in_units: int
    kinds: list[str] = field(default_factory=list)
    distribution: dict[str, list[int]] = field(default_factory=dict)  # scope → count per 10-point bin

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


def dashboard(rnd: Round, routing: Routing, scopes: tuple[ScopeDef, ...], filters: Filters,
              settings: ReviewSettings, today: date) -> Dashboard:
    """Units × ``scopes`` of a round with statuses, scores, bottlenecks and progress."""
    units = db.session.execute(
        select(Unit.id, Unit.code, Unit.name_vi, Unit.name_en, Unit.kind)
        .join(RoundUnit, RoundUnit.unit_id == Unit.id).where(RoundUnit.round_id == rnd.id)
        .order_by(Unit.sort_order, Unit.code)
    ).all()
    groups = _groups(rnd.id, {s.group for s in routing.scopes if s.code != s.group})
    scope_rows = _scope_rows(rnd.id)
    counts = _bottleneck_counts(rnd.id, scopes)
    now = datetime.combine(today, datetime.min.time())
    late_round = today > rnd.due_on
    rows: list[UnitRow] = []
    for unit_id, code, name_vi, name_en, kind in units:
        cells = []
        red = set()
        for s in scopes:
            g = groups.get((unit_id, s.group))
            row = scope_rows.get((unit_id, s.code))
            cells.append(_cell(s, g, row, counts.get((unit_id, s.code), 0), now, settings.stale_days))
            if g is not None and g[0] in HANDED_IN and g[2] == "red":
                red.add(s.group)
        late = late_round and any(c.status not in HANDED_IN for c in cells)
        rows.append(UnitRow(unit_id, code, name_vi, name_en, kind, tuple(cells), late, len(red)))
    progress = [_progress(i, s, rows) for i, s in enumerate(scopes)]
    matching = [r for r in rows if filters.keep(r)]
    start = (max(filters.page, 1) - 1) * PAGE_SIZE
    distribution = {s.code: _bins(r.cells[i].score for r in rows if r.cells[i].status in HANDED_IN)
                    for i, s in enumerate(scopes)}
    return Dashboard(
        round=rnd, routing=routing, scopes=scopes, rows=matching[start:start + PAGE_SIZE], total=len(matching),
        filters=filters, progress=progress,
        waiting=sum(p.submitted - p.accepted for p in progress), waiting_long=sum(p.waiting_long for p in progress),
        late_units=sum(r.late for r in rows), call_in_units=sum(call_in(r) for r in rows),
        kinds=sorted({r.kind for r in rows}), distribution=distribution,
    )


GroupInfo = tuple[str, float | None, str | None, dict[str, Any] | None, datetime | None]


def _groups(round_id: int, split: set[str]) -> dict[tuple[int, str], GroupInfo]:
    """Status, score, band and submission time of every group of the round; the
    section scores (JSON) are read only for groups the routing splits."""
    sections = case((ResponseGroup.group_code.in_(split), ResponseGroup.section_scores), else_=null())
    rows = db.session.execute(
        select(Response.unit_id, ResponseGroup.group_code, ResponseGroup.status, ResponseGroup.score,
               ResponseGroup.band, sections, ResponseGroup.submitted_at)
        .join(ResponseGroup, ResponseGroup.response_id == Response.id).where(Response.round_id == round_id)
    )
    return {(u, g): (status, score, band, sections, at) for u, g, status, score, band, sections, at in rows}


ScopeInfo = tuple[str, int, datetime | None]


def _scope_rows(round_id: int) -> dict[tuple[int, str], ScopeInfo]:
    rows = db.session.execute(
        select(Response.unit_id, ScopeReview.scope, ScopeReview.status, ScopeReview.returns_used,
               ScopeReview.submitted_at)
        .join(ScopeReview, ScopeReview.response_id == Response.id).where(Response.round_id == round_id)
    )
    return {(u, s): (status, used, at) for u, s, status, used, at in rows}


def _bottleneck_counts(round_id: int, scopes: tuple[ScopeDef, ...]) -> dict[tuple[int, str], int]:
    """Bottlenecks per unit and scope, found through the group and section codes."""
    rows = db.session.execute(
        select(Response.unit_id, Bottleneck.group_code, Bottleneck.section_code, func.count())
        .join(ResponseGroup, ResponseGroup.id == Bottleneck.response_group_id)
        .join(Response, Response.id == ResponseGroup.response_id)
        .where(Response.round_id == round_id, ResponseGroup.status.in_((*HANDED_IN, Status.RETURNED.value)),
               Bottleneck.resolved_at.is_(None))
        .group_by(Response.unit_id, Bottleneck.group_code, Bottleneck.section_code)
    )
    by_section: dict[str, str] = {sec: s.code for s in scopes for sec in s.sections}
    counts: Counter[tuple[int, str]] = Counter()
    for unit_id, group_code, section_code, n in rows:
        scope = by_section.get(section_code)
        if scope is not None and any(s.code == scope and s.group == group_code for s in scopes):
            counts[(unit_id, scope)] += n
    return dict(counts)


def _cell(s: ScopeDef, g: GroupInfo | None, row: ScopeInfo | None, bottlenecks: int, now: datetime,
          stale_days: int) -> Cell:
    group_status = g[0] if g is not None else NOT_STARTED
    status = row[0] if row is not None else group_status
    score: float | None = None
    band: str | None = None
    if g is not None and status in SCORED:
        if s.code == s.group:
            score, band = g[1], g[2]
        else:
            sec = (g[3] or {}).get(s.code) or {}
            score, band = sec.get("score"), sec.get("band")
    submitted_at = row[2] if row is not None else (g[4] if g is not None else None)
    days: int | None = None
    if status in WAITING and submitted_at is not None:
        days = (now - submitted_at.replace(tzinfo=None)).days
    return Cell(s.code, status, score, band, bottlenecks if status != NOT_STARTED else 0, days,
                days is not None and days > stale_days, row[1] if row is not None else 0)


def _progress(i: int, s: ScopeDef, rows: list[UnitRow]) -> Progress:
    cells = [r.cells[i] for r in rows]
    return Progress(s, len(cells), sum(c.status in HANDED_IN for c in cells),
                    sum(c.status == Status.ACCEPTED for c in cells), sum(c.status == Status.RETURNED for c in cells),
                    sum(c.stale for c in cells))


def _bins(scores: Any) -> list[int]:
    """Counts of scores (0–100) in ten bins of ten points (100 falls in the last)."""
    bins = [0] * 10
    for score in scores:
        if score is not None:
            bins[min(int(score // 10), 9)] += 1
    return bins


@dataclass(frozen=True, slots=True)
class LeadProgress:
    """Progress of one lead agency across the scopes it leads."""

    name: str
    scopes: tuple[str, ...]
    submitted: int
    accepted: int
    expected: int

    @property
    def percent(self) -> int:
        return round(100 * self.accepted / self.expected) if self.expected else 0


def progress_per_lead(board: Dashboard) -> list[LeadProgress]:
    """For the province view: what each lead agency has received and accepted."""
    per: dict[str, list[Progress]] = {}
    for p in board.progress:
        for name in p.scope.lead_names or ("—",):
            per.setdefault(name, []).append(p)
    return [LeadProgress(name, tuple(p.scope.code for p in ps), sum(p.submitted for p in ps),
                         sum(p.accepted for p in ps), sum(p.participating for p in ps)) for name, ps in per.items()]
