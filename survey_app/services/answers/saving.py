"""Saving an editor's answers to a group, merging with what others saved.

Saving compares what the editor started from (the group version their page
was rendered at, ``base_version``) with what is stored now. A question that
someone else changed in between, and that this editor also changed to
something else, is a conflict: nothing is saved, and the editor is shown who
changed what and chooses what to keep. Questions only the other person
changed keep the other person's value, and are handed back (``theirs``) so
the page shows them before its next save. No answer is ever overwritten
silently.

Two saves of one group never interleave: each locks the group's row first
(``SELECT … FOR UPDATE`` on PostgreSQL, an immediate write on SQLite), then
reads, compares and writes. A page whose base version is missing, garbled
or from the future is compared with the group's very first version: it can
only ever produce more conflicts, never fewer.

A caller that needs the group's state before saving (the autosave checks
the status and the conditions first) reads it under the lock with
:func:`read_locked` and hands it to :func:`save_group`, which then compares
with it instead of reading the same rows again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ...extensions import db
from ...models import Answer, AnswerRevision, BankQuestion, Response, ResponseGroup, User, utcnow
from ...questionnaires.answers import Refusal, check_value
from ...workflow import Action, InvalidTransition, Status, Subject, advance
from .reading import EMPTY, GroupState, StoredAnswer, UnitRound, find_response, stored_answers

ATTEMPTS = 5
T = TypeVar("T")


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


@dataclass(frozen=True, slots=True)
class Conflict:
    """A question both editors changed since the first one opened the page."""

    code: str
    theirs: StoredAnswer
    mine: AnswerInput


@dataclass
class SaveOutcome:
    version: int
    saved_at: datetime | None  # None: nothing of this save was stored
    conflicts: list[Conflict] = field(default_factory=list)
    # Questions someone else changed since the page's version, with what is
    # stored now: the page must show these values before it saves again.
    theirs: dict[str, StoredAnswer] = field(default_factory=dict)


class InvalidAnswers(ValueError):
    """Values the one door (:func:`~survey_app.questionnaires.answers.check_value`) refuses."""

    def __init__(self, refused: dict[str, Refusal]) -> None:
        super().__init__(", ".join(f"{code}: {r}" for code, r in refused.items()))
        self.refused = refused


class NotEditable(Exception):
    """The group is submitted or accepted, or the user may not edit it."""


class Busy(Exception):
    """The database stayed busy through every attempt: nothing was saved."""


def parse_version(raw: str | None) -> int | None:
    """The version a page was rendered at: a small whole number, else None."""
    raw = raw or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def save_group(ur: UnitRound, group_code: str, inputs: dict[str, AnswerInput], base_version: int | None, user: User,
               keep_theirs: frozenset[str] = frozenset(), today: date | None = None,
               locked: GroupState | None = None) -> SaveOutcome:
    """Save an editor's answers to one group, unless they conflict.

    ``base_version`` is the group version the editor's page showed (None
    when the page did not say); ``keep_theirs`` lists questions where the
    editor chose, after a conflict, to keep the stored value; ``locked`` is
    the group as :func:`read_locked` read it in this transaction, nothing
    committed since (the lock still held): the first attempt compares with
    it instead of reading it again.

    :raises RoundNotOpen: when the round does not accept answers today.
    :raises NotEditable: when the group is not open for editing, or the
        user has no editing role in the unit.
    :raises Busy: when the database stayed locked (nothing saved).
    """
    ur.window.require_accepting(today)
    held = [locked] if locked is not None and locked.group is not None else []
    return retrying(lambda: _save_once(ur, group_code, dict(inputs), base_version, user, keep_theirs,
                                       held.pop() if held else None))


def retrying(work: Callable[[], T]) -> T:
    """Run ``work`` (one transaction) again when a concurrent writer got in the way."""
    for _attempt in range(ATTEMPTS):
        try:
            return work()
        except (StaleDataError, IntegrityError, OperationalError):
            db.session.rollback()
    raise Busy


def _save_once(ur: UnitRound, group_code: str, inputs: dict[str, AnswerInput], base_version: int | None,
               user: User, keep_theirs: frozenset[str], locked: GroupState | None) -> SaveOutcome:
    if locked is not None and locked.group is not None:  # read under the lock this transaction holds
        group, current = locked.group, locked.answers
    else:
        state = read_locked(ur, group_code)
        if state.group is None:  # the unit's first save: create its response, then lock as usual
            ensure_response(ur)
            state = read_locked(ur, group_code)
            assert state.group is not None
        group, current = state.group, state.answers
    try:
        advance(Subject.GROUP, group.status, Action.SAVE, ur.roles)
    except InvalidTransition as exc:
        db.session.rollback()
        raise NotEditable(str(exc)) from exc
    outcome = SaveOutcome(version=group.version, saved_at=None)
    trusted = base_version is not None and base_version <= group.version
    if not trusted or base_version != group.version:
        started_from = _values_at(group, base_version if trusted and base_version is not None else 0)
        if not trusted:  # fail closed: every stored answer may be news to this page
            started_from.update({code: EMPTY for code in current if code not in started_from})
        for code in list(inputs):
            if code not in started_from or code in keep_theirs:
                continue
            mine, theirs = inputs[code], current.get(code)
            if mine.same_as(theirs):
                continue
            if mine.same_as(started_from[code]):  # only they changed it: keep theirs
                del inputs[code]
                continue
            outcome.conflicts.append(Conflict(code, theirs or EMPTY, mine))
        conflicted = {c.code for c in outcome.conflicts}
        outcome.theirs = {code: current.get(code, EMPTY) for code in started_from if code not in conflicted}
    outcome.theirs.update({code: current.get(code, EMPTY) for code in keep_theirs})
    if outcome.conflicts:
        db.session.rollback()
        return outcome
    changes = {code: a for code, a in inputs.items() if code not in keep_theirs and not a.same_as(current.get(code))}
    if not changes and group.status != Status.NOT_STARTED:
        outcome.saved_at = group.updated_at  # everything posted is what is stored
        db.session.rollback()
        return outcome
    _write(ur, group, changes, current, user)
    group.status = advance(Subject.GROUP, group.status, Action.SAVE, ur.roles).value
    group.updated_at = utcnow()  # bumps the version even when only the status changes
    db.session.flush()  # the versioned UPDATE: the row now holds the new version
    outcome.version = group.version  # read before the commit expires it (no query again)
    outcome.saved_at = group.updated_at
    db.session.commit()
    return outcome


def ensure_response(ur: UnitRound) -> Response:
    """The unit's response, created (with a row per group) on its first save.

    Two first saves at once both try to create it: one wins, the other
    reads the winner's.
    """
    response = find_response(ur)
    if response is not None:
        return response
    db.session.add(Response(round=ur.round, unit=ur.unit, groups=[
        ResponseGroup(group_code=g.code, status=Status.NOT_STARTED.value) for g in ur.bank.groups]))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    response = find_response(ur)
    assert response is not None
    return response


def ensure_group(ur: UnitRound, group_code: str) -> tuple[Response, ResponseGroup]:
    """The unit's response and one of its groups, created if needed."""
    ur.bank.group(group_code)  # KeyError for an unknown group
    response = ensure_response(ur)
    return response, next(g for g in response.groups if g.group_code == group_code)


def lock_group(response_id: int, group_code: str) -> ResponseGroup:
    """The group's row, freshly read and locked until the transaction ends."""
    group = _lock(response_id, group_code)
    assert group is not None
    return group


def read_locked(ur: UnitRound, group_code: str) -> GroupState:
    """The group (with its response) and the response's answers, read under the
    group's lock, which the transaction holds until it commits or rolls back:
    what a save compares with. Empty before the unit's first save."""
    group = lock_unit_group(ur, group_code)
    if group is None:
        return GroupState(None, None, {})
    return GroupState(group.response, group, stored_answers(group.response_id))


def lock_unit_group(ur: UnitRound, group_code: str) -> ResponseGroup | None:
    """:func:`lock_group` for the unit's response, found in the same statement
    (None before the unit's first save created its response)."""
    response_id = (select(Response.id).where(Response.round_id == ur.round.id, Response.unit_id == ur.unit.id)
                   .scalar_subquery())
    return _lock(response_id, group_code)


def _lock(response_id: Any, group_code: str) -> ResponseGroup | None:
    table = ResponseGroup.__table__
    where = (table.c.response_id == response_id) & (table.c.group_code == group_code)
    if db.session.get_bind().dialect.name == "sqlite":  # SQLite has no row locks: take the write lock now
        db.session.execute(update(table).where(where).values(version=table.c.version, updated_at=table.c.updated_at))
    return db.session.scalars(
        select(ResponseGroup).where(ResponseGroup.response_id == response_id, ResponseGroup.group_code == group_code)
        .options(joinedload(ResponseGroup.response, innerjoin=True))  # the page's state needs it: no second query
        .with_for_update(of=ResponseGroup).execution_options(populate_existing=True)
    ).one_or_none()


def _write(ur: UnitRound, group: ResponseGroup, changes: dict[str, AnswerInput], current: dict[str, StoredAnswer],
           user: User) -> None:
    """Store the changed answers, and one revision each, in a fixed number of
    statements however many changed: the ids of the questions answered for
    the first time (only when there are some: ``current``, read under the
    lock, holds the stored answers' rows), new answers, changed answers,
    revisions."""
    if not changes:
        return
    questions = {q.code: q for q in ur.bank.questions}
    refused = {code: r for code, a in changes.items() if (r := check_value(questions[code], a.value)) is not None}
    if refused:  # the form checks first; this is the door every path goes through
        raise InvalidAnswers(refused)
    response_id = group.response_id
    stored = {code: was for code in changes if (was := current.get(code)) is not None and was.answer_id is not None}
    now = utcnow()
    fields = {code: {"value": a.value, "comment": a.comment or None, "evidence": a.evidence or None,
                     "updated_by_id": user.id, "updated_at": now} for code, a in changes.items()}
    answer_ids = {code: was.answer_id for code, was in stored.items()}
    first = [code for code in changes if code not in stored]
    if first:
        question_ids = dict(db.session.execute(select(BankQuestion.code, BankQuestion.id).where(
            BankQuestion.bank_version_id == ur.round.bank_version_id, BankQuestion.code.in_(first))).all())
        table = Answer.__table__
        codes = {qid: code for code, qid in question_ids.items()}
        answer_ids.update({codes[qid]: aid for aid, qid in db.session.execute(
            insert(table).returning(table.c.id, table.c.question_id),
            [{"response_id": response_id, "question_id": question_ids[code], **fields[code]} for code in first])})
    if stored:
        db.session.execute(update(Answer), [{"id": was.answer_id, **fields[code]} for code, was in stored.items()])
    db.session.execute(insert(AnswerRevision), [
        {"answer_id": answer_ids[code], "response_group_id": group.id, "group_version": group.version + 1,
         "old_value": was.value, "new_value": a.value, "old_comment": was.comment,
         "new_comment": a.comment or None, "old_evidence": was.evidence, "new_evidence": a.evidence or None,
         "changed_by_id": user.id, "changed_at": now}
        for code, a in changes.items() for was in [stored.get(code, EMPTY)]])


def _values_at(group: ResponseGroup, version: int) -> dict[str, StoredAnswer]:
    """What each question changed since ``version`` held at ``version``."""
    rows = db.session.execute(
        select(BankQuestion.code, AnswerRevision.old_value, AnswerRevision.old_comment, AnswerRevision.old_evidence)
        .join(Answer, Answer.id == AnswerRevision.answer_id)
        .join(BankQuestion, BankQuestion.id == Answer.question_id)
        .where(AnswerRevision.response_group_id == group.id, AnswerRevision.group_version > version)
        .order_by(AnswerRevision.id)
    )
    before: dict[str, StoredAnswer] = {}
    for code, value, comment, evidence in rows:
        before.setdefault(code, StoredAnswer(value, comment, evidence, None, None))
    return before
