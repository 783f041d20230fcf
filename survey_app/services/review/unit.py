"""Review of one unit's scope: answers with evidence, scores self and
appraised, history; accept, return, comment and appraise.

Also what the unit sees of its review on its own group page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import Response, ResponseGroup, Round, RoundUnit, Unit, User, utcnow
from ...models.review import Appraisal, ScopeEvent, ScopeReview
from ...questionnaires import Bank
from ...questionnaires.schema import Question, Text
from ...scoring import QuestionResult, scope_scores, score_group
from ...workflow import ScopeAction, Status, Subject, allows
from .. import audit
from ..access import NotAllowed, ScopeGrants
from ..answers import StoredAnswer, stored_answers
from .scopes import ReviewRefused, ReviewSettings, Routing, ScopeDef, apply, status_of


@dataclass(frozen=True, slots=True)
class AnswerLine:
    question: Question
    answer: StoredAnswer | None
    self_score: float | None  # 0–1
    appraisal: Appraisal | None


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    action: str
    from_status: str
    to_status: str
    by: str | None
    reason_code: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class GroupScores:
    """One axis of the unit's radar: a group's score as handed in, and with the lead's appraisals."""

    code: str
    name: Text
    self_score: float | None  # 0–100, as stored on submission
    appraised_score: float | None  # 0–100; the self score where nothing in the group was appraised
    appraised: bool


@dataclass
class ScopeView:
    round: Round
    unit: Unit
    scope: ScopeDef
    response: Response | None
    status: str
    returns_used: int
    lines: list[AnswerLine]
    self_score: float | None  # 0–100
    appraised_score: float | None
    history: list[HistoryLine]
    roles: frozenset[str]
    settings: ReviewSettings
    siblings: tuple[str, ...]  # every scope of the same group
    groups: list[GroupScores]  # the unit's radar, every group of the bank

    @property
    def any_appraisal(self) -> bool:
        return any(g.appraised for g in self.groups)

    def can(self, action: ScopeAction) -> bool:
        return self.response is not None and allows(Subject.SCOPE, self.status, action, self.roles,
                                                    returns_used=self.returns_used,
                                                    max_returns=self.settings.max_returns)

    @property
    def can_appraise(self) -> bool:
        return "lead" in self.roles and self.status in (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED)

    @property
    def returns_left(self) -> int:
        return max(self.settings.max_returns - self.returns_used, 0)


def unit_in_round(rnd: Round, unit_code: str) -> Unit:
    unit: Unit | None = db.session.scalar(select(Unit).join(RoundUnit, RoundUnit.unit_id == Unit.id)
                                          .where(RoundUnit.round_id == rnd.id, Unit.code == unit_code))
    if unit is None:
        raise NotAllowed
    return unit


def scope_view(rnd: Round, bank: Bank, routing: Routing, scope_code: str, unit_code: str, grants: ScopeGrants,
               settings: ReviewSettings) -> ScopeView:
    """Everything the review page of one unit's scope shows.

    :raises NotAllowed: when the user may not see the scope, the unit is
        not in the round, or it has not handed the scope in yet.
    """
    if not grants.sees(scope_code):
        raise NotAllowed
    try:
        scope = routing.get(scope_code)
    except KeyError as exc:
        raise NotAllowed from exc
    unit = unit_in_round(rnd, unit_code)
    response = db.session.scalar(select(Response).filter_by(round_id=rnd.id, unit_id=unit.id))
    group = row = None
    answers: dict[str, StoredAnswer] = {}
    appraisals: dict[str, Appraisal] = {}
    if response is not None:
        group = db.session.scalar(select(ResponseGroup).filter_by(response_id=response.id, group_code=scope.group))
        row = db.session.scalar(select(ScopeReview).filter_by(response_id=response.id, scope=scope.code))
        answers = stored_answers(response.id)
        appraisals = {a.question_code: a for a in db.session.scalars(
            select(Appraisal).where(Appraisal.response_id == response.id, Appraisal.scope == scope.code))}
    status = status_of(row, group.status if group is not None else None)
    if status in (Status.NOT_STARTED, Status.DRAFT):
        raise NotAllowed  # a unit's draft is its own business until it hands the scope in
    values = {code: a.value for code, a in answers.items() if a.value is not None}
    result = score_group(bank, scope.group, unit.kind, values)
    results = {r.code: r for r in result.questions}
    questions = scope.questions(bank)
    lines = [AnswerLine(q, answers.get(q.code), results[q.code].score, appraisals.get(q.code)) for q in questions]
    self_score, appraised = scope_scores(questions, results, {c: a.score for c, a in appraisals.items()})
    return ScopeView(rnd, unit, scope, response, status, row.returns_used if row is not None else 0, lines,
                     self_score, appraised, _history(row, group), grants.roles_for(scope.code), settings,
                     tuple(s.code for s in routing.of_group(scope.group)),
                     _group_scores(bank, unit, response, values, {scope.group: result.questions}))


def _group_scores(bank: Bank, unit: Unit, response: Response | None, values: dict[str, Any],
                  scored: dict[str, tuple[QuestionResult, ...]]) -> list[GroupScores]:
    """Each group's stored score and, where the lead appraised answers in it, the
    score with those appraisals (two queries; groups are scored only when appraised)."""
    stored: dict[str, tuple[str, float | None]] = {}
    appraisals: dict[str, Appraisal] = {}
    if response is not None:
        stored = {g.group_code: (g.status, g.score) for g in db.session.scalars(
            select(ResponseGroup).where(ResponseGroup.response_id == response.id))}
        appraisals = {a.question_code: a for a in db.session.scalars(
            select(Appraisal).where(Appraisal.response_id == response.id))}
    out = []
    for g in bank.groups:
        status, score = stored.get(g.code, (Status.NOT_STARTED.value, None))
        own = score if status in (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED) else None
        mine = {q.code: appraisals[q.code] for q in g.questions if q.code in appraisals}
        appraised = own
        if mine and own is not None:
            questions = scored.get(g.code) or score_group(bank, g.code, unit.kind, values).questions
            _self, appraised = scope_scores(g.questions, {r.code: r for r in questions},
                                            {c: a.score for c, a in mine.items()})
        out.append(GroupScores(g.code, g.name, own, appraised, bool(mine) and own is not None))
    return out


def _history(row: ScopeReview | None, group: ResponseGroup | None) -> list[HistoryLine]:
    """The group's submissions, returns and acceptances by the unit's side,
    and the scope's own decisions and comments, oldest first."""
    lines: list[HistoryLine] = []
    if group is not None:
        for g in group.events:
            if row is None or g.action == ScopeAction.SUBMIT:
                lines.append(HistoryLine(g.at, g.action, g.from_status, g.to_status,
                                         g.actor.full_name if g.actor else None, None, g.reason))
    if row is not None:
        for e in db.session.scalars(select(ScopeEvent).where(ScopeEvent.scope_review_id == row.id,
                                                             ScopeEvent.action != ScopeAction.SUBMIT.value)):
            lines.append(HistoryLine(e.at, e.action, e.from_status, e.to_status, e.actor.full_name if e.actor else None,
                                     e.reason_code, e.reason))
    return sorted(lines, key=lambda line: line.at.replace(tzinfo=None))


def ensure_row(view: ScopeView) -> ScopeReview:
    """The scope's review row. On first use, rows for every scope of the group
    are created from the group's status, so that deciding on one section
    never changes what its sibling sections show."""
    assert view.response is not None
    rows = {r.scope: r for r in db.session.scalars(select(ScopeReview).filter_by(
        response_id=view.response.id, group_code=view.scope.group))}
    if view.scope.code not in rows:
        group = db.session.scalar(select(ResponseGroup).filter_by(response_id=view.response.id,
                                                                   group_code=view.scope.group))
        assert group is not None
        for scope in view.siblings:
            if scope not in rows:
                rows[scope] = ScopeReview(response_id=view.response.id, group_code=view.scope.group, scope=scope,
                                          status=group.status, returns_used=0, submitted_at=group.submitted_at)
                db.session.add(rows[scope])
        db.session.flush()
    return rows[view.scope.code]


def decide(view: ScopeView, action: ScopeAction, user: User, grants: ScopeGrants, *, reason_code: str | None = None,
           reason: str | None = None) -> None:
    """Accept, return or comment on a unit's scope, and commit.

    :raises ReviewRefused: when the action is not allowed now.
    """
    if view.response is None:
        raise ReviewRefused("the unit has not started")
    try:
        apply(ensure_row(view), action, user, grants, view.settings, reason_code=reason_code, reason=reason)
    except ReviewRefused:
        db.session.rollback()
        raise
    db.session.commit()


def appraise(view: ScopeView, question_code: str, score: float, reason: str, user: User) -> None:
    """Record (or change) the lead's score of one answer, with its reason, and commit.

    :raises ReviewRefused: when the user does not lead the scope, the question
        is not in it, or the score or reason is missing.
    """
    if not view.can_appraise or view.response is None:
        raise ReviewRefused("only the lead agency appraises a handed-in scope")
    if question_code not in {line.question.code for line in view.lines}:
        raise ReviewRefused("no such question in this scope")
    if not 0 <= score <= 1 or not reason.strip():
        raise ReviewRefused("a score from 0 to 1 and a reason are required")
    row = db.session.scalar(select(Appraisal).filter_by(response_id=view.response.id, question_code=question_code))
    before = None if row is None else {"score": row.score, "reason": row.reason}
    if row is None:
        row = Appraisal(response_id=view.response.id, scope=view.scope.code, question_code=question_code,
                        score=score, reason=reason.strip(), by_id=user.id)
        db.session.add(row)
    else:
        row.score, row.reason, row.by_id, row.at = score, reason.strip(), user.id, utcnow()
    db.session.flush()
    audit.record("review.appraise", actor_id=user.id, actor_name=user.username, object_type="appraisal",
                 object_id=row.id, unit_id=view.unit.id, round_id=view.round.id,
                 detail={"scope": view.scope.code, "question": question_code, "before": before,
                         "after": {"score": score, "reason": reason.strip()}})
    db.session.commit()


# What the unit sees on its group page


@dataclass(frozen=True, slots=True)
class ScopeFeedback:
    scope: ScopeDef
    status: str
    reason_code: str | None
    reason: str | None
    returned_at: datetime | None
    appraisals: list[tuple[Question, Appraisal]]
    self_score: float | None
    appraised_score: float | None


def group_feedback(bank: Bank, routing_of: Callable[[], Routing], unit: Unit, group_code: str,
                   response: Response | None, *, reviews: bool, appraisals: bool) -> list[ScopeFeedback]:
    """For each scope of one group of the unit's response: the last return's reason and the
    lead's appraisals. The routing is asked for only when the group has scope reviews or the
    response appraisals (most have neither); ``reviews`` and ``appraisals`` say whether
    there are any of either (the caller asked)."""
    if response is None or not (reviews or appraisals):
        return []
    rows = {r.scope: r for r in db.session.scalars(
        select(ScopeReview).where(ScopeReview.response_id == response.id, ScopeReview.group_code == group_code))
    } if reviews else {}
    appraised_by_code: dict[str, Appraisal] = {a.question_code: a for a in db.session.scalars(
        select(Appraisal).where(Appraisal.response_id == response.id))} if appraisals else {}
    if not rows and not appraised_by_code:
        return []  # every scope below would be skipped
    routing = routing_of()
    returns: dict[int, ScopeEvent] = {}
    if rows:
        for e in db.session.scalars(select(ScopeEvent).where(
                ScopeEvent.scope_review_id.in_([r.id for r in rows.values()]),
                ScopeEvent.action == ScopeAction.RETURN.value).order_by(ScopeEvent.id)):
            returns[e.scope_review_id] = e
    out: list[ScopeFeedback] = []
    answers: dict[str, Any] | None = None
    for scope in routing.of_group(group_code):
        row = rows.get(scope.code)
        questions = scope.questions(bank)
        mine = [(q, appraised_by_code[q.code]) for q in questions if q.code in appraised_by_code]
        last = returns.get(row.id) if row is not None else None
        if row is None or (last is None and not mine):
            continue
        self_score = appraised = None
        if mine:
            if answers is None:
                answers = {c: a.value for c, a in stored_answers(response.id).items() if a.value is not None}
            results = {r.code: r for r in score_group(bank, group_code, unit.kind, answers).questions}
            self_score, appraised = scope_scores(questions, results, {q.code: a.score for q, a in mine})
        shown_return = last if row.status == Status.RETURNED else None
        out.append(ScopeFeedback(scope, row.status, shown_return.reason_code if shown_return else None,
                                 shown_return.reason if shown_return else None,
                                 shown_return.at if shown_return else None, mine, self_score, appraised))
    return out



def units_for_choice() -> list[Unit]:
    """Units a proposal may name as responsible: the province's agencies and
    districts (communes act through their district or the province)."""
    return list(db.session.scalars(select(Unit).where(Unit.kind != "commune").order_by(Unit.sort_order, Unit.code)))


@dataclass(frozen=True, slots=True)
class UnitFeedback:
    """What a unit's group page shows of the review: returns, appraisals, proposals."""

    scopes: list[ScopeFeedback]
    proposals: list[Any]


def feedback_for(rnd: Round, unit: Unit, group_code: str, today: date, response: Response | None) -> UnitFeedback:
    """The review feedback for one group of a unit's ``response`` (as the page read it; None
    before the unit's first save). One query asks whether there is any (most groups have
    none); the rest, a fixed handful, only read what there is: the round's routing only when
    there is feedback to place in its scopes."""
    from ..banks import bank_for
    from .proposals import proposals, proposals_of
    from .scopes import routing_for

    bank = bank_for(rnd.bank_version)
    routing: list[Routing] = []

    def routing_of() -> Routing:
        if not routing:
            routing.append(routing_for(rnd, bank))
        return routing[0]

    # The group's scopes are the group itself or some of its sections, whatever the routing:
    # ask for those, and let the routing (read only if any came back) say which count.
    group = bank.group(group_code)
    group_scopes = frozenset({group.code, *(sec.code for sec in group.sections)})
    concerning = proposals_of(rnd, scopes=group_scopes, concerning_unit=unit.id).order_by(None).exists()
    if response is None:
        reviewed = appraised = False
        proposed = bool(db.session.scalar(select(concerning)))
    else:
        reviewed, appraised, proposed = db.session.execute(select(
            select(ScopeReview.id).where(ScopeReview.response_id == response.id,
                                         ScopeReview.group_code == group_code).exists(),
            select(Appraisal.id).where(Appraisal.response_id == response.id).exists(),
            concerning)).one()
    scope_feedback = group_feedback(bank, routing_of, unit, group_code, response, reviews=reviewed,
                                    appraisals=appraised)
    lines = proposals(rnd, today, scopes=group_scopes, concerning_unit=unit.id) if proposed else []
    if lines:
        scopes = {s.code for s in routing_of().of_group(group_code)}
        lines = [line for line in lines if line.proposal.scope in scopes]
    return UnitFeedback(scope_feedback, lines)
