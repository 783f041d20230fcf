"""What the home page shows a user: their units and roles, and open rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import GroupStatus, Response, ResponseGroup, Round, RoundUnit, Unit, User
from .banks import bank_for


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


@dataclass(frozen=True, slots=True)
class HomeView:
    units: tuple[UnitRole, ...]
    rounds: tuple[RoundLine, ...]


def home_view(user: User, today: date) -> HomeView:
    """The user's units with roles, and each open round their units take part in."""
    roles: dict[int, list[str]] = {}
    units: dict[int, Unit] = {}
    for m in user.memberships:
        roles.setdefault(m.unit_id, []).append(m.role)
        units[m.unit_id] = m.unit
    unit_roles = tuple(UnitRole(units[uid], tuple(sorted(r))) for uid, r in roles.items())
    if not units:
        return HomeView(unit_roles, ())
    rows = db.session.execute(
        select(Round, RoundUnit.unit_id)
        .join(RoundUnit, RoundUnit.round_id == Round.id)
        .where(RoundUnit.unit_id.in_(units), Round.opens_on <= today, Round.due_on >= today)
        .order_by(Round.due_on)
    ).all()
    statuses = _group_statuses([(r.id, uid) for r, uid in rows])
    lines = []
    for rnd, unit_id in rows:
        bank = bank_for(rnd.bank_version)
        groups = tuple(
            GroupLine(g.code, g.name.vi, g.name.en,
                      statuses.get((rnd.id, unit_id, g.code), GroupStatus.NOT_STARTED.value))
            for g in bank.groups
        )
        lines.append(RoundLine(rnd, units[unit_id], (rnd.due_on - today).days, groups))
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
