from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms < 3.3 takes (value, label) pairs
    SelectChoice = None


def choices(pairs: Iterable[tuple[object, object]]) -> list[Any]:
    """(value, label) pairs as WTForms wants them: it deprecates plain tuples from 3.3 on."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(str(value), label) for value, label in pairs]  # type: ignore[arg-type]

KIND_LABELS = {"province": _l("Provincial People's Committee"), "department": _l("Department"),
               "board": _l("Board or sector agency"), "district": _l("District-level People's Committee"),
               "commune": _l("Commune-level People's Committee")}
ROLE_LABELS = {"editor": _l("Editor"), "head": _l("Head of unit"), "reviewer": _l("Reviewer (lead agency)"),
               "coordinator": _l("Coordinator (standing agency)"), "admin": _l("Administrator")}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])
    submit = SubmitField(_l("Upload"))


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=40)])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[DataRequired(_l("Enter the Vietnamese name.")),
                                                                 Length(max=255)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=255)])
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    parent = SelectField(_l("Parent unit"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save"))


class MergeForm(FlaskForm):
    replaced = MultiCheckboxField(_l("Units it replaces"), choices=[], validate_choice=False)
    on = DateField(_l("Merged on"), validators=[DataRequired(_l("Enter a date."))])
    submit = SubmitField(_l("Record the merger"))


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter a username.")), Length(max=80)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter the full name.")), Length(max=255)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=255)])
    locale = SelectField(_l("Language"), choices=choices([("vi", "Tiếng Việt"), ("en", "English")]))
    keep = MultiCheckboxField(_l("Current roles (untick to remove)"), choices=[], validate_choice=False)
    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)
    roles = MultiCheckboxField(_l("Roles in this unit"), choices=choices(ROLE_LABELS.items()))
    submit = SubmitField(_l("Save"))


class RoundForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=40)])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[DataRequired(_l("Enter the Vietnamese name."))])
    name_en = StringField(_l("Name in English"))
    bank_version = SelectField(_l("Question-bank version"), coerce=int, choices=[])
    opens_on = DateField(_l("Opens on"), validators=[DataRequired(_l("Enter a date."))])
    due_on = DateField(_l("Due on"), validators=[DataRequired(_l("Enter a date."))])
    participants = RadioField(_l("Participating units"), default="all", choices=choices([
        ("all", _l("All units")), ("kind", _l("Units of the kinds ticked below")),
        ("list", _l("The units ticked below"))]))
    kinds = MultiCheckboxField(_l("Kinds"), choices=choices(KIND_LABELS.items()))
    units = MultiCheckboxField(_l("Units"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Open the round"))


class DatesForm(FlaskForm):
    opens_on = DateField(_l("Opens on"), validators=[DataRequired(_l("Enter a date."))])
    due_on = DateField(_l("Due on"), validators=[DataRequired(_l("Enter a date."))])
    submit = SubmitField(_l("Change the dates"))


class ExtendForm(FlaskForm):
    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)
    due_on = DateField(_l("Its own due date"), validators=[DataRequired(_l("Enter a date."))])
    submit = SubmitField(_l("Give this unit more time"))


class MoveBankForm(FlaskForm):
    bank_version = SelectField(_l("Corrected version"), coerce=int, choices=[])
    submit = SubmitField(_l("Move the round and recompute its scores"))


class RemindForm(FlaskForm):
    kinds = MultiCheckboxField(_l("Remind the units that are"), default=["not_started", "partial", "returned"],
                               choices=choices([("not_started", _l("not started")), ("partial", _l("partly done")),
                                                ("returned", _l("returned and not resubmitted"))]))
    submit = SubmitField(_l("Remind"))


class RoutingForm(FlaskForm):
    scope = SelectField(_l("Group or section"), choices=[], validate_choice=False)
    lead = SelectField(_l("Lead unit"), choices=[], validate_choice=False)
    coordinating = MultiCheckboxField(_l("Coordinating units"), choices=[], validate_choice=False)
    valid_from = DateField(_l("From"), validators=[DataRequired(_l("Enter a date."))])
    submit = SubmitField(_l("Save the routing"))
