"""Administration views: thin, every one refused (404) to anyone who is not an administrator."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import login_manager
from ..services.access import is_admin
from ..services.admin import AdminError, Msg, audit_log, banks, reminders, rounds, routing, units, users
from ..services.admin.sheets import ImportRejected
from ..services.rounds import province_today
from .forms import (
    DatesForm,
    ExtendForm,
    MergeForm,
    MoveBankForm,
    RemindForm,
    RoundForm,
    RoutingForm,
    UnitForm,
    UploadForm,
    UserForm,
    choices,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def _only_admins() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not is_admin(current_user):
        abort(404)
    return None


@bp.app_context_processor
def _notices() -> dict[str, Any]:
    """Lets the home page show reminders to the user's units."""
    def admin_notices() -> list[Any]:
        return reminders.notices_for(current_user) if current_user.is_authenticated else []
    return {"admin_notices": admin_notices, "show_admin_link": lambda: is_admin(current_user)}


@bp.app_template_filter("tr")
def tr(message: object) -> str:
    """A service's message in the user's language (see :class:`~survey_app.services.admin.Msg`)."""
    if isinstance(message, Msg):
        return _(message.template, **message.params)
    return _(str(message))


def _error(exc: Exception) -> str:
    return tr(exc.args[0] if exc.args else str(exc))


def _xlsx(data: bytes, name: str) -> ResponseReturnValue:
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _unit_choices(blank: str | None = None) -> list[Any]:
    locale = _locale()
    out: list[tuple[str, str]] = [("", blank)] if blank is not None else []
    return choices(out + [(u.code, f"{u.code} · {u.name(locale)}") for u in units.choices()])


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "vi")


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("admin/index.html")


# ---------------------------------------------------------------- question banks


@bp.route("/banks", methods=["GET", "POST"])
def bank_list() -> ResponseReturnValue:
    form = UploadForm()
    problems: list[banks.Problem] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            outcome = banks.upload_bank(upload.filename or "", upload.read(banks.MAX_UPLOAD_BYTES + 1), current_user)
        except banks.UploadRejected as exc:
            problems = exc.problems
        else:
            flash(_("Bank %(code)s version %(version)s: %(status)s.", code=outcome.bank.code,
                    version=outcome.bank.version, status=_status_label(outcome.status.value)), "success")
            return redirect(url_for("admin.bank_list"))
    status = 422 if problems else 200
    return render_template("admin/banks.html", form=form, problems=problems, versions=banks.versions(),
                           rounds_using=banks.rounds_using), status


def _status_label(status: str) -> str:
    return {"created": _("new version stored"), "unchanged": _("identical to the stored version, nothing changed"),
            "replaced": _("replaced (no round used it)")}.get(status, status)


@bp.get("/banks/<int:version_id>.xlsx")
def bank_download(version_id: int) -> ResponseReturnValue:
    try:
        name, data = banks.workbook_of(version_id)
    except LookupError:
        abort(404)
    return _xlsx(data, name)


# ---------------------------------------------------------------- units


@bp.get("/units")
def unit_list() -> ResponseReturnValue:
    q, kind = request.args.get("q", ""), request.args.get("kind", "")
    found, total = units.search(q, kind, _page())
    return render_template("admin/units.html", units=found, total=total, q=q, kind=kind, page=_page(),
                           upload=UploadForm(), problems=[])


@bp.post("/units/import")
def unit_import() -> ResponseReturnValue:
    upload = UploadForm()
    problems: list[Any] = []
    if upload.validate_on_submit():
        try:
            count = units.import_units(current_user, upload.file.data.read(banks.MAX_UPLOAD_BYTES + 1))
        except ImportRejected as exc:
            problems = exc.problems
        else:
            flash(_("%(num)d units imported.", num=count), "success")
            return redirect(url_for("admin.unit_list"))
    found, total = units.search(page=1)
    return render_template("admin/units.html", units=found, total=total, q="", kind="", page=1, upload=upload,
                           problems=problems), 422


@bp.route("/units/new", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/units/<code>", methods=["GET", "POST"])
def unit_edit(code: str | None) -> ResponseReturnValue:
    try:
        unit = units.get(code) if code else None
    except LookupError:
        abort(404)
    form = UnitForm(obj=unit)
    form.parent.choices = _unit_choices(_("(none)"))
    if request.method == "GET" and unit is not None:
        form.parent.data = unit.parent.code if unit.parent else ""
    if form.validate_on_submit():
        data = units.UnitData(form.code.data.strip(), form.name_vi.data, form.name_en.data or "", form.kind.data,
                              form.parent.data or None)
        try:
            saved = units.save(current_user, data, unit)
        except units.UnitInvalid as exc:
            for field, message in exc.errors:
                getattr(form, field).errors.append(tr(message))
        else:
            flash(_("Unit %(code)s saved.", code=saved.code), "success")
            return redirect(url_for("admin.unit_edit", code=saved.code))
    merge = MergeForm()
    merge.replaced.choices = choices([(u.code, f"{u.code} · {u.name(_locale())}") for u in units.choices()
                                      if unit is None or u.id != unit.id])
    history = units.past_responses(unit) if unit else []
    predecessors = units.predecessors(unit) if unit else []
    return render_template("admin/unit.html", unit=unit, form=form, merge=merge, history=history,
                           predecessors=predecessors), 422 if form.errors else 200


@bp.post("/units/<code>/active")
def unit_active(code: str) -> ResponseReturnValue:
    try:
        unit = units.get(code)
    except LookupError:
        abort(404)
    units.set_active(current_user, unit, request.form.get("active") == "1")
    flash(_("Unit %(code)s saved.", code=unit.code), "success")
    return redirect(url_for("admin.unit_edit", code=code))


@bp.post("/units/<code>/merge")
def unit_merge(code: str) -> ResponseReturnValue:
    try:
        into = units.get(code)
    except LookupError:
        abort(404)
    form = MergeForm()
    form.replaced.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            units.merge(current_user, [units.get(c) for c in form.replaced.data], into, form.on.data)
        except (AdminError, LookupError) as exc:
            flash(_error(exc), "error")
        else:
            flash(_("The merger is recorded."), "success")
    else:
        flash(_("Choose the units and the date of the merger."), "error")
    return redirect(url_for("admin.unit_edit", code=code))


# ---------------------------------------------------------------- users


@bp.get("/users")
def user_list() -> ResponseReturnValue:
    q = request.args.get("q", "")
    found, total = users.search(q, _page())
    return render_template("admin/users.html", users=found, total=total, q=q, page=_page(), upload=UploadForm(),
                           problems=[], created=[])


@bp.post("/users/import")
def user_import() -> ResponseReturnValue:
    upload = UploadForm()
    problems: list[Any] = []
    created: list[tuple[str, str]] = []
    if upload.validate_on_submit():
        try:
            created = users.import_users(current_user, upload.file.data.read(banks.MAX_UPLOAD_BYTES + 1))
        except ImportRejected as exc:
            problems = exc.problems
    found, total = users.search(page=1)
    return render_template("admin/users.html", users=found, total=total, q="", page=1, upload=upload,
                           problems=problems, created=created), 422 if problems else 200


@bp.get("/users/access-review.xlsx")
def access_review() -> ResponseReturnValue:
    data = users.access_review(current_user)
    return _xlsx(data, f"access-review-{province_today().isoformat()}.xlsx")


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int | None) -> ResponseReturnValue:
    try:
        user = users.get(user_id) if user_id else None
    except LookupError:
        abort(404)
    form = UserForm(obj=user)
    form.unit.choices = _unit_choices(_("(none)"))
    current = sorted(f"{m.unit.code}:{m.role}" for m in user.memberships) if user else []
    form.keep.choices = choices([(c, c) for c in current])
    if request.method == "GET":
        form.keep.data = current
    password = None
    if form.validate_on_submit():
        memberships = {tuple(k.split(":", 1)) for k in form.keep.data or [] if k in current}
        if form.unit.data:
            memberships |= {(form.unit.data, r) for r in form.roles.data or []}
        data = users.UserData(form.username.data.strip(), form.full_name.data, form.email.data or None,
                              form.locale.data, tuple(sorted(memberships)))  # type: ignore[arg-type]
        try:
            if user is None:
                user, password = users.create(current_user, data)
            else:
                users.update(current_user, user, data)
        except users.UserInvalid as exc:
            for field, message in exc.errors:
                getattr(form, field).errors.append(tr(message))
        else:
            flash(_("User %(name)s saved.", name=user.username), "success")
            if password is None:
                return redirect(url_for("admin.user_edit", user_id=user.id))
            return render_template("admin/password.html", user=user, password=password)
    return render_template("admin/user.html", user=user, form=form), 422 if form.errors else 200


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int) -> ResponseReturnValue:
    try:
        user = users.get(user_id)
    except LookupError:
        abort(404)
    password = users.reset_password(current_user, user)
    return render_template("admin/password.html", user=user, password=password)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int) -> ResponseReturnValue:
    try:
        user = users.get(user_id)
        users.set_active(current_user, user, request.form.get("active") == "1")
    except LookupError:
        abort(404)
    except AdminError as exc:
        flash(_error(exc), "error")
    else:
        flash(_("User %(name)s saved.", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


# ---------------------------------------------------------------- rounds


@bp.get("/rounds")
def round_list() -> ResponseReturnValue:
    return render_template("admin/rounds.html", rounds=rounds.all_rounds())


@bp.route("/rounds/new", methods=["GET", "POST"])
def round_new() -> ResponseReturnValue:
    previous = None
    if request.args.get("from"):
        try:
            previous = rounds.get(request.args["from"])
        except LookupError:
            abort(404)
    form = RoundForm()
    form.bank_version.choices = choices([(v.id, f"{v.code} {v.version}") for v in banks.versions()])
    form.units.choices = _unit_choices()
    if form.validate_on_submit():
        data = rounds.RoundData(form.code.data.strip(), form.name_vi.data, form.name_en.data or "",
                                form.bank_version.data, form.opens_on.data, form.due_on.data,
                                form.participants.data, tuple(form.kinds.data or ()), tuple(form.units.data or ()))
        try:
            rnd = rounds.next_round(current_user, previous, data) if previous else rounds.create(current_user, data)
        except rounds.RoundInvalid as exc:
            for field, message in exc.errors:
                getattr(form, "bank_version" if field == "bank_version_id" else field).errors.append(tr(message))
        else:
            flash(_("Round %(code)s is open for %(num)d units.", code=rnd.code, num=len(rnd.participants)),
                  "success")
            return redirect(url_for("admin.round_detail", code=rnd.code))
    return render_template("admin/round_new.html", form=form, previous=previous), 422 if form.errors else 200


def _round(code: str) -> Any:
    try:
        return rounds.get(code)
    except LookupError:
        abort(404)


@bp.get("/rounds/<code>")
def round_detail(code: str) -> ResponseReturnValue:
    rnd = _round(code)
    extend = ExtendForm()
    extend.unit.choices = choices([(p.unit.code, f"{p.unit.code} · {p.unit.name(_locale())}")
                                   for p in rnd.participants])
    move = MoveBankForm()
    move.bank_version.choices = choices([(v.id, f"{v.code} {v.version}") for v in banks.versions()
                                         if v.code == rnd.bank_version.code and v.id != rnd.bank_version_id])
    dates = DatesForm(obj=rnd)
    return render_template("admin/round.html", round=rnd, extend=extend, move=move, remind=RemindForm(), dates=dates,
                           late=reminders.late_units(rnd), email=bool(current_app.config.get("MAIL_SERVER")))


@bp.post("/rounds/<code>/close")
def round_close(code: str) -> ResponseReturnValue:
    return _act(code, lambda rnd: rounds.close(current_user, rnd), _("The round is closed: it is now read-only."))


@bp.post("/rounds/<code>/dates")
def round_dates(code: str) -> ResponseReturnValue:
    form = DatesForm()
    if not form.validate_on_submit():
        flash(_("Enter both dates."), "error")
        return redirect(url_for("admin.round_detail", code=code))
    return _act(code, lambda rnd: rounds.set_dates(current_user, rnd, form.opens_on.data, form.due_on.data),
                _("The dates are saved."))


@bp.post("/rounds/<code>/extend")
def round_extend(code: str) -> ResponseReturnValue:
    form = ExtendForm()
    form.unit.choices = choices([])
    if not form.validate_on_submit():
        flash(_("Choose a unit and a date."), "error")
        return redirect(url_for("admin.round_detail", code=code))
    return _act(code, lambda rnd: rounds.extend_unit(current_user, rnd, form.unit.data, form.due_on.data),
                _("The unit has its own due date."))


@bp.post("/rounds/<code>/bank")
def round_move(code: str) -> ResponseReturnValue:
    form = MoveBankForm()
    form.bank_version.choices = choices([(v.id, v.version) for v in banks.versions()])
    if not form.validate_on_submit():
        abort(400)
    rnd = _round(code)
    try:
        count = banks.move_round(rnd.id, form.bank_version.data, current_user)
    except AdminError as exc:
        flash(_error(exc), "error")
    else:
        flash(_("The round uses the corrected version; %(num)d groups were rescored.", num=count), "success")
    return redirect(url_for("admin.round_detail", code=code))


@bp.post("/rounds/<code>/remind")
def round_remind(code: str) -> ResponseReturnValue:
    form = RemindForm()
    kinds = tuple(form.kinds.data or ()) if form.validate_on_submit() else ()
    return _act(code, lambda rnd: reminders.remind(current_user, rnd, kinds,
                                                  email=bool(current_app.config.get("MAIL_SERVER"))),
                _("The reminders are recorded."))


def _act(code: str, action: Any, done: str) -> ResponseReturnValue:
    rnd = _round(code)
    try:
        action(rnd)
    except AdminError as exc:
        flash(_error(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for("admin.round_detail", code=code))


# ---------------------------------------------------------------- routing


@bp.route("/routing", methods=["GET", "POST"])
def routing_page() -> ResponseReturnValue:
    try:
        day = date.fromisoformat(request.args.get("day", "")) if request.args.get("day") else province_today()
    except ValueError:
        day = province_today()
    form = RoutingForm()
    form.scope.choices = choices([(s, s if s == g else f"{g} › {s}") for s, g in routing.scopes()])
    form.lead.choices = _unit_choices(_("(no lead)"))
    form.coordinating.choices = _unit_choices()
    refused = None
    if form.validate_on_submit():
        try:
            routing.set_scope(current_user, form.scope.data, [form.lead.data] if form.lead.data else [],
                              list(form.coordinating.data or []), form.valid_from.data)
        except AdminError as exc:
            refused = _error(exc)
        else:
            flash(_("Routing saved."), "success")
            return redirect(url_for("admin.routing_page", day=form.valid_from.data.isoformat()))
    return render_template("admin/routing.html", form=form, day=day, preview=routing.preview(day),
                           rules=routing.rules(), refused=refused), 422 if refused or form.errors else 200


# ---------------------------------------------------------------- audit log


def _filters() -> audit_log.Filters:
    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None
    return audit_log.Filters(request.args.get("who", ""), request.args.get("action", ""),
                             request.args.get("object", ""), day("from"), day("to"))


@bp.get("/audit")
def audit_page() -> ResponseReturnValue:
    f = _filters()
    events, total = audit_log.search(f, _page())
    return render_template("admin/audit.html", events=events, total=total, f=f, page=_page())


@bp.get("/audit.xlsx")
def audit_download() -> ResponseReturnValue:
    return _xlsx(audit_log.export(current_user, _filters()), f"audit-{province_today().isoformat()}.xlsx")
