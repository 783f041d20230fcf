"""What the lead dashboard and the province view show, in a fixed number of queries.

The database does the counting: one statement builds a row per unit of the
round (each scope's status, score, band and waiting time, the unit's late and
red flags) and groups them (per scope by status, score bin and waiting too
long; per kind, late and to call in), counts the rows matching the filters
and picks the page's ids; Python adds the groups up into progress and the
score distribution. A second statement reads the one page of rows shown.
A province of 20 units and one of 10,000 cost the same number of round
trips, and Python builds only the hundred rows on the page.
:meth:`Filters.keep` and :func:`call_in` are the definitions; ``_Wide`` says
the same in SQL (the tests compare them).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal, null, or_, select, true, union_all
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Bottleneck, Response, ResponseGroup, Round, RoundUnit, Unit, UnitKind
from ...models.review import ScopeReview
from ...workflow import Status
from . import counted
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


@dataclass(frozen=True, slots=True)
class Counted:
    """What a dashboard counted and read for one page: kept under the round's change stamp."""

    rows: tuple[UnitRow, ...]  # the page shown
    total: int  # rows matching the filters
    progress: tuple[Progress, ...]
    waiting: int  # scope submissions waiting for a decision
    waiting_long: int
    late_units: int
    call_in_units: int
    kinds: tuple[str, ...]
    # scope → scores handed in per ten-point bin (0–10, …, 90–100; 100 falls in the last)
    distribution: dict[str, list[int]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Dashboard(Counted):
    """What a dashboard page shows: what was counted (kept), and for whom."""

    round: Round
    routing: Routing
    scopes: tuple[ScopeDef, ...]
    filters: Filters
    #: What the counts are kept under, with the stamp: the same key and stamp mean the same
    #: page, whoever reads it (pages may keep what they render from it under them too).
    key: Hashable
    stamp: counted.Stamp

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


def dashboard(rnd: Round, routing: Routing, scopes: tuple[ScopeDef, ...], filters: Filters,
              settings: ReviewSettings, today: date) -> Dashboard:
    """Units × ``scopes`` of a round with statuses, scores, bottlenecks and progress.

    The database counts (progress, late units, units to call in, the score
    distribution and the rows matching the filters) over one row per unit;
    only the page shown is read into :class:`UnitRow` objects. All of it is
    kept under the round's change stamp (:mod:`.counted`): until something
    counted changes, the next reader of the same page reads nothing more.
    """
    stamp = counted.round_stamp(rnd.id, {s.group for s in scopes})
    key = ("dashboard", rnd.id, rnd.due_on, scopes,
           (filters.kind, filters.status, filters.band, filters.only, filters.page), today, settings.stale_days,
           PAGE_SIZE)
    view = counted.kept(key, stamp, lambda: _counted(rnd, scopes, filters, settings, today), _codec(scopes))
    return Dashboard(**{f.name: getattr(view, f.name) for f in fields(Counted)},
                     round=rnd, routing=routing, scopes=scopes, filters=filters, key=key, stamp=stamp)


def _codec(scopes: tuple[ScopeDef, ...]) -> counted.Codec[Counted]:
    """:class:`Counted` as JSON values and back (the scopes are in the key: not repeated)."""
    def dump(c: Counted) -> dict[str, Any]:
        return {"rows": [[r.unit_id, r.code, r.name_vi, r.name_en, r.kind,
                          [[x.scope, x.status, x.score, x.band, x.bottlenecks, x.days_waiting, x.stale, x.returns_used]
                           for x in r.cells], r.late, r.red_groups] for r in c.rows],
                "total": c.total,
                "progress": [[p.participating, p.submitted, p.accepted, p.returned, p.waiting_long]
                             for p in c.progress],
                "waiting": c.waiting, "waiting_long": c.waiting_long, "late_units": c.late_units,
                "call_in_units": c.call_in_units, "kinds": list(c.kinds), "distribution": c.distribution}

    def load(v: dict[str, Any]) -> Counted:
        rows = tuple(UnitRow(unit_id, code, name_vi, name_en, kind, tuple(Cell(*x) for x in cells), late, red)
                     for unit_id, code, name_vi, name_en, kind, cells, late, red in v["rows"])
        progress = tuple(Progress(s, *p) for s, p in zip(scopes, v["progress"], strict=True))
        return Counted(rows=rows, total=v["total"], progress=progress, waiting=v["waiting"],
                       waiting_long=v["waiting_long"], late_units=v["late_units"],
                       call_in_units=v["call_in_units"], kinds=tuple(v["kinds"]), distribution=v["distribution"])

    return counted.Codec(dump, load)


def _counted(rnd: Round, scopes: tuple[ScopeDef, ...], filters: Filters, settings: ReviewSettings,
             today: date) -> Counted:
    now = datetime.combine(today, datetime.min.time())
    wide = _wide(rnd.id, scopes, now - timedelta(days=settings.stale_days + 1), today > rnd.due_on)
    tally = _count_round(wide, filters)
    progress = [Progress(s, tally.units, *tally.per_scope[i]) for i, s in enumerate(scopes)]
    distribution = {s.code: tally.bins[i] for i, s in enumerate(scopes)}
    ids = tally.page_ids
    page = db.session.execute(wide.select.where(Unit.id.in_(ids)).order_by(Unit.sort_order, Unit.code)).all() \
        if ids else []
    counts = _bottleneck_counts(rnd.id, scopes, [r.unit_id for r in page])
    rows = tuple(wide.unit_row(r, counts, now, settings.stale_days) for r in page)
    kinds = [kind for kind, n in tally.by_kind.items() if n]
    if tally.other_kinds:  # a kind the model does not name (never through the app): ask the database
        kinds = list(db.session.scalars(select(Unit.kind).join(RoundUnit, RoundUnit.unit_id == Unit.id)
                                        .where(RoundUnit.round_id == rnd.id).distinct()))
    return Counted(
        rows=rows, total=tally.matching, progress=tuple(progress),
        waiting=sum(p.submitted - p.accepted for p in progress), waiting_long=sum(p.waiting_long for p in progress),
        late_units=tally.late, call_in_units=tally.call_in, kinds=tuple(sorted(kinds)), distribution=distribution,
    )


@lru_cache(maxsize=32)
def _wide(round_id: int, scopes: tuple[ScopeDef, ...], stale_before: datetime, late_round: bool) -> _Wide:
    """:class:`_Wide` for these arguments, built once per process (per day, since
    ``stale_before`` moves): it holds SQL only, no data, and building it took about a
    fifth of a dashboard's CPU."""
    return _Wide(round_id, scopes, stale_before, late_round)


@dataclass
class _Tally:
    """The counts over every unit of the round, added up from the database's groups."""

    units: int
    per_scope: list[list[int]]  # per scope: handed in, accepted, returned, waiting too long
    bins: list[list[int]]  # per scope: scores handed in per ten-point bin
    by_kind: dict[str, int]
    late: int = 0
    call_in: int = 0
    other_kinds: int = 0  # units of a kind the model does not name
    matching: int = 0  # units matching the filters
    page_ids: list[int] = field(default_factory=list)


def _count_round(wide: _Wide, filters: Filters) -> _Tally:
    """The counts over every unit of the round and the ids of the units on the page: what
    :func:`dashboard` keeps (with the page's rows) under the round's stamp."""
    start = (max(filters.page, 1) - 1) * PAGE_SIZE
    n = len(wide.scopes)
    t = _Tally(0, [[0, 0, 0, 0] for _ in range(n)], [[0] * 10 for _ in range(n)],
               dict.fromkeys((kind.value for kind in UnitKind), 0))
    page: list[tuple[int, int]] = []
    for part, a, b, c, count in db.session.execute(wide.grouped(filters, start)):
        if part >= 0:
            handed = a in HANDED_IN
            scope = t.per_scope[part]
            scope[0] += count if handed else 0
            scope[1] += count if a == Status.ACCEPTED.value else 0
            scope[2] += count if a == Status.RETURNED.value else 0
            scope[3] += count if c == 1 else 0
            if handed and b is not None:
                t.bins[part][b] += count
        elif part == -1:
            t.units += count
            t.late += count if b == 1 else 0
            t.call_in += count if c == 1 else 0
            if a in t.by_kind:
                t.by_kind[a] += count
            else:
                t.other_kinds += count
        elif part == -2:
            t.matching = count
        else:
            page.append((b, c))
    t.page_ids = [unit_id for _rn, unit_id in sorted(page)]
    return t


def _bin(score: Any) -> Any:
    """The ten-point bin of a score (0–10 … 90–100; 100 falls in the last), NULL without one."""
    return case((score.is_(None), null()), *((score >= 10 * b, b) for b in range(9, 0, -1)), else_=0)


class _Wide:
    """One row per unit of the round: for each scope its status, score, band,
    submission time and returns, and the unit's flags (late, stale, red groups).

    Statuses follow :func:`_cell`: a scope's own review row once it exists,
    before that its group's status. A split group's section scores are read
    from its JSON column by the database, so they never cross the wire for
    units not shown.
    """

    def __init__(self, round_id: int, scopes: tuple[ScopeDef, ...], stale_before: datetime,
                 late_round: bool) -> None:
        self.scopes = scopes
        response = aliased(Response)
        query = (select(Unit.id.label("unit_id"), Unit.code, Unit.name_vi, Unit.name_en, Unit.kind, Unit.sort_order)
                 .select_from(RoundUnit).join(Unit, Unit.id == RoundUnit.unit_id)
                 .outerjoin(response, and_(response.round_id == round_id, response.unit_id == Unit.id))
                 .where(RoundUnit.round_id == round_id))
        groups: dict[str, Any] = {}
        for code in dict.fromkeys(s.group for s in scopes):
            groups[code] = aliased(ResponseGroup, name=f"g_{len(groups)}")
            query = query.outerjoin(groups[code], and_(groups[code].response_id == response.id,
                                                       groups[code].group_code == code))
        columns: list[Any] = []
        handed: list[Any] = []
        for i, s in enumerate(scopes):
            g = groups[s.group]
            row = aliased(ScopeReview, name=f"s_{i}")
            query = query.outerjoin(row, and_(row.response_id == response.id, row.scope == s.code))
            status = func.coalesce(row.status, g.status, NOT_STARTED)
            if s.code == s.group:
                score, band = g.score, g.band
            else:  # a section of a split group
                score = g.section_scores[(s.code, "score")].as_float()
                band = g.section_scores[(s.code, "band")].as_string()
            scored = status.in_(SCORED)
            submitted_at = case((row.id.is_not(None), row.submitted_at), else_=g.submitted_at)
            columns += [status.label(f"status_{i}"), case((scored, score), else_=null()).label(f"score_{i}"),
                        case((scored, band), else_=null()).label(f"band_{i}"), submitted_at.label(f"at_{i}"),
                        func.coalesce(row.returns_used, 0).label(f"returns_{i}"),
                        case((and_(status.in_(WAITING), submitted_at <= stale_before), 1), else_=0).label(f"stale_{i}")]
            handed.append(case((status.in_(HANDED_IN), 1), else_=0))
        red = [case((and_(g.status.in_(HANDED_IN), g.band == "red"), 1), else_=0) for g in groups.values()]
        late = case((sum(handed, literal(0)) < len(scopes), 1), else_=0) if late_round and scopes else literal(0)
        columns += [late.label("late"), sum(red, literal(0)).label("red_groups")]
        self.select = query.add_columns(*columns)
        self.sub = self.select.subquery("wide")
        # For the counts, the columns they read, materialised: each row's expressions are
        # then computed once, not once for every grouping that reads them (SQLite and
        # PostgreSQL would inline a subquery and repeat them).
        counted = [c for c in self.sub.c if c.name in _KEYS or c.name.split("_")[0] in _COUNTED]
        bins = [_bin(self.sub.c[f"score_{i}"]).label(f"bin_{i}") for i in range(len(scopes))]
        self.counted = select(*counted, *bins).cte("counted").prefix_with("MATERIALIZED")

    def stale(self, t: Any) -> ColumnElement[bool]:
        return or_(false(), *(t.c[f"stale_{i}"] == 1 for i in range(len(self.scopes))))

    def call_in(self, t: Any) -> ColumnElement[bool]:
        """The SQL form of :func:`call_in`, over the rows of ``t``."""
        return or_(t.c.late == 1, self.stale(t), t.c.red_groups >= 2)

    def matches(self, f: Filters, t: Any) -> ColumnElement[bool]:
        """The SQL form of :meth:`Filters.keep`, over the rows of ``t``."""
        n = range(len(self.scopes))
        conditions: list[ColumnElement[bool]] = [true()]
        if f.kind:
            conditions.append(t.c.kind == f.kind)
        if f.status:
            conditions.append(or_(false(), *(t.c[f"status_{i}"] == f.status for i in n)))
        if f.band:
            conditions.append(or_(false(), *(t.c[f"band_{i}"] == f.band for i in n)))
        if f.only == "late":
            conditions.append(t.c.late == 1)
        elif f.only == "stale":
            conditions.append(self.stale(t))
        elif f.only == "call_in":
            conditions.append(self.call_in(t))
        return and_(*conditions)

    def grouped(self, f: Filters, start: int) -> Any:
        """One statement over the counted rows: per scope the units by status, score bin and
        waiting too long (part ``i``); the units by kind, late and to call in (part -1); the
        units matching the filters (part -2); the page's unit ids in order (part -3). A few
        ``GROUP BY`` over one row per unit, not a hundred filtered counts."""
        t = self.counted
        parts: list[Any] = [
            select(literal(i).label("part"), t.c[f"status_{i}"].label("a"), t.c[f"bin_{i}"].label("b"),
                   t.c[f"stale_{i}"].label("c"), func.count().label("n"))
            .group_by(t.c[f"status_{i}"], t.c[f"bin_{i}"], t.c[f"stale_{i}"])
            for i in range(len(self.scopes))]
        call_in = case((self.call_in(t), 1), else_=0)
        parts.append(select(literal(-1), t.c.kind, t.c.late, call_in, func.count())
                     .group_by(t.c.kind, t.c.late, call_in))
        parts.append(select(literal(-2), null(), null(), null(), func.count()).select_from(t).where(self.matches(f, t)))
        page = (select(t.c.unit_id, func.row_number().over(order_by=(t.c.sort_order, t.c.code)).label("rn"))
                .where(self.matches(f, t)).order_by(t.c.sort_order, t.c.code).offset(start).limit(PAGE_SIZE)
                .subquery("page"))
        parts.append(select(literal(-3), null(), page.c.rn, page.c.unit_id, literal(0)))
        return union_all(*parts)

    def unit_row(self, r: Any, counts: dict[tuple[int, str], int], now: datetime, stale_days: int) -> UnitRow:
        cells = []
        for i, s in enumerate(self.scopes):
            status = r._mapping[f"status_{i}"]
            at = r._mapping[f"at_{i}"]
            days = (now - at.replace(tzinfo=None)).days if status in WAITING and at is not None else None
            cells.append(Cell(s.code, status, r._mapping[f"score_{i}"], r._mapping[f"band_{i}"],
                              counts.get((r.unit_id, s.code), 0) if status != NOT_STARTED else 0, days,
                              days is not None and days > stale_days, r._mapping[f"returns_{i}"]))
        return UnitRow(r.unit_id, r.code, r.name_vi, r.name_en, r.kind, tuple(cells), bool(r.late), r.red_groups)


_KEYS = {"unit_id", "kind", "sort_order", "code"}
_COUNTED = {"status", "score", "band", "stale", "late", "red"}


def _bottleneck_counts(round_id: int, scopes: tuple[ScopeDef, ...], unit_ids: list[int]
                       ) -> dict[tuple[int, str], int]:
    """Bottlenecks per unit (of ``unit_ids``) and scope, found through the group and section codes."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(Response.unit_id, Bottleneck.group_code, Bottleneck.section_code, func.count())
        .join(ResponseGroup, ResponseGroup.id == Bottleneck.response_group_id)
        .join(Response, Response.id == ResponseGroup.response_id)
        .where(Response.round_id == round_id, Response.unit_id.in_(unit_ids),
               ResponseGroup.status.in_((*HANDED_IN, Status.RETURNED.value)), Bottleneck.resolved_at.is_(None))
        .group_by(Response.unit_id, Bottleneck.group_code, Bottleneck.section_code)
    )
    by_section: dict[str, str] = {sec: s.code for s in scopes for sec in s.sections}
    counts: Counter[tuple[int, str]] = Counter()
    for unit_id, group_code, section_code, n in rows:
        scope = by_section.get(section_code)
        if scope is not None and any(s.code == scope and s.group == group_code for s in scopes):
            counts[(unit_id, scope)] += n
    return dict(counts)


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
