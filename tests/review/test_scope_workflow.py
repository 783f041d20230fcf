"""The transition table of review scopes, as a reviewer and a unit meet it."""

from __future__ import annotations

import pytest

from survey_app.workflow import (
    InvalidTransition,
    ScopeAction,
    Status,
    can_scope,
    group_status_from_scopes,
    next_scope_status,
    scopes_of_group,
)


def test_a_submitted_scope_is_accepted_or_returned_by_its_lead_only() -> None:
    assert next_scope_status("submitted", ScopeAction.ACCEPT, {"lead"}) is Status.ACCEPTED
    assert next_scope_status("submitted", ScopeAction.RETURN, {"lead"}) is Status.RETURNED
    for roles in ({"coordinating"}, {"coordinator"}, {"head"}, set()):
        assert not can_scope("submitted", ScopeAction.ACCEPT, roles)
        assert not can_scope("submitted", ScopeAction.RETURN, roles)


def test_a_returned_scope_comes_back_by_resubmission() -> None:
    assert next_scope_status("returned", ScopeAction.SUBMIT, {"head"}) is Status.SUBMITTED
    with pytest.raises(InvalidTransition):
        next_scope_status("returned", ScopeAction.ACCEPT, {"lead"})
    with pytest.raises(InvalidTransition):
        next_scope_status("accepted", ScopeAction.RETURN, {"lead"})


def test_after_the_last_return_only_accept_remains() -> None:
    assert can_scope("submitted", ScopeAction.RETURN, {"lead"}, returns_used=1, max_returns=2)
    assert not can_scope("submitted", ScopeAction.RETURN, {"lead"}, returns_used=2, max_returns=2)
    assert can_scope("submitted", ScopeAction.ACCEPT, {"lead"}, returns_used=2, max_returns=2)
    with pytest.raises(InvalidTransition, match="only accept remains"):
        next_scope_status("submitted", ScopeAction.RETURN, {"lead"}, returns_used=1, max_returns=1)


def test_comments_change_nothing_and_are_open_to_coordinating_agencies() -> None:
    for status in Status:
        assert next_scope_status(status, ScopeAction.COMMENT, {"coordinating"}) is status
    assert not can_scope("submitted", ScopeAction.COMMENT, {"head"})


@pytest.mark.parametrize(("scopes", "group"), [
    (["returned", "accepted"], Status.RETURNED),
    (["accepted", "accepted"], Status.ACCEPTED),
    (["submitted", "accepted"], Status.SUBMITTED),
    (["accepted"], Status.ACCEPTED),
])
def test_the_unit_sees_its_group_as_its_scopes_stand(scopes: list[str], group: Status) -> None:
    assert group_status_from_scopes(scopes) is group


def test_a_group_is_split_only_where_the_routing_names_a_section() -> None:
    sections = ("resources-budget", "resources-people")
    assert scopes_of_group("resources", sections, {"resources-budget", "legal"}) == sections
    assert scopes_of_group("resources", sections, {"resources", "legal"}) == ("resources",)
    assert scopes_of_group("legal", ("legal-plans",), {"legal"}) == ("legal",)
