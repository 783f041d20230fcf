"""What the lead dashboard and the province view show, and how they count it.

A dashboard counts every unit of the round (progress per scope, the score
distribution, late units, units to call in, the units a filter keeps): 10,000
in a province with its communes. Each process keeps a *board* per round and
set of scopes: one :class:`UnitRow` per unit, read once by one statement
(:class:`_Wide`) and then kept current by re-reading only the units that the
round's changes name (``round_changes``, migration 0014), a handful on a busy
day, instead of the whole round for every change. Python counts over the
board with the definitions themselves (:meth:`Filters.keep`, :func:`call_in`),
so there is one rule for a filter, whether a row is shown or counted; only the
page shown gets its open bottlenecks read. What was counted is kept under the
round's change stamp (:mod:`.counted`), shared with the other processes on
PostgreSQL.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, null, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Bottleneck, Response, ResponseGroup, Round, RoundChange, RoundUnit, Unit
from ...models.review import ScopeReview
from ...workflow import Status
from ..banks import bank_for
from . import counted
from .scopes import ReviewSettings, Routing, ScopeDef, routing_for

PAGE_SIZE = 100
NOT_STARTED = Status.NOT_STARTED.value
WAITING = (Status.SUBMITTED.value,)
HANDED_IN = (Status.SUBMITTED.value, Status.ACCEPTED.value)
SCORED = (*HANDED_IN, Status.RETURNED.value)


class Cell(NamedTuple):
    """One unit's state in one scope (named tuples, not dataclasses: a board of a province
    holds 60,000 of them, and a frozen dataclass took three times as long to make)."""

    scope: str
    status: str
    score: float | None
    band: str | None
    bottlenecks: int
    days_waiting: int | None  # days since submission, while it waits for a decision
    stale: bool  # waiting longer than the configured number of days
    returns_used: int


class UnitRow(NamedTuple):
    """One unit of the round over the dashboard's scopes."""

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

    @property
    def every(self) -> bool:
        """Whether this keeps every unit (no filter chosen)."""
        return not (self.kind or self.status or self.band or self.only)

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

    Counted over the round's :class:`Board` (brought up to date first), and kept
    under the round's change stamp (:mod:`.counted`): until something counted
    changes, the next reader of the same page reads nothing more.
    """
    stamp = counted.round_stamp(rnd.id, {s.group for s in scopes})
    key = ("dashboard", rnd.id, rnd.due_on, scopes,
           (filters.kind, filters.status, filters.band, filters.only, filters.page), today, settings.stale_days,
           PAGE_SIZE)
    view = counted.kept(key, stamp, lambda: _counted(rnd, routing, scopes, filters, settings, today),
                        _codec(scopes))
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


def _counted(rnd: Round, routing: Routing, scopes: tuple[ScopeDef, ...], filters: Filters,
             settings: ReviewSettings, today: date) -> Counted:
    view = _View(tuple(routing.scopes.index(s) for s in scopes), frozenset(s.group for s in scopes),
                 today > rnd.due_on)
    totals, matching, page = board(rnd, routing, settings, today).count(view, filters)
    progress = [Progress(s, totals.units, *totals.per_scope[i]) for i, s in enumerate(scopes)]
    return Counted(
        rows=tuple(page), total=matching, progress=tuple(progress),
        waiting=sum(p.submitted - p.accepted for p in progress), waiting_long=sum(p.waiting_long for p in progress),
        late_units=totals.late, call_in_units=totals.call_in,
        kinds=tuple(sorted(kind for kind, n in totals.kinds.items() if n)),
        distribution={s.code: totals.bins[i] for i, s in enumerate(scopes)},
    )


def is_late(cells: tuple[Cell, ...], late_round: bool) -> bool:
    """A unit is late when its round is past the due date and a scope shown is not handed in."""
    return late_round and any(c.status not in HANDED_IN for c in cells)


class Line(NamedTuple):
    """A unit on the board: its cells in every scope of the round, and its red groups."""

    unit_id: int
    code: str
    name_vi: str
    name_en: str
    kind: str
    cells: tuple[Cell, ...]
    red: frozenset[str]  # the groups it handed in with a red band


class _View(NamedTuple):
    """What a dashboard shows of the board: the positions of its scopes, their groups, and
    whether the round is past its due date."""

    shown: tuple[int, ...]
    groups: frozenset[str]
    late_round: bool

    def row(self, line: Line) -> UnitRow:
        cells = line.cells if len(self.shown) == len(line.cells) else tuple(line.cells[i] for i in self.shown)
        return UnitRow(line.unit_id, line.code, line.name_vi, line.name_en, line.kind, cells,
                       is_late(cells, self.late_round), len(line.red & self.groups) if line.red else 0)


@dataclass
class _Totals:
    """Counts over every unit of the round for one :class:`_View`: what a board keeps up to
    date as units change, so that a change costs the units it changed, not the round."""

    per_scope: list[list[int]]  # per scope: handed in, accepted, returned, waiting too long
    bins: list[list[int]]  # per scope: scores handed in per ten-point bin (100 falls in the last)
    kinds: Counter[str] = field(default_factory=Counter)
    units: int = 0
    late: int = 0
    call_in: int = 0

    @classmethod
    def of(cls, rows: Iterable[UnitRow], n: int) -> _Totals:
        totals = cls([[0, 0, 0, 0] for _ in range(n)], [[0] * 10 for _ in range(n)])
        for row in rows:
            totals.add(row, 1)
        return totals

    def add(self, row: UnitRow, sign: int) -> None:
        """Count ``row`` in (``sign`` 1) or out (-1): the definitions (:func:`call_in`, the
        statuses handed in) applied to one unit."""
        self.units += sign
        self.kinds[row.kind] += sign
        self.late += sign * row.late
        self.call_in += sign * call_in(row)
        for i, c in enumerate(row.cells):
            scope = self.per_scope[i]
            if c.status in HANDED_IN:
                scope[0] += sign
                if c.score is not None:
                    self.bins[i][min(int(c.score // 10), 9)] += sign
            if c.status == ACCEPTED:
                scope[1] += sign
            elif c.status == RETURNED:
                scope[2] += sign
            if c.stale:
                scope[3] += sign

    def copy(self) -> _Totals:
        return _Totals([list(x) for x in self.per_scope], [list(x) for x in self.bins], Counter(self.kinds),
                       self.units, self.late, self.call_in)


ACCEPTED = Status.ACCEPTED.value
RETURNED = Status.RETURNED.value


def board(rnd: Round, routing: Routing, settings: ReviewSettings, today: date) -> Board:
    """The kept :class:`Board` of ``rnd`` over every scope of its routing on ``today`` (a
    new one each day: waiting times move with it)."""
    key = (db.engine.url.render_as_string(), rnd.id, routing.scopes, today, settings.stale_days)
    return _boards.get(key, lambda: Board(rnd.id, routing.scopes, today, settings.stale_days))


class Board:
    """Every unit of a round as a :class:`Line` over all its scopes, read once and then
    kept current by re-reading only the units that changed.

    Each row of ``round_changes`` names its unit (migration 0014). The board
    remembers the highest change id it has seen and the ids seen among the last
    :data:`counted.WINDOW`; when asked for its lines it reads the round's changes
    since, re-reads the units they name and leaves the others. A change committed
    late, under an id lower than one already seen, is still found in the window, as
    the round's stamp finds it. It reads the whole round again when a change names
    no unit (rows written before migration 0014), when more than
    :data:`REREAD_AT_MOST` units changed at once, or when the log no longer holds
    what it saw (a restored backup). The changes are read before the units, in
    read-committed transactions: the lines are never older than the changes seen.
    Each dashboard's totals (:class:`_Totals`) are kept with the lines and moved by
    the units that changed: counting after a change costs what changed.
    """

    def __init__(self, round_id: int, scopes: tuple[ScopeDef, ...], today: date, stale_days: int) -> None:
        self.round_id, self.stale_days = round_id, stale_days
        self.now = datetime.combine(today, datetime.min.time())
        self.wide = _Wide(round_id, scopes)
        self.lines: dict[int, tuple[tuple[int, str], Line]] = {}  # by unit id: (order, line)
        self.order: list[Line] = []
        self.position: dict[int, int] = {}  # unit id → index in ``order``
        self.top: int | None = None  # the highest change id seen; None: nothing read yet
        self.seen: set[int] = set()  # the ids seen above ``top - WINDOW``
        self.totals: dict[_View, _Totals] = {}  # kept up to date with the lines
        self.lock = threading.Lock()

    def count(self, view: _View, filters: Filters) -> tuple[_Totals, int, list[UnitRow]]:
        """The totals of ``view``, how many units ``filters`` keeps, and the rows of its page,
        as the database has them now. Without a filter the page is read off the board's order
        (a hundred rows made, not ten thousand); with one, every unit is looked at."""
        with self.lock, self._forgotten_on_error():
            self._bring_up_to_date()
            totals = self.totals.get(view)
            if totals is None:
                totals = self.totals[view] = _Totals.of(map(view.row, self.order), len(view.shown))
            start = (max(filters.page, 1) - 1) * PAGE_SIZE
            if filters.every:
                return totals.copy(), totals.units, [view.row(line) for line in self.order[start:start + PAGE_SIZE]]
            kept = [row for row in map(view.row, self.order) if filters.keep(row)]
            return totals.copy(), len(kept), kept[start:start + PAGE_SIZE]

    def current(self) -> list[Line]:
        """Every unit of the round in order (code within sort order), as the database has them now."""
        with self.lock, self._forgotten_on_error():
            self._bring_up_to_date()
            return self.order

    @contextmanager
    def _forgotten_on_error(self) -> Iterator[None]:
        """A read that failed half-way (the database went away, a statement timed out) may
        have noted changes it did not apply: the next use reads the whole round again."""
        try:
            yield
        except BaseException:
            self.top = None
            raise

    def _bring_up_to_date(self) -> None:
        if self.top is None:
            self._read_all()
            return
        mine = RoundChange.round_id == self.round_id
        # The changes after the highest seen; and, if the window below it holds more than
        # was seen there (a transaction that took a lower id committed late), the window too.
        below = db.session.scalar(select(func.count()).where(
            mine, RoundChange.id > self.top - counted.WINDOW, RoundChange.id <= self.top))
        floor = self.top if below == len(self.seen) else self.top - counted.WINDOW
        changes = db.session.execute(
            select(RoundChange.id, RoundChange.unit_id).where(mine, RoundChange.id > floor)
            .order_by(RoundChange.id).limit(counted.WINDOW + REREAD_AT_MOST)).all()
        new = [unit for i, unit in changes if i not in self.seen]
        if not new:
            return
        units = {unit for unit in new if unit is not None}
        if (len(changes) == counted.WINDOW + REREAD_AT_MOST or None in new or len(units) > REREAD_AT_MOST
                or (floor < self.top and not self.seen <= {i for i, _unit in changes})):
            self._read_all()
            return
        self._note([i for i, _unit in changes])
        result = db.session.execute(self.wide.select.where(Unit.id.in_(sorted(units)))).all()
        counts = _bottleneck_counts(self.round_id, self.wide.scopes, sorted(units))
        fresh = {line.unit_id: (order, line) for order, line in (self._line(r, counts) for r in result)}
        moved = False  # a unit joined, left, or changed its place in the order
        for unit_id in units:
            old, now = self.lines.pop(unit_id, None), fresh.get(unit_id)  # not read again: gone from the round
            moved = moved or old is None or now is None or old[0] != now[0]
            for view, totals in self.totals.items():
                if old is not None:
                    totals.add(view.row(old[1]), -1)
                if now is not None:
                    totals.add(view.row(now[1]), 1)
        self.lines.update(fresh)
        if moved:
            self._sort()
        else:  # the same units in the same places (a status, a score): no need to sort 10,000 again
            order = list(self.order)
            for unit_id, (_key, line) in fresh.items():
                order[self.position[unit_id]] = line
            self.order = order

    def _read_all(self) -> None:
        mine = RoundChange.round_id == self.round_id
        top = select(func.max(RoundChange.id)).where(mine).scalar_subquery()
        self.top, self.seen, self.totals = 0, set(), {}
        self._note(db.session.scalars(select(RoundChange.id).where(mine, RoundChange.id > top - counted.WINDOW)))
        result = db.session.execute(self.wide.select).all()
        counts = _bottleneck_counts(self.round_id, self.wide.scopes, None)
        self.lines = {line.unit_id: (order, line) for order, line in (self._line(r, counts) for r in result)}
        self._sort()

    def _note(self, ids: Iterable[int]) -> None:
        """Remember change ids as seen (those more than a window below the highest are forgotten)."""
        self.seen.update(ids)
        self.top = max(self.seen, default=self.top or 0)
        self.seen = {i for i in self.seen if i > self.top - counted.WINDOW}

    def _line(self, r: Any, counts: dict[tuple[int, str], int]) -> tuple[tuple[int, str], Line]:
        return (r[5], r[1]), self.wide.line(r, self.now, self.stale_days, counts)

    def _sort(self) -> None:
        ordered = sorted(self.lines.values(), key=itemgetter(0))
        self.order = [line for _key, line in ordered]
        self.position = {line.unit_id: i for i, (_key, line) in enumerate(ordered)}


def warm(settings: ReviewSettings, today: date) -> int:
    """Read the boards of the rounds not yet closed, and the totals of the province view and
    of each reviewing unit's dashboard, in gunicorn's master before it forks
    (``survey_app.warm``): every worker starts with them and reads only what changed
    since. How many units were read."""
    units = 0
    for rnd in db.session.scalars(select(Round).where(Round.closed_at.is_(None)).order_by(Round.id)):
        routing = routing_for(rnd, bank_for(rnd.bank_version))
        kept = board(rnd, routing, settings, today)
        units += len(kept.current())
        reviewing = {u for s in routing.scopes for u in (*s.lead_unit_ids, *s.coordinating_unit_ids)}
        views = {tuple(range(len(routing.scopes)))} | {
            tuple(i for i, s in enumerate(routing.scopes) if u in s.lead_unit_ids or u in s.coordinating_unit_ids)
            for u in reviewing}
        for shown in views:
            kept.count(_View(shown, frozenset(routing.scopes[i].group for i in shown), today > rnd.due_on), Filters())
    return units


#: A burst of changes naming more units than this (an import, a bulk edit): the whole round is read again.
REREAD_AT_MOST = 500
#: Boards kept in this process: one per open round and day.
_boards = counted.Lru(8)


class _Wide:
    """One row per unit of the round: for each scope its status, score, band,
    submission time and returns, and for each group whether it was handed in red.

    Statuses follow :func:`.scopes.status_of`: a scope's own review row once it
    exists, before that its group's status. A split group's section scores are
    read from its JSON column by the database. The columns, which :meth:`line`
    reads by position: the unit's id, code, names, kind and sort order; five per
    scope (status, score, band, submission time, returns); one per group (red).
    """

    def __init__(self, round_id: int, scopes: tuple[ScopeDef, ...]) -> None:
        self.scopes = scopes
        response = aliased(Response)
        query = (select(Unit.id, Unit.code, Unit.name_vi, Unit.name_en, Unit.kind, Unit.sort_order)
                 .select_from(RoundUnit).join(Unit, Unit.id == RoundUnit.unit_id)
                 .outerjoin(response, and_(response.round_id == round_id, response.unit_id == Unit.id))
                 .where(RoundUnit.round_id == round_id))
        groups: dict[str, Any] = {}
        for code in dict.fromkeys(s.group for s in scopes):
            groups[code] = aliased(ResponseGroup, name=f"g_{len(groups)}")
            query = query.outerjoin(groups[code], and_(groups[code].response_id == response.id,
                                                       groups[code].group_code == code))
        columns: list[Any] = []
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
            columns += [status, case((scored, score), else_=null()), case((scored, band), else_=null()),
                        case((row.id.is_not(None), row.submitted_at), else_=g.submitted_at),
                        func.coalesce(row.returns_used, 0)]
        columns += [case((and_(g.status.in_(HANDED_IN), g.band == "red"), True), else_=False) for g in groups.values()]
        self.groups = tuple(groups)
        self.select = query.add_columns(*columns)

    def line(self, r: Any, now: datetime, stale_days: int, counts: dict[tuple[int, str], int]) -> Line:
        """The :class:`Line` of a row of :attr:`select`, with the open bottlenecks of each
        started scope from ``counts`` (:func:`_bottleneck_counts`). By position: a board
        reads 10,000 of them at once."""
        cells = []
        for i, s in enumerate(self.scopes):
            status, score, band, at, returns = r[6 + 5 * i:11 + 5 * i]
            days = (now - at.replace(tzinfo=None)).days if status in WAITING and at is not None else None
            found = counts.get((r[0], s.code), 0) if status != NOT_STARTED else 0
            cells.append(Cell(s.code, status, score, band, found, days, days is not None and days > stale_days,
                              returns))
        first = 6 + 5 * len(self.scopes)
        red = frozenset(g for g, flag in zip(self.groups, r[first:], strict=True) if flag) or _NONE
        return Line(r[0], r[1], r[2], r[3], r[4], tuple(cells), red)


_NONE: frozenset[str] = frozenset()


def _bottleneck_counts(round_id: int, scopes: tuple[ScopeDef, ...], unit_ids: list[int] | None
                       ) -> dict[tuple[int, str], int]:
    """Open bottlenecks per unit (of ``unit_ids``; of the whole round with None) and scope,
    found through the group and section codes, for the groups scored."""
    if unit_ids is not None and not unit_ids:
        return {}
    query = (select(Response.unit_id, Bottleneck.group_code, Bottleneck.section_code, func.count())
             .join(ResponseGroup, ResponseGroup.id == Bottleneck.response_group_id)
             .join(Response, Response.id == ResponseGroup.response_id)
             .where(Response.round_id == round_id, ResponseGroup.status.in_(SCORED), Bottleneck.resolved_at.is_(None))
             .group_by(Response.unit_id, Bottleneck.group_code, Bottleneck.section_code))
    rows = db.session.execute(query if unit_ids is None else query.where(Response.unit_id.in_(unit_ids)))
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
