"""Login (with a second factor), logout, account security and the language switch.

After login only a local ``next`` URL is followed.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import clock
from ..extensions import db
from ..models import User
from ..services import accounts, throttle, two_factor
from ..services.passwords import MAX_LENGTH, Problem, min_length
from .forms import CodeForm, EnrolForm, LoginForm, PasswordForm
from .sessions import Token, end_session, needs_second_factor, start_session

bp = Blueprint("auth", __name__)

PENDING_KEY = "pending_login"  # a login waiting for its second factor
PENDING_SECONDS = 300
ENROL_KEY = "totp_enrolment"


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirect, no header injection)."""
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def throttle_policy() -> throttle.ThrottlePolicy:
    c = current_app.config
    return throttle.ThrottlePolicy(
        free_failures=int(c["LOGIN_FREE_FAILURES"]), lock_after=int(c["LOGIN_LOCK_AFTER"]),
        max_delay=timedelta(seconds=int(c["LOGIN_MAX_DELAY_SECONDS"])),
        lock_for=timedelta(minutes=int(c["LOGIN_LOCK_MINUTES"])), address_factor=int(c["LOGIN_ADDRESS_FACTOR"]))


def refusal_message(refusal: throttle.Refusal) -> str:
    if refusal.locked:
        minutes = (refusal.seconds + 59) // 60
        return ngettext("Too many failed attempts: logging in is locked for %(num)d minute.",
                        "Too many failed attempts: logging in is locked for %(num)d minutes.", minutes)
    return ngettext("Too many failed attempts. Wait %(num)d second and try again.",
                    "Too many failed attempts. Wait %(num)d seconds and try again.", refusal.seconds)


def _finish_login(user: User, remember: bool, *, second_factor: bool, next_url: str | None) -> ResponseReturnValue:
    accounts.complete_login(user, clock.now(), second_factor=second_factor)
    start_session(user, remember)
    return redirect(safe_next(next_url) or url_for("main.home"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        check = accounts.check_login(username, form.password.data, request.remote_addr, clock.now(),
                                     throttle_policy())
        if check.refusal is not None:
            form.password.errors.append(refusal_message(check.refusal))
            return render_template("auth/login.html", form=form), 429
        if check.user is None:
            form.password.errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form)
        user = check.user
        if current_app.config["TWO_FACTOR"] and two_factor.has_second_factor(user):
            session[PENDING_KEY] = {
                "token": str(Token(user.id, user.session_generation, int(clock.now().timestamp()),
                                   bool(form.remember.data))),
                "next": safe_next(request.args.get("next")) or "",
            }
            return redirect(url_for("auth.login_code"))
        return _finish_login(user, bool(form.remember.data), second_factor=False, next_url=request.args.get("next"))
    return render_template("auth/login.html", form=form)


def _pending_user() -> tuple[User, Token] | None:
    pending = session.get(PENDING_KEY)
    token = Token.parse(str(pending.get("token", ""))) if isinstance(pending, dict) else None
    if token is None or clock.now().timestamp() - token.issued > PENDING_SECONDS:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active or user.session_generation != token.generation:
        return None
    return user, token


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> ResponseReturnValue:
    """The second step of a login: a code from the authenticator app, or a recovery code."""
    found = _pending_user()
    if found is None:
        session.pop(PENDING_KEY, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    user, token = found
    form = CodeForm()
    if form.validate_on_submit():
        now, policy = clock.now(), throttle_policy()
        refusal = throttle.refusal(user.username, request.remote_addr, now)
        if refusal is not None:
            form.code.errors.append(refusal_message(refusal))
            return render_template("auth/code.html", form=form), 429
        if two_factor.verify(user, form.code.data, now):
            next_url = session.pop(PENDING_KEY, {}).get("next")
            return _finish_login(user, token.remembered, second_factor=True, next_url=next_url)
        accounts.fail_login(user.username, request.remote_addr, now, policy, user, "code")
        form.code.errors.append(_("This code is not valid. Codes change every 30 seconds; a code works once."))
    return render_template("auth/code.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """Log out here and everywhere else this user is logged in."""
    accounts.end_sessions(current_user, reason="logout")
    end_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    enrolled = two_factor.has_second_factor(current_user)
    return render_template("auth/account.html", enrolled=enrolled,
                           codes_left=two_factor.recovery_codes_left(current_user) if enrolled else 0)


def problem_message(problem: Problem, has_second_factor: bool) -> str:
    messages = {
        Problem.TOO_SHORT: _("At least %(num)d characters.", num=min_length(has_second_factor)),
        Problem.TOO_LONG: _("At most %(num)d characters.", num=MAX_LENGTH),
        Problem.COMMON: _("This password is too common or too easy to guess. A phrase of your own is best."),
        Problem.REPEATED: _("A short pattern repeated is easy to guess."),
        Problem.CONTAINS_USERNAME: _("The password must not contain your username."),
        Problem.SAME_AS_CURRENT: _("The new password must differ from the current one."),
    }
    return messages[problem]


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = PasswordForm()
    has_factor = two_factor.has_second_factor(current_user)
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.PasswordRefused as refused:
            if refused.wrong_current:
                form.current.errors.append(_("The current password is wrong."))
            form.new.errors.extend(problem_message(p, has_factor) for p in refused.problems)
            return render_template("auth/password.html", form=form, min_length=min_length(has_factor)), 422
        start_session(current_user._get_current_object(), remember=False)
        flash(_("Your password is changed. Every other session of yours has ended."), "info")
        return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form, min_length=min_length(has_factor))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> ResponseReturnValue:
    """Enrol an authenticator app (or replace one); shows the recovery codes once."""
    import segno

    secret = session.get(ENROL_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[ENROL_KEY] = two_factor.new_secret()
    form = EnrolForm()
    if form.validate_on_submit():
        codes = two_factor.confirm_enrolment(current_user, secret, form.code.data, clock.now())
        if codes is not None:
            session.pop(ENROL_KEY, None)
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append(_("This code is not valid. Check the time on your phone and type the newest code."))
    uri = two_factor.provisioning_uri(secret, current_user.username)
    return render_template("auth/two_factor.html", form=form, secret=secret, uri=uri,
                           qr=segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
                           required=needs_second_factor(current_user))


@bp.post("/language/<code>")
def set_language(code: str) -> ResponseReturnValue:
    """Switch the interface language; saved on the user when logged in."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))
