"""Proposals to remove bottlenecks: clear person, task, time and responsibility.

A lead agency proposes, for one unit's bottleneck or for a question across
units, a solution, the unit responsible, a deadline and the level that must
act. Each change is audited. Coordinators see every proposal; a unit sees
those that concern it (it is responsible, or the proposal is about it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Select, or_, select
from sqlalchemy.orm.attributes import set_committed_value

from ...extensions import db
from ...models import Bottleneck, Response, ResponseGroup, Round, Unit, User
from ...models.review import Proposal
from .. import audit
from ..access import ScopeGrants
from .scopes import ReviewRefused, Routing


class Level(StrEnum):
    CENTRAL = "central"
    PROVINCE = "province"
    UNIT = "unit"


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class ProposalInput:
    scope: str
    question_code: str
    solution: str
    responsible_unit_code: str
    deadline: date
    level: str
    unit_code: str | None = None  # for one unit's bottleneck; None: the question across units


def create(rnd: Round, routing: Routing, grants: ScopeGrants, user: User, data: ProposalInput) -> Proposal:
    """Record a proposal of the user's lead agency, and commit.

    :raises ReviewRefused: when the user does not lead the scope, the question
        is not in it, or a field is missing or wrong.
    """
    if data.scope not in grants.lead or not grants.reviewer_unit_ids:
        raise ReviewRefused("only the lead agency of the scope proposes")
    scope = routing.get(data.scope)
    lead_unit = next((u for u in scope.lead_unit_ids if u in grants.reviewer_unit_ids), None)
    if lead_unit is None:
        raise ReviewRefused("only the lead agency of the scope proposes")
    if data.level not in set(Level) or not data.solution.strip():
        raise ReviewRefused("a solution and a level are required")
    responsible = db.session.scalar(select(Unit).filter_by(code=data.responsible_unit_code))
    if responsible is None:
        raise ReviewRefused("unknown responsible unit")
    proposal = Proposal(round_id=rnd.id, scope=data.scope, question_code=data.question_code, lead_unit_id=lead_unit,
                        solution=data.solution.strip(), responsible_unit_id=responsible.id, deadline=data.deadline,
                        level=data.level, status=ProposalStatus.PROPOSED.value, created_by_id=user.id)
    if data.unit_code:
        found = db.session.execute(
            select(Response.id, Bottleneck.id, Bottleneck.kind, Bottleneck.item_key)
            .join(ResponseGroup, ResponseGroup.response_id == Response.id)
            .join(Bottleneck, Bottleneck.response_group_id == ResponseGroup.id)
            .join(Unit, Unit.id == Response.unit_id)
            .where(Response.round_id == rnd.id, Unit.code == data.unit_code,
                   Bottleneck.question_code == data.question_code, Bottleneck.group_code == scope.group)
            .order_by(Bottleneck.id)
        ).first()
        if found is None:
            raise ReviewRefused("this unit has no bottleneck on this question")
        proposal.response_id, proposal.bottleneck_id, proposal.kind, proposal.item_key = found
    db.session.add(proposal)
    db.session.flush()
    audit.record("proposal.create", actor_id=user.id, actor_name=user.username, object_type="proposal",
                 object_id=proposal.id, unit_id=responsible.id, round_id=rnd.id,
                 detail={"scope": data.scope, "question": data.question_code, "level": data.level,
                         "deadline": data.deadline.isoformat(), "unit": data.unit_code})
    db.session.commit()
    return proposal


def set_status(proposal: Proposal, status: str, grants: ScopeGrants, user: User) -> None:
    """Move a proposal to ``status`` (proposed, in progress, done), and commit.

    :raises ReviewRefused: when the user's agency did not make it or the status is unknown.
    """
    if status not in set(ProposalStatus):
        raise ReviewRefused("unknown status")
    if proposal.scope not in grants.lead or proposal.lead_unit_id not in grants.reviewer_unit_ids:
        raise ReviewRefused("only the lead agency that proposed it changes it")
    before = proposal.status
    proposal.status = status
    audit.record("proposal.status", actor_id=user.id, actor_name=user.username, object_type="proposal",
                 object_id=proposal.id, unit_id=proposal.responsible_unit_id, round_id=proposal.round_id,
                 detail={"from": before, "to": status})
    db.session.commit()


@dataclass(frozen=True, slots=True)
class ProposalLine:
    proposal: Proposal
    unit_code: str | None  # the unit whose bottleneck it is, if one
    overdue: bool


def proposals_of(rnd: Round, *, scopes: frozenset[str] | None = None,
                 concerning_unit: int | None = None) -> Select[Proposal, str]:
    """The statement of :func:`proposals`: proposals of a round with the code of the unit
    whose bottleneck each is, for some scopes or concerning one unit (as its own
    bottleneck, or as the unit responsible for the solution)."""
    stmt = (select(Proposal, Unit.code).outerjoin(Response, Response.id == Proposal.response_id)
            .outerjoin(Unit, Unit.id == Response.unit_id).where(Proposal.round_id == rnd.id)
            .order_by(Proposal.deadline, Proposal.id))
    if scopes is not None:
        stmt = stmt.where(Proposal.scope.in_(scopes))
    if concerning_unit is not None:
        stmt = stmt.where(or_(Proposal.responsible_unit_id == concerning_unit, Response.unit_id == concerning_unit))
    return stmt


def proposals(rnd: Round, today: date, *, scopes: frozenset[str] | None = None,
              concerning_unit: int | None = None) -> list[ProposalLine]:
    """Proposals of a round, for some scopes or concerning one unit (two queries)."""
    rows = db.session.execute(proposals_of(rnd, scopes=scopes, concerning_unit=concerning_unit)).all()
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(
        {p.responsible_unit_id for p, _ in rows} | {p.lead_unit_id for p, _ in rows})))} if rows else {}
    for p, _ in rows:  # fill the relationships from the one query above
        set_committed_value(p, "responsible_unit", units[p.responsible_unit_id])
        set_committed_value(p, "lead_unit", units[p.lead_unit_id])
    return [ProposalLine(p, code, p.status != ProposalStatus.DONE and p.deadline < today) for p, code in rows]


def get(proposal_id: int) -> Proposal | None:
    return db.session.get(Proposal, proposal_id)
