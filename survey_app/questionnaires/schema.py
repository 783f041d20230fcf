"""The question bank as plain, immutable values.

A bank is data: groups of sections of questions, each with its type, options,
weight, scoring parameters and applicability. Nothing here knows about Flask or
the database; the loader builds these values from TOML files, the database
layer stores them, and the scoring package reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class QuestionType(StrEnum):
    """Answer types a bank may use. The value is what bank files write."""

    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"  # ordered levels, one picked
    MULTIPLE_CHOICE = "multiple_choice"
    RATIO = "ratio"  # numerator / denominator against a target
    NUMBER = "number"  # with a unit, bands or a target
    SEVERITY = "severity"  # 1..5, feeds bottlenecks, never the score
    DATE = "date"
    TEXT = "text"
    TABLE = "table"  # repeating rows with defined columns
    EVIDENCE = "evidence"  # document number and date, and/or a file


#: Types whose answer is picked from ``Question.options``.
CHOICE_TYPES = frozenset(
    {QuestionType.YES_NO, QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}
)


class ColumnType(StrEnum):
    """Cell types of a table question's columns."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    YES_NO = "yes_no"
    CHOICE = "choice"


class EmptyRule(StrEnum):
    """What an empty measure means: a ratio of 0 / 0, or a scored table with no rows.

    Each ratio and scored table question of a bank says it (``scoring.empty``).
    """

    JUSTIFY = "justify"  # not applicable, and the unit must say why in its comment
    FAIL = "fail"  # scores 0: having nothing to count is itself the gap
    PASS = "pass"  # scores 1


class EvidenceKind(StrEnum):
    """What a piece of evidence may be."""

    DOCUMENT = "document"  # number and date of an official document
    FILE = "file"  # an uploaded file


@dataclass(frozen=True, slots=True)
class Text:
    """A label in both interface languages."""

    vi: str
    en: str

    def get(self, locale: str) -> str:
        """The label in ``locale``, falling back to Vietnamese."""
        return self.en if locale == "en" and self.en else self.vi


@dataclass(frozen=True, slots=True)
class UnitKind:
    """A kind of unit a question can apply to (department, commune, ...)."""

    code: str
    name: Text


@dataclass(frozen=True, slots=True)
class Option:
    """One answer option of a choice question, with the points it earns.

    ``bottleneck`` marks an option whose selection is itself a bottleneck
    (for example "data duplicated across systems" in a list of obstacles).
    ``exclusive`` marks a "none of these" option of a multiple-choice
    question: it cannot be picked together with another option.
    """

    code: str
    label: Text
    points: float
    bottleneck: bool = False
    exclusive: bool = False


@dataclass(frozen=True, slots=True)
class Band:
    """One band of a number question: values up to ``upto`` earn ``points``.

    Bands are listed in ascending ``upto`` order and the last has
    ``upto=None`` (no upper bound), so every value falls in exactly one band.
    """

    upto: float | None
    points: float


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a table question."""

    code: str
    label: Text
    type: ColumnType = ColumnType.TEXT
    required: bool = False
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    """Show a question only when an earlier answer matches.

    Exactly one of ``equals`` (an option code, ``"yes"``/``"no"`` or a
    number), ``any_of`` (option codes) or ``at_least`` (a number) is set.
    """

    question: str
    equals: str | float | None = None
    any_of: tuple[str, ...] = ()
    at_least: float | None = None


@dataclass(frozen=True, slots=True)
class EvidenceSpec:
    """What evidence a question asks for next to its answer."""

    kinds: tuple[EvidenceKind, ...]
    required: bool
    label: Text | None = None


@dataclass(frozen=True, slots=True)
class Scoring:
    """Per-question scoring parameters; which apply depends on the type.

    - ``target``: ratio (a/b ÷ target, capped at 1) and number (n ÷ target).
    - ``inverse``: lower is better (ratio: 1 − a/b; number with target:
      1 when n = 0 falling to 0 at ``target``).
    - ``bands``: number questions scored by bands instead of a target.
    - ``max_points``: multiple choice, the sum of option points is capped
      here and divided by it.
    - ``on_or_before`` / ``late_points``: date questions scored 1 when the
      date is on or before the deadline, ``late_points`` after it.
    - ``row_share``: table questions scored as the share of rows whose
      column ``row_share[0]`` equals ``row_share[1]``.
    - ``scored_if_present``: evidence questions scored 1 when provided.
    - ``severity_threshold``: severity questions raise a bottleneck at or
      above it (default: the bank's).
    - ``fail_below``: the question fails (critical red flag, gap) below this
      score (default: the bank's ``gap_threshold``).
    - ``numerator_le_denominator``: a ratio's numerator may not exceed its
      denominator (input validation, not scoring).
    - ``empty``: what a ratio of 0 / 0, or a scored table with no rows,
      means (:class:`EmptyRule`; default: not applicable, with a required
      justification).
    """

    target: float | None = None
    inverse: bool = False
    bands: tuple[Band, ...] = ()
    max_points: float | None = None
    on_or_before: date | None = None
    late_points: float = 0.0
    row_share: tuple[str, str] | None = None
    scored_if_present: bool = False
    severity_threshold: int | None = None
    fail_below: float | None = None
    numerator_le_denominator: bool = False
    empty: EmptyRule = EmptyRule.JUSTIFY


def scorable(qtype: QuestionType, options: tuple[Option, ...], scoring: Scoring) -> bool:
    """Whether a question of this type, with these options and parameters, can
    contribute to a score: choices need an option worth points, numbers a
    target or bands, dates a deadline, tables a row rule, evidence a rule;
    severity and text never do."""
    match qtype:
        case QuestionType.YES_NO:
            return not options or any(o.points > 0 for o in options)
        case QuestionType.SINGLE_CHOICE | QuestionType.MULTIPLE_CHOICE:
            return any(o.points > 0 for o in options)
        case QuestionType.RATIO:
            return True
        case QuestionType.NUMBER:
            return bool(scoring.bands) or (scoring.target is not None and scoring.target > 0)
        case QuestionType.DATE:
            return scoring.on_or_before is not None
        case QuestionType.TABLE:
            return scoring.row_share is not None
        case QuestionType.EVIDENCE:
            return scoring.scored_if_present
        case _:
            return False


@dataclass(frozen=True, slots=True)
class Question:
    """One question of the bank.

    ``applies_to`` holds unit-kind codes; a question that does not apply to
    a unit's kind is not shown to it and is left out of its scores.
    ``scored`` is false for severity and text questions, and for any other
    question the bank marks ``scored = false``; the loader refuses a question
    it cannot score that is not so marked.
    """

    code: str
    group: str
    section: str
    type: QuestionType
    text: Text
    weight: float = 1.0
    critical: bool = False
    required: bool = True
    applies_to: tuple[str, ...] = ()
    help: Text | None = None
    condition: Condition | None = None
    evidence: EvidenceSpec | None = None
    options: tuple[Option, ...] = ()
    columns: tuple[Column, ...] = ()
    unit: Text | None = None  # unit of a number ("triệu đồng", "giờ", ...)
    numerator_label: Text | None = None
    denominator_label: Text | None = None
    min_value: float | None = None
    max_value: float | None = None
    bottleneck_rows: bool = False  # each table row is a bottleneck entry
    scoring: Scoring = field(default_factory=Scoring)
    scored: bool = True

    def option(self, code: str) -> Option | None:
        """The option with ``code``, or None."""
        for opt in self.options:
            if opt.code == code:
                return opt
        return None


@dataclass(frozen=True, slots=True)
class Section:
    """A section of a group; routing may send it to its own lead agency."""

    code: str
    group: str
    name: Text
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """One of the five groups of issues, with its weight in the index."""

    code: str
    name: Text
    weight: float
    sections: tuple[Section, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)


@dataclass(frozen=True, slots=True)
class BandThresholds:
    """Scores (0–1) at or above ``green`` are green, at or above ``yellow``
    yellow, anything lower red."""

    green: float
    yellow: float


@dataclass(frozen=True, slots=True)
class BankScoring:
    """Bank-wide scoring rules."""

    bands: BandThresholds
    gap_threshold: float  # a question scoring below this is a gap
    severity_threshold: int  # severity at or above this is a bottleneck


@dataclass(frozen=True, slots=True)
class RoutingRule:
    """Default routing: which units lead (and coordinate) a group or section.

    ``scope`` is a group code or a section code; unit codes are the
    province's. The database keeps the dated, editable copy.
    """

    scope: str
    lead: tuple[str, ...]
    coordinating: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Bank:
    """A whole question-bank version."""

    code: str
    version: str
    title: Text
    unit_kinds: tuple[UnitKind, ...]
    scoring: BankScoring
    groups: tuple[Group, ...]
    routing: tuple[RoutingRule, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for g in self.groups for q in g.questions)

    @property
    def sections(self) -> tuple[Section, ...]:
        return tuple(s for g in self.groups for s in g.sections)

    def group(self, code: str) -> Group:
        """The group with ``code``; KeyError if there is none."""
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(code)
