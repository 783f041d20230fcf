"""Parsing and checking the fields of one question (and small shared values).

Each function records what is wrong in the collector and returns what it
could read, so one bad field never hides the problems of the others.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from .problems import _Collector
from .schema import (
    CHOICE_TYPES,
    Band,
    Column,
    ColumnType,
    Condition,
    EmptyRule,
    EvidenceKind,
    EvidenceSpec,
    Option,
    Question,
    QuestionType,
    Scoring,
    Text,
    scorable,
)

DEFAULT_YES_NO = (
    Option("yes", Text("Có", "Yes"), 1.0),
    Option("no", Text("Không", "No"), 0.0),
)


def _text(raw: Any, col: _Collector, q: str | None, field: str, *, required: bool = True) -> Text | None:
    if raw is None:
        if required:
            col.add(q, field, "is required ({ vi = ..., en = ... })")
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("vi"), str) or not raw["vi"].strip():
        col.add(q, field, "needs a Vietnamese text: { vi = ..., en = ... }")
        return None
    en = raw.get("en")
    if not isinstance(en, str) or not en.strip():
        col.add(q, field, "needs an English text (en)")
        en = ""
    return Text(raw["vi"].strip(), en.strip())


def _number(raw: Any, col: _Collector, q: str | None, field: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        col.add(q, field, f"must be a number, not {raw!r}")
        return None
    return float(raw)


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _question(raw: Any, index: int, group: str, col: _Collector, seen: dict[str, str],
              kinds: set[str]) -> Question | None:
    if not isinstance(raw, dict):
        col.add(None, f"questions[{index}]", "must be a table")
        return None
    code = raw.get("code")
    if not isinstance(code, str) or not code:
        col.add(None, f"questions[{index}].code", "is required")
        return None
    if code in seen:
        col.add(code, "code", f"duplicate question code (also in {seen[code]})")
        return None
    seen[code] = col.file
    try:
        qtype = QuestionType(str(raw.get("type")))
    except ValueError:
        col.add(code, "type", f"unknown type {raw.get('type')!r}; one of: {', '.join(t.value for t in QuestionType)}")
        return None
    text = _text(raw.get("text"), col, code, "text")
    help_text = _text(raw.get("help"), col, code, "help", required=False)
    weight = _number(raw.get("weight", 1), col, code, "weight")
    if weight is not None and weight <= 0:
        col.add(code, "weight", f"must be greater than 0, not {weight:g}")
    applies = raw.get("applies_to", [])
    if not _str_list(applies):
        col.add(code, "applies_to", "must be a list of unit-kind codes")
        applies = []
    for kind in applies:
        if kind not in kinds:
            col.add(code, "applies_to", f"unknown unit kind {kind!r}; one of: {', '.join(sorted(kinds))}")
    for flag in ("critical", "required", "bottleneck_rows"):
        if flag in raw and not isinstance(raw[flag], bool):
            col.add(code, flag, "must be true or false")
    options = _options(raw.get("options"), qtype, col, code)
    columns = _columns(raw.get("columns"), qtype, col, code)
    scoring = _scoring(raw.get("scoring") or {}, qtype, col, code, columns)
    evidence = _evidence(raw.get("evidence"), col, code)
    condition = _condition(raw.get("condition"), col, code)
    unit = _text(raw.get("unit"), col, code, "unit", required=False)
    num_label = _text(raw.get("numerator_label"), col, code, "numerator_label", required=qtype is QuestionType.RATIO)
    den_label = _text(raw.get("denominator_label"), col, code, "denominator_label",
                      required=qtype is QuestionType.RATIO)
    min_v = _number(raw.get("min_value"), col, code, "min_value")
    max_v = _number(raw.get("max_value"), col, code, "max_value")
    if min_v is not None and max_v is not None and min_v > max_v:
        col.add(code, "max_value", "is below min_value")
    if qtype is QuestionType.EVIDENCE and evidence is None:
        col.add(code, "evidence", "an evidence question must say which kinds it asks for")
    scored = _scored(raw.get("scored"), qtype, options, scoring, col, code)
    if raw.get("critical") and not scored:
        col.add(code, "critical", "only a scored question can be critical")
    if text is None:
        return None
    # A question with field errors is still returned, so that checks across
    # questions (conditions, sections) report their problems too; the bank
    # as a whole is rejected because errors were collected.
    return Question(
        code=code, group=group, section=str(raw.get("section", "")), type=qtype, text=text,
        weight=weight if weight is not None and weight > 0 else 1.0, critical=bool(raw.get("critical", False)),
        required=bool(raw.get("required", True)),
        applies_to=tuple(applies), help=help_text, condition=condition, evidence=evidence,
        options=options, columns=columns, unit=unit, numerator_label=num_label, denominator_label=den_label,
        min_value=min_v, max_value=max_v, bottleneck_rows=bool(raw.get("bottleneck_rows", False)),
        scoring=scoring, scored=scored,
    )


#: Types that never count in a score, whatever the bank says.
_NEVER_SCORED = frozenset({QuestionType.SEVERITY, QuestionType.TEXT})

_UNSCORABLE: dict[QuestionType, str] = {
    QuestionType.YES_NO: "both answers are worth 0",
    QuestionType.SINGLE_CHOICE: "every option is worth 0",
    QuestionType.MULTIPLE_CHOICE: "every option is worth 0",
    QuestionType.NUMBER: "it has neither a target nor bands",
    QuestionType.DATE: "it has no deadline (on_or_before)",
    QuestionType.TABLE: "it has no row rule (row_share)",
    QuestionType.EVIDENCE: "it is not scored_if_present",
}


def _scored(raw: Any, qtype: QuestionType, options: tuple[Option, ...], scoring: Scoring, col: _Collector,
            code: str) -> bool:
    """Whether the question counts in scores; an unscored one must say ``scored = false``."""
    if raw is not None and not isinstance(raw, bool):
        col.add(code, "scored", "must be true or false")
        return False
    if qtype in _NEVER_SCORED:
        if raw is True:
            col.add(code, "scored", f"a {qtype.value} question is never scored")
        return False
    if raw is False:
        return False
    if not scorable(qtype, options, scoring):
        col.add(code, "scored", f"the question cannot be scored: {_UNSCORABLE[qtype]}; fix it, or write "
                "scored = false to collect the answer without scoring it")
        return False
    return True


def _options(raw: Any, qtype: QuestionType, col: _Collector, code: str) -> tuple[Option, ...]:
    if qtype not in CHOICE_TYPES:
        if raw:
            col.add(code, "options", f"a {qtype.value} question has no options")
        return ()
    if raw is None and qtype is QuestionType.YES_NO:
        return DEFAULT_YES_NO
    if not isinstance(raw, list) or len(raw) < 2:
        col.add(code, "options", "a choice question needs at least two options")
        return ()
    opts = _option_list(raw, col, code, "options")
    if qtype is QuestionType.YES_NO and {o.code for o in opts} != {"yes", "no"}:
        col.add(code, "options", "a yes_no question has exactly the options 'yes' and 'no'")
    if qtype is not QuestionType.MULTIPLE_CHOICE:
        for o in opts:
            if not 0 <= o.points <= 1:
                col.add(code, f"options.{o.code}.points", f"must lie in 0–1, not {o.points:g}")
    return opts


def _option_list(raw: list[Any], col: _Collector, code: str, field: str, *, points: bool = True) -> tuple[Option, ...]:
    opts: list[Option] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        o_code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(o_code, str) or not o_code:
            col.add(code, f"{field}[{i}].code", "is required")
            continue
        if o_code in seen:
            col.add(code, f"{field}.{o_code}", "duplicate option code")
            continue
        seen.add(o_code)
        label = _text(item.get("label"), col, code, f"{field}.{o_code}.label")
        pts = _number(item.get("points"), col, code, f"{field}.{o_code}.points")
        if points and item.get("points") is None:
            col.add(code, f"{field}.{o_code}.points", "option has no points")
        if pts is not None and pts < 0:
            col.add(code, f"{field}.{o_code}.points", "must not be negative")
        if label is not None:
            opts.append(Option(o_code, label, pts or 0.0, bool(item.get("bottleneck", False)),
                               bool(item.get("exclusive", False))))
    return tuple(opts)


def _columns(raw: Any, qtype: QuestionType, col: _Collector, code: str) -> tuple[Column, ...]:
    if qtype is not QuestionType.TABLE:
        if raw:
            col.add(code, "columns", f"a {qtype.value} question has no columns")
        return ()
    if not isinstance(raw, list) or not raw:
        col.add(code, "columns", "a table question needs at least one column")
        return ()
    cols: list[Column] = []
    for i, item in enumerate(raw):
        c_code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(c_code, str) or not c_code:
            col.add(code, f"columns[{i}].code", "is required")
            continue
        label = _text(item.get("label"), col, code, f"columns.{c_code}.label")
        try:
            ctype = ColumnType(item.get("type", "text"))
        except ValueError:
            col.add(code, f"columns.{c_code}.type", f"unknown column type {item.get('type')!r}")
            continue
        opts: tuple[Option, ...] = ()
        if ctype is ColumnType.CHOICE:
            opts = _option_list(item.get("options") or [], col, code, f"columns.{c_code}.options", points=False)
            if len(opts) < 2:
                col.add(code, f"columns.{c_code}.options", "a choice column needs at least two options")
        if label is not None:
            cols.append(Column(c_code, label, ctype, bool(item.get("required", False)), opts))
    if len({c.code for c in cols}) != len(cols):
        col.add(code, "columns", "duplicate column codes")
    return tuple(cols)


def _scoring(raw: Any, qtype: QuestionType, col: _Collector, code: str, columns: tuple[Column, ...]) -> Scoring:
    if not isinstance(raw, dict):
        col.add(code, "scoring", "must be a table")
        return Scoring()
    target = _number(raw.get("target"), col, code, "scoring.target")
    if target is not None and target <= 0:
        col.add(code, "scoring.target", "must be greater than 0")
    max_points = _number(raw.get("max_points"), col, code, "scoring.max_points")
    if max_points is not None and max_points <= 0:
        col.add(code, "scoring.max_points", "must be greater than 0")
    late = _number(raw.get("late_points", 0), col, code, "scoring.late_points") or 0.0
    if not 0 <= late <= 1:
        col.add(code, "scoring.late_points", "must lie in 0–1")
    fail_below = _number(raw.get("fail_below"), col, code, "scoring.fail_below")
    if fail_below is not None and not 0 < fail_below <= 1:
        col.add(code, "scoring.fail_below", "must lie in (0, 1]")
    deadline = _date(raw.get("on_or_before"), col, code, "scoring.on_or_before")
    sev = raw.get("severity_threshold")
    if sev is not None and (not isinstance(sev, int) or not 1 <= sev <= 5):
        col.add(code, "scoring.severity_threshold", "needs a whole number from 1 to 5")
        sev = None
    bands = _bands(raw.get("bands"), col, code)
    if bands and target is not None:
        col.add(code, "scoring", "use either bands or target, not both")
    row_share = raw.get("row_share")
    if row_share is not None:
        if not _str_list(row_share) or len(row_share) != 2:
            col.add(code, "scoring.row_share", "must be [column code, value]")
            row_share = None
        elif row_share[0] not in {c.code for c in columns}:
            col.add(code, "scoring.row_share", f"unknown column {row_share[0]!r}")
    empty = EmptyRule.JUSTIFY
    if "empty" in raw:
        try:
            empty = EmptyRule(str(raw["empty"]))
        except ValueError:
            col.add(code, "scoring.empty", f"one of: {', '.join(e.value for e in EmptyRule)}")
        if qtype is QuestionType.TABLE and row_share is None:
            col.add(code, "scoring.empty", "only a table scored by its rows (row_share) has an empty rule")
    allowed = _SCORING_KEYS.get(qtype, set()) | {"fail_below"}
    for key in raw:
        if key not in allowed:
            col.add(code, f"scoring.{key}", f"does not apply to a {qtype.value} question")
    return Scoring(
        target=target, inverse=bool(raw.get("inverse", False)), bands=bands, max_points=max_points,
        on_or_before=deadline, late_points=late,
        row_share=(row_share[0], row_share[1]) if row_share else None,
        scored_if_present=bool(raw.get("scored_if_present", False)), severity_threshold=sev,
        fail_below=fail_below, numerator_le_denominator=bool(raw.get("numerator_le_denominator", False)),
        empty=empty,
    )


_SCORING_KEYS: dict[QuestionType, set[str]] = {
    QuestionType.MULTIPLE_CHOICE: {"max_points"},
    QuestionType.RATIO: {"target", "inverse", "numerator_le_denominator", "empty"},
    QuestionType.NUMBER: {"target", "inverse", "bands"},
    QuestionType.SEVERITY: {"severity_threshold"},
    QuestionType.DATE: {"on_or_before", "late_points"},
    QuestionType.TABLE: {"row_share", "empty"},
    QuestionType.EVIDENCE: {"scored_if_present"},
}


def _date(raw: Any, col: _Collector, code: str, field: str) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        col.add(code, field, f"must be a date such as 2024-03-31, not {raw!r}")
        return None


def _bands(raw: Any, col: _Collector, code: str) -> tuple[Band, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) < 2:
        col.add(code, "scoring.bands", "needs at least two bands")
        return ()
    bands: list[Band] = []
    for i, item in enumerate(raw):
        upto = _number(item.get("upto") if isinstance(item, dict) else None, col, code, f"scoring.bands[{i}].upto")
        pts = _number(item.get("points") if isinstance(item, dict) else None, col, code, f"scoring.bands[{i}].points")
        if pts is None or not 0 <= pts <= 1:
            col.add(code, f"scoring.bands[{i}].points", "needs points in 0–1")
            continue
        bands.append(Band(upto, pts))
    bounds = [b.upto for b in bands]
    if bands and (bounds[-1] is not None or any(u is None for u in bounds[:-1])):
        col.add(code, "scoring.bands", "every band but the last needs 'upto'; the last has none")
    elif any(a >= b for a, b in pairwise(u for u in bounds if u is not None)):
        col.add(code, "scoring.bands", "'upto' values must increase")
    return tuple(bands)


def _evidence(raw: Any, col: _Collector, code: str) -> EvidenceSpec | None:
    if raw is None:
        return None
    kinds_raw = raw.get("kinds") if isinstance(raw, dict) else None
    if not _str_list(kinds_raw) or not kinds_raw:
        col.add(code, "evidence.kinds", "must list 'document' and/or 'file'")
        return None
    kinds: list[EvidenceKind] = []
    for k in kinds_raw:
        try:
            kinds.append(EvidenceKind(k))
        except ValueError:
            col.add(code, "evidence.kinds", f"unknown evidence kind {k!r} (document or file)")
    label = _text(raw.get("label"), col, code, "evidence.label", required=False)
    return EvidenceSpec(tuple(kinds), bool(raw.get("required", False)), label)


def _condition(raw: Any, col: _Collector, code: str) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str):
        col.add(code, "condition.question", "must name an earlier question")
        return None
    tests = [k for k in ("equals", "any_of", "at_least") if k in raw]
    if len(tests) != 1:
        col.add(code, "condition", "needs exactly one of equals, any_of, at_least")
        return None
    any_of = raw.get("any_of", [])
    if not _str_list(any_of):
        col.add(code, "condition.any_of", "must be a list of option codes")
        any_of = []
    return Condition(raw["question"], raw.get("equals"), tuple(any_of), _number(raw.get("at_least"), col, code,
                                                                               "condition.at_least"))
