"""A unit fills, saves, resumes and submits its groups, and sees its results.

Every URL names the round and the unit by code; a user who does not belong
to the unit gets 404, whatever else exists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..questionnaires.display import format_value
from ..services.access import NotAllowed
from ..services.evidence import file_for_download
from ..services.responses import NotEditable, UnitRound, answer_history, editable, submit_group, unit_round
from .live import question_blocks
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


def locale() -> str:
    return str(get_locale() or "vi")


def open_page(ur: UnitRound, group_code: str) -> GroupPage:
    """The group page, or 404 for a group the unit's bank does not have."""
    try:
        return GroupPage.open(ur, group_code, locale())
    except KeyError:
        abort(404)


@bp.get("/rounds/<round_code>/units/<unit_code>")
@with_unit_round
def unit_home(ur: UnitRound) -> ResponseReturnValue:
    return render_template("respond/unit.html", ur=ur, groups=unit_overview(ur, locale()),
                           days_left=(ur.round.due_on - date.today()).days)


@bp.route("/rounds/<round_code>/units/<unit_code>/groups/<group_code>", methods=["GET", "POST"])
@with_unit_round
def group_page(ur: UnitRound, group_code: str) -> ResponseReturnValue:
    page = open_page(ur, group_code)
    if request.method == "GET" or not editable(page.state, ur.roles):
        if request.method == "POST":
            flash(_("This group can no longer be changed."), "error")
        page.blank_form(add_row=request.args.get("add_row"))
        return render_template("respond/group.html", page=page, ur=ur, fmt=format_value)
    try:
        outcome = page.save(current_user)
    except NotEditable:
        abort(403)
    action = request.form.get("action", "save")
    if outcome is None:
        flash(_("The form expired. Please go back, reload the page and try again."), "error")
    elif outcome.conflicts:
        flash(_("Someone else changed this group while you were editing it. Choose what to keep below."), "error")
    elif page.invalid:
        flash(_("Some answers could not be saved: see the messages next to them. Everything else is saved."),
              "error")
    elif action.startswith("add_row:"):
        return redirect(url_for(".group_page", round_code=ur.round.code, unit_code=ur.unit.code,
                                group_code=group_code, add_row=action.split(":", 1)[1]) + "#" + action.split(":")[1])
    elif action == "submit":
        return _submit(ur, page)
    else:
        flash(_("Saved at %(time)s.", time=format_datetime(page.state.group.updated_at, "HH:mm")), "info")
        return redirect(request.path)
    return render_template("respond/group.html", page=page, ur=ur, fmt=format_value), 422


def _submit(ur: UnitRound, page: GroupPage) -> ResponseReturnValue:
    try:
        outcome = submit_group(ur, page.group.code, current_user)
    except NotEditable:
        flash(_("Only the head of the unit can submit."), "error")
        return redirect(request.path)
    if outcome.missing:
        page.blank_form()
        return render_template("respond/group.html", page=page, ur=ur, fmt=format_value,
                               missing=outcome.missing), 422
    flash(_("Submitted. The group is now read-only; its score is shown below."), "info")
    return redirect(request.path)


@bp.post("/rounds/<round_code>/units/<unit_code>/groups/<group_code>/autosave")
@with_unit_round
def autosave(ur: UnitRound, group_code: str) -> ResponseReturnValue:
    """Save typed answers in the background (files are sent with the normal save)."""
    page = open_page(ur, group_code)
    if not editable(page.state, ur.roles):
        return jsonify(ok=False, message=_("This group can no longer be changed.")), 409
    outcome = page.save(current_user, with_files=False)
    if outcome is None:
        return jsonify(ok=False, message=_("The form expired. Please reload the page.")), 400
    if outcome.conflicts:
        return jsonify(ok=False, conflict=True, version=outcome.version,
                       message=_("Someone else changed this group. Press “Save draft” to see the changes and "
                                 "choose what to keep.")), 409
    saved_at = page.state.group.updated_at if page.state.group is not None else None
    errors = page.errors_by_field()
    # ok only when every posted value was stored; theirs_html: the blocks another editor changed.
    return jsonify(ok=not errors, version=outcome.version, errors=errors,
                   theirs_html=question_blocks(page, outcome.theirs),
                   saved_at=format_datetime(saved_at, "HH:mm") if saved_at else None,
                   message=_("Saved at %(time)s", time=format_datetime(saved_at, "HH:mm")) if saved_at else "")


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
