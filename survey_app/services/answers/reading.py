"""Reading a unit's answers: its place in a round, and the stored state of a group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Answer, BankQuestion, Response, ResponseGroup, Round, RoundUnit, Unit, User
from ...questionnaires import Bank
from ...scoring import visibility
from ...workflow import Status
from ..access import NotAllowed, require_member
from ..banks import bank_for
from ..rounds import Window, window_with


@dataclass(frozen=True, slots=True)
class UnitRound:
    """A unit's place in a round, as seen by one of its members."""

    round: Round
    unit: Unit
    roles: frozenset[str]
    bank: Bank
    # The unit's window, read with the round (its own due date included): one
    # read per request, for the page's state and the save's check alike.
    window: Window


def unit_round(user: User, round_code: str, unit_code: str) -> UnitRound:
    """The round and unit, if the user belongs to the unit and it takes part.

    :raises NotAllowed: otherwise (the views answer 404).
    """
    row = db.session.execute(
        select(Round, Unit, RoundUnit.due_on).join(RoundUnit, RoundUnit.round_id == Round.id)
        .join(Unit, Unit.id == RoundUnit.unit_id)
        .where(Round.code == round_code, Unit.code == unit_code)
        .options(joinedload(Round.bank_version))  # its fingerprint names the cached bank: no second query
    ).first()
    if row is None:
        raise NotAllowed
    rnd, unit, own_due_on = row
    return UnitRound(rnd, unit, require_member(user, unit), bank_for(rnd.bank_version), window_with(rnd, own_due_on))


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    value: Any
    comment: str | None
    evidence: dict[str, Any] | None
    updated_by: str | None
    updated_at: datetime | None
    answer_id: int | None = None  # the stored row (None: nothing stored, or a value as it was before)


EMPTY = StoredAnswer(None, None, None, None, None)


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


def find_response(ur: UnitRound, *, with_groups: bool = False) -> Response | None:
    """The unit's response to the round, if it has started one (``with_groups``: its
    groups read in the same statement)."""
    stmt = select(Response).filter_by(round_id=ur.round.id, unit_id=ur.unit.id)
    return db.session.scalar(stmt.options(joinedload(Response.groups)) if with_groups else stmt)


def load_group(ur: UnitRound, group_code: str) -> GroupState:
    """The stored state of one group of the unit's response (all answers of
    the response are read, because conditions may look across groups)."""
    response = db.session.scalar(
        select(Response).filter_by(round_id=ur.round.id, unit_id=ur.unit.id).options(joinedload(Response.groups))
        .execution_options(populate_existing=True)
    )
    if response is None:
        return GroupState(None, None, {})
    group = next((g for g in response.groups if g.group_code == group_code), None)
    return GroupState(response, group, stored_answers(response.id))


def stored_answers(response_id: int) -> dict[str, StoredAnswer]:
    rows = db.session.execute(
        select(BankQuestion.code, Answer.value, Answer.comment, Answer.evidence, User.full_name, Answer.updated_at,
               Answer.id)
        .join(Answer, Answer.question_id == BankQuestion.id)
        .outerjoin(User, User.id == Answer.updated_by_id)
        .where(Answer.response_id == response_id)
    )
    return {code: StoredAnswer(value, comment, evidence, who, at, answer_id)
            for code, value, comment, evidence, who, at, answer_id in rows}


def stored_values(ur: UnitRound) -> dict[str, Any]:
    """The unit's answered values by question code (empty before it starts)."""
    response = find_response(ur)
    if response is None:
        return {}
    return {c: a.value for c, a in stored_answers(response.id).items() if a.value is not None}


def shown_codes(bank: Bank, unit_kind: str, answers: dict[str, Any]) -> frozenset[str]:
    """Codes of the questions the unit sees, given its answers (one pass, bank order)."""
    return frozenset(code for code, shown in visibility(bank.questions, unit_kind, answers).items() if shown)
