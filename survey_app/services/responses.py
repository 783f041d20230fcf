"""A unit's answers to a round: read, save with conflict detection, submit.

Saving compares what the editor started from (the group version their page
was rendered at) with what is stored now. A question that someone else
changed in between, and that this editor also changed to something else, is
a conflict: nothing is saved, and the editor is shown who changed what and
chooses what to keep. Questions only the other person changed keep the
other person's value. No answer is ever overwritten silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import (
    Answer,
    AnswerRevision,
    GroupEvent,
    Response,
    ResponseGroup,
    Round,
    RoundUnit,
    Unit,
    User,
    utcnow,
)
from ..questionnaires import Bank, Question
from ..scoring import GroupResult, score_group, visibility
from ..workflow import Action, InvalidTransition, Status, is_editable, next_status
from .access import NotAllowed, require_member
from .banks import bank_for, question_ids
from .review import on_group_submitted
from .scoring import refresh_response_index, score_response_group


@dataclass(frozen=True, slots=True)
class UnitRound:
    """A unit's place in a round, as seen by one of its members."""

    round: Round
    unit: Unit
    roles: frozenset[str]
    bank: Bank


def unit_round(user: User, round_code: str, unit_code: str) -> UnitRound:
    """The round and unit, if the user belongs to the unit and it takes part.

    :raises NotAllowed: otherwise (the views answer 404).
    """
    row = db.session.execute(
        select(Round, Unit).join(RoundUnit, RoundUnit.round_id == Round.id).join(Unit, Unit.id == RoundUnit.unit_id)
        .where(Round.code == round_code, Unit.code == unit_code)
    ).first()
    if row is None:
        raise NotAllowed
    rnd, unit = row
    return UnitRound(rnd, unit, require_member(user, unit), bank_for(rnd.bank_version))


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    value: Any
    comment: str | None
    evidence: dict[str, Any] | None
    updated_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class AnswerInput:
    """What an editor entered for one question."""

    value: Any
    comment: str | None = None
    evidence: dict[str, Any] | None = None

    def same_as(self, stored: StoredAnswer | None) -> bool:
        if stored is None:
            return self.value is None and not self.comment and not self.evidence
        return (self.value, self.comment or None, self.evidence or None) == (
            stored.value, stored.comment or None, stored.evidence or None)


@dataclass
class GroupState:
    """Everything a group page needs, read in a fixed number of queries."""

    response: Response | None
    group: ResponseGroup | None
    answers: dict[str, StoredAnswer]

    @property
    def status(self) -> str:
        return self.group.status if self.group is not None else Status.NOT_STARTED.value

    @property
    def version(self) -> int:
        return self.group.version if self.group is not None else 0

    def values(self) -> dict[str, Any]:
        return {code: a.value for code, a in self.answers.items() if a.value is not None}


def load_group(ur: UnitRound, group_code: str) -> GroupState:
    """The stored state of one group of the unit's response (all answers of
    the response are read, because conditions may look across groups)."""
    response = db.session.scalar(
        select(Response).filter_by(round_id=ur.round.id, unit_id=ur.unit.id).options(joinedload(Response.groups))
    )
    if response is None:
        return GroupState(None, None, {})
    group = next((g for g in response.groups if g.group_code == group_code), None)
    return GroupState(response, group, stored_answers(response.id))


def stored_answers(response_id: int) -> dict[str, StoredAnswer]:
    from ..models import BankQuestion

    rows = db.session.execute(
        select(BankQuestion.code, Answer.value, Answer.comment, Answer.evidence, User.full_name, Answer.updated_at)
        .join(Answer, Answer.question_id == BankQuestion.id)
        .outerjoin(User, User.id == Answer.updated_by_id)
        .where(Answer.response_id == response_id)
    )
    return {code: StoredAnswer(value, comment, evidence, who, at) for code, value, comment, evidence, who, at in rows}


@dataclass(frozen=True, slots=True)
class Conflict:
    """A question both editors changed since the first one opened the page."""

    code: str
    theirs: StoredAnswer
    mine: AnswerInput


@dataclass
class SaveOutcome:
    version: int
    saved_at: datetime | None
    conflicts: list[Conflict] = field(default_factory=list)
    # Questions only the other editor changed: the page must show their values.
    theirs: dict[str, StoredAnswer] = field(default_factory=dict)


class NotEditable(Exception):
    """The group is submitted or accepted, or the user may not edit it."""


def save_group(ur: UnitRound, group_code: str, inputs: dict[str, AnswerInput], base_version: int, user: User,
               keep_theirs: frozenset[str] = frozenset()) -> SaveOutcome:
    """Save an editor's answers to one group, unless they conflict.

    ``base_version`` is the group version the editor's page showed;
    ``keep_theirs`` lists questions where the editor chose, after a
    conflict, to keep the stored value.

    :raises NotEditable: when the group is not open for editing, or the
        user has no editing role in the unit.
    """
    for attempt in range(2):
        try:
            return _save_once(ur, group_code, inputs, base_version, user, keep_theirs)
        except (StaleDataError, IntegrityError):  # another save committed between our read and write
            db.session.rollback()
            if attempt == 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _save_once(ur: UnitRound, group_code: str, inputs: dict[str, AnswerInput], base_version: int, user: User,
               keep_theirs: frozenset[str]) -> SaveOutcome:
    try:
        next_status(_status_of(ur, group_code), Action.SAVE, ur.roles)
    except InvalidTransition as exc:
        raise NotEditable(str(exc)) from exc
    response, group = ensure_group(ur, group_code)
    current = stored_answers(response.id)
    outcome = SaveOutcome(version=group.version, saved_at=None)
    if base_version != group.version:
        started_from = _values_at(group, base_version)
        changed_since = _changed_since(group, base_version)
        for code in list(inputs):
            if code not in changed_since or code in keep_theirs:
                continue
            mine, theirs = inputs[code], current.get(code)
            if mine.same_as(theirs):
                continue
            if mine.same_as(started_from.get(code)):  # only they changed it: keep theirs
                del inputs[code]
                if theirs is not None:
                    outcome.theirs[code] = theirs
                continue
            outcome.conflicts.append(Conflict(code, theirs or StoredAnswer(None, None, None, None, None), mine))
        if outcome.conflicts:
            db.session.rollback()
            return outcome
    changes = {code: a for code, a in inputs.items() if code not in keep_theirs and not a.same_as(current.get(code))}
    if not changes and group.status != Status.NOT_STARTED:
        return outcome
    _write(ur, response, group, changes, user)
    group.status = next_status(group.status, Action.SAVE, ur.roles).value
    group.updated_at = utcnow()  # bumps the version even when only the status changes
    db.session.commit()
    outcome.version = group.version
    outcome.saved_at = group.updated_at
    return outcome


def _status_of(ur: UnitRound, group_code: str) -> str:
    status = db.session.scalar(
        select(ResponseGroup.status).join(Response, Response.id == ResponseGroup.response_id)
        .where(Response.round_id == ur.round.id, Response.unit_id == ur.unit.id,
               ResponseGroup.group_code == group_code)
    )
    return status or Status.NOT_STARTED.value


def ensure_group(ur: UnitRound, group_code: str) -> tuple[Response, ResponseGroup]:
    ur.bank.group(group_code)  # KeyError for an unknown group
    response = db.session.scalar(select(Response).filter_by(round_id=ur.round.id, unit_id=ur.unit.id))
    if response is None:
        response = Response(round=ur.round, unit=ur.unit)
        for g in ur.bank.groups:
            response.groups.append(ResponseGroup(group_code=g.code, status=Status.NOT_STARTED.value))
        db.session.add(response)
        db.session.flush()
    group = next(g for g in response.groups if g.group_code == group_code)
    return response, group


def _write(ur: UnitRound, response: Response, group: ResponseGroup, changes: dict[str, AnswerInput],
           user: User) -> None:
    """Store the changed answers, and one revision each, in a fixed number of
    statements (new answers, changed answers, revisions) however many changed."""
    if not changes:
        return
    ids = question_ids(ur.round.bank_version)
    existing = {a.question_id: a for a in db.session.scalars(
        select(Answer).where(Answer.response_id == response.id, Answer.question_id.in_([ids[c] for c in changes])))}
    new_version = group.version + 1
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    old: dict[int, tuple[Any, str | None, dict[str, Any] | None]] = {}
    for code, a in changes.items():
        qid = ids[code]
        fields = {"value": a.value, "comment": a.comment or None, "evidence": a.evidence or None,
                  "updated_by_id": user.id, "updated_at": now}
        answer = existing.get(qid)
        if answer is None:
            inserts.append({"response_id": response.id, "question_id": qid, **fields})
            old[qid] = (None, None, None)
        else:
            updates.append({"id": answer.id, **fields})
            old[qid] = (answer.value, answer.comment, answer.evidence)
    answer_ids = {qid: a.id for qid, a in existing.items()}
    if inserts:
        table = Answer.__table__
        answer_ids.update({qid: aid for aid, qid in db.session.execute(
            insert(table).returning(table.c.id, table.c.question_id), inserts)})
    if updates:
        db.session.execute(update(Answer), updates)
    db.session.execute(insert(AnswerRevision), [
        {"answer_id": answer_ids[ids[code]], "response_group_id": group.id, "group_version": new_version,
         "old_value": old[ids[code]][0], "new_value": a.value, "old_comment": old[ids[code]][1],
         "new_comment": a.comment or None, "old_evidence": old[ids[code]][2], "new_evidence": a.evidence or None,
         "changed_by_id": user.id, "changed_at": now}
        for code, a in changes.items()])


def _revisions_since(group: ResponseGroup, version: int) -> list[tuple[str, AnswerRevision]]:
    from ..models import BankQuestion

    rows = db.session.execute(
        select(BankQuestion.code, AnswerRevision).join(Answer, Answer.id == AnswerRevision.answer_id)
        .join(BankQuestion, BankQuestion.id == Answer.question_id)
        .where(AnswerRevision.response_group_id == group.id, AnswerRevision.group_version > version)
        .order_by(AnswerRevision.id)
    )
    return [(code, rev) for code, rev in rows]


def _changed_since(group: ResponseGroup, version: int) -> set[str]:
    return {code for code, _ in _revisions_since(group, version)}


def _values_at(group: ResponseGroup, version: int) -> dict[str, StoredAnswer]:
    """What each question held at ``version``, for questions changed since."""
    before: dict[str, StoredAnswer] = {}
    for code, rev in _revisions_since(group, version):
        before.setdefault(code, StoredAnswer(rev.old_value, rev.old_comment, rev.old_evidence, None, None))
    return before


def shown_codes(bank: Bank, unit_kind: str, answers: dict[str, Any]) -> frozenset[str]:
    """Codes of the questions the unit sees, given its answers (one pass, bank order)."""
    return frozenset(code for code, shown in visibility(bank.questions, unit_kind, answers).items() if shown)


# Submission


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    missing: tuple[str, ...]  # question codes still to answer (nothing was submitted)
    result: GroupResult | None


def missing_answers(ur: UnitRound, group_code: str, values: dict[str, Any],
                    evidence: dict[str, dict[str, Any] | None]) -> tuple[str, ...]:
    """Required visible questions without an answer, and answers that earn
    points but lack the evidence the bank requires, in bank order."""
    result = score_group(ur.bank, group_code, ur.unit.kind, values)
    missing = set(result.missing)
    shown = shown_codes(ur.bank, ur.unit.kind, values)
    for q in ur.bank.group(group_code).questions:
        if q.code in shown and q.code not in missing and _lacks_evidence(q, values.get(q.code), evidence.get(q.code)):
            missing.add(q.code)
    return tuple(q.code for q in ur.bank.group(group_code).questions if q.code in missing)


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


def submit_group(ur: UnitRound, group_code: str, user: User) -> SubmitOutcome:
    """Hand a group in: check it is complete, freeze it, score it.

    :raises NotEditable: when the user may not submit or the group is not
        open for submission.
    """
    state = load_group(ur, group_code)
    try:
        target = next_status(state.status, Action.SUBMIT, ur.roles)
    except InvalidTransition as exc:
        raise NotEditable(str(exc)) from exc
    evidence = {code: a.evidence for code, a in state.answers.items()}
    missing = missing_answers(ur, group_code, state.values(), evidence)
    if missing:
        return SubmitOutcome(missing, None)
    _response, group = ensure_group(ur, group_code)
    db.session.add(GroupEvent(response_group=group, action=Action.SUBMIT.value, from_status=group.status,
                              to_status=target.value, actor_id=user.id))
    group.status = target.value
    group.submitted_at = utcnow()
    group.submitted_by_id = user.id
    db.session.flush()
    result = score_response_group(group)
    on_group_submitted(group, user)  # review scopes follow the group (issue 9)
    db.session.commit()
    return SubmitOutcome((), result)


def transition(group: ResponseGroup, action: Action, user: User, roles: frozenset[str],
               reason: str | None = None) -> None:
    """Apply a workflow action to a group and record it (the caller commits)."""
    target = next_status(group.status, action, roles)
    db.session.add(GroupEvent(response_group=group, action=action.value, from_status=group.status,
                              to_status=target.value, actor_id=user.id, reason=reason))
    group.status = target.value
    db.session.flush()
    refresh_response_index(group.response)  # the index counts handed-in groups only


# History


@dataclass(frozen=True, slots=True)
class RevisionLine:
    by: str | None
    at: datetime
    old: Any
    new: Any
    old_comment: str | None
    new_comment: str | None


def answer_history(ur: UnitRound, code: str) -> list[RevisionLine]:
    """Every change to one answer of the unit, newest first."""
    ids = question_ids(ur.round.bank_version)
    if code not in ids:
        raise NotAllowed
    rows = db.session.execute(
        select(AnswerRevision, User.full_name).join(Answer, Answer.id == AnswerRevision.answer_id)
        .join(Response, Response.id == Answer.response_id).outerjoin(User, User.id == AnswerRevision.changed_by_id)
        .where(Response.round_id == ur.round.id, Response.unit_id == ur.unit.id, Answer.question_id == ids[code])
        .order_by(AnswerRevision.id.desc())
    )
    return [RevisionLine(who, rev.changed_at, rev.old_value, rev.new_value, rev.old_comment, rev.new_comment)
            for rev, who in rows]


def last_return_reason(group: ResponseGroup | None) -> str | None:
    if group is None or group.status != Status.RETURNED:
        return None
    for event in reversed(group.events):
        if event.action == Action.RETURN:
            return event.reason
    return None


def days_left(rnd: Round, today: date) -> int:
    return (rnd.due_on - today).days


def editable(state: GroupState, roles: frozenset[str]) -> bool:
    return is_editable(state.status) and bool(roles & {"editor", "head"})

