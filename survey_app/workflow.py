"""The life of a group's answers: one table of allowed transitions.

Every change of a group's status goes through :func:`next_status`, so the
rules live here and nowhere else. Pure: no Flask, no database.

    not_started ─save→ draft ─submit→ submitted ─accept→ accepted
                         ↑                │  ↑              │
                         └──── return ────┘  └── reopen ────┘
    returned ─save→ returned ─submit→ submitted

A returned group stays "returned" while the unit corrects it, so the
reviewer's reason stays on top of its home page until it is resubmitted.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do in a unit (the roles the transitions below name)."""

    EDITOR = "editor"  # fills the unit's answers
    HEAD = "head"  # submits for the unit
    REVIEWER = "reviewer"  # works for a lead agency
    COORDINATOR = "coordinator"  # standing agency: province-wide view
    ADMIN = "admin"


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


class InvalidTransition(Exception):
    """The action is not allowed from the group's status, or for this role."""


TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.NOT_STARTED, Action.SAVE): Status.DRAFT,
    (Status.DRAFT, Action.SAVE): Status.DRAFT,
    (Status.RETURNED, Action.SAVE): Status.RETURNED,
    (Status.NOT_STARTED, Action.SUBMIT): Status.SUBMITTED,
    (Status.DRAFT, Action.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.RETURN): Status.RETURNED,
    (Status.SUBMITTED, Action.ACCEPT): Status.ACCEPTED,
    (Status.ACCEPTED, Action.REOPEN): Status.SUBMITTED,
}

#: Roles (of the unit for save/submit, of the lead agency for return/accept) allowed each action.
ROLES: dict[Action, frozenset[str]] = {
    Action.SAVE: frozenset({Role.EDITOR, Role.HEAD}),
    Action.SUBMIT: frozenset({Role.HEAD}),
    Action.RETURN: frozenset({Role.REVIEWER}),
    Action.ACCEPT: frozenset({Role.REVIEWER}),
    Action.REOPEN: frozenset({Role.ADMIN, Role.COORDINATOR}),
}

#: Statuses in which the unit may change its answers.
EDITABLE = frozenset({Status.NOT_STARTED, Status.DRAFT, Status.RETURNED})


def next_status(status: str, action: Action, roles: set[str] | frozenset[str]) -> Status:
    """The status after ``action``, checking both the status and the roles.

    :raises InvalidTransition: if the table has no such transition, or none
        of ``roles`` may take the action.
    """
    target = TRANSITIONS.get((Status(status), action))
    if target is None:
        raise InvalidTransition(f"cannot {action.value} a group that is {status}")
    if not ROLES[action] & set(roles):
        raise InvalidTransition(f"{action.value} needs one of the roles {', '.join(sorted(ROLES[action]))}")
    return target


def can(status: str, action: Action, roles: set[str] | frozenset[str]) -> bool:
    """Whether :func:`next_status` would allow it (for showing buttons)."""
    try:
        next_status(status, action, roles)
    except InvalidTransition:
        return False
    return True


def is_editable(status: str) -> bool:
    return Status(status) in EDITABLE


# Review scopes ---------------------------------------------------------------
#
# A lead agency reviews a *scope*: a group, or a section where the routing
# splits a group (``resources``: budget and people). The unit still submits
# by group; submitting a group submits each of its scopes not yet accepted.
# A scope's status uses the same :class:`Status` values, with one more action
# (``comment``) that changes nothing but is recorded. Returns are limited per
# scope and round: once they are used up, only ``accept`` remains.
#
#     draft ─submit→ submitted ─accept→ accepted
#                      │  ↑
#               return ↓  │ submit (a resubmission)
#                    returned


class ScopeAction(StrEnum):
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    REOPEN = "reopen"
    COMMENT = "comment"


SCOPE_TRANSITIONS: dict[tuple[Status, ScopeAction], Status] = {
    (Status.NOT_STARTED, ScopeAction.SUBMIT): Status.SUBMITTED,
    (Status.DRAFT, ScopeAction.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, ScopeAction.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, ScopeAction.RETURN): Status.RETURNED,
    (Status.SUBMITTED, ScopeAction.ACCEPT): Status.ACCEPTED,
    (Status.ACCEPTED, ScopeAction.REOPEN): Status.SUBMITTED,
    **{(s, ScopeAction.COMMENT): s for s in Status},
}

#: Who may take each scope action: the unit's head submits; the scope's lead
#: reviewer decides; a coordinating reviewer or a coordinator only comments.
SCOPE_ROLES: dict[ScopeAction, frozenset[str]] = {
    ScopeAction.SUBMIT: frozenset({"head"}),
    ScopeAction.RETURN: frozenset({"lead"}),
    ScopeAction.ACCEPT: frozenset({"lead"}),
    ScopeAction.REOPEN: frozenset({"admin", "coordinator"}),
    ScopeAction.COMMENT: frozenset({"lead", "coordinating", "coordinator"}),
}


def next_scope_status(status: str, action: ScopeAction, roles: set[str] | frozenset[str],
                      returns_used: int = 0, max_returns: int = 2) -> Status:
    """The scope's status after ``action``.

    :raises InvalidTransition: when the table has no such transition, none of
        ``roles`` may take it, or the scope has used all its returns.
    """
    target = SCOPE_TRANSITIONS.get((Status(status), action))
    if target is None:
        raise InvalidTransition(f"cannot {action.value} a scope that is {status}")
    if not SCOPE_ROLES[action] & set(roles):
        raise InvalidTransition(f"{action.value} needs one of the roles {', '.join(sorted(SCOPE_ROLES[action]))}")
    if action is ScopeAction.RETURN and returns_used >= max_returns:
        raise InvalidTransition(f"this scope was already returned {returns_used} times; only accept remains")
    return target


def can_scope(status: str, action: ScopeAction, roles: set[str] | frozenset[str],
              returns_used: int = 0, max_returns: int = 2) -> bool:
    """Whether :func:`next_scope_status` would allow it (for showing buttons)."""
    try:
        next_scope_status(status, action, roles, returns_used, max_returns)
    except InvalidTransition:
        return False
    return True


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
