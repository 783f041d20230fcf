"""Who may see or change what: one place, deny by default.

A unit's response is seen by the unit's members and changed by its editors
and head while the group is open and the round accepts answers; only the
head submits. Views and templates receive these decisions (``can_edit``,
``can_submit``) instead of re-deriving them. Evidence files are also open to the lead agencies of the file's
group (or section) under the routing in force, to coordinators (the
standing agency) and to administrators. Anything else is refused, and the
views answer 404 so that they do not even confirm what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..models import Role, Unit, User
from ..models.routing import RoutingRole, rules_on
from ..workflow import Action, Subject, allows, is_editable
from .rounds import ACCEPTING, RoundState


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


def can_view(user: User, unit: Unit) -> bool:
    """Whether the user sees the unit's response pages (its members do)."""
    return bool(roles_in(user, unit))


def can_edit(roles: frozenset[str], status: str, round_state: RoundState = RoundState.OPEN) -> bool:
    """Whether a member with ``roles`` may change a group in ``status`` now."""
    return round_state in ACCEPTING and is_editable(status) and allows(Subject.GROUP, status, Action.SAVE, roles)


def can_submit(roles: frozenset[str], status: str, round_state: RoundState = RoundState.OPEN) -> bool:
    """Whether a member with ``roles`` may hand in a group in ``status`` now."""
    return round_state in ACCEPTING and allows(Subject.GROUP, status, Action.SUBMIT, roles)


# can_review(user, group, day): whether a lead agency's reviewer may return or
# accept a submitted group; it belongs here, beside can_edit and can_submit.


def editable(state: object, roles: frozenset[str]) -> bool:
    """Former name of :func:`can_edit` for a group state (round window not checked)."""
    return can_edit(roles, str(getattr(state, "status", "not_started")))


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
    """The units the user belongs to, in administrative order (read with the memberships)."""
    units = {m.unit_id: m.unit for m in user.memberships}
    return sorted(units.values(), key=lambda u: (u.sort_order, u.code))



def is_admin(user: User) -> bool:
    """Administrators, and only they, use the administration pages and commands."""
    return bool(getattr(user, "is_authenticated", False)) and any(m.role == Role.ADMIN for m in user.memberships)


def reads_through_merger(user: User, unit: Unit) -> bool:
    """Members of the unit that ``unit`` merged into (directly or through later mergers) read its past responses."""
    seen: set[int] = set()
    successor = unit.successor
    while successor is not None and successor.id not in seen:
        if roles_in(user, successor):
            return True
        seen.add(successor.id)
        successor = successor.successor
    return False


# -- Consolidated workbooks ---------------------------------------------------------------------------------


def may_export_unit(user: User, unit: Unit) -> bool:
    """A unit's own workbook: its members, coordinators and administrators."""
    return bool(roles_in(user, unit)) or has_global_view(user)


def may_export_lead(user: User, lead: Unit, day: date) -> bool:
    """A lead agency's workbook (the scopes ``lead`` leads on ``day``): its
    reviewers, while it leads something; coordinators and administrators."""
    if has_global_view(user):
        return True
    if Role.REVIEWER not in roles_in(user, lead):
        return False
    return any(r.role == RoutingRole.LEAD and r.unit_id == lead.id for r in rules_on(day))


def may_export_province(user: User) -> bool:
    """The province's workbook: coordinators (the standing agency) and administrators."""
    return has_global_view(user)


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


def workbook_leads(user: User, day: date) -> list[Unit]:
    """The lead agencies whose workbook the user may download from the review dashboard:
    the units it reviews for that lead a scope on ``day`` (the round's routing date)."""
    return [u for u in units_of(user) if Role.REVIEWER in roles_in(user, u) and may_export_lead(user, u, day)]
