"""What happens when a unit saves or submits a group page.

Kept out of the view so the view stays short: build the form from the
bank, keep what is valid, store files, call the responses service, and
say what happened (saved, conflicts, messages, missing answers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from ..extensions import db
from ..models import User
from ..questionnaires.schema import Group, Question, QuestionType
from ..scoring import applies_to_kind
from ..services.banks import question_ids
from ..services.evidence import UploadRejected, check_upload, files_of, store_file
from ..services.responses import (
    AnswerInput,
    GroupState,
    SaveOutcome,
    UnitRound,
    ensure_group,
    load_group,
    save_group,
    shown_codes,
)
from .fields import field_choices
from .forms import GroupForm, QuestionForm, build_group_form, field_name, initial_data
from .live import page_rules


def upload_message(reason: str, max_mb: int) -> str:
    if reason == "empty":
        return _("The file is empty.")
    if reason == "too_large":
        return _("The file is larger than %(mb)s MB.", mb=max_mb)
    return _("This kind of file is not accepted: attach a PDF, an image (JPEG, PNG) or an office document "
             "(DOC, DOCX, XLS, XLSX, ODT, ODS).")


@dataclass
class GroupPage:
    """A group page for one unit: its questions, form and current state."""

    ur: UnitRound
    group: Group
    locale: str
    state: GroupState
    applicable: list[Question] = field(default_factory=list)
    form: GroupForm | None = None
    outcome: SaveOutcome | None = None
    invalid: list[str] = field(default_factory=list)  # questions with messages, not saved

    @classmethod
    def open(cls, ur: UnitRound, group_code: str, locale: str) -> GroupPage:
        group = ur.bank.group(group_code)
        page = cls(ur, group, locale, load_group(ur, group_code))
        page.applicable = [q for q in group.questions if applies_to_kind(q, ur.unit.kind)]
        return page

    def form_class(self) -> type[GroupForm]:
        return build_group_form(self.group, {q.code for q in self.applicable}, self.locale)

    def blank_form(self, add_row: str | None = None) -> GroupForm:
        """The form filled with the stored answers."""
        form = self.form_class()(formdata=None, data=initial_data(self.applicable, self.state.answers))
        form.base_version.data = str(self.state.version)
        self._pad_tables(form, add_row)
        self.form = form
        return form

    def _pad_tables(self, form: GroupForm, add_row: str | None) -> None:
        """Tables always offer an empty row to type in (one more on "add a row")."""
        for code, qf in form.question_forms().items():
            if "rows" in qf._fields and (not qf.rows.entries or code == add_row):
                qf.rows.append_entry()

    # Saving

    def save(self, user: User, *, with_files: bool = True) -> SaveOutcome | None:
        """Validate the posted form, store files, save what is valid.

        Returns None when the form itself was refused (expired CSRF token).
        """
        form = self.form_class()()
        self.form = form
        self._only_own_files(form)
        form.validate()
        if "csrf_token" in form.errors:
            return None
        raw = form.base_version.data or ""  # a version the page was rendered at: a small whole number
        base = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else self.state.version
        inputs: dict[str, AnswerInput] = {}
        values = self.state.values()
        for code, qf in form.question_forms().items():
            if not qf.present.raw_data:  # not on the page that was posted: leave it as stored
                continue
            if _has_errors(qf):
                self.invalid.append(code)
                continue
            new_files = self._store_files(qf, user) if with_files else []
            if _has_errors(qf):
                self.invalid.append(code)
                continue
            inputs[code] = qf.to_input(new_files)
            values[code] = inputs[code].value
        shown = shown_codes(self.ur.bank, self.ur.unit.kind, {k: v for k, v in values.items() if v is not None})
        inputs = {code: a for code, a in inputs.items() if code in shown}
        keep_theirs = frozenset(code for code in inputs if request.form.get(f"resolve__{code}") == "theirs")
        self.outcome = save_group(self.ur, self.group.code, inputs, base, user, keep_theirs)
        if self.outcome.theirs:
            self._show_theirs(form)
        form.base_version.data = str(self.outcome.version)
        self.state = load_group(self.ur, self.group.code)
        return self.outcome

    def _only_own_files(self, form: GroupForm) -> None:
        """File ids to keep or remove come back from the page: only this
        response's own files count (another unit's, or made-up ids, are dropped)."""
        own = [str(i) for i in self.files()]
        for qf in form.question_forms().values():
            holder = _evidence_holder(qf)
            if holder is None:
                continue
            holder.remove_files.choices = field_choices([(i, i) for i in own])
            holder.remove_files.data = [f for f in holder.remove_files.data or [] if f in own]
            holder.kept_files.data = ",".join(f for f in (holder.kept_files.data or "").split(",") if f in own)

    def _store_files(self, qf: QuestionForm, user: User) -> list[int]:
        holder = _evidence_holder(qf)
        if holder is None:
            return []
        upload = holder.file.data
        if not isinstance(upload, FileStorage) or not upload.filename:
            return []
        max_mb = int(current_app.config["MAX_EVIDENCE_MB"])
        try:
            checked = check_upload(upload.filename, upload.read(max_mb * 1024 * 1024 + 1), max_mb * 1024 * 1024)
        except UploadRejected as exc:
            holder.file.errors = [upload_message(exc.reason, max_mb)]
            return []
        response, _group = ensure_group(self.ur, self.group.code)
        stored = store_file(response, question_ids(self.ur.round.bank_version)[qf.code], checked, user)
        db.session.commit()  # the file is kept even if the answers then conflict; the page lists it
        return [stored.id]

    def _show_theirs(self, form: GroupForm) -> None:
        """Questions only the other editor changed now show that editor's values."""
        assert self.outcome is not None
        fresh = self.form_class()(formdata=None, data=initial_data(self.applicable, self.outcome.theirs))
        for code in self.outcome.theirs:
            name = field_name(code)
            if name in form._fields:
                form._fields[name] = fresh._fields[name]
                setattr(form, name, fresh._fields[name])

    def errors_by_field(self) -> dict[str, list[str]]:
        """Field id → messages, for autosave's JSON answer."""
        out: dict[str, list[str]] = {}
        assert self.form is not None
        for qf_field in self.form:
            _collect(qf_field, out)
        return out

    def files(self) -> dict[int, Any]:
        return files_of(self.state.response.id) if self.state.response is not None else {}

    def hidden_codes(self) -> set[str]:
        """Applicable questions whose condition is unmet (rendered hidden)."""
        shown = shown_codes(self.ur.bank, self.ur.unit.kind, self.state.values())
        return {q.code for q in self.applicable if q.code not in shown}

    def live_rules(self) -> dict[str, Any]:
        """What the page's script needs to apply the server's rules while the person types."""
        return page_rules(self.ur.bank, self.applicable, self.locale)

    def progress(self) -> tuple[int, int]:
        return group_progress(self.ur, self.group, self.state.values())


def group_progress(ur: UnitRound, group: Group, values: dict[str, Any]) -> tuple[int, int]:
    """(answered, shown) questions of a group for the unit."""
    shown = shown_codes(ur.bank, ur.unit.kind, values)
    codes = [q.code for q in group.questions if q.code in shown]
    return sum(1 for c in codes if values.get(c) is not None), len(codes)


def _evidence_holder(qf: QuestionForm) -> Any:
    """The sub-form holding a question's evidence fields, if it has any."""
    if qf.question.type is QuestionType.EVIDENCE:
        return qf
    return qf.evidence.form if "evidence" in qf._fields else None


def _has_errors(form: Any) -> bool:
    return any(_field_has_errors(f) for f in form)


def _field_has_errors(f: Any) -> bool:
    if hasattr(f, "form"):
        return _has_errors(f.form)
    if hasattr(f, "entries"):
        return _own_errors(f) != [] or any(_field_has_errors(e) for e in f.entries)
    return bool(f.errors)


def _collect(f: Any, out: dict[str, list[str]]) -> None:
    if hasattr(f, "form"):
        for sub in f.form:
            _collect(sub, out)
    elif hasattr(f, "entries"):
        if _own_errors(f):
            out[f.id] = _own_errors(f)
        for e in f.entries:
            _collect(e, out)
    elif f.errors and isinstance(f.errors, list):
        out[f.id] = [str(e) for e in f.errors]


def _own_errors(field_list: Any) -> list[str]:
    """A list field's own messages (its entries' messages are nested dicts)."""
    return [str(e) for e in field_list.errors or [] if isinstance(e, str) or hasattr(e, "__html__")]
