"""Every route, as each kind of user: nothing outside one's scopes is shown or changed.

A unit's budget answers carry one secret, its people answers another, its
legal answers a third. Each user requests every route of the URL map (every
scope, every action) naming that unit; what each may see follows the routing,
and no POST by someone who does not lead a scope changes anything.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.models import Answer, AuditEvent, BankQuestion, Response, Unit
from survey_app.models.review import ScopeReview

SCOPES = ("legal", "infrastructure", "data", "security", "resources-budget", "resources-people")
SECRETS = {"resources-budget": "NS-BÍ-MẬT-51", "resources-people": "NL-BÍ-MẬT-62", "legal": "PL-BÍ-MẬT-73"}
# Who sees which scope, and who decides (the 2024 routing of the demo).
SEES = {
    "stttt-reviewer": {"infrastructure", "data", "security"},
    "stc-reviewer": {"resources-budget"},
    "skhdt-reviewer": {"resources-budget"},
    "snv-reviewer": {"resources-people"},
    "vpubnd-reviewer": {"legal"},
    "catinh-coordinator": set(SCOPES),
    "syt-head": set(),
}
DECIDES = {"stttt-reviewer": {"infrastructure", "data", "security"}, "stc-reviewer": {"resources-budget"},
           "snv-reviewer": {"resources-people"}, "vpubnd-reviewer": {"legal"}}
FORM = {"reason_code": "missing_evidence", "reason": "Thử trái phép", "question": "NL-01", "score": "0",
        "status": "done", "solution": "x", "responsible": "STC", "deadline": "2030-01-01", "level": "unit",
        "unit": "", "csrf_token": ""}


@pytest.fixture
def target(review: Any) -> str:
    """A unit with legal and resources handed in, its answers marked with the secrets."""
    unit = review.unit_with("resources", kind="department", exclude=("STC", "SNV", "SKHDT", "VP-UBND", "STTTT"))
    with review.app.app_context():
        response_id = db.session.scalar(select(Response.id).join(Unit).where(Unit.code == unit))
        rows = db.session.execute(select(Answer.id, BankQuestion.code).join(BankQuestion)
                                  .where(Answer.response_id == response_id)).all()
        for answer_id, code in rows:
            scope = ("resources-budget" if code in ("NL-01", "NL-02", "NL-03", "NL-04", "NL-11")
                     else "resources-people" if code.startswith("NL-") else "legal" if code.startswith("PL-") else None)
            if scope:
                db.session.execute(update(Answer).where(Answer.id == answer_id).values(comment=SECRETS[scope]))
        db.session.commit()
        db.session.remove()
    assert review.group_status(unit, "legal") in ("submitted", "draft", "not_started")
    return unit


def requests(app: Flask, unit: str, proposal_id: int) -> Iterator[tuple[str, str, str, str | None]]:
    """(endpoint, method, url, scope) for every route and method, naming ``unit``."""
    values: dict[str, tuple[Any, ...]] = {
        "round_code": ("P06-DIEM-NGHEN",), "unit_code": (unit,), "group_code": ("legal", "resources"),
        "question_code": ("NL-01",), "file_id": (1,), "code": ("vi",), "scope_code": SCOPES,
        "action": ("accept", "return", "comment", "appraise"), "proposal_id": (proposal_id,),
        "version_id": (1,), "user_id": (1,),  # administration: refused to all but administrators
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout", "auth.set_language"):
            continue
        names = sorted(rule.arguments)
        assert not [n for n in names if n not in values], f"{rule.rule}: add values for the sweep"
        for combo in itertools.product(*(values[n] for n in names)):
            args = dict(zip(names, combo, strict=True))
            with app.test_request_context():
                url = url_for(rule.endpoint, **args)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url, args.get("scope_code")


def state(app: Flask) -> tuple[Any, ...]:
    """Group statuses, every decision (audit events other than comments and downloads, which
    are recorded but decide nothing), appraisals and proposals."""
    from survey_app.models import Appraisal, Proposal, ResponseGroup

    with app.app_context():
        groups = sorted(db.session.execute(select(ResponseGroup.id, ResponseGroup.status)))
        decisions = list(db.session.execute(select(AuditEvent.id, AuditEvent.action, AuditEvent.detail)
                                            .where(AuditEvent.action != "review.comment",
                                                   AuditEvent.action.not_like("export.%"))
                                            .order_by(AuditEvent.id)))
        appraisals = sorted(db.session.execute(select(Appraisal.id, Appraisal.score)))
        proposals = sorted(db.session.execute(select(Proposal.id, Proposal.status)))
        scopes = sorted(db.session.execute(select(ScopeReview.scope, ScopeReview.status, ScopeReview.returns_used)))
        db.session.remove()
    return tuple(groups), tuple(decisions), tuple(appraisals), tuple(proposals), tuple(scopes)


@pytest.mark.parametrize("username", sorted(SEES))
def test_every_route_answers_within_scope(review: Any, target: str, username: str) -> None:
    # The DIC proposes something on infrastructure, so that the proposal routes have a real id.
    dic = review.client("stttt-reviewer")
    dic.post(f"/review/rounds/{review.round}/proposals", data={
        "question": "infrastructure:HT-01", "unit": "", "solution": "Nâng cấp đường truyền", "responsible": "STTTT",
        "deadline": "2030-01-01", "level": "province"})
    with review.app.app_context():
        from survey_app.models import Proposal
        proposal_id = db.session.scalar(select(Proposal.id).filter_by(solution="Nâng cấp đường truyền"))
        db.session.remove()
    assert proposal_id is not None
    c = review.client(username)
    handed_in = {g for g in ("legal", "infrastructure", "data", "security", "resources")
                 if review.group_status(target, g) in ("submitted", "accepted", "returned")}
    before = state(review.app)
    seen = 0
    for endpoint, method, url, scope in requests(review.app, target, proposal_id):
        if method == "POST" and scope is not None and scope in DECIDES.get(username, set()):
            continue  # its own decisions: the flow tests cover them
        if endpoint == "review.proposal_status" and username == "stttt-reviewer":
            continue  # its own proposal
        r = c.post(url, data=FORM) if method == "POST" else c.get(url)
        seen += 1
        body = r.get_data().decode("utf-8", "replace")  # workbooks are binary
        r.close()  # a workbook is sent from a temporary file
        where = f"{method} {url} as {username}: {r.status_code}"
        assert r.status_code != 500, where
        for secret_scope, secret in SECRETS.items():
            if secret_scope not in SEES[username]:
                assert secret not in body, f"{where} shows the {secret_scope} secret"
        if endpoint == "review.scope" and method == "GET":
            assert scope is not None
            visible = scope in SEES[username] and scope.split("-")[0] in handed_in
            assert r.status_code == (200 if visible else 404), where
        if endpoint == "review.act" and scope not in SEES[username]:
            assert r.status_code == 404, where
        if endpoint == "review.province" and username != "catinh-coordinator":
            assert r.status_code == 404, where
        if endpoint.startswith("review.") and username == "syt-head":
            assert r.status_code == 404, where
        if "/units/" in url and endpoint.startswith("respond.") and username != "syt-head":
            assert r.status_code == 404, where  # a reviewer is no member of the unit
    assert seen > 40
    after = state(review.app)
    if username not in DECIDES:
        assert after[:4] == before[:4], f"{username} changed something"
    else:  # a lead acted on nothing outside its scopes
        assert after[1] == before[1], f"{username} decided outside its scopes"


def test_a_reviewer_sees_only_its_scopes_on_the_dashboard(review: Any, target: str) -> None:
    for username, scopes in SEES.items():
        r = review.client(username).get(f"/review/rounds/{review.round}")
        if not scopes:
            assert r.status_code == 404
            continue
        body = r.get_data().decode("utf-8", "replace")  # workbooks are binary
        for scope in SCOPES:
            link = f"/review/rounds/{review.round}/scopes/{scope}/bottlenecks"
            assert (link in body) == (scope in scopes), f"{username} and {scope}"
    # The standing agency is sent to its dashboard from the home page; a unit head stays home.
    assert review.client("catinh-coordinator").get("/").headers["Location"].endswith(f"/review/rounds/{review.round}")
    assert review.client("syt-head").get("/").status_code == 200


def test_planning_and_investment_comments_on_budget_but_cannot_decide(review: Any, target: str) -> None:
    skhdt = review.client("skhdt-reviewer")
    page = skhdt.get(review.scope_url("resources-budget", target)).get_data(as_text=True)
    assert SECRETS["resources-budget"] in page
    assert review.scope_url("resources-budget", target, "accept") not in page
    assert skhdt.post(review.scope_url("resources-budget", target, "accept")).status_code == 404
    assert skhdt.post(review.scope_url("resources-budget", target, "return"), data=FORM).status_code == 404
    r = skhdt.post(review.scope_url("resources-budget", target, "comment"),
                   data={"reason": "Đề nghị đối chiếu với kế hoạch đầu tư công trung hạn."})
    assert r.status_code == 303
    scope = review.scope(target, "resources-budget")
    assert scope["status"] == "submitted"
    assert scope["events"][-1][0] == "comment"
