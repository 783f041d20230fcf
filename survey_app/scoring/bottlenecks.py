"""The bottleneck register: which answers raise an entry, and to whom it goes.

Per visible question, in this order:

1. ``CRITICAL_FAILED``: a critical question unanswered or below its threshold;
2. ``SEVERITY``: a severity answer at or above the threshold (the question's,
   else the bank's);
3. ``TABLE_ROW``: each non-blank row of a table marked ``bottleneck_rows``
   (its key: the row's position; its cells kept as codes);
4. ``GAP``: an answered, scored question below its threshold, unless it is
   already listed as a failed critical question;
5. ``OPTION``: each picked option marked ``bottleneck`` (its key: the option code).

Entries hold codes, never labels: pages render them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from survey_app.questionnaires.answers import Refusal, value_reader
from survey_app.questionnaires.schema import Bank, Question, QuestionType

from .results import Bottleneck, BottleneckKind

Leads = Mapping[str, tuple[str, ...]]


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


def row_codes(q: Question, row: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    """A table row's non-blank cells in column order, as codes (what the register stores)."""
    out: list[tuple[str, object]] = []
    for c in q.columns:
        cell = row.get(c.code)
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        out.append((c.code, cell.strip() if isinstance(cell, str) else cell))
    return tuple(out)


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


def question_bottlenecks(
    q: Question,
    value: object,
    *,
    answered: bool,
    failed_critical: bool,
    gap: bool,
    bank_severity: int,
    comment: str,
    leads: tuple[str, ...],
) -> list[Bottleneck]:
    """The entries raised by one visible question's answer (a refused value raises
    none but a critical failure)."""
    out: list[Bottleneck] = []
    got = value_reader(q)(value)
    if isinstance(got, Refusal):
        got = None

    def add(kind: BottleneckKind, severity: int | None = None, item_key: str = "",
            row: tuple[tuple[str, object], ...] | None = None) -> None:
        out.append(Bottleneck(q.group, q.section, q.code, kind, severity, comment, item_key, row, leads))

    if failed_critical:
        add(BottleneckKind.CRITICAL_FAILED)
    if q.type is QuestionType.SEVERITY and isinstance(got, int) and got >= severity_threshold(q, bank_severity):
        add(BottleneckKind.SEVERITY, severity=got)
    if q.type is QuestionType.TABLE and q.bottleneck_rows and isinstance(got, list):
        for i, row in enumerate(got):
            add(BottleneckKind.TABLE_ROW, item_key=str(i), row=row_codes(q, row))
    if gap and not failed_critical:
        add(BottleneckKind.GAP)
    if got is not None and any(o.bottleneck for o in q.options):
        picked = got if isinstance(got, tuple) else (got,)
        for o in q.options:
            if o.bottleneck and o.code in picked:
                add(BottleneckKind.OPTION, item_key=o.code)
    return out
