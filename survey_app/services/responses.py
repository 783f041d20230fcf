"""The former home of the answers service, kept so existing imports work.

New code imports from :mod:`survey_app.services.answers` (split by job:
reading, saving, submission, history) and :mod:`survey_app.services.access`.
"""

from __future__ import annotations

from datetime import date

from ..models import Round
from .access import editable
from .answers import (
    EMPTY,
    AnswerInput,
    Busy,
    Conflict,
    GroupState,
    NotEditable,
    RevisionLine,
    SaveOutcome,
    StoredAnswer,
    SubmitOutcome,
    UnitRound,
    answer_history,
    ensure_group,
    last_return_reason,
    load_group,
    missing_answers,
    save_group,
    shown_codes,
    stored_answers,
    submit_group,
    transition,
    unit_round,
)

__all__ = [
    "EMPTY",
    "AnswerInput",
    "Busy",
    "Conflict",
    "GroupState",
    "NotEditable",
    "RevisionLine",
    "SaveOutcome",
    "StoredAnswer",
    "SubmitOutcome",
    "UnitRound",
    "answer_history",
    "days_left",
    "editable",
    "ensure_group",
    "last_return_reason",
    "load_group",
    "missing_answers",
    "save_group",
    "shown_codes",
    "stored_answers",
    "submit_group",
    "transition",
    "unit_round",
]


def days_left(rnd: Round, today: date) -> int:
    return (rnd.due_on - today).days
