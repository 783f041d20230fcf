"""What every review page starts from: the round, its bank and routing, and
what the user may do there (asked of :mod:`survey_app.services.access`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Round, User
from ...questionnaires import Bank
from ..access import NotAllowed, ScopeGrants, can_see_review, scope_grants
from ..banks import bank_for
from .scopes import ReviewSettings, Routing, ScopeDef, routing_day, routing_for


@dataclass(frozen=True, slots=True)
class ReviewContext:
    round: Round
    bank: Bank
    routing: Routing
    grants: ScopeGrants
    settings: ReviewSettings

    @property
    def visible(self) -> tuple[ScopeDef, ...]:
        return self.routing.visible(self.grants)


def review_context(user: User, round_code: str, settings: ReviewSettings) -> ReviewContext:
    """The round as ``user`` reviews it.

    :raises NotAllowed: for a user with no review role or no scope on the
        round's routing date, or an unknown round.
    """
    if not can_see_review(user):
        raise NotAllowed
    rnd = db.session.scalar(select(Round).filter_by(code=round_code).options(joinedload(Round.bank_version)))
    if rnd is None:
        raise NotAllowed
    grants = scope_grants(user, routing_day(rnd))
    if not grants.any:
        raise NotAllowed
    bank = bank_for(rnd.bank_version)
    return ReviewContext(rnd, bank, routing_for(rnd, bank), grants, settings)


def current_round(today: date) -> Round | None:
    """The open round closing first, else the latest one."""
    open_now = db.session.scalars(select(Round).where(Round.opens_on <= today, Round.due_on >= today)
                                  .order_by(Round.due_on)).first()
    return open_now or db.session.scalars(select(Round).order_by(Round.opens_on.desc())).first()
