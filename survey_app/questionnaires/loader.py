"""Read a question bank from its TOML files and check it whole.

The loader never stops at the first problem: an author fixing a bank wants
every mistake at once, each naming the file, the question and the field.
The format is described in ``docs/question-bank.md``.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from .fields import _number, _question, _str_list, _text
from .problems import BANK_FILE, BankProblem, BankValidationError, _Collector
from .schema import (
    CHOICE_TYPES,
    BandThresholds,
    Bank,
    BankScoring,
    Condition,
    Group,
    Question,
    QuestionType,
    RoutingRule,
    Section,
    Text,
    UnitKind,
)

__all__ = ["BankProblem", "BankValidationError", "bank_from_source", "load_bank", "read_bank"]


def load_bank(path: str | Path) -> Bank:
    """Parse and validate the bank in folder ``path``.

    :raises BankValidationError: listing every problem found.
    """
    return read_bank(path)[0]


def read_bank(path: str | Path) -> tuple[Bank, dict[str, Any], str]:
    """The bank in folder ``path``, its JSON-safe source and a fingerprint.

    The source is what the database keeps (so the bank can be rebuilt with
    :func:`bank_from_source` on any app server); the fingerprint is a SHA-256
    over it: two folders with the same fingerprint define the same bank,
    whatever their comments or layout.

    :raises BankValidationError: listing every problem found.
    """
    folder = Path(path)
    col = _Collector()
    root = _read_toml(folder / BANK_FILE, col)
    if root is None:
        raise BankValidationError(col.errors)
    groups: list[list[Any]] = []
    group_files = root.get("groups")
    if isinstance(group_files, list):
        for name in group_files:
            if isinstance(name, str):
                col.file = f"{name}.toml"
                data = _read_toml(folder / f"{name}.toml", col)
                if data is not None:
                    groups.append([f"{name}.toml", data])
    source = _jsonable({"bank": root, "groups": groups})
    bank = _build(source, col)
    canonical = json.dumps(source, sort_keys=True, ensure_ascii=False)
    return bank, source, hashlib.sha256(canonical.encode()).hexdigest()


def bank_from_source(source: dict[str, Any]) -> Bank:
    """Rebuild a bank from the source :func:`read_bank` returned.

    :raises BankValidationError: if the source no longer validates.
    """
    return _build(source, _Collector())


def _build(source: dict[str, Any], col: _Collector) -> Bank:
    col.file = BANK_FILE
    root = source["bank"]
    group_files = root.get("groups")
    if not isinstance(group_files, list) or not group_files:
        col.add(None, "groups", "must list the group files, in order")
    elif not all(isinstance(n, str) for n in group_files):
        col.add(None, "groups", "must be a list of file names (without .toml)")
    raw_groups = [(str(f), d) for f, d in source["groups"]]
    bank = _build_bank(root, raw_groups, col)
    if col.errors or bank is None:
        raise BankValidationError(col.errors)
    return bank


def _jsonable(value: Any) -> Any:
    """TOML dates become ISO strings, so the source survives a JSON column."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _read_toml(path: Path, col: _Collector) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        col.add(None, "-", f"file not found: {path}")
    except tomllib.TOMLDecodeError as exc:
        col.add(None, "-", f"not valid TOML: {exc}")
    return None


def _build_bank(root: dict[str, Any], raw_groups: list[tuple[str, dict[str, Any]]], col: _Collector) -> Bank | None:
    col.file = BANK_FILE
    code, version = root.get("code"), root.get("version")
    if not isinstance(code, str) or not code:
        col.add(None, "code", "is required")
    if not isinstance(version, str) or not version:
        col.add(None, "version", "is required, as a string such as \"2024.1\"")
    title = _text(root.get("title"), col, None, "title")
    scoring = _bank_scoring(root.get("scoring"), col)
    kinds = _unit_kinds(root.get("unit_kinds"), col)
    routing = _routing(root.get("routing"), col)

    groups: list[Group] = []
    files: dict[str, str] = {}
    seen_q: dict[str, str] = {}
    seen_s: dict[str, str] = {}
    kind_codes = {k.code for k in kinds}
    for file, raw in raw_groups:
        col.file = file
        group = _group(raw, col, seen_q, seen_s, kind_codes)
        if group is not None:
            groups.append(group)
            files[group.code] = file
    _check_group_codes(groups, col)
    _check_conditions(groups, files, col)
    listed = root.get("groups")
    _check_routing(groups, routing, col, complete=isinstance(listed, list) and len(groups) == len(listed))
    if title is None or scoring is None or col.errors:
        return None
    return Bank(str(code), str(version), title, tuple(kinds), scoring, tuple(groups), tuple(routing))


def _bank_scoring(raw: Any, col: _Collector) -> BankScoring | None:
    if not isinstance(raw, dict):
        col.add(None, "scoring", "is required (bands, gap_threshold, severity_threshold)")
        return None
    bands = raw.get("bands") or {}
    green = _number(bands.get("green"), col, None, "scoring.bands.green")
    yellow = _number(bands.get("yellow"), col, None, "scoring.bands.yellow")
    gap = _number(raw.get("gap_threshold"), col, None, "scoring.gap_threshold")
    sev = raw.get("severity_threshold")
    if green is None or yellow is None or not 0 < yellow <= green <= 1:
        col.add(None, "scoring.bands", "needs 0 < yellow ≤ green ≤ 1")
    if gap is None or not 0 <= gap <= 1:
        col.add(None, "scoring.gap_threshold", "needs a number from 0 to 1")
    if not isinstance(sev, int) or isinstance(sev, bool) or not 1 <= sev <= 5:
        col.add(None, "scoring.severity_threshold", "needs a whole number from 1 to 5")
    if green is None or yellow is None or gap is None or not isinstance(sev, int):
        return None
    return BankScoring(BandThresholds(green, yellow), gap, sev)


def _unit_kinds(raw: Any, col: _Collector) -> list[UnitKind]:
    kinds: list[UnitKind] = []
    if not isinstance(raw, list) or not raw:
        col.add(None, "unit_kinds", "must list the unit kinds questions may apply to")
        return kinds
    for i, item in enumerate(raw):
        code = item.get("code") if isinstance(item, dict) else None
        name = _text(item.get("name") if isinstance(item, dict) else None, col, None, f"unit_kinds[{i}].name")
        if not isinstance(code, str) or not code:
            col.add(None, f"unit_kinds[{i}].code", "is required")
        elif name is not None:
            kinds.append(UnitKind(code, name))
    return kinds


def _routing(raw: Any, col: _Collector) -> list[RoutingRule]:
    rules: list[RoutingRule] = []
    if not isinstance(raw, list):
        col.add(None, "routing", "must list the default lead agency of every group or section")
        return rules
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            col.add(None, f"routing[{i}]", "must be a table")
            continue
        scope, lead = item.get("scope"), item.get("lead")
        coord = item.get("coordinating", [])
        if not isinstance(scope, str) or not scope:
            col.add(None, f"routing[{i}].scope", "is required (a group or section code)")
            continue
        if not _str_list(lead) or not lead:
            col.add(None, f"routing[{i}].lead", f"{scope}: needs at least one lead unit code")
            continue
        if not _str_list(coord):
            col.add(None, f"routing[{i}].coordinating", f"{scope}: must be a list of unit codes")
            continue
        rules.append(RoutingRule(scope, tuple(lead), tuple(coord)))
    return rules


def _group(raw: dict[str, Any], col: _Collector, seen_q: dict[str, str], seen_s: dict[str, str],
           kinds: set[str]) -> Group | None:
    code = raw.get("code")
    if not isinstance(code, str) or not code:
        col.add(None, "code", "is required")
        return None
    name = _text(raw.get("name"), col, None, "name")
    weight = _number(raw.get("weight", 1), col, None, "weight")
    if weight is not None and weight <= 0:
        col.add(None, "weight", f"must be greater than 0, not {weight:g}")
    sections: dict[str, list[Question]] = {}
    names: dict[str, Text] = {}
    for i, sec in enumerate(raw.get("sections") or []):
        s_code = sec.get("code") if isinstance(sec, dict) else None
        if not isinstance(s_code, str) or not s_code:
            col.add(None, f"sections[{i}].code", "is required")
            continue
        if s_code in seen_s:
            col.add(None, f"sections[{i}].code", f"duplicate section code {s_code!r} (also in {seen_s[s_code]})")
            continue
        seen_s[s_code] = col.file
        s_name = _text(sec.get("name"), col, None, f"sections[{i}].name")
        if s_name is not None:
            names[s_code] = s_name
            sections[s_code] = []
    if not sections:
        col.add(None, "sections", "a group needs at least one section")
    raw_questions = raw.get("questions") or []
    if not raw_questions:
        col.add(None, "questions", "a group needs at least one question")
    for i, rq in enumerate(raw_questions):
        q = _question(rq, i, code, col, seen_q, kinds)
        if q is None:
            continue
        if q.section not in sections:
            col.add(q.code, "section", f"unknown section {q.section!r} (sections of this file: "
                    f"{', '.join(sections) or 'none'})")
            continue
        sections[q.section].append(q)
    for s_code, qs in sections.items():
        if not qs:
            col.add(None, f"sections.{s_code}", "section has no questions")
    if name is None or weight is None or weight <= 0:
        return None
    return Group(code, name, weight, tuple(Section(c, code, names[c], tuple(qs)) for c, qs in sections.items()))


def _check_group_codes(groups: list[Group], col: _Collector) -> None:
    col.file = BANK_FILE
    codes = [g.code for g in groups]
    for c in {c for c in codes if codes.count(c) > 1}:
        col.add(None, "groups", f"duplicate group code {c!r}")


def _check_conditions(groups: list[Group], files: dict[str, str], col: _Collector) -> None:
    """A condition must point to an earlier question, with a value it can take."""
    earlier: dict[str, Question] = {}
    for group in groups:
        col.file = files.get(group.code, col.file)
        for section in group.sections:
            for q in section.questions:
                cond = q.condition
                if cond is not None:
                    target = earlier.get(cond.question)
                    if target is None:
                        col.add(q.code, "condition.question",
                                f"{cond.question!r} is not an earlier question of the bank")
                    else:
                        _check_condition_value(q.code, cond, target, col)
                earlier[q.code] = q


def _check_condition_value(code: str, cond: Condition, target: Question, col: _Collector) -> None:
    option_codes = {o.code for o in target.options}
    if cond.at_least is not None and target.type not in (QuestionType.NUMBER, QuestionType.SEVERITY):
        col.add(code, "condition.at_least", f"{target.code} is not a number question")
    for value in ([cond.equals] if isinstance(cond.equals, str) else []) + list(cond.any_of):
        if target.type in CHOICE_TYPES and value not in option_codes:
            col.add(code, "condition", f"{target.code} has no option {value!r}")


def _check_routing(groups: list[Group], routing: list[RoutingRule], col: _Collector, *, complete: bool) -> None:
    """Every section needs a lead; a rule for an unknown scope is a typo
    (checked only when every group file was read, to avoid false alarms)."""
    col.file = BANK_FILE
    scopes = {r.scope for r in routing}
    known = {g.code for g in groups} | {s.code for g in groups for s in g.sections}
    for r in routing:
        if complete and r.scope not in known:
            col.add(None, "routing", f"scope {r.scope!r} is neither a group nor a section")
    for g in groups:
        for s in g.sections:
            if s.code not in scopes and g.code not in scopes:
                col.add(None, "routing", f"section {s.code!r} of group {g.code!r} has no lead agency")
