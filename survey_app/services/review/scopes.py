"""Review scopes of a round and the one function that moves them.

A scope is a group, or a section where the routing in force on the round's
routing date (the day it opens) names a lead for a section of the group.
:func:`apply` is the only place a scope's status changes: it checks the
transition table of :mod:`survey_app.workflow`, keeps the group status the
unit sees in step, records a :class:`ScopeEvent` and writes an audit event,
all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import GroupEvent, Response, ResponseGroup, Round, User, utcnow
from ...models.review import ScopeEvent, ScopeReview
from ...models.routing import RoutingRole, rules_on
from ...questionnaires import Bank
from ...questionnaires.schema import Question, Text
from ...workflow import InvalidTransition, Role, ScopeAction, Status, Subject, advance, group_status_from_scopes
from ...workflow import scopes_of_group as _scopes_of_group
from .. import audit
from ..access import ScopeGrants

#: Default reasons for sending a scope back (codes → labels); REVIEW_RETURN_REASONS overrides.
DEFAULT_REASONS: dict[str, dict[str, str]] = {
    "missing_evidence": {"vi": "Thiếu tài liệu kiểm chứng", "en": "Missing evidence"},
    "inconsistent_answer": {"vi": "Câu trả lời không nhất quán", "en": "Inconsistent answer"},
    "incomplete": {"vi": "Trả lời chưa đầy đủ", "en": "Incomplete answer"},
    "outdated": {"vi": "Số liệu chưa cập nhật", "en": "Outdated figures"},
    "other": {"vi": "Lý do khác", "en": "Other reason"},
}


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    """Rules an administrator configures (``SURVEY_REVIEW_*``)."""

    max_returns: int = 2
    stale_days: int = 14
    reasons: dict[str, dict[str, str]] = field(default_factory=lambda: dict(DEFAULT_REASONS))

    @classmethod
    def from_config(cls, config: Any) -> ReviewSettings:
        return cls(int(config.get("REVIEW_MAX_RETURNS", 2)), int(config.get("REVIEW_STALE_DAYS", 14)),
                   dict(config.get("REVIEW_RETURN_REASONS") or DEFAULT_REASONS))

    def reason_label(self, code: str | None, locale: str) -> str:
        labels = self.reasons.get(code or "", {})
        return labels.get(locale) or labels.get("vi") or (code or "")


@dataclass(frozen=True, slots=True)
class ScopeDef:
    """One review scope of a bank: a group, or one section of a split group."""

    code: str
    group: str
    sections: tuple[str, ...]
    name: Text
    group_name: Text
    lead_unit_ids: tuple[int, ...]
    lead_names: tuple[str, ...]
    coordinating_unit_ids: tuple[int, ...]

    def questions(self, bank: Bank) -> tuple[Question, ...]:
        return tuple(q for q in bank.group(self.group).questions if q.section in self.sections)


@dataclass(frozen=True, slots=True)
class Routing:
    """The scopes of a round on its routing date, in bank order."""

    day: date
    scopes: tuple[ScopeDef, ...]

    def get(self, code: str) -> ScopeDef:
        for s in self.scopes:
            if s.code == code:
                return s
        raise KeyError(code)

    def of_group(self, group: str) -> tuple[ScopeDef, ...]:
        return tuple(s for s in self.scopes if s.group == group)

    def visible(self, grants: ScopeGrants) -> tuple[ScopeDef, ...]:
        return tuple(s for s in self.scopes if grants.sees(s.code))


def routing_day(rnd: Round) -> date:
    """The day whose routing a round follows: the day it opens."""
    return rnd.opens_on


def routing_for(rnd: Round, bank: Bank) -> Routing:
    """The round's scopes with their lead and coordinating units (:func:`rules_on`: no
    query when the page asked already)."""
    day = routing_day(rnd)
    rules = sorted(rules_on(day), key=lambda r: (r.scope, r.unit.sort_order, r.unit.id))
    leads: dict[str, list[tuple[int, str]]] = {}
    coordinating: dict[str, list[int]] = {}
    for rule in rules:
        if rule.role == RoutingRole.LEAD:
            leads.setdefault(rule.scope, []).append((rule.unit.id, rule.unit.name_vi))
        else:
            coordinating.setdefault(rule.scope, []).append(rule.unit.id)
    routed = set(leads) | set(coordinating)
    scopes: list[ScopeDef] = []
    for g in bank.groups:
        sections = {s.code: s for s in g.sections}
        for code in _scopes_of_group(g.code, tuple(sections), routed):
            title = sections[code].name if code in sections else g.name
            members = (code,) if code in sections else tuple(sections)
            scopes.append(ScopeDef(code, g.code, members, title, g.name,
                                   tuple(u for u, _ in leads.get(code, [])), tuple(n for _, n in leads.get(code, [])),
                                   tuple(coordinating.get(code, []))))
    return Routing(day, tuple(scopes))


# Transitions


def submit_scopes(group: ResponseGroup, user: User, routing: Routing) -> None:
    """The unit handed a group in: each of its scopes not yet accepted becomes
    submitted (a resubmission after a return). The caller commits."""
    existing = {s.scope: s for s in db.session.scalars(
        select(ScopeReview).where(ScopeReview.response_id == group.response_id))}
    now = utcnow()
    for scope in routing.of_group(group.group_code):
        row = existing.get(scope.code)
        if row is None:
            row = ScopeReview(response_id=group.response_id, group_code=group.group_code, scope=scope.code,
                              status=Status.DRAFT.value, returns_used=0)
            db.session.add(row)
        if row.status == Status.ACCEPTED:
            continue
        target = advance(Subject.SCOPE, row.status, ScopeAction.SUBMIT, {Role.HEAD})
        row.events.append(ScopeEvent(action=ScopeAction.SUBMIT.value, from_status=row.status, to_status=target.value,
                                     actor_id=user.id, at=now))
        row.status = target.value
        row.submitted_at = now


class ReviewRefused(Exception):
    """The action is not allowed for this scope now (shown to the reviewer)."""


def apply(row: ScopeReview, action: ScopeAction, user: User, grants: ScopeGrants, settings: ReviewSettings,
          *, reason_code: str | None = None, reason: str | None = None) -> ScopeEvent:
    """Apply a reviewer's action to a scope, record it, and keep the group in step.

    :raises ReviewRefused: when the transition is not allowed, a return has
        no valid reason code or text, or the returns are used up.
    """
    if action is ScopeAction.RETURN and (reason_code not in settings.reasons or not (reason or "").strip()):
        raise ReviewRefused("a return needs a reason code and a text")
    if action is ScopeAction.COMMENT and not (reason or "").strip():
        raise ReviewRefused("a comment needs a text")
    try:
        target = advance(Subject.SCOPE, row.status, action, grants.roles_for(row.scope),
                         returns_used=row.returns_used, max_returns=settings.max_returns)
    except InvalidTransition as exc:
        raise ReviewRefused(str(exc)) from exc
    actor_unit = next(iter(sorted(grants.reviewer_unit_ids)), None)
    event = ScopeEvent(action=action.value, from_status=row.status, to_status=target.value, actor_id=user.id,
                       actor_unit_id=actor_unit, reason_code=reason_code, reason=(reason or "").strip() or None)
    row.events.append(event)
    if action is not ScopeAction.COMMENT:
        row.status = target.value
        row.decided_at = utcnow()
        row.decided_by_id = user.id
        if action is ScopeAction.RETURN:
            row.returns_used += 1
        _sync_group(row, user, action, reason)
    response = db.session.get(Response, row.response_id)
    assert response is not None
    audit.record(f"review.{action.value}", actor_id=user.id, actor_name=user.username, object_type="scope_review",
                 object_id=row.id, unit_id=response.unit_id, round_id=response.round_id,
                 detail={"scope": row.scope, "from": event.from_status, "to": event.to_status,
                         "reason_code": reason_code, "reason": event.reason})
    return event


def _sync_group(row: ScopeReview, user: User, action: ScopeAction, reason: str | None) -> None:
    """Set the unit's group status from its scopes, with a group event when it changes."""
    group = db.session.scalar(select(ResponseGroup).filter_by(response_id=row.response_id,
                                                               group_code=row.group_code))
    assert group is not None
    statuses = list(db.session.scalars(select(ScopeReview.status).where(
        ScopeReview.response_id == row.response_id, ScopeReview.group_code == row.group_code,
        ScopeReview.id != row.id)))
    target = group_status_from_scopes([*statuses, row.status]).value
    if target == group.status:
        return
    db.session.add(GroupEvent(response_group=group, action=action.value, from_status=group.status,
                              to_status=target, actor_id=user.id, reason=reason))
    group.status = target
    db.session.flush()


def scope_row(response_id: int, scope: str) -> ScopeReview | None:
    return db.session.scalar(select(ScopeReview).filter_by(response_id=response_id, scope=scope))


def status_of(row: ScopeReview | None, group_status: str | None) -> str:
    """A scope's status: its own once submitted, before that its group's."""
    if row is not None:
        return row.status
    return group_status or Status.NOT_STARTED.value
