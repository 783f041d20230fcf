from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from ..services.home import home_view
from ..services.rounds import province_today

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    return render_template("main/home.html", view=home_view(current_user, province_today()))


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """For load balancers: answers without touching the session."""
    return {"status": "ok"}
