"""Lead agencies review their scopes across units; coordinators see the province.

Thin views: each resolves the round and what the user may do through
:func:`review_context` (which asks ``services/access.py``), calls one service
and renders. Anything the user may not see answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..charts import Radar, radar
from ..questionnaires.display import format_value
from ..services.access import NotAllowed, can_see_province, workbook_leads
from ..services.review import bottlenecks as gaps
from ..services.review import counted, dashboards, proposals
from ..services.review.context import ReviewContext, review_context
from ..services.review.home import own_unit
from ..services.review.proposals import Level, ProposalInput, ProposalStatus
from ..services.review.scopes import ReviewRefused, ReviewSettings
from ..services.review.unit import ScopeView, appraise, decide, scope_view
from ..services.rounds import province_today
from ..workflow import ScopeAction
from . import charts
from .forms import AppraiseForm, CommentForm, DecideForm, ProposalForm, ProposalStatusForm, ReturnForm

bp = Blueprint("review", __name__, url_prefix="/review")


def locale() -> str:
    return str(get_locale() or "vi")


@bp.app_template_global()
def kept_units_table(render: Callable[..., Any], board: dashboards.Dashboard, ctx: ReviewContext, loc: str) -> Any:
    """``render(board, ctx, loc)`` (the ``units_table`` macro), once for everyone who reads the
    same page of a dashboard in the same language until something counted changes (see
    ``services/review/counted.py``): rendering its hundred rows cost more than reading them."""
    return counted.kept_fragment(("units table", board.key, ctx.round.code, loc, request.script_root), board.stamp,
                                 lambda: str(render(board, ctx, loc)), Markup)


#: Rendered table rows by what they show (the row, the scopes, the round, the language and the
#: address prefix): after a change of the round most rows of a page are the same as before,
#: so a page counted afresh renders only the rows that changed. This process only.
_rows = counted.Lru(5000)


@bp.app_template_global()
def kept_row(render: Callable[..., Any], row: dashboards.UnitRow, scopes: tuple[Any, ...], round_code: str,
             loc: str) -> Any:
    """``render(row, scopes, round_code, loc)`` (the ``unit_row`` macro), rendered once."""
    return _rows.get((row, scopes, round_code, loc, request.script_root),
                     lambda: render(row, scopes, round_code, loc))


def settings() -> ReviewSettings:
    return ReviewSettings.from_config(current_app.config)


def with_context(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Resolve the round for a user who reviews something in it, else 404."""

    @wraps(view)
    def wrapped(round_code: str, **kwargs: Any) -> ResponseReturnValue:
        try:
            ctx = review_context(current_user, round_code, settings())
        except NotAllowed:
            abort(404)
        return view(ctx, **kwargs)

    return login_required(wrapped)


def read_filters() -> dashboards.Filters:
    args = request.args
    page = args.get("page", "1")
    return dashboards.Filters(kind=args.get("kind", ""), status=args.get("status", ""), band=args.get("band", ""),
                              only=args.get("only", ""), page=int(page) if page.isdigit() else 1)


@bp.get("/rounds/<round_code>")
@with_context
def dashboard(ctx: ReviewContext) -> ResponseReturnValue:
    board = dashboards.dashboard(ctx.round, ctx.routing, ctx.visible, read_filters(), ctx.settings, province_today())
    return render_template("review/dashboard.html", ctx=ctx, board=board, charts=charts,
                           province=can_see_province(current_user), own=own_unit(current_user, province_today()),
                           workbooks=workbook_leads(current_user, ctx.round.opens_on))


@bp.get("/rounds/<round_code>/province")
@with_context
def province(ctx: ReviewContext) -> ResponseReturnValue:
    if not can_see_province(current_user):
        abort(404)
    today = province_today()
    board = dashboards.dashboard(ctx.round, ctx.routing, ctx.routing.scopes, read_filters(), ctx.settings, today)
    return render_template("review/province.html", ctx=ctx, board=board, charts=charts,
                           leads=dashboards.progress_per_lead(board),
                           recurrent=gaps.recurrent_bottlenecks(ctx.round, ctx.bank, ctx.routing.scopes),
                           proposals=proposals.proposals(ctx.round, today))


def visible_scope(ctx: ReviewContext, scope_code: str) -> Any:
    if not ctx.grants.sees(scope_code):
        abort(404)
    try:
        return ctx.routing.get(scope_code)
    except KeyError:
        abort(404)


@bp.get("/rounds/<round_code>/scopes/<scope_code>/bottlenecks")
@with_context
def bottlenecks(ctx: ReviewContext, scope_code: str) -> ResponseReturnValue:
    scope = visible_scope(ctx, scope_code)
    top = gaps.top_bottlenecks(ctx.round, ctx.bank, scope)
    question = request.args.get("question", "")
    drill = None
    if question:
        if question not in {q.code for q in scope.questions(ctx.bank)}:
            abort(404)
        drill = gaps.units_with_gap(ctx.round, ctx.bank, scope, question, locale())
    return render_template("review/bottlenecks.html", ctx=ctx, top=top, question=question, drill=drill,
                           fmt=format_value, charts=charts)


def open_scope(ctx: ReviewContext, scope_code: str, unit_code: str) -> ScopeView:
    try:
        return scope_view(ctx.round, ctx.bank, ctx.routing, scope_code, unit_code, ctx.grants, ctx.settings)
    except NotAllowed:
        abort(404)


def unit_radar(view: ScopeView) -> Radar:
    """The unit's radar, as on its results page, with the appraised scores beside its own."""
    loc = locale()
    series = [(_("Self-assessed score"), "score", [g.self_score for g in view.groups])]
    if view.any_appraisal:
        series.append((_("Appraised score"), "appraised", [g.appraised_score for g in view.groups]))
    return radar([g.name.get(loc) for g in view.groups], series)


def render_scope(ctx: ReviewContext, view: ScopeView, **forms: Any) -> ResponseReturnValue:
    return_form = forms.get("return_form") or ReturnForm(formdata=None)
    return_form.reason_code.choices = [("", _("Choose…"))] + [
        (code, ctx.settings.reason_label(code, locale())) for code in ctx.settings.reasons]
    today = province_today()
    return render_template(
        "review/scope.html", ctx=ctx, view=view, fmt=format_value, return_form=return_form,
        comment_form=forms.get("comment_form") or CommentForm(formdata=None), accept_form=DecideForm(),
        appraise_form=forms.get("appraise_form"), appraise_question=forms.get("appraise_question"),
        proposals=[p for p in proposals.proposals(ctx.round, today, scopes=frozenset({view.scope.code}),
                                                  concerning_unit=view.unit.id)],
        Action=ScopeAction, radar=unit_radar(view),
    )


@bp.get("/rounds/<round_code>/scopes/<scope_code>/units/<unit_code>")
@with_context
def scope(ctx: ReviewContext, scope_code: str, unit_code: str) -> ResponseReturnValue:
    return render_scope(ctx, open_scope(ctx, scope_code, unit_code))


@bp.post("/rounds/<round_code>/scopes/<scope_code>/units/<unit_code>/<action>")
@with_context
def act(ctx: ReviewContext, scope_code: str, unit_code: str, action: str) -> ResponseReturnValue:
    view = open_scope(ctx, scope_code, unit_code)
    here = url_for("review.scope", round_code=ctx.round.code, scope_code=scope_code, unit_code=unit_code)
    try:
        if action == "accept":
            if not DecideForm().validate_on_submit():
                abort(400)
            decide(view, ScopeAction.ACCEPT, current_user, ctx.grants)
            flash(_("Accepted."), "success")
        elif action == "return":
            form = ReturnForm()
            form.reason_code.choices = [(c, c) for c in ctx.settings.reasons]
            if not form.validate_on_submit():
                return render_scope(ctx, view, return_form=form)
            decide(view, ScopeAction.RETURN, current_user, ctx.grants, reason_code=form.reason_code.data,
                   reason=form.reason.data)
            flash(_("Returned to the unit with your reason."), "success")
        elif action == "comment":
            cform = CommentForm()
            if not cform.validate_on_submit():
                return render_scope(ctx, view, comment_form=cform)
            decide(view, ScopeAction.COMMENT, current_user, ctx.grants, reason=cform.reason.data)
            flash(_("Comment recorded."), "success")
        elif action == "appraise":
            aform = AppraiseForm()
            if not aform.validate_on_submit():
                return render_scope(ctx, view, appraise_form=aform, appraise_question=aform.question.data)
            score = aform.score.data if isinstance(aform.score.data, Decimal) else Decimal(0)
            appraise(view, aform.question.data or "", float(score) / 100, aform.reason.data or "", current_user)
            flash(_("Appraisal recorded."), "success")
        else:
            abort(404)
    except ReviewRefused:
        if not view.roles & {"lead"} and action != "comment":
            abort(404)  # a scope it only coordinates: the action does not exist for this user
        flash(_("This action is not possible for this scope now."), "error")
        return redirect(here), 303
    return redirect(here), 303


def proposal_form(ctx: ReviewContext, formdata: Any = None) -> ProposalForm:
    form = ProposalForm() if formdata is not None else ProposalForm(formdata=None)
    loc = locale()
    led = [s for s in ctx.routing.scopes if s.code in ctx.grants.lead]
    form.question.choices = [(f"{s.code}:{q.code}", f"{q.code} · {q.text.get(loc)[:90]}")
                             for s in led for q in s.questions(ctx.bank)]
    from ..services.review.unit import units_for_choice

    form.responsible.choices = [(u.code, u.name(loc)) for u in units_for_choice()]
    form.level.choices = [(Level.CENTRAL.value, _("Central")), (Level.PROVINCE.value, _("Province")),
                          (Level.UNIT.value, _("Unit"))]
    return form


@bp.route("/rounds/<round_code>/proposals", methods=["GET", "POST"])
@with_context
def proposal_list(ctx: ReviewContext) -> ResponseReturnValue:
    today = province_today()
    form = proposal_form(ctx, request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not ctx.grants.lead:
            abort(404)
        if form.validate_on_submit():
            scope_code, _sep, question = (form.question.data or "").partition(":")
            try:
                assert form.deadline.data is not None
                proposals.create(ctx.round, ctx.routing, ctx.grants, current_user, ProposalInput(
                    scope_code, question, form.solution.data or "", form.responsible.data or "", form.deadline.data,
                    form.level.data or "", (form.unit.data or "").strip().upper() or None))
            except ReviewRefused:
                form.unit.errors = [_("This unit has no bottleneck on this question in your scope.")]
            else:
                flash(_("Proposal recorded."), "success")
                return redirect(url_for("review.proposal_list", round_code=ctx.round.code)), 303
    scopes = None if ctx.grants.everything else frozenset(s.code for s in ctx.visible)
    return render_template("review/proposals.html", ctx=ctx, form=form, status_form=ProposalStatusForm,
                           lines=proposals.proposals(ctx.round, today, scopes=scopes),
                           statuses=list(ProposalStatus))


@bp.post("/rounds/<round_code>/proposals/<int:proposal_id>/status")
@with_context
def proposal_status(ctx: ReviewContext, proposal_id: int) -> ResponseReturnValue:
    proposal = proposals.get(proposal_id)
    if proposal is None or proposal.round_id != ctx.round.id or not ctx.grants.sees(proposal.scope):
        abort(404)
    form = ProposalStatusForm()
    form.status.choices = [(s.value, s.value) for s in ProposalStatus]
    back = url_for("review.proposal_list", round_code=ctx.round.code)
    if not form.validate_on_submit():
        flash(_("This action is not possible for this scope now."), "error")
        return redirect(back)
    try:
        proposals.set_status(proposal, form.status.data or "", ctx.grants, current_user)
    except ReviewRefused:
        abort(404)
    flash(_("Proposal updated."), "success")
    return redirect(back), 303


@bp.app_template_global()
def review_feedback(rnd: Any, unit: Any, group_code: str, response: Any) -> Any:
    """For the unit's group page: the lead agency's returns, appraisals and proposals."""
    from ..services.review.unit import feedback_for

    return feedback_for(rnd, unit, group_code, province_today(), response)


@bp.app_template_global()
def review_reason_label(code: str | None) -> str:
    return settings().reason_label(code, locale())
