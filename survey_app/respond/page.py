"""What happens when a unit saves or submits a group page.

Kept out of the view so the view stays short: build the form from the
bank, keep what is valid, store files, call the responses service, and
say what happened (saved, conflicts, messages, missing answers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, get_template_attribute, request
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.datastructures import FileStorage

from ..models import User
from ..questionnaires.schema import Group, Question, QuestionType
from ..scoring import applies_to_kind
from ..services.access import can_edit, can_submit
from ..services.answers import (
    AnswerInput,
    GroupState,
    ReturnNote,
    SaveOutcome,
    UnitRound,
    load_group,
    parse_version,
    read_locked,
    return_note,
    save_group,
    shown_codes,
)
from ..services.evidence import UploadRejected, attach_file, check_upload, files_of
from ..services.overview import group_progress
from ..services.rounds import RoundState, province_today
from .fields import field_choices
from .forms import GroupForm, QuestionForm, field_name, group_form_class, initial_data
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
    _state: GroupState | None  # None: read again when next asked (after a save)
    applicable: list[Question] = field(default_factory=list)
    form: GroupForm | None = None
    outcome: SaveOutcome | None = None
    invalid: list[str] = field(default_factory=list)  # questions with messages, not saved
    round_state: RoundState = RoundState.OPEN
    confirm_submit: bool = False  # the head asked to submit: show the confirmation
    locked: bool = False  # the state was read under the group's lock, still held (see open)
    blank: bool = False  # the form is the stored answers as they are (blank_form), not a post

    @classmethod
    def open(cls, ur: UnitRound, group_code: str, locale: str, *, locked: bool = False) -> GroupPage:
        """The page of one group. ``locked`` reads the group under its lock, held until the
        save that follows commits: a caller that saves without storing files (which commit on
        their own) then checks and saves against one reading (the autosave)."""
        group = ur.bank.group(group_code)
        page = cls(ur, group, locale, read_locked(ur, group_code) if locked else load_group(ur, group_code),
                   locked=locked)
        page.applicable = [q for q in group.questions if applies_to_kind(q, ur.unit.kind)]
        page.round_state = ur.window.state(province_today())
        return page

    @property
    def state(self) -> GroupState:
        """The group as stored. After a save it is read again only if something
        asks (the full page does; an autosave rarely needs it)."""
        if self._state is None:
            self._state = load_group(self.ur, self.group.code)
        return self._state

    @property
    def can_edit(self) -> bool:
        return can_edit(self.ur.roles, self.state.status, self.round_state)

    @property
    def saved_at(self) -> Any:
        """When the group was last saved, unless this save stored nothing (a conflict)."""
        if self.outcome is not None and self.outcome.conflicts:
            return None
        group = self.state.group
        return group.updated_at if group is not None and self.state.status != "not_started" else None

    @property
    def returned(self) -> ReturnNote | None:
        """Why, by whom and when the group was returned, while it is."""
        return return_note(self.state.group)  # the group as just read: no query unless it was returned

    def add_row_target(self, action: str) -> str | None:
        """The table question an "add a row" button names, if it is one of the page's."""
        code = action.removeprefix("add_row:") if action.startswith("add_row:") else None
        tables = {q.code for q in self.applicable if q.type is QuestionType.TABLE}
        return code if code in tables else None

    @property
    def can_submit(self) -> bool:
        return can_submit(self.ur.roles, self.state.status, self.round_state)

    def form_class(self, codes: frozenset[str] | None = None) -> type[GroupForm]:
        """The form of the page's questions (or of those of them in ``codes``)."""
        shown = frozenset(q.code for q in self.applicable if codes is None or q.code in codes)
        return group_form_class(self.ur.round.bank_version.fingerprint, self.group, shown, self.locale)

    def posted_codes(self) -> frozenset[str]:
        """The page's questions whose presence marker the post carries: the only ones a save may change."""
        return frozenset(q.code for q in self.applicable if field_name(q.code) + "-present" in request.form)

    def blank_form(self, add_row: str | None = None) -> GroupForm:
        """The form filled with the stored answers."""
        form = self.form_class()(formdata=None, data=initial_data(self.applicable, self.state.answers))
        form.base_version.data = str(self.state.version)
        self._pad_tables(form, add_row)
        self.form, self.blank = form, add_row is None
        return form

    def block_key(self, q: Question, hidden: bool, files: dict[int, Any]) -> tuple[Any, ...] | None:
        """Everything a question's block shows, when the form is the stored answers as they
        are (None otherwise: a post, with what was typed and its messages, is never kept):
        the bank's content, the question, whether it is hidden, its stored answer, the
        response's files (their names and sizes), the round and unit (the block's links).
        Two blocks with the same key are the same markup in one language."""
        if not self.blank:
            return None
        stored = self.state.answers.get(q.code)
        answer = None if stored is None else json.dumps([stored.value, stored.comment, stored.evidence],
                                                        sort_keys=True, ensure_ascii=False, default=str)
        listed = tuple(sorted((f.id, f.filename, f.size) for f in files.values()))
        return (self.ur.round.bank_version.fingerprint, q.code, hidden, answer, listed, self.ur.round.code,
                self.ur.unit.code)

    def _pad_tables(self, form: GroupForm, add_row: str | None) -> None:
        """Tables always offer an empty row to type in (one more on "add a row")."""
        for code, qf in form.question_forms().items():
            if "rows" in qf._fields and (not qf.rows.entries or code == add_row):
                qf.rows.append_entry()

    # Saving

    def save(self, user: User, *, with_files: bool = True, only_posted: bool = False) -> SaveOutcome | None:
        """Validate the posted form, store files, save what is valid.

        ``only_posted`` binds only the questions the post carries (autosave,
        which answers in JSON and never renders the whole form again); the
        others would be skipped as not posted anyway.

        Returns None when the form itself was refused (expired CSRF token).
        """
        form = self.form_class(self.posted_codes() if only_posted else None)()
        self.form, self.blank = form, False
        self._only_own_files(form)
        form.validate()
        if "csrf_token" in form.errors:
            return None
        _refuse_unstorable_text(form)
        base = parse_version(form.base_version.data)  # None (missing, garbled): the service fails closed
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
        # Storing a file commits, which ends the lock the state was read under.
        locked = self._state if self.locked and not with_files else None
        self.outcome = save_group(self.ur, self.group.code, inputs, base, user, keep_theirs, locked=locked)
        if self.outcome.theirs:
            self._show_theirs(form)
        form.base_version.data = str(self.outcome.version)
        self._state, self.locked = None, False
        return self.outcome

    def _only_own_files(self, form: GroupForm) -> None:
        """File ids to keep or remove come back from the page: only this
        response's own files count (another unit's, or made-up ids, are dropped)."""
        holders = [h for qf in form.question_forms().values() if (h := _evidence_holder(qf)) is not None]
        if not any(h.remove_files.data or h.kept_files.data for h in holders):
            return  # the post names no file (most autosaves): no need to read the response's files
        own = [str(i) for i in self.files()]
        for holder in holders:
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
        return [attach_file(self.ur, qf.code, checked, user)]

    def _show_theirs(self, form: GroupForm) -> None:
        """Questions someone else changed now show the stored values."""
        assert self.outcome is not None
        fresh = self.form_class()(formdata=None, data=initial_data(self.applicable, self.outcome.theirs))
        self._pad_tables(fresh, None)
        for code in self.outcome.theirs:
            name = field_name(code)
            if name in fresh._fields:  # one of the page's questions (posted or not)
                form._fields[name] = fresh._fields[name]
                setattr(form, name, fresh._fields[name])

    def theirs_html(self) -> dict[str, str]:
        """Question code → the question's block re-rendered with the stored
        value, for every question merged in from someone else (autosave
        replaces ``#q-<code>`` with it)."""
        if self.outcome is None or not self.outcome.theirs or self.form is None:
            return {}
        macro = get_template_attribute("respond/_question.html", "question")
        hidden, files = self.hidden_codes(), self.files()
        by_code = {q.code: q for q in self.applicable}
        out: dict[str, str] = {}
        for code in self.outcome.theirs:
            name = field_name(code)
            if code in by_code and name in self.form._fields:
                html = macro(by_code[code], self.form[name].form, self.locale, code in hidden, files, self.ur, ())
                out[code] = str(Markup(html)).strip()
        return out

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


def _refuse_unstorable_text(form: Any) -> None:
    """A NUL byte cannot be stored (PostgreSQL refuses it in text): the field
    gets a message instead, and what was typed stays on the page."""
    for f in form:
        if hasattr(f, "form"):
            _refuse_unstorable_text(f.form)
        elif hasattr(f, "entries"):
            for e in f.entries:
                _refuse_unstorable_text(e.form) if hasattr(e, "form") else _refuse_text_field(e)
        else:
            _refuse_text_field(f)


def _refuse_text_field(f: Any) -> None:
    data = f.data if isinstance(f.data, str) else f.raw_data[0] if f.raw_data and isinstance(f.raw_data[0], str) \
        else ""
    if "\x00" in data:
        f.errors = [*(f.errors or []), _("This text contains an invisible character that cannot be stored. "
                                         "Delete it and save again.")]


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
