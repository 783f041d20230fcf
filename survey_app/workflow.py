"""The life of a group's answers and of its review scopes: one table of
allowed transitions, and one function that applies it.

Every change of a group's status (the unit saves and submits; the reviewer
returns and accepts) and of a review scope's status (the lead agency decides)
goes through :func:`advance`, so the rules live here and nowhere else. Pure:
no Flask, no database.

Groups::

    not_started ─save→ draft ─submit→ submitted ─accept→ accepted
                         ↑                │  ↑              │
                         └──── return ────┘  └── reopen ────┘
    returned ─save→ returned ─submit→ submitted

A returned group stays "returned" while the unit corrects it, so the
reviewer's reason stays on top of its home page until it is resubmitted.

Review scopes: a lead agency reviews a *scope*, a group, or a section where
the routing splits a group (``resources``: budget and people). The unit still
submits by group; submitting a group submits each of its scopes not yet
accepted. A scope uses the same :class:`Status` values, with one more action
(``comment``) that changes nothing but is recorded. Returns are limited per
scope and round: once they are used up, only ``accept`` remains::

    draft ─submit→ submitted ─accept→ accepted
                     │  ↑
              return ↓  │ submit (a resubmission)
                   returned
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a user may do in a unit (the roles the transitions below name)."""

    EDITOR = "editor"  # fills the unit's answers
    HEAD = "head"  # submits for the unit
    REVIEWER = "reviewer"  # works for a lead agency
    COORDINATOR = "coordinator"  # standing agency: province-wide view
    ADMIN = "admin"


class ScopeRole(StrEnum):
    """What a user may do in one review scope (see ``services/access.scope_grants``)."""

    LEAD = "lead"  # the scope's lead agency decides
    COORDINATING = "coordinating"  # a coordinating agency reads and comments


class Status(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class Action(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    REOPEN = "reopen"
    COMMENT = "comment"  # review scopes only: recorded, changes nothing


#: The review decisions use the same actions (kept as a name for the review code).
ScopeAction = Action


class Subject(StrEnum):
    """What moves: a unit's group of answers, or one review scope of it."""

    GROUP = "group"
    SCOPE = "scope"


class Side(StrEnum):
    """Who acts: the unit, the lead agency, or the province (coordinators)."""

    UNIT = "unit"
    LEAD = "lead agency"
    PROVINCE = "province"


class InvalidTransition(Exception):
    """The action is not allowed from the status, for these roles, or any more."""


@dataclass(frozen=True, slots=True)
class Transition:
    subject: Subject
    source: Status
    action: Action
    target: Status
    side: Side
    roles: frozenset[str]  # any one of them may take the action
    limited: bool = False  # counts against the scope's returns


def _rows(subject: Subject, sources: Iterable[Status], action: Action, target: Status | None, side: Side,
          roles: Iterable[str], limited: bool = False) -> list[Transition]:
    """One row per source status; ``target`` None keeps the status."""
    return [Transition(subject, s, action, target or s, side, frozenset(roles), limited) for s in sources]


_OPEN = (Status.NOT_STARTED, Status.DRAFT, Status.RETURNED)
G, S = Subject.GROUP, Subject.SCOPE

#: The one table of allowed transitions.
TABLE: tuple[Transition, ...] = (
    # The unit answers and hands a group in.
    *_rows(G, (Status.NOT_STARTED, Status.DRAFT), Action.SAVE, Status.DRAFT, Side.UNIT, (Role.EDITOR, Role.HEAD)),
    *_rows(G, (Status.RETURNED,), Action.SAVE, Status.RETURNED, Side.UNIT, (Role.EDITOR, Role.HEAD)),
    *_rows(G, _OPEN, Action.SUBMIT, Status.SUBMITTED, Side.UNIT, (Role.HEAD,)),
    # A reviewer decides on a whole group (the demo and the scope sync record these).
    *_rows(G, (Status.SUBMITTED,), Action.RETURN, Status.RETURNED, Side.LEAD, (Role.REVIEWER,)),
    *_rows(G, (Status.SUBMITTED,), Action.ACCEPT, Status.ACCEPTED, Side.LEAD, (Role.REVIEWER,)),
    *_rows(G, (Status.ACCEPTED,), Action.REOPEN, Status.SUBMITTED, Side.PROVINCE, (Role.ADMIN, Role.COORDINATOR)),
    # Its scopes follow the group's submission; the scope's lead decides.
    *_rows(S, _OPEN, Action.SUBMIT, Status.SUBMITTED, Side.UNIT, (Role.HEAD,)),
    *_rows(S, (Status.SUBMITTED,), Action.RETURN, Status.RETURNED, Side.LEAD, (ScopeRole.LEAD,), limited=True),
    *_rows(S, (Status.SUBMITTED,), Action.ACCEPT, Status.ACCEPTED, Side.LEAD, (ScopeRole.LEAD,)),
    *_rows(S, (Status.ACCEPTED,), Action.REOPEN, Status.SUBMITTED, Side.PROVINCE, (Role.ADMIN, Role.COORDINATOR)),
    *_rows(S, tuple(Status), Action.COMMENT, None, Side.LEAD,
           (ScopeRole.LEAD, ScopeRole.COORDINATING, Role.COORDINATOR)),
)

_INDEX: dict[tuple[Subject, Status, Action], Transition] = {(t.subject, t.source, t.action): t for t in TABLE}
assert len(_INDEX) == len(TABLE), "one row per subject, status and action"

#: Read-only view of the table for groups: (status, action) → status.
TRANSITIONS: dict[tuple[Status, Action], Status] = {(t.source, t.action): t.target for t in TABLE if t.subject is G}

#: Statuses in which the unit may change its answers.
EDITABLE = frozenset({Status.NOT_STARTED, Status.DRAFT, Status.RETURNED})


def advance(subject: Subject, status: str, action: Action, roles: Iterable[str], *,
            returns_used: int = 0, max_returns: int | None = None) -> Status:
    """The status of ``subject`` after ``action``, from the one table.

    :raises InvalidTransition: when the table has no such transition, none of
        ``roles`` may take it, or (for a limited return) ``returns_used`` has
        reached ``max_returns``.
    """
    rule = _INDEX.get((subject, Status(status), action))
    if rule is None:
        raise InvalidTransition(f"cannot {action.value} a {subject.value} that is {status}")
    if not rule.roles & set(roles):
        raise InvalidTransition(f"{action.value} is for the {rule.side.value}: it needs one of the roles "
                                f"{', '.join(sorted(rule.roles))}")
    if rule.limited and max_returns is not None and returns_used >= max_returns:
        raise InvalidTransition(f"this {subject.value} was already returned {returns_used} times; "
                                "only accept remains")
    return rule.target


def allows(subject: Subject, status: str, action: Action, roles: Iterable[str], *,
           returns_used: int = 0, max_returns: int | None = None) -> bool:
    """Whether :func:`advance` would allow it (for showing buttons)."""
    try:
        advance(subject, status, action, roles, returns_used=returns_used, max_returns=max_returns)
    except InvalidTransition:
        return False
    return True


def next_status(status: str, action: Action, roles: Iterable[str]) -> Status:
    """A group's status after ``action`` (:func:`advance` for a group)."""
    return advance(Subject.GROUP, status, action, roles)


def can(status: str, action: Action, roles: Iterable[str]) -> bool:
    return allows(Subject.GROUP, status, action, roles)


def next_scope_status(status: str, action: Action, roles: Iterable[str], returns_used: int = 0,
                      max_returns: int = 2) -> Status:
    """A review scope's status after ``action`` (:func:`advance` for a scope)."""
    return advance(Subject.SCOPE, status, action, roles, returns_used=returns_used, max_returns=max_returns)


def can_scope(status: str, action: Action, roles: Iterable[str], returns_used: int = 0,
              max_returns: int = 2) -> bool:
    return allows(Subject.SCOPE, status, action, roles, returns_used=returns_used, max_returns=max_returns)


def is_editable(status: str) -> bool:
    return Status(status) in EDITABLE


def group_status_from_scopes(statuses: list[str]) -> Status:
    """The status the unit sees for a group, from its scopes' statuses:
    returned if any scope is, accepted when all are, otherwise submitted."""
    if any(s == Status.RETURNED for s in statuses):
        return Status.RETURNED
    if statuses and all(s == Status.ACCEPTED for s in statuses):
        return Status.ACCEPTED
    return Status.SUBMITTED


def scopes_of_group(group: str, sections: tuple[str, ...], routed: set[str] | frozenset[str]) -> tuple[str, ...]:
    """The review scopes of a group: its sections where the routing names any
    of them, otherwise the group itself."""
    if any(s in routed for s in sections):
        return sections
    return (group,)
