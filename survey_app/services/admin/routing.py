"""Routing: which unit leads, and which coordinate, each group or section, from which date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ...extensions import db
from ...models import RoutingRole, RoutingRule, Unit, User
from ...models.routing import rules_on
from ..banks import bank_for
from . import AdminError, Msg, log_change
from .rounds import open_rounds, window


@dataclass(frozen=True, slots=True)
class ScopeLine:
    """Who leads and coordinates one scope on a day."""

    scope: str
    group: str
    leads: tuple[Unit, ...]
    coordinating: tuple[Unit, ...]


def rules() -> list[RoutingRule]:
    return list(db.session.scalars(select(RoutingRule).order_by(RoutingRule.scope, RoutingRule.valid_from,
                                                                 RoutingRule.role, RoutingRule.id)))


def scopes() -> list[tuple[str, str]]:
    """(scope, group) for every group and section of the banks in use or newest."""
    from ...models import BankVersion

    seen: dict[str, str] = {}
    for version in db.session.scalars(select(BankVersion).order_by(BankVersion.id)):
        bank = bank_for(version)
        for g in bank.groups:
            seen.setdefault(g.code, g.code)
            for s in g.sections:
                seen.setdefault(s.code, g.code)
    return list(seen.items())


def preview(day: date) -> list[ScopeLine]:
    """Who leads what on ``day``, scope by scope."""
    in_force = rules_on(day)
    lines = []
    for scope, group in scopes():
        here = [r for r in in_force if r.scope == scope]
        lines.append(ScopeLine(scope, group,
                               tuple(sorted((r.unit for r in here if r.role == RoutingRole.LEAD), key=_key)),
                               tuple(sorted((r.unit for r in here if r.role == RoutingRole.COORDINATING), key=_key))))
    return lines


def _key(unit: Unit) -> tuple[int, str]:
    return unit.sort_order, unit.code


def set_scope(actor: User | None, scope: str, lead: list[str], coordinating: list[str], valid_from: date) -> None:
    """From ``valid_from`` on, ``lead`` leads ``scope`` and ``coordinating`` coordinate it.

    Rules of the scope in force on that day end the day before; later ones
    are replaced. Refused, with the reason, if an open round would then
    have a section with no lead, or two, on some day.
    """
    known = dict(scopes())
    if scope not in known:
        raise AdminError(Msg("%(scope)s is neither a group nor a section of a question bank.", scope=scope))
    units = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_([*lead, *coordinating])))}
    missing = sorted((set(lead) | set(coordinating)) - set(units))
    if missing:
        raise AdminError(Msg("No unit has the code %(code)s.", code=", ".join(missing)))
    before = [_describe(r) for r in rules() if r.scope == scope]
    for rule in rules():
        if rule.scope != scope:
            continue
        if rule.valid_from >= valid_from:
            db.session.delete(rule)
        elif rule.valid_to is None or rule.valid_to > valid_from:
            rule.valid_to = valid_from
    for role, codes in ((RoutingRole.LEAD, lead), (RoutingRole.COORDINATING, coordinating)):
        for code in codes:
            db.session.add(RoutingRule(scope=scope, unit=units[code], role=role.value, valid_from=valid_from))
    db.session.flush()
    problem = check_open_rounds()
    if problem:
        db.session.rollback()
        raise AdminError(problem)
    log_change(actor, "routing.change", "routing", scope, before={"rules": before},
               after={"rules": [_describe(r) for r in rules() if r.scope == scope]})
    db.session.commit()


def _describe(rule: RoutingRule) -> str:
    end = rule.valid_to.isoformat() if rule.valid_to else "…"
    return f"{rule.role} {rule.unit.code} {rule.valid_from.isoformat()}–{end}"


def check_open_rounds() -> Msg | None:
    """The first day an open round would have a section with no lead or two leads, described; else None."""
    all_rules = rules()
    for rnd in open_rounds():
        start, end = window(rnd)
        days = {start} | {d for r in all_rules for d in (r.valid_from, r.valid_to) if d and start <= d <= end}
        bank = bank_for(rnd.bank_version)
        for day in sorted(days):
            in_force = [r for r in all_rules if r.role == RoutingRole.LEAD and r.valid_from <= day
                        and (r.valid_to is None or r.valid_to > day)]
            for group in bank.groups:
                for section in group.sections:
                    leads = {r.unit_id for r in in_force if r.scope == section.code} or {
                        r.unit_id for r in in_force if r.scope == group.code}
                    if len(leads) != 1:
                        template = ("Refused: on %(date)s section %(section)s (group %(group)s) of the open round "
                                    "%(round)s would have no lead." if not leads else
                                    "Refused: on %(date)s section %(section)s (group %(group)s) of the open round "
                                    "%(round)s would have %(num)d leads.")
                        return Msg(template, date=day.strftime("%d/%m/%Y"), section=section.code, group=group.code,
                                   round=rnd.code, num=len(leads))
    return None
