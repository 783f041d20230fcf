"""A unit's answers to a round, one module per job.

- :mod:`.reading`: the unit's place in a round and a group's stored state;
- :mod:`.saving`: saving with locking, merging and conflict detection;
- :mod:`.submission`: completeness, submission and workflow transitions;
- :mod:`.history`: the history of answers and of returns.
"""

from .history import ReturnNote, RevisionLine, answer_history, last_return_reason, return_note
from .reading import (
    EMPTY,
    GroupState,
    StoredAnswer,
    UnitRound,
    find_response,
    load_group,
    shown_codes,
    stored_answers,
    stored_values,
    unit_round,
)
from .saving import (
    AnswerInput,
    Busy,
    Conflict,
    NotEditable,
    SaveOutcome,
    ensure_group,
    ensure_response,
    lock_group,
    parse_version,
    read_locked,
    save_group,
)
from .submission import (
    Gap,
    SubmitOutcome,
    gaps_of,
    missing_answers,
    submission_gaps,
    submit_group,
    transition,
)

__all__ = [
    "EMPTY",
    "AnswerInput",
    "Busy",
    "Conflict",
    "Gap",
    "GroupState",
    "NotEditable",
    "ReturnNote",
    "RevisionLine",
    "SaveOutcome",
    "StoredAnswer",
    "SubmitOutcome",
    "UnitRound",
    "answer_history",
    "ensure_group",
    "ensure_response",
    "find_response",
    "gaps_of",
    "last_return_reason",
    "load_group",
    "lock_group",
    "missing_answers",
    "parse_version",
    "read_locked",
    "return_note",
    "save_group",
    "shown_codes",
    "stored_answers",
    "stored_values",
    "submission_gaps",
    "submit_group",
    "transition",
    "unit_round",
]
