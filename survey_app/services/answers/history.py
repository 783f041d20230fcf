"""The history of a unit's answers and of its groups' workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import Answer, AnswerRevision, Response, ResponseGroup, User
from ...workflow import Action, Status
from ..access import NotAllowed
from ..banks import question_ids
from .reading import UnitRound


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


@dataclass(frozen=True, slots=True)
class ReturnNote:
    """Why a reviewer returned a group, who did and when."""

    reason: str | None
    by: str | None
    at: datetime


def return_note(group: ResponseGroup | None) -> ReturnNote | None:
    """The last return of a group that is still returned, else None."""
    if group is None or group.status != Status.RETURNED:
        return None
    for event in reversed(group.events):
        if event.action == Action.RETURN:
            return ReturnNote(event.reason, event.actor.full_name if event.actor is not None else None, event.at)
    return None


def last_return_reason(group: ResponseGroup | None) -> str | None:
    note = return_note(group)
    return note.reason if note is not None else None
