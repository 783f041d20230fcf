"""What the home page shows a user: their units and roles, and their rounds.

A round is listed from the day it opens until it is closed, with its state
(open or past due), so a late unit still sees what it owes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import GroupStatus, Response, ResponseGroup, Round, RoundUnit, Unit, User
from .banks import bank_for
from .rounds import RoundState, window_with


@dataclass(frozen=True, slots=True)
class UnitRole:
    unit: Unit
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupLine:
    code: str
    name_vi: str
    name_en: str
    status: str


@dataclass(frozen=True, slots=True)
class RoundLine:
    round: Round
    unit: Unit
    days_left: int
    groups: tuple[GroupLine, ...]
    state: RoundState = RoundState.OPEN


@dataclass(frozen=True, slots=True)
class HomeView:
    units: tuple[UnitRole, ...]
    rounds: tuple[RoundLine, ...]


def home_view(user: User, today: date) -> HomeView:
    """The user's units with roles, and each round their units take part in
    that has opened and is not closed (``today`` is the province's date)."""
    roles: dict[int, list[str]] = {}
    units: dict[int, Unit] = {}
    for m in user.memberships:
        roles.setdefault(m.unit_id, []).append(m.role)
        units[m.unit_id] = m.unit
    unit_roles = tuple(UnitRole(units[uid], tuple(sorted(r))) for uid, r in roles.items())
    if not units:
        return HomeView(unit_roles, ())
    rows = db.session.execute(
        select(Round, RoundUnit.unit_id, RoundUnit.due_on)
        .join(RoundUnit, RoundUnit.round_id == Round.id)
        .where(RoundUnit.unit_id.in_(units), Round.opens_on <= today, Round.closed_at.is_(None))
        .order_by(Round.due_on)
    ).all()
    statuses = _group_statuses([(r.id, uid) for r, uid, _due in rows])
    lines = []
    for rnd, unit_id, own_due_on in rows:
        bank = bank_for(rnd.bank_version)
        groups = tuple(
            GroupLine(g.code, g.name.vi, g.name.en,
                      statuses.get((rnd.id, unit_id, g.code), GroupStatus.NOT_STARTED.value))
            for g in bank.groups
        )
        win = window_with(rnd, own_due_on)
        lines.append(RoundLine(rnd, units[unit_id], win.days_left(today), groups, win.state(today)))
    return HomeView(unit_roles, tuple(lines))


def _group_statuses(pairs: list[tuple[int, int]]) -> dict[tuple[int, int, str], str]:
    if not pairs:
        return {}
    round_ids = {p[0] for p in pairs}
    unit_ids = {p[1] for p in pairs}
    rows = db.session.execute(
        select(Response.round_id, Response.unit_id, ResponseGroup.group_code, ResponseGroup.status)
        .join(ResponseGroup, ResponseGroup.response_id == Response.id)
        .where(Response.round_id.in_(round_ids), Response.unit_id.in_(unit_ids))
    )
    return {(r, u, g): s for r, u, g, s in rows}
