"""The bottleneck register: which answers raise an entry, and to whom it goes.

Per visible question, in this order:

1. ``CRITICAL_FAILED``: a critical question unanswered or below its threshold;
2. ``SEVERITY``: a severity answer at or above the threshold (the question's,
   else the bank's);
3. ``TABLE_ROW``: each non-blank row of a table marked ``bottleneck_rows``;
4. ``GAP``: an answered, scored question below its threshold, unless it is
   already listed as a failed critical question;
5. ``OPTION``: each picked option marked ``bottleneck``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from survey_app.questionnaires.schema import Bank, ColumnType, Question, QuestionType

from .results import Bottleneck, BottleneckKind
from .values import as_number, selected_options, severity_value, table_rows

Leads = Mapping[str, tuple[str, ...]]

#: Detail of a critical question that failed because it was left unanswered.
UNANSWERED_DETAIL = "unanswered"


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


def format_cell(cell: object, column_type: ColumnType, labels: Mapping[str, str]) -> str:
    """A table cell as text: option labels for choice cells, whole numbers without ``.0``."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return labels.get(cell, cell) if column_type is ColumnType.CHOICE else cell.strip()
    x = as_number(cell)
    if x is not None:
        return str(int(x)) if x.is_integer() else repr(x)
    return str(cell).strip()


def row_formatter(q: Question) -> Callable[[Mapping[str, object]], str]:
    """:func:`row_detail` for ``q`` with its columns read once."""
    columns = [(c.code, c.type, {o.code: o.label.vi for o in c.options}) for c in q.columns]

    def detail(row: Mapping[str, object]) -> str:
        return " | ".join(format_cell(row.get(code), ctype, labels) for code, ctype, labels in columns)

    return detail


def row_detail(q: Question, row: Mapping[str, object]) -> str:
    """A table row's cells in column order, joined by `` | `` (choice cells as option labels)."""
    return row_formatter(q)(row)


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
    """The entries raised by one visible question's answer."""
    out: list[Bottleneck] = []

    def add(kind: BottleneckKind, severity: int | None = None, detail: str = "") -> None:
        out.append(Bottleneck(q.group, q.section, q.code, kind, severity, comment, detail, leads))

    if failed_critical:
        add(BottleneckKind.CRITICAL_FAILED, detail="" if answered else UNANSWERED_DETAIL)
    if q.type is QuestionType.SEVERITY:
        sev = severity_value(value)
        if sev is not None and sev >= severity_threshold(q, bank_severity):
            add(BottleneckKind.SEVERITY, severity=sev)
    if q.type is QuestionType.TABLE and q.bottleneck_rows:
        for row in table_rows(value) or ():
            add(BottleneckKind.TABLE_ROW, detail=row_detail(q, row))
    if gap and not failed_critical:
        add(BottleneckKind.GAP)
    if any(o.bottleneck for o in q.options):
        picked = selected_options(q, value) or ()
        for o in q.options:
            if o.bottleneck and o.code in picked:
                add(BottleneckKind.OPTION, detail=o.label.vi)
    return out

