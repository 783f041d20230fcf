"""The home page: who you are, for which unit, and the open round.

Reviewers and coordinators land on their review dashboard instead; their
own unit's questionnaire is one click away from it (``/?unit=1``).
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from ..services.home import home_view
from ..services.review.home import review_landing
from ..services.rounds import province_today

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    today = province_today()
    if request.args.get("unit") != "1":
        round_code = review_landing(current_user, today)
        if round_code is not None:
            return redirect(url_for("review.dashboard", round_code=round_code))
    return render_template("main/home.html", view=home_view(current_user, today))


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """For load balancers: answers without touching the session."""
    return {"status": "ok"}
