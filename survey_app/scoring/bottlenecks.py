"""The bottleneck register: which answers raise an entry, and to whom it goes.

Per visible question, in this order (:data:`~.results.KIND_ORDER`):

1. ``CRITICAL_FAILED``: a critical question unanswered or below its threshold;
2. ``SEVERITY``: a severity answer at or above the threshold (the question's,
   else the bank's);
3. ``TABLE_ROW``: each non-blank row of a table marked ``bottleneck_rows``
   (its key: the row's position; its cells kept as codes);
4. ``GAP``: an answered, scored question below its threshold, unless it is
   already listed as a failed critical question;
5. ``OPTION``: each picked option marked ``bottleneck`` (its key: the option code).

Each rule is written once, here, and both passes call it: :func:`is_gap` and
:func:`critical_failed` decide the flags of a question, :func:`flag_kinds`
turns the flags into the kinds 1 and 4, and :func:`value_items` gives the
entries 2, 3 and 5 of a column of values read by the one door. The single-unit pass
(:func:`question_bottlenecks`, used by :func:`~.engine.score_unit`) and the
round pass (:func:`~.batch.score_round`) differ only in how they loop:
:func:`flag_kinds` works on one unit's booleans and on columns of units alike.

Entries hold codes, never labels: pages render them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple

from survey_app.questionnaires.answers import Refusal, value_reader
from survey_app.questionnaires.schema import Bank, Question, QuestionType

from .bands import exact
from .results import KIND_RANK, Bottleneck, BottleneckKind
from .scorers import Flags, fail_threshold

Leads = Mapping[str, tuple[str, ...]]
Row = tuple[tuple[str, object], ...]


def default_leads(bank: Bank) -> dict[str, tuple[str, ...]]:
    """Lead unit codes per group or section code, from the bank's routing."""
    return {rule.scope: tuple(rule.lead) for rule in bank.routing}


def lead_agencies(leads: Leads, group: str, section: str) -> tuple[str, ...]:
    """The leads of a section: its own entry, else its group's, else none."""
    found = leads.get(section)
    if found is None:
        found = leads.get(group)
    return tuple(found) if found is not None else ()


def severity_threshold(q: Question, bank_threshold: int) -> int:
    t = q.scoring.severity_threshold
    return t if t is not None else bank_threshold


def row_coder(q: Question) -> Callable[[Mapping[str, object]], Row]:
    """:func:`row_codes` for ``q``, with its columns read once."""
    codes = tuple(c.code for c in q.columns)

    def coded(row: Mapping[str, object]) -> Row:
        get = row.get
        out: list[tuple[str, object]] = []
        for code in codes:
            cell = get(code)
            if cell is None:
                continue
            if cell.__class__ is str or isinstance(cell, str):
                cell = cell.strip()
                if not cell:
                    continue
            out.append((code, cell))
        return tuple(out)

    return coded


def row_codes(q: Question, row: Mapping[str, object]) -> Row:
    """A table row's non-blank cells in column order, as codes (what the register stores)."""
    return row_coder(q)(row)


def describe(q: Question, kind: str, item_key: str, row: Mapping[str, object] | None, locale: str) -> str:
    """An entry's detail in the reader's language: the option's label, or a table
    row's cells in column order joined by `` | `` (choice cells as labels)."""
    if kind == BottleneckKind.OPTION.value:
        opt = q.option(item_key)
        return opt.label.get(locale) if opt is not None else item_key
    if kind != BottleneckKind.TABLE_ROW.value or not row:
        return ""
    cells = []
    for c in q.columns:
        cell = row.get(c.code)
        if cell is None:
            cells.append("")
        elif c.options and isinstance(cell, str):
            opt = next((o for o in c.options if o.code == cell), None)
            cells.append(opt.label.get(locale) if opt is not None else cell)
        elif isinstance(cell, float) and cell.is_integer():
            cells.append(str(int(cell)))
        else:
            cells.append(str(cell))
    return " | ".join(cells)


# --- the rules ------------------------------------------------------------


def is_gap(q: Question, score: Fraction, gap_threshold: float) -> bool:
    """Whether a scored answer is a gap: its exact score is below the question's
    ``fail_below``, else the bank's ``gap_threshold`` (exactly at it is no gap)."""
    return gap_test(q, gap_threshold)(score)


def gap_test(q: Question, gap_threshold: float) -> Callable[[Fraction], bool]:
    """:func:`is_gap` for ``q``, with its threshold read once."""
    threshold = exact(fail_threshold(q, gap_threshold))
    return lambda score: score < threshold


def critical_failed(q: Question, gap: Flags, unanswered: Flags) -> Flags:
    """Whether a visible, applicable, scored question fails as critical: it is
    critical and either a gap or unanswered (a refused value counts as unanswered)."""
    return gap | unanswered if q.critical else gap & False


def flag_kinds(failed: Flags, gap: Flags) -> tuple[tuple[BottleneckKind, Flags], ...]:
    """The entries decided by a question's flags, with where each is raised:
    a failed critical question, and a gap unless it is already a failed critical one."""
    return (BottleneckKind.CRITICAL_FAILED, failed), (BottleneckKind.GAP, gap & (failed ^ True))


class ValueItems(NamedTuple):
    """The entries raised by a column of answer values, one list per field: the
    position of the value in the column (``at``), and the entry's kind, its
    ``order`` among the entries of its kind (the row's position, the option's
    position), severity, item key and table row."""

    at: list[int]
    kind: list[BottleneckKind]
    order: list[int]
    severity: list[int | None]
    item_key: list[str]
    row: list[Row | None]


def value_items(q: Question, bank_severity: int) -> Callable[[Sequence[object]], ValueItems] | None:
    """The entries answers to ``q`` raise by their value alone (severity, table
    rows, flagged options), as a function of a column of values *read by the
    one door* (None or a refusal raises none); None when ``q`` raises none
    whatever the answer. One unit's value is a column of one."""
    severity = q.type is QuestionType.SEVERITY
    threshold = severity_threshold(q, bank_severity)
    rows = q.type is QuestionType.TABLE and q.bottleneck_rows
    flagged = tuple((k, o.code) for k, o in enumerate(q.options) if o.bottleneck)
    if not (severity or rows or flagged):
        return None
    sev_kind, row_kind, opt_kind = BottleneckKind.SEVERITY, BottleneckKind.TABLE_ROW, BottleneckKind.OPTION
    coded = row_coder(q)

    def items(column: Sequence[object]) -> ValueItems:
        # kind by kind over the whole column (the entries are sorted by kind and order
        # afterwards); None and a refusal are neither an int, a list nor a tuple of codes
        sev: list[tuple[int, int]] = []
        tables: list[tuple[int, list[Mapping[str, object]]]] = []
        picks: list[tuple[int, int, str]] = []
        if severity:
            sev = [(i, got) for i, got in enumerate(column) if isinstance(got, int) and got >= threshold]
        if rows:
            tables = [(i, got) for i, got in enumerate(column) if isinstance(got, list)]
        if flagged:
            picks = [(i, k, code) for i, got in enumerate(column) if got is not None and got.__class__ is not Refusal
                     for picked in [got if isinstance(got, tuple) else (got,)]
                     for k, code in flagged if code in picked]
        row_at = [i for i, got in tables for _ in got]
        n_sev, n_rows, n_opt = len(sev), len(row_at), len(picks)
        return ValueItems(
            at=[i for i, _ in sev] + row_at + [i for i, _, _ in picks],
            kind=[sev_kind] * n_sev + [row_kind] * n_rows + [opt_kind] * n_opt,
            order=[0] * n_sev + [r for _, got in tables for r in range(len(got))] + [k for _, k, _ in picks],
            severity=[got for _, got in sev] + [None] * (n_rows + n_opt),
            item_key=[""] * n_sev + [str(r) for _, got in tables for r in range(len(got))]
            + [code for _, _, code in picks],
            row=[None] * n_sev + [coded(cells) for _, got in tables for cells in got] + [None] * n_opt,
        )

    return items


def question_bottlenecks(
    q: Question,
    value: object,
    *,
    failed_critical: bool,
    gap: bool,
    bank_severity: int,
    comment: str,
    leads: tuple[str, ...],
) -> list[Bottleneck]:
    """The entries raised by one visible question's answer (a refused value raises
    none but a critical failure), in register order."""
    found: list[tuple[BottleneckKind, int, int | None, str, Row | None]] = [
        (kind, 0, None, "", None) for kind, raised in flag_kinds(failed_critical, gap) if raised]
    items = value_items(q, bank_severity)
    if items is not None:
        got = items([value_reader(q)(value)])
        found.extend(zip(got.kind, got.order, got.severity, got.item_key, got.row, strict=True))
    found.sort(key=lambda it: (KIND_RANK[it[0]], it[1]))
    return [Bottleneck(q.group, q.section, q.code, kind, severity, comment, key, row, leads)
            for kind, _, severity, key, row in found]
