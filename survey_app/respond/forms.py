"""The group form, built per request from the unit's bank version.

Each question becomes a sub-form named ``q_<code>`` (``-`` becomes ``_``)
holding its answer field(s), a comment and, where the bank asks, evidence.
Drafts may leave anything empty; what is typed but unreadable gets a
message next to it and is shown again as typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError

from ..questionnaires.schema import Column, ColumnType, Group, Question, QuestionType
from ..services.answers import AnswerInput, StoredAnswer
from .fields import (
    MAX_TEXT,
    DateTextField,
    MultiCheckboxField,
    NumberField,
    check_choice,
    field_choices,
    province_today,
)

# WTForms has no Vietnamese catalog: every validator gets a message of ours.
TOO_LONG = _l("At most %(max)d characters.")
MAX_ROWS = 200
SEVERITY_CHOICES = [(str(i), str(i)) for i in range(1, 6)]
YES_NO_CELL = [("", "—"), ("yes", _l("Yes")), ("no", _l("No"))]


def field_name(code: str) -> str:
    return "q_" + code.replace("-", "_")


class GroupForm(FlaskForm):
    """Base of every group form: the version the page was rendered at."""

    base_version = HiddenField()

    def question_forms(self) -> dict[str, QuestionForm]:
        return {f.form.code: f.form for f in self if isinstance(f, FormField) and isinstance(f.form, QuestionForm)}


class QuestionForm(Form):
    """The part of the form for one question."""

    code = ""
    question: Question
    # Sent with every question the page shows: only questions whose marker
    # arrived are saved, so a post that leaves a question out (a partial
    # client, an old page) cannot erase its answer. Unchecked boxes still clear.
    present = HiddenField(default="1")
    comment = TextAreaField(_l("Comment or proposal"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])

    def value(self) -> Any:  # overridden per type
        return None

    def to_input(self, new_files: list[int]) -> AnswerInput:
        evidence = self.evidence.form.value(new_files) if "evidence" in self._fields else None
        value = self.value()
        if self.question.type is QuestionType.EVIDENCE:
            value = _evidence_value(self, new_files)
        comment = self.comment.data if self.comment.data and self.comment.data.strip() else None
        return AnswerInput(value, comment, evidence)


def _not_in_future(form: Any, field: DateTextField) -> None:
    """A document that exists cannot be dated after today (the province's today)."""
    if field.iso and date.fromisoformat(field.iso) > province_today():
        raise ValidationError(_l("A document cannot be dated in the future."))


def _none_alone(form: Any, field: BooleanField) -> None:
    if field.data and form.answer.data:
        raise ValidationError(_l("Either pick options above or “None of these”, not both."))


def _no_rows(form: Any, field: BooleanField) -> None:
    if field.data and any(not e.form.remove.data and any(e.form.cell(c) not in (None, "") for c in e.form.columns)
                          for e in form.rows):
        raise ValidationError(_l("The table has rows: remove them, or untick “Nothing to list”."))


class EvidenceForm(Form):
    document_number = StringField(_l("Document number"), validators=[Length(max=100, message=TOO_LONG)])
    document_date = DateTextField(_l("Document date"), validators=[_not_in_future])
    file = FileField(_l("Attach a file"))
    remove_files = MultiCheckboxField(_l("Remove"), choices=[])
    kept_files = HiddenField()

    def value(self, new_files: list[int]) -> dict[str, Any] | None:
        return _evidence_value(self, new_files)


def _evidence_value(form: Any, new_files: list[int]) -> dict[str, Any] | None:
    kept = [int(f) for f in (form.kept_files.data or "").split(",") if f.isdigit()]
    removed = {int(f) for f in form.remove_files.data or [] if str(f).isdigit()}
    files = [f for f in kept if f not in removed] + new_files
    number = (form.document_number.data or "").strip() or None
    if not (number or form.document_date.iso or files):
        return None
    return {"document_number": number, "document_date": form.document_date.iso, "files": files}


def build_group_form(group: Group, shown: set[str], locale: str) -> type[GroupForm]:
    """A form class for the questions of ``group`` applicable to the unit."""
    attrs: dict[str, Any] = {}
    for q in group.questions:
        if q.code in shown:
            attrs[field_name(q.code)] = FormField(question_form(q, locale), label=q.text.get(locale))
    return type(f"GroupForm_{group.code}", (GroupForm,), attrs)


# Form classes hold only unbound fields, so every request can share one:
# building one per request took a few milliseconds of every group page and save.
_FORM_CLASSES: dict[tuple[str, str, frozenset[str], str], type[GroupForm]] = {}
_MAX_FORM_CLASSES = 256


def group_form_class(fingerprint: str, group: Group, shown: frozenset[str], locale: str) -> type[GroupForm]:
    """:func:`build_group_form`, built once per process for each bank content
    (its ``fingerprint``), group, set of questions shown and language."""
    key = (fingerprint, group.code, shown, locale)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        if len(_FORM_CLASSES) >= _MAX_FORM_CLASSES:
            _FORM_CLASSES.clear()
        form_class = _FORM_CLASSES[key] = build_group_form(group, set(shown), locale)
    return form_class


def question_form(q: Question, locale: str) -> type[QuestionForm]:
    attrs: dict[str, Any] = {"code": q.code, "question": q}
    options = [(o.code, o.label.get(locale)) for o in q.options]
    match q.type:
        case QuestionType.YES_NO | QuestionType.SINGLE_CHOICE | QuestionType.SEVERITY:
            choices = SEVERITY_CHOICES if q.type is QuestionType.SEVERITY else options
            attrs["answer"] = RadioField(q.text.get(locale), choices=field_choices(choices), validate_choice=False,
                                         validators=[lambda form, field, c=choices: check_choice(field, c)])
            if q.type is QuestionType.SEVERITY:
                attrs["value"] = lambda self: int(self.answer.data) if (self.answer.data or "").isdigit() else None
            else:
                attrs["value"] = lambda self: self.answer.data or None
        case QuestionType.MULTIPLE_CHOICE:
            attrs["answer"] = MultiCheckboxField(q.text.get(locale), choices=field_choices(options))
            attrs["none"] = BooleanField(_l("None of these"), validators=[_none_alone])
            attrs["value"] = lambda self: list(self.answer.data) if self.answer.data else ([] if self.none.data
                                                                                             else None)
        case QuestionType.RATIO:
            attrs["numerator"] = NumberField(q.numerator_label.get(locale) if q.numerator_label else "", minimum=0)
            attrs["denominator"] = NumberField(q.denominator_label.get(locale) if q.denominator_label else "",
                                               minimum=0)
            attrs["validate"] = _validate_ratio
            attrs["value"] = _ratio_value
        case QuestionType.NUMBER:
            attrs["answer"] = NumberField(q.text.get(locale), minimum=q.min_value, maximum=q.max_value)
            attrs["value"] = lambda self: self.answer.number
        case QuestionType.DATE:
            attrs["answer"] = DateTextField(q.text.get(locale))
            attrs["value"] = lambda self: self.answer.iso
        case QuestionType.TEXT:
            attrs["answer"] = TextAreaField(q.text.get(locale), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
            attrs["value"] = lambda self: self.answer.data if self.answer.data and self.answer.data.strip() else None
        case QuestionType.TABLE:
            attrs["rows"] = FieldList(FormField(row_form(q.columns, locale)), min_entries=0, validators=[_row_limit])
            attrs["none"] = BooleanField(_l("Nothing to list"), validators=[_no_rows])
            attrs["value"] = _table_value
    bases: tuple[type, ...] = (QuestionForm,)
    if q.type is QuestionType.EVIDENCE:
        bases = (QuestionForm, EvidenceForm)  # the answer is the evidence itself
    elif q.evidence is not None:
        attrs["evidence"] = FormField(EvidenceForm)
    return type(f"Q_{field_name(q.code)}", bases, attrs)


def _validate_ratio(self: Any, extra_validators: Any = None) -> bool:
    ok = Form.validate(self, extra_validators)
    a, b = self.numerator, self.denominator
    if ok and (a.number is None) != (b.number is None):
        (a if a.number is None else b).errors.append(_l("Enter both numbers, or neither."))
        return False
    q = self.question
    if ok and a.number is not None and b.number is not None and q.scoring.numerator_le_denominator \
            and a.number > b.number:
        a.errors.append(_l("Cannot be larger than the second number (%(b)s).", b=b.data))
        return False
    return ok


def _row_limit(form: Any, field: Any) -> None:
    """A table holds at most MAX_ROWS rows; more is refused with a message, never cut silently."""
    if len(field.entries) > MAX_ROWS:
        raise ValidationError(_l("At most %(max)d rows; split the list or attach it as a file.", max=MAX_ROWS))


def _ratio_value(self: Any) -> dict[str, Any] | None:
    if self.numerator.number is None or self.denominator.number is None:
        return None
    return {"numerator": self.numerator.number, "denominator": self.denominator.number}


def _table_value(self: Any) -> list[dict[str, Any]] | None:
    rows = []
    for entry in self.rows:
        row = entry.form
        if row.remove.data:
            continue
        cells = {c.code: row.cell(c) for c in row.columns}
        if any(v not in (None, "") for v in cells.values()):
            rows.append(cells)
    if rows:
        return rows
    return [] if self.none.data else None


class RowForm(Form):
    columns: tuple[Column, ...] = ()
    remove = BooleanField(_l("Remove this row"))

    def cell(self, c: Column) -> Any:
        f = self[c.code]
        if c.type is ColumnType.NUMBER:
            return f.number
        if c.type is ColumnType.DATE:
            return f.iso
        return f.data or None


def row_form(columns: tuple[Column, ...], locale: str) -> type[RowForm]:
    attrs: dict[str, Any] = {"columns": columns}
    for c in columns:
        label = c.label.get(locale)
        match c.type:
            case ColumnType.NUMBER:
                attrs[c.code] = NumberField(label)
            case ColumnType.DATE:
                attrs[c.code] = DateTextField(label)
            case ColumnType.YES_NO | ColumnType.CHOICE:
                choices = YES_NO_CELL if c.type is ColumnType.YES_NO else \
                    [("", "—"), *((o.code, o.label.get(locale)) for o in c.options)]
                attrs[c.code] = SelectField(label, choices=field_choices(choices), validate_choice=False,
                                            validators=[lambda form, field, ch=choices: check_choice(field, ch)])
            case _:
                attrs[c.code] = StringField(label, validators=[Length(max=2000, message=TOO_LONG)])
    return type("RowForm", (RowForm,), attrs)


def initial_data(questions: list[Question], answers: dict[str, StoredAnswer]) -> dict[str, Any]:
    """Stored answers as form data, for the page's first rendering."""
    data: dict[str, Any] = {}
    for q in questions:
        stored = answers.get(q.code)
        if stored is None:
            continue
        entry: dict[str, Any] = {"comment": stored.comment or ""}
        v = stored.value
        match q.type:
            case QuestionType.MULTIPLE_CHOICE:
                entry["answer"], entry["none"] = (v or []), v == []
            case QuestionType.RATIO:
                if isinstance(v, dict):
                    entry["numerator"], entry["denominator"] = v.get("numerator"), v.get("denominator")
            case QuestionType.TABLE:
                entry["rows"], entry["none"] = (v if isinstance(v, list) else []), v == []
            case QuestionType.EVIDENCE:
                entry.update(_evidence_data(v))
            case QuestionType.SEVERITY:
                entry["answer"] = str(v) if v is not None else None
            case _:
                entry["answer"] = v
        if q.evidence is not None and q.type is not QuestionType.EVIDENCE:
            entry["evidence"] = _evidence_data(stored.evidence)
        data[field_name(q.code)] = entry
    return data


def _evidence_data(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict):
        return {}
    return {"document_number": v.get("document_number") or "", "document_date": v.get("document_date"),
            "kept_files": ",".join(str(f) for f in v.get("files") or [])}

