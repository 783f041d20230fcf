"""The demo's review: what the lead agencies have done five weeks into the round.

The round opened five weeks ago; units handed their groups in over the
following weeks. The DIC returned two data groups for missing evidence and
accepted some infrastructure groups, appraising answers it found generous;
Finance accepted and returned budget sections, Planning and Investment
commented; Home Affairs accepted people sections. Lead agencies proposed
solutions to the most common bottlenecks, one of them already overdue.
Everything goes through the review services, so the history and the audit
trail are exactly what real use leaves. Idempotent: nothing is done twice.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import Response, ResponseGroup, Round, RoutingRule, Unit, UnitKind, User
from ..models.review import Proposal, ScopeEvent
from ..workflow import ScopeAction, Status
from .access import scope_grants
from .banks import bank_for
from .review.proposals import ProposalInput, create, set_status
from .review.scopes import ReviewSettings, routing_for
from .review.unit import appraise, decide, scope_view
from .rounds import province_today

RETURNS = {
    "data": ("missing_evidence", "Đề nghị bổ sung số, ngày văn bản ban hành danh mục cơ sở dữ liệu dùng chung "
                                 "và đính kèm bản scan (câu DL-01)."),
    "resources-budget": ("incomplete", "Chưa nêu kinh phí bố trí cho Đề án 06 năm 2024; đề nghị bổ sung theo "
                                       "dự toán được giao."),
}
APPRAISALS = {
    "infrastructure": ("HT-01", 0.5,
                       "Tự chấm mức cao nhưng chưa có biên bản kiểm tra đường truyền số liệu chuyên dùng."),
    "data": ("DL-01", 0.25, "Danh mục dữ liệu chưa được phê duyệt; chỉ có dự thảo."),
}
PROPOSALS = (
    # (reviewer, scope, question, unit or None, solution, responsible, days from today, level, status)
    ("stttt-reviewer", "data", "DL-01", None,
     "Ban hành danh mục cơ sở dữ liệu dùng chung của tỉnh; mỗi sở, ngành rà soát và cập nhật dữ liệu "
     "bảo đảm \"đúng, đủ, sạch, sống\".", "STTTT", 30, "province", "in_progress"),
    ("stttt-reviewer", "infrastructure", "HT-01", None,
     "Kết nối 100% đơn vị vào mạng truyền số liệu chuyên dùng cấp II; Sở Thông tin và Truyền thông hướng dẫn, "
     "Sở Tài chính bố trí kinh phí.", "STTTT", -5, "province", "proposed"),
    ("stc-reviewer", "resources-budget", "NL-01", None,
     "Đề xuất bổ sung dự toán chi chuyển đổi số và Đề án 06 năm 2025 cho các đơn vị chưa được bố trí kinh phí.",
     "STC", 45, "province", "proposed"),
    ("snv-reviewer", "resources-people", "NL-05", None,
     "Kiến nghị Bộ Nội vụ hướng dẫn chế độ hỗ trợ cho cán bộ chuyên trách chuyển đổi số.",
     "SNV", 60, "central", "proposed"),
)


def seed_review(today: date | None = None, seed: int = 2024) -> None:
    """Give the demo round a plausible review history (once)."""
    today = today or province_today()
    rnd = db.session.scalar(select(Round).order_by(Round.id))
    if rnd is None or db.session.scalar(select(Proposal.id).where(Proposal.round_id == rnd.id)) is not None:
        return
    # Open the round 35 days ago (so some submissions have waited long enough to
    # stand out), but never before the routing it is reviewed under starts.
    routing_from = db.session.scalar(select(func.min(RoutingRule.valid_from)))
    earliest = max(today - timedelta(days=35), routing_from or today - timedelta(days=35))
    if rnd.opens_on > earliest:
        rnd.opens_on = earliest
    rng = random.Random(seed)
    _spread_submissions(rnd, today, rng)
    db.session.commit()
    bank = bank_for(rnd.bank_version)
    routing = routing_for(rnd, bank)
    settings = ReviewSettings()
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.like("%-reviewer")))}
    when = _Clock(rnd.opens_on + timedelta(days=8), today, rng)

    def act(username: str, scope: str, unit: str, action: ScopeAction, code: str | None = None,
            text: str | None = None) -> bool:
        user = users.get(username)
        if user is None:
            return False
        grants = scope_grants(user, rnd.opens_on)
        view = scope_view(rnd, bank, routing, scope, unit, grants, settings)
        if not view.can(action):
            return False
        decide(view, action, user, grants, reason_code=code, reason=text)
        when.stamp()
        return True

    done: dict[str, int] = {}
    for unit, scope in _handed_in(rnd, ("infrastructure", "data", "resources")):
        n = done.get(scope, 0)
        if scope == "data" and n < 2:
            code, text = RETURNS["data"]
            done[scope] = n + act("stttt-reviewer", "data", unit, ScopeAction.RETURN, code, text)
        elif scope == "infrastructure" and n < 4:
            done[scope] = n + act("stttt-reviewer", "infrastructure", unit, ScopeAction.ACCEPT)
        elif scope == "resources" and n < 3:
            if n == 0:
                act("skhdt-reviewer", "resources-budget", unit, ScopeAction.COMMENT,
                    text="Đề nghị đối chiếu với kế hoạch đầu tư công trung hạn 2021–2025 của đơn vị.")
                code, text = RETURNS["resources-budget"]
                act("stc-reviewer", "resources-budget", unit, ScopeAction.RETURN, code, text)
            else:
                act("stc-reviewer", "resources-budget", unit, ScopeAction.ACCEPT)
            act("snv-reviewer", "resources-people", unit, ScopeAction.ACCEPT)
            done[scope] = n + 1
    dic = users.get("stttt-reviewer")
    for unit, scope in _handed_in(rnd, ("infrastructure", "data"))[:6]:
        if dic is None:
            break
        question, score, reason = APPRAISALS[scope]
        view = scope_view(rnd, bank, routing, scope, unit, scope_grants(dic, rnd.opens_on), settings)
        if view.can_appraise and not any(line.appraisal for line in view.lines):
            appraise(view, question, score, reason, dic)
    for username, scope, question, about, solution, responsible, days, level, status in PROPOSALS:
        author = users.get(username)
        if author is None:
            continue
        grants = scope_grants(author, rnd.opens_on)
        proposal = create(rnd, routing, grants, author, ProposalInput(
            scope, question, solution, responsible, today + timedelta(days=days), level, about))
        proposal.created_at = datetime.combine(today - timedelta(days=6), time(9, 30), UTC)
        if status != proposal.status:
            set_status(proposal, status, grants, author)
    db.session.commit()


def _handed_in(rnd: Round, groups: tuple[str, ...]) -> list[tuple[str, str]]:
    """(unit code, group) of the demo departments and districts with a submitted group, in order."""
    rows = db.session.execute(
        select(Unit.code, ResponseGroup.group_code).join(Response, Response.unit_id == Unit.id)
        .join(ResponseGroup, ResponseGroup.response_id == Response.id)
        .where(Response.round_id == rnd.id, ResponseGroup.group_code.in_(groups),
               ResponseGroup.status == Status.SUBMITTED.value, Unit.kind != UnitKind.COMMUNE.value)
        .order_by(Unit.sort_order, ResponseGroup.group_code)
    )
    return [(code, group) for code, group in rows]


def _spread_submissions(rnd: Round, today: date, rng: random.Random) -> None:
    """Submissions of the named demo units fall between the opening and yesterday;
    a few came in during the first week and still wait, so the dashboards show them."""
    groups = db.session.scalars(
        select(ResponseGroup).join(Response, Response.id == ResponseGroup.response_id)
        .join(Unit, Unit.id == Response.unit_id)
        .where(Response.round_id == rnd.id, ResponseGroup.submitted_at.is_not(None),
               Unit.kind != UnitKind.COMMUNE.value))
    span = max((today - rnd.opens_on).days - 1, 1)
    for g in groups:
        day = rnd.opens_on + timedelta(days=rng.randint(1, span))
        g.submitted_at = datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), UTC)


class _Clock:
    """Stamps each new review event with a later working day than the last."""

    def __init__(self, start: date, today: date, rng: random.Random) -> None:
        self.day = start
        self.today = today
        self.rng = rng

    def stamp(self) -> None:
        event = db.session.scalars(select(ScopeEvent).order_by(ScopeEvent.id.desc())).first()
        if event is None:
            return
        self.day = min(self.day + timedelta(days=self.rng.randint(0, 2)), self.today - timedelta(days=1))
        day = self.day
        submitted = event.scope_review.submitted_at
        if submitted is not None and submitted.date() >= day:
            day = min(submitted.date() + timedelta(days=1), self.today)
        event.at = datetime.combine(day, time(self.rng.randint(8, 16), self.rng.randint(0, 59)), UTC)
        if event.action != ScopeAction.COMMENT:
            event.scope_review.decided_at = event.at
        db.session.commit()
