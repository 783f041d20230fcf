"""A unit fills, saves, resumes and submits its groups, and sees its results.

Every URL names the round and the unit by code; a user who does not belong
to the unit gets 404, whatever else exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import csrf
from ..questionnaires.display import format_value
from ..services.access import NotAllowed
from ..services.answers import (
    Busy,
    NotEditable,
    UnitRound,
    answer_history,
    submission_gaps,
    submit_group,
    unit_round,
)
from ..services.evidence import file_for_download
from ..services.review import counted
from ..services.rounds import RoundNotOpen, RoundState, province_today
from .forms import field_name
from .overview import unit_overview, unit_results
from .page import GroupPage

bp = Blueprint("respond", __name__)


def with_unit_round(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Resolve round and unit codes for a member of the unit, else 404."""

    @wraps(view)
    def wrapped(round_code: str, unit_code: str, **kwargs: Any) -> ResponseReturnValue:
        try:
            ur = unit_round(current_user, round_code, unit_code)
        except NotAllowed:
            abort(404)
        return view(ur, **kwargs)

    return login_required(wrapped)


#: Rendered question blocks by what they show (``GroupPage.block_key``), the language and
#: the address prefix: a group page shown again renders only the questions whose answers
#: changed. This process only; a few KB each.
_blocks = counted.Lru(3000)


@bp.app_template_global()
def kept_question(render: Callable[..., Any], page: GroupPage, q: Any, loc: str, hidden: bool, files: Any,
                  missing: Any, answered: bool) -> Any:
    """``render(q, form, loc, hidden, files, ur, missing, answered)`` (the ``question`` macro),
    rendered once for every page that shows the same block, unless the page lists missing
    answers or shows a post (what was typed, its messages)."""
    def block() -> Any:
        assert page.form is not None  # the page renders a form
        return render(q, page.form[field_name(q.code)].form, loc, hidden, files, page.ur, missing, answered)

    key = None if missing else page.block_key(q, hidden, files)
    return block() if key is None else _blocks.get((*key, answered, loc, request.script_root), block)


def locale() -> str:
    return str(get_locale() or "vi")


def closed_message(ur: UnitRound, state: RoundState) -> str:
    """Why the round does not take answers today, in the user's language."""
    win = ur.window
    if state is RoundState.UPCOMING:
        return _("This round opens on %(date)s: answers cannot be saved yet.", date=win.opens_on.strftime("%d/%m/%Y"))
    if state is RoundState.PAST_DUE:
        return _("This round was due on %(date)s: answers can no longer be saved or submitted. Ask the "
                 "coordinators for an extension.", date=win.due_on.strftime("%d/%m/%Y"))
    return _("This round is closed: answers can no longer be saved or submitted.")


def busy_message() -> str:
    return _("The server is busy and nothing was saved. Please try again in a moment.")


def open_page(ur: UnitRound, group_code: str, *, locked: bool = False) -> GroupPage:
    """The group page, or 404 for a group the unit's bank does not have."""
    try:
        return GroupPage.open(ur, group_code, locale(), locked=locked)
    except KeyError:
        abort(404)


@bp.get("/rounds/<round_code>/units/<unit_code>")
@with_unit_round
def unit_home(ur: UnitRound) -> ResponseReturnValue:
    today = province_today()
    win = ur.window
    return render_template("respond/unit.html", ur=ur, groups=unit_overview(ur, locale()),
                           days_left=win.days_left(today), round_state=win.state(today))


# The group form checks its own token (GroupPage.save) before anything is
# stored, so an expired form keeps what was typed and says why; the global
# check would answer a bare error page instead.
@bp.route("/rounds/<round_code>/units/<unit_code>/groups/<group_code>", methods=["GET", "POST"])
@csrf.exempt
@with_unit_round
def group_page(ur: UnitRound, group_code: str) -> ResponseReturnValue:
    page = open_page(ur, group_code)
    if request.method == "GET" or not page.can_edit:
        if request.method == "POST":
            flash(_("This group can no longer be changed."), "error")
        if page.round_state is not RoundState.OPEN:
            flash(closed_message(ur, page.round_state), "error")
        page.blank_form(add_row=page.add_row_target("add_row:" + request.args.get("add_row", "")))
        return render_template("respond/group.html", page=page, ur=ur, fmt=format_value)
    try:
        outcome = page.save(current_user)
    except NotEditable:
        abort(403)
    except RoundNotOpen as exc:
        flash(closed_message(ur, exc.state), "error")
        return render_template("respond/group.html", page=page, ur=ur, fmt=format_value), 409
    except Busy:
        flash(busy_message(), "error")
        return render_template("respond/group.html", page=page, ur=ur, fmt=format_value), 503
    action = request.form.get("action", "save")
    if outcome is None:
        flash(_("The form expired. Please go back, reload the page and try again."), "error")
    elif outcome.conflicts:
        flash(_("Someone else changed this group while you were editing it. Choose what to keep below."), "error")
    elif page.invalid:
        flash(_("Some answers could not be saved: see the messages next to them. Everything else is saved."),
              "error")
    elif (table := page.add_row_target(action)) is not None:
        return redirect(url_for(".group_page", round_code=ur.round.code, unit_code=ur.unit.code,
                                group_code=group_code, add_row=table) + "#q-" + table)
    elif action == "submit" and request.form.get("confirm") != "yes":
        return _confirm_submit(ur, page)
    elif action == "submit":
        return _submit(ur, page)
    else:
        flash(_("Saved at %(time)s.", time=format_datetime(page.saved_at, "HH:mm")), "info")
        return redirect(request.path)
    return render_template("respond/group.html", page=page, ur=ur, fmt=format_value), 422


def _confirm_submit(ur: UnitRound, page: GroupPage) -> ResponseReturnValue:
    """Saved; a complete group asks the head to confirm, an incomplete one lists what is missing."""
    if not page.can_submit:
        flash(_("Only the head of the unit can submit."), "error")
        return redirect(request.path)
    gaps = submission_gaps(ur, page.group.code)
    if gaps:
        return render_template("respond/group.html", page=page, ur=ur, fmt=format_value, missing=gaps), 422
    page.confirm_submit = True
    return render_template("respond/group.html", page=page, ur=ur, fmt=format_value)


def _submit(ur: UnitRound, page: GroupPage) -> ResponseReturnValue:
    try:
        outcome = submit_group(ur, page.group.code, current_user)
    except NotEditable:
        flash(_("Only the head of the unit can submit."), "error")
        return redirect(request.path)
    except RoundNotOpen as exc:
        flash(closed_message(ur, exc.state), "error")
        return redirect(request.path)
    except Busy:
        flash(busy_message(), "error")
        return redirect(request.path)
    if outcome.missing:
        page.blank_form()
        return render_template("respond/group.html", page=page, ur=ur, fmt=format_value,
                               missing=outcome.gaps or outcome.missing), 422
    flash(_("Submitted. The group is now read-only; its score is shown below."), "info")
    return redirect(request.path)


@bp.post("/rounds/<round_code>/units/<unit_code>/groups/<group_code>/autosave")
@csrf.exempt
@with_unit_round
def autosave(ur: UnitRound, group_code: str) -> ResponseReturnValue:
    """Save typed answers in the background (files are sent with the normal save). The group
    is read under its lock: the checks below and the save see one state, read once."""
    page = open_page(ur, group_code, locked=True)
    if page.round_state is not RoundState.OPEN:
        return refusal(closed_message(ur, page.round_state), 409)
    if not page.can_edit:
        return refusal(_("This group can no longer be changed."), 409)
    try:
        outcome = page.save(current_user, with_files=False, only_posted=True)
    except NotEditable:
        return refusal(_("This group can no longer be changed."), 409)
    except RoundNotOpen as exc:
        return refusal(closed_message(ur, exc.state), 409)
    except Busy:
        return refusal(busy_message(), 503)
    if outcome is None:
        return refusal(_("The form expired. Please reload the page."), 400)
    errors = page.errors_by_field()
    saved_at = format_datetime(outcome.saved_at, "HH:mm") if outcome.saved_at else None
    body: dict[str, Any] = {"version": outcome.version, "errors": errors, "theirs_html": page.theirs_html(),
                            "saved_at": saved_at}
    if outcome.conflicts:
        return jsonify(ok=False, conflict=True, **{**body, "saved_at": None},
                       message=_("Someone else changed this group. Nothing was saved. Press “Save draft” to see "
                                 "the changes and choose what to keep.")), 409
    if errors or page.invalid:
        return jsonify(ok=False, **body, message=_("Some answers could not be saved: see the messages next to "
                                                   "them. Everything else is saved.")), 200
    return jsonify(ok=True, **body, message=_("Saved at %(time)s", time=saved_at) if saved_at else "")


def refusal(message: str, status: int) -> ResponseReturnValue:
    """An autosave answer that saved nothing."""
    return jsonify(ok=False, version=None, saved_at=None, errors={}, theirs_html={}, message=message), status


@bp.get("/rounds/<round_code>/units/<unit_code>/results")
@with_unit_round
def results(ur: UnitRound) -> ResponseReturnValue:
    return render_template("respond/results.html", ur=ur, view=unit_results(ur, locale()),
                           questions={q.code: q for q in ur.bank.questions})


@bp.get("/rounds/<round_code>/units/<unit_code>/history/<question_code>")
@with_unit_round
def history(ur: UnitRound, question_code: str) -> ResponseReturnValue:
    question = next((q for q in ur.bank.questions if q.code == question_code), None)
    if question is None:
        abort(404)
    try:
        lines = answer_history(ur, question_code)
    except NotAllowed:
        abort(404)
    return render_template("respond/history.html", ur=ur, question=question, lines=lines, fmt=format_value)


@bp.get("/evidence/<int(max=2147483647):file_id>")  # larger ids exist in no database column
@login_required
def evidence(file_id: int) -> ResponseReturnValue:
    try:
        row = file_for_download(current_user, file_id)
    except NotAllowed:
        abort(404)
    from io import BytesIO

    return send_file(BytesIO(row.data), mimetype=row.content_type, as_attachment=True, download_name=row.filename)
