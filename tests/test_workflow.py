"""Group statuses move only along the table, and only for the right roles."""

from __future__ import annotations

import pytest

from survey_app.workflow import TRANSITIONS, Action, InvalidTransition, Status, can, is_editable, next_status


@pytest.mark.parametrize(("status", "action", "roles", "expected"), [
    (Status.NOT_STARTED, Action.SAVE, {"editor"}, Status.DRAFT),
    (Status.DRAFT, Action.SAVE, {"head"}, Status.DRAFT),
    (Status.RETURNED, Action.SAVE, {"editor"}, Status.RETURNED),
    (Status.DRAFT, Action.SUBMIT, {"head"}, Status.SUBMITTED),
    (Status.RETURNED, Action.SUBMIT, {"head", "editor"}, Status.SUBMITTED),
    (Status.SUBMITTED, Action.RETURN, {"reviewer"}, Status.RETURNED),
    (Status.SUBMITTED, Action.ACCEPT, {"reviewer"}, Status.ACCEPTED),
    (Status.ACCEPTED, Action.REOPEN, {"admin"}, Status.SUBMITTED),
])
def test_allowed_transitions(status: Status, action: Action, roles: set[str], expected: Status) -> None:
    assert next_status(status, action, roles) is expected


@pytest.mark.parametrize(("status", "action", "roles"), [
    (Status.DRAFT, Action.SUBMIT, {"editor"}),  # only the head submits
    (Status.SUBMITTED, Action.SAVE, {"head"}),  # a submitted group is frozen
    (Status.ACCEPTED, Action.SAVE, {"editor", "head"}),
    (Status.DRAFT, Action.RETURN, {"reviewer"}),  # nothing to return yet
    (Status.SUBMITTED, Action.RETURN, {"head"}),  # a unit cannot return its own group
    (Status.SUBMITTED, Action.ACCEPT, {"coordinator"}),
    (Status.DRAFT, Action.SAVE, set()),
])
def test_refused_transitions(status: Status, action: Action, roles: set[str]) -> None:
    with pytest.raises(InvalidTransition):
        next_status(status, action, roles)
    assert not can(status, action, roles)


def test_every_status_is_reachable_and_only_open_ones_are_editable() -> None:
    reached = {Status.NOT_STARTED} | set(TRANSITIONS.values())
    assert reached == set(Status)
    assert {s for s in Status if is_editable(s)} == {Status.NOT_STARTED, Status.DRAFT, Status.RETURNED}
