"""Handing a group in: check it is complete, freeze it, score it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ...extensions import db
from ...models import GroupEvent, ResponseGroup, User, utcnow
from ...questionnaires import Question
from ...scoring import GroupResult, score_group
from ...workflow import Action, InvalidTransition, Subject, advance
from ..review import on_group_submitted
from ..scoring import score_response_group
from .reading import UnitRound, find_response, shown_codes, stored_answers
from .saving import NotEditable, ensure_response, lock_group, retrying


class Gap(StrEnum):
    """Why a question stops a group from being submitted."""

    ANSWER = "answer"  # required and unanswered
    EVIDENCE = "evidence"  # answered, but without the evidence the bank requires


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    missing: tuple[str, ...]  # question codes still to complete (nothing was submitted)
    result: GroupResult | None
    gaps: dict[str, Gap] | None = None  # code → what is missing, for each code of ``missing``


def gaps_of(ur: UnitRound, group_code: str, values: dict[str, Any],
            evidence: dict[str, dict[str, Any] | None]) -> dict[str, Gap]:
    """Required visible questions without an answer, and answers that earn
    points but lack the evidence the bank requires, in bank order."""
    result = score_group(ur.bank, group_code, ur.unit.kind, values)
    missing = set(result.missing)
    shown = shown_codes(ur.bank, ur.unit.kind, values)
    gaps: dict[str, Gap] = {}
    for q in ur.bank.group(group_code).questions:
        if q.code in missing:
            gaps[q.code] = Gap.ANSWER
        elif q.code in shown and _lacks_evidence(q, values.get(q.code), evidence.get(q.code)):
            gaps[q.code] = Gap.EVIDENCE
    return gaps


def submission_gaps(ur: UnitRound, group_code: str) -> dict[str, Gap]:
    """What still stops the group from being submitted, from what is stored."""
    response = find_response(ur)
    answers = stored_answers(response.id) if response is not None else {}
    values = {code: a.value for code, a in answers.items() if a.value is not None}
    return gaps_of(ur, group_code, values, {code: a.evidence for code, a in answers.items()})


def missing_answers(ur: UnitRound, group_code: str, values: dict[str, Any],
                    evidence: dict[str, dict[str, Any] | None]) -> tuple[str, ...]:
    """The codes of :func:`gaps_of`, in bank order."""
    return tuple(gaps_of(ur, group_code, values, evidence))


def _lacks_evidence(q: Question, value: Any, evidence: dict[str, Any] | None) -> bool:
    """Evidence is required only for an answer that claims something: a "no"
    or a zero level has no document to show."""
    if q.evidence is None or not q.evidence.required or value is None:
        return False
    picked = q.option(str(value)) if q.options else None
    if picked is not None and picked.points == 0:
        return False
    given = evidence or {}
    return not (given.get("document_number") or given.get("files"))


def submit_group(ur: UnitRound, group_code: str, user: User, today: date | None = None) -> SubmitOutcome:
    """Hand a group in: check it is complete, freeze it, score it.

    The group's row is locked first, so no save can slip in between the
    check and the freeze.

    :raises RoundNotOpen: when the round does not accept answers today.
    :raises NotEditable: when the user may not submit or the group is not
        open for submission.
    """
    ur.bank.group(group_code)  # KeyError for an unknown group
    ur.window.require_accepting(today)
    return retrying(lambda: _submit_once(ur, group_code, user))


def _submit_once(ur: UnitRound, group_code: str, user: User) -> SubmitOutcome:
    response = ensure_response(ur)
    group = lock_group(response.id, group_code)
    try:
        target = advance(Subject.GROUP, group.status, Action.SUBMIT, ur.roles)
    except InvalidTransition as exc:
        db.session.rollback()
        raise NotEditable(str(exc)) from exc
    answers = stored_answers(response.id)
    values = {code: a.value for code, a in answers.items() if a.value is not None}
    gaps = gaps_of(ur, group_code, values, {code: a.evidence for code, a in answers.items()})
    if gaps:
        db.session.rollback()
        return SubmitOutcome(tuple(gaps), None, gaps)
    db.session.add(GroupEvent(response_group=group, action=Action.SUBMIT.value, from_status=group.status,
                              to_status=target.value, actor_id=user.id))
    group.status = target.value
    group.submitted_at = utcnow()
    group.submitted_by_id = user.id
    db.session.flush()
    result = score_response_group(group)
    on_group_submitted(group, user)  # the group's review scopes follow it
    db.session.commit()
    return SubmitOutcome((), result)


def transition(group: ResponseGroup, action: Action, user: User, roles: frozenset[str],
               reason: str | None = None) -> None:
    """Apply a workflow action to a group and record it (the caller commits)."""
    target = advance(Subject.GROUP, group.status, action, roles)
    db.session.add(GroupEvent(response_group=group, action=action.value, from_status=group.status,
                              to_status=target.value, actor_id=user.id, reason=reason))
    group.status = target.value
    db.session.flush()
