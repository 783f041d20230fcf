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
