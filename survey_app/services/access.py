"""Who may see or change what: one place, deny by default.

A unit's response is seen by the unit's members and changed by its editors
and head. Evidence files are also open to the lead agencies of the file's
group (or section) under the routing in force, to coordinators (the
standing agency) and to administrators. Anything else is refused, and the
views answer 404 so that they do not even confirm what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Role, Unit, User
from ..models.routing import RoutingRole, rules_on


class NotAllowed(Exception):
    """The user may not see or do this; views answer 404."""


def roles_in(user: User, unit: Unit) -> frozenset[str]:
    """The user's roles in ``unit`` (empty when not a member)."""
    return frozenset(m.role for m in user.memberships if m.unit_id == unit.id)


def require_member(user: User, unit: Unit) -> frozenset[str]:
    """The user's roles in ``unit``; NotAllowed when they have none."""
    roles = roles_in(user, unit)
    if not roles:
        raise NotAllowed
    return roles


def has_global_view(user: User) -> bool:
    """Coordinators and administrators see every unit."""
    return any(m.role in (Role.COORDINATOR, Role.ADMIN) for m in user.memberships)


def leads_scope(user: User, scopes: set[str], day: date) -> bool:
    """Whether the user reviews for a unit that leads one of ``scopes`` on ``day``."""
    reviewer_units = {m.unit_id for m in user.memberships if m.role == Role.REVIEWER}
    if not reviewer_units:
        return False
    return any(r.role == RoutingRole.LEAD and r.scope in scopes and r.unit_id in reviewer_units for r in rules_on(day))


def may_download_evidence(user: User, unit: Unit, group: str, section: str, day: date) -> bool:
    """The unit itself, the leads of the file's group or section, coordinators, admins."""
    return bool(roles_in(user, unit)) or has_global_view(user) or leads_scope(user, {group, section}, day)


def units_of(user: User) -> list[Unit]:
    """The units the user belongs to, in administrative order."""
    ids = {m.unit_id for m in user.memberships}
    if not ids:
        return []
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.sort_order, Unit.code)))



# --- Review scopes (issue 9: lead-agency review) -------------------------------
#
# A reviewer works for a unit. On the round's routing date that unit *leads*
# some scopes (groups, or sections where the routing splits a group): it sees
# every unit's answers there and decides (accept, return, appraise, propose).
# It *coordinates* others: it sees and comments, never decides. Coordinators
# (the standing agency and the Office) and administrators see every scope of
# every unit and decide nothing. Everything else is refused.


@dataclass(frozen=True, slots=True)
class ScopeGrants:
    """What one user may do with review scopes on one routing date."""

    lead: frozenset[str]
    coordinating: frozenset[str]
    everything: bool  # coordinators and administrators see every scope
    reviewer_unit_ids: frozenset[int]

    @property
    def any(self) -> bool:
        return self.everything or bool(self.lead or self.coordinating)

    def sees(self, scope: str) -> bool:
        return self.everything or scope in self.lead or scope in self.coordinating

    def roles_for(self, scope: str) -> frozenset[str]:
        """The workflow roles (``lead``, ``coordinating``, ``coordinator``) the user holds on ``scope``."""
        roles = set()
        if scope in self.lead:
            roles.add("lead")
        if scope in self.coordinating:
            roles.add("coordinating")
        if self.everything:
            roles.add("coordinator")
        return frozenset(roles)


def scope_grants(user: User, day: date) -> ScopeGrants:
    """The scopes ``user`` leads and coordinates on ``day`` (one query, or none
    for a user without a reviewer or coordinator membership)."""
    reviewer_units = frozenset(m.unit_id for m in user.memberships if m.role == Role.REVIEWER)
    everything = has_global_view(user)
    lead: set[str] = set()
    coordinating: set[str] = set()
    if reviewer_units:
        for rule in rules_on(day):
            if rule.unit_id in reviewer_units:
                (lead if rule.role == RoutingRole.LEAD else coordinating).add(rule.scope)
    return ScopeGrants(frozenset(lead), frozenset(coordinating - lead), everything, reviewer_units)


def can_review_scope(user: User, scope: str, day: date) -> bool:
    """Whether the user decides on ``scope`` (its unit leads it on ``day``)."""
    return scope in scope_grants(user, day).lead


def can_see_scope(user: User, scope: str, day: date) -> bool:
    """Whether the user may read every unit's answers in ``scope``."""
    return scope_grants(user, day).sees(scope)


def can_comment_scope(user: User, scope: str, day: date) -> bool:
    """Leads, coordinating reviewers and coordinators may comment on ``scope``."""
    return scope_grants(user, day).sees(scope)


def scopes_led_by(user: User, day: date) -> frozenset[str]:
    """The scopes the user's reviewer units lead on ``day``."""
    return scope_grants(user, day).lead


def can_see_review(user: User) -> bool:
    """Whether the user has any review page at all (reviewers, coordinators, admins)."""
    return has_global_view(user) or any(m.role == Role.REVIEWER for m in user.memberships)


def can_see_province(user: User) -> bool:
    """The province view is for coordinators and administrators."""
    return has_global_view(user)


def can_edit_proposal(user: User, lead_unit_id: int, scope: str, day: date) -> bool:
    """A proposal is changed by the lead agency that made it, while it still leads the scope."""
    grants = scope_grants(user, day)
    return scope in grants.lead and lead_unit_id in grants.reviewer_unit_ids
