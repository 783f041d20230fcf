"""What a workbook is built from: plain, frozen values.

A service reads these from the database (``survey_app.services.exports``);
the builders in this package only lay them out. Every text is already in the
reader's language, every time is timezone-aware, and nothing here knows about
Flask, SQLAlchemy or the models. Before the lead agencies review anything, the
review fields (appraisals, proposals, returns) are simply empty, and the sheets
keep their columns, so a workbook has the same shape before and after review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class WorkbookKind(StrEnum):
    """Whose workbook it is, which decides what it may hold."""

    PROVINCE = "province"  # every unit, every scope
    LEAD = "lead"  # every unit, the scopes one lead agency leads
    UNIT = "unit"  # one unit, every scope


class AnswerShape(StrEnum):
    """How a question's answer is laid out in its columns."""

    TEXT = "text"  # one readable text cell (labels, tables, evidence)
    NUMBER = "number"  # a number cell
    RATIO = "ratio"  # "a / b" text and a percentage cell
    DATE = "date"  # a date cell


@dataclass(frozen=True, slots=True)
class OptionInfo:
    """An answer option as the bank defines it."""

    code: str
    label: str
    points: float
    bottleneck: bool


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    """A question of the bank version the round uses."""

    code: str
    group: str
    section: str
    scope: str  # the review scope the question belongs to
    text: str
    type: str  # the bank's type code (yes_no, ratio, ...)
    shape: AnswerShape
    weight: float
    critical: bool
    required: bool
    scored: bool
    applies_to: tuple[str, ...] = ()
    unit_label: str = ""  # unit of a number answer ("triệu đồng", ...)
    options: tuple[OptionInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class SectionInfo:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Scope:
    """A review scope: a group, or one section of a group that routing splits.

    ``sections`` lists the sections it covers, in bank order; ``questions``
    its questions, in bank order.
    """

    code: str
    group: str
    name: str
    group_weight: float
    sections: tuple[SectionInfo, ...]
    questions: tuple[QuestionInfo, ...]
    lead_units: tuple[str, ...] = ()  # names of its lead agencies on the routing date
    short_name: str = ""  # for the sheet's tab, when ``name`` is long ("Con người" for "Nguồn lực: Con người")


@dataclass(frozen=True, slots=True)
class RoutingLine:
    """One routing rule in force on the round's routing date."""

    scope: str
    scope_name: str
    role: str
    unit_code: str
    unit_name: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class ReturnInfo:
    """A return of a scope to the unit: when, by whom, why.

    ``reason_label`` is the return reason code's label in the reader's
    language, ``reason`` the reviewer's text.
    """

    at: datetime
    by: str
    reason: str
    reason_label: str = ""


@dataclass(frozen=True, slots=True)
class ScopeState:
    """A unit's standing in one scope: status, scores, counts and history."""

    status: str  # workflow status code (not_started, draft, submitted, returned, accepted)
    score: float | None = None  # 0–100, the unit's own (self-assessed)
    band: str | None = None  # red / yellow / green
    appraised_score: float | None = None  # 0–100, with the lead's appraisals; None until the lead appraises
    bottlenecks: int = 0
    submitted_at: datetime | None = None
    submitted_by: str = ""
    reviewed_at: datetime | None = None
    reviewed_by: str = ""
    returns: tuple[ReturnInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitLine:
    """One unit of the workbook, with its state in each scope.

    ``index`` is the overall index (0–1) over the groups handed in, and
    ``coverage`` the share (0–1) of the bank's group weight they carry.
    """

    code: str
    name: str
    kind: str  # the kind's name in the reader's language
    scopes: dict[str, ScopeState]
    index: float | None = None
    index_band: str | None = None
    coverage: float | None = None


@dataclass(frozen=True, slots=True)
class AnswerCell:
    """A unit's answer to one question, as it goes into the scope sheets.

    ``text`` is the readable answer (labels, not codes); ``number`` the value
    of a number answer or the fraction of a ratio; ``day`` a date answer.
    ``score`` is the question's score (0–1) once the group is handed in;
    ``appraised_score`` (0–1) and ``appraisal_reason`` are the lead's.
    """

    text: str = ""
    number: float | None = None
    day: date | None = None
    score: float | None = None
    comment: str = ""
    appraised_score: float | None = None
    appraisal_reason: str = ""


@dataclass(frozen=True, slots=True)
class Proposal:
    """A lead's proposal to remove a bottleneck ("rõ người, rõ việc, rõ thời gian").

    ``level`` (central / province / unit) and ``status`` (proposed /
    in_progress / done) are codes; the builder writes their labels.
    """

    solution: str
    responsible_unit: str = ""
    deadline: date | None = None
    level: str = ""
    status: str = ""


@dataclass(frozen=True, slots=True)
class BottleneckLine:
    """One entry of a unit's bottleneck register, with the lead's proposal.

    A proposal that is not on an open entry of the register (one made for a
    question across units, or a second proposal for the same entry) has a
    line of its own: ``across`` marks the question-wide ones, whose unit
    columns are empty.
    """

    unit_code: str
    unit_name: str
    scope: str
    group_name: str
    question: str
    question_text: str
    kind: str  # the register's kind code (gap, severity, ...)
    severity: int | None
    detail: str
    comment: str
    lead_units: str
    proposal: Proposal | None = None
    across: bool = False


@dataclass(frozen=True, slots=True)
class WorkbookData:
    """Everything one workbook holds, in the reader's language.

    ``answers`` maps a unit code to its cells by question code; only
    answered (or commented) questions need a cell. ``thresholds`` are the
    bank's green and yellow cuts (0–1). ``timezone`` names the zone in which
    ``generated_at`` and every other time is shown.
    """

    kind: WorkbookKind
    locale: str
    title: str
    subject: str  # "Toàn tỉnh", the lead agency's or the unit's name
    round_code: str
    round_name: str
    opens_on: date
    due_on: date
    routing_day: date
    bank_code: str
    bank_version: str
    bank_title: str
    bank_fingerprint: str
    thresholds: tuple[float, float]
    scopes: tuple[Scope, ...]
    routing: tuple[RoutingLine, ...]
    units: tuple[UnitLine, ...]
    answers: dict[str, dict[str, AnswerCell]]
    bottlenecks: tuple[BottleneckLine, ...]
    generated_at: datetime
    generated_by: str
    timezone: str = "Asia/Ho_Chi_Minh"
    show_index: bool = True  # a lead's workbook leaves out the index over groups it does not lead
    notes: tuple[str, ...] = field(default=())
