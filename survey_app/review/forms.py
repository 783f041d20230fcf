"""Forms of the review pages; every label and message is translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class ReturnForm(FlaskForm):
    reason_code = SelectField(_l("Reason"), validators=[DataRequired(_l("Choose a reason."))])
    reason = TextAreaField(_l("What the unit must correct"), validators=[
        DataRequired(_l("Say what the unit must correct.")), Length(max=4000)])


class CommentForm(FlaskForm):
    reason = TextAreaField(_l("Comment"), validators=[DataRequired(_l("Write a comment.")), Length(max=4000)])


class DecideForm(FlaskForm):
    """Accept: nothing but the CSRF token."""


class AppraiseForm(FlaskForm):
    question = HiddenField(validators=[DataRequired()])
    score = DecimalField(_l("Appraised score (0–100)"), places=None, validators=[
        InputRequired(_l("Enter a score from 0 to 100.")),
        NumberRange(min=0, max=100, message=_l("Enter a score from 0 to 100."))])
    reason = TextAreaField(_l("Reason for the appraisal"), validators=[
        DataRequired(_l("Give the reason for your score.")), Length(max=4000)])


class ProposalForm(FlaskForm):
    question = SelectField(_l("Question"), validators=[DataRequired(_l("Choose a question."))])
    unit = StringField(_l("Unit with the bottleneck (code; empty: across units)"), validators=[
        Optional(), Length(max=40)])
    solution = TextAreaField(_l("Solution"), validators=[DataRequired(_l("Describe the solution.")),
                                                         Length(max=4000)])
    responsible = SelectField(_l("Responsible unit"), validators=[DataRequired(_l("Choose the responsible unit."))])
    deadline = DateField(_l("Deadline"), validators=[DataRequired(_l("Enter a deadline."))])
    level = SelectField(_l("Level that must act"), validators=[DataRequired()])


class ProposalStatusForm(FlaskForm):
    status = SelectField(_l("Status"), validators=[DataRequired()])
